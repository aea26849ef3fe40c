"""Currencies, fees and exact rounding."""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla_engine.credits import Fee, minor_unit, round_money
from sla_engine.errors import CreditError

MODES = {
    "half_even": ROUND_HALF_EVEN,
    "half_up": ROUND_HALF_UP,
    "half_down": ROUND_HALF_DOWN,
    "up": ROUND_UP,
    "down": ROUND_DOWN,
    "ceiling": ROUND_CEILING,
    "floor": ROUND_FLOOR,
}


@pytest.mark.parametrize(("code", "places"), [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3)])
def test_minor_unit_comes_from_iso_4217(code: str, places: int) -> None:
    """The minor unit is ISO 4217's: 2 for USD/EUR, 0 for JPY, 3 for KWD."""
    assert minor_unit(code) == places


@pytest.mark.parametrize("code", ["usd", "XXZ", "", "US"])
def test_unknown_currency_is_refused(code: str) -> None:
    """A code ISO 4217 does not list raises CreditError naming it."""
    with pytest.raises(CreditError, match="not an ISO 4217 currency code"):
        minor_unit(code)


def test_currency_without_minor_unit_is_refused() -> None:
    """Gold (XAU) has no minor unit and cannot be paid as a credit."""
    with pytest.raises(CreditError, match="no minor unit"):
        minor_unit("XAU")


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=6, min_value=-(10**6), max_value=10**6
    ),
    st.integers(0, 3),
    st.sampled_from(sorted(MODES)),
)
def test_round_money_agrees_with_decimal_quantize(value: Decimal, places: int, mode: str) -> None:
    """Law: rounding an exact value equals Decimal.quantize in the same mode."""
    expected = value.quantize(Decimal(1).scaleb(-places), rounding=MODES[mode])
    assert round_money(Fraction(value), places, mode) == expected


@given(st.integers(-(10**9), 10**9), st.integers(1, 10**6))
def test_round_money_half_even_is_within_half_a_unit(numerator: int, denominator: int) -> None:
    """Law: the rounded amount is within half a minor unit of the exact one."""
    exact = Fraction(numerator, denominator)
    assert abs(Fraction(round_money(exact, 2)) - exact) <= Fraction(1, 200)


def test_round_money_half_even_ties_go_to_the_even_cent() -> None:
    """0.125 rounds to 0.12 and 0.135 to 0.14 half-even; half_up gives 0.13."""
    assert round_money(Fraction(1, 8), 2) == Decimal("0.12")
    assert round_money(Fraction(135, 1000), 2) == Decimal("0.14")
    assert round_money(Fraction(1, 8), 2, "half_up") == Decimal("0.13")


def test_zero_keeps_the_currency_places() -> None:
    """A zero amount prints with the minor unit's decimals."""
    assert str(round_money(Fraction(0), 2)) == "0.00"
    assert str(round_money(Fraction(0), 0)) == "0"


def test_fee_refuses_float() -> None:
    """A float fee is refused with a message showing the Decimal to write."""
    with pytest.raises(CreditError, match=r"float 49\.99.*Decimal\('49\.99'\)"):
        Fee(amount=49.99, currency="USD")  # type: ignore[arg-type]


def test_fee_refuses_negative_amount() -> None:
    """A negative fee is refused."""
    with pytest.raises(CreditError, match=r"-1 must be a finite amount >= 0") as info:
        Fee(amount=Decimal("-1"), currency="USD")
    assert info.value.path == ("amount",)


def test_fee_refuses_unknown_currency() -> None:
    """An unknown currency is refused, with a hint for lower case."""
    with pytest.raises(CreditError, match="did you mean 'USD'") as info:
        Fee(amount=Decimal("1"), currency="usd")
    assert info.value.path == ("currency",)


def test_fee_from_mapping_round_trips() -> None:
    """Fee.from_mapping(fee.to_mapping()) == fee."""
    fee = Fee(amount=Decimal("2000.00"), currency="USD", per="month")
    assert Fee.from_mapping(fee.to_mapping()) == fee


def test_fee_from_mapping_refuses_float_with_path() -> None:
    """A float in plain data is refused and the error names where it is."""
    with pytest.raises(CreditError, match="float") as info:
        Fee.from_mapping({"amount": 10.5, "currency": "USD"}, path=("fee",))
    assert info.value.path == ("fee", "amount")
