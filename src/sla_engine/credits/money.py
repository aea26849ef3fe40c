"""Money: ISO 4217 currencies and their minor units, fees, and exact rounding.

Amounts are ``Decimal`` at the boundary and exact ``Fraction`` inside a computation; they are
rounded once, at the end, to the currency's minor unit (from the ``iso4217`` package, which
tracks the ISO 4217 maintenance agency's published table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Final, Literal

from iso4217 import Currency

from sla_engine._bounds import refuse_huge_fields
from sla_engine.credits import _read
from sla_engine.errors import CreditError

__all__ = [
    "FEE_BASES",
    "MAX_AMOUNT",
    "ROUNDING_MODES",
    "Fee",
    "FeeBasis",
    "RoundingMode",
    "minor_unit",
    "round_money",
]

MAX_AMOUNT: Final = Decimal(10) ** 36
"""Every fee is below this amount (36 digits before the decimal point)."""

RoundingMode = Literal["half_even", "half_up", "half_down", "up", "down", "ceiling", "floor"]
ROUNDING_MODES: Final[tuple[str, ...]] = (
    "half_even",
    "half_up",
    "half_down",
    "up",
    "down",
    "ceiling",
    "floor",
)
FeeBasis = Literal["period", "month", "hour"]
FEE_BASES: Final[tuple[str, ...]] = ("period", "month", "hour")
_FEE_BASES: Final = FEE_BASES


@lru_cache(maxsize=512)
def minor_unit(currency: str) -> int:
    """The number of decimal places of ``currency`` (``USD`` -> 2, ``JPY`` -> 0, ``KWD`` -> 3).

    Raises ``CreditError`` for a code ISO 4217 does not list, or one without a minor unit (``XAU``).
    """
    if not isinstance(currency, str):
        raise CreditError(f"currency: expected an ISO 4217 code such as 'USD', got {currency!r}")
    try:
        found = Currency(currency)
    except ValueError:
        hint = f"; did you mean {currency.upper()!r}?" if currency.upper() != currency else ""
        raise CreditError(
            f"currency: {currency!r} is not an ISO 4217 currency code (expected e.g. 'USD', "
            f"'EUR', 'JPY'){hint}"
        ) from None
    exponent = found.exponent
    if exponent is None:
        raise CreditError(
            f"currency: {currency!r} ({found.currency_name}) has no minor unit and cannot be "
            "paid as a credit; use a national currency code"
        )
    return int(exponent)


def round_money(amount: Fraction, places: int, mode: str = "half_even") -> Decimal:
    """Round an exact amount to ``places`` decimals, exactly, in the named mode."""
    scale = 10**places
    numerator = amount.numerator * scale
    denominator = amount.denominator
    quotient, remainder = divmod(numerator, denominator)  # floor division: remainder >= 0
    if remainder:
        twice = 2 * remainder
        if mode == "half_even":
            if twice > denominator or (twice == denominator and quotient % 2 == 1):
                quotient += 1
        elif mode == "half_up":  # half away from zero
            if twice > denominator or (twice == denominator and quotient >= 0):
                quotient += 1
        elif mode == "half_down":  # half toward zero
            if twice > denominator or (twice == denominator and quotient < 0):
                quotient += 1
        elif mode == "up":  # away from zero
            if quotient >= 0:
                quotient += 1
        elif mode == "down":  # toward zero
            if quotient < 0:
                quotient += 1
        elif mode == "ceiling":
            quotient += 1
        elif mode != "floor":
            raise CreditError(
                f"rounding: {mode!r} is not a rounding mode; expected one of "
                f"{', '.join(ROUNDING_MODES)}"
            )
    return Decimal(f"{quotient}e-{places}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Fee:
    """What the customer pays, that credits are a share of.

    ``per`` says what ``amount`` is: ``"period"`` the fees paid in the billing period,
    ``"month"`` a monthly fee (a quarter's fee is three of them), ``"hour"`` an hourly rate
    (a period's fee is the rate times the hours in the period).
    """

    amount: Decimal
    currency: str
    per: FeeBasis = "period"

    def __post_init__(self) -> None:
        refuse_huge_fields(self, ("amount", "currency", "per"), CreditError)
        if _read.is_float(self.amount):
            raise CreditError(
                f"fee.amount: got the float {self.amount!r}; money must be exact, pass "
                f"Decimal({str(self.amount)!r}) or the string {str(self.amount)!r}",
                path=("amount",),
            )
        if not isinstance(self.amount, Decimal):
            raise CreditError(
                f"fee.amount: expected a Decimal, got {type(self.amount).__name__} "
                f"{self.amount!r}; use Decimal('49.99') or Fee.from_mapping",
                path=("amount",),
            )
        if not self.amount.is_finite() or self.amount < 0:
            raise CreditError(
                f"fee.amount: {self.amount} must be a finite amount >= 0; a credit is a share "
                "of what was paid",
                path=("amount",),
            )
        if self.amount >= MAX_AMOUNT:
            raise CreditError(
                f"fee.amount: {self.amount:.6E} is out of bounds; a fee is below {MAX_AMOUNT:.0E}",
                path=("amount",),
            )
        try:
            places = minor_unit(self.currency)
        except CreditError as exc:
            raise CreditError(exc.message, path=("currency",)) from None
        exponent = self.amount.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places + 6:
            raise CreditError(
                f"fee.amount: {self.amount} has more than {places + 6} decimals for "
                f"{self.currency}; give the fee in at most {places + 6} decimals",
                path=("amount",),
            )
        if self.per not in _FEE_BASES:
            raise CreditError(
                f"fee.per: {self.per!r} is not one of {', '.join(_FEE_BASES)}", path=("per",)
            )

    @property
    def places(self) -> int:
        """Decimal places of the currency's minor unit."""
        return minor_unit(self.currency)

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> Fee:
        """Build from ``{"amount": "2000.00", "currency": "USD", "per": "month"}``."""
        m = _read.mapping(data, path, allowed=("amount", "currency", "per"))
        amount = _read.decimal(_read.required(m, "amount", path), (*path, "amount"), what="amount")
        currency = _read.text(
            _read.required(m, "currency", path), (*path, "currency"), what="currency"
        )
        per = _read.choice(m.get("per", "period"), (*path, "per"), what="per", options=_FEE_BASES)
        try:
            return cls(amount=amount, currency=currency, per=per)  # type: ignore[arg-type]
        except CreditError as exc:
            raise CreditError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        return {
            "amount": _read.format_decimal(self.amount),
            "currency": self.currency,
            "per": self.per,
        }
