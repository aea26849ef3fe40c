"""Credit schedules: what a measured downtime is worth, and the rules around it.

A :class:`CreditSchedule` pairs one *rule* (how downtime becomes money) with the choices every
SLA must state: the basis (per incident or per period), exclusions, caps, a minimum payout, the
claim window and the rounding mode. Rules:

- :class:`UptimeBands`: a percentage of the period fee by band of uptime share;
- :class:`DowntimeBands`: a percentage of the period fee by band of downtime;
- :class:`FlatStep`: one percentage once downtime passes a threshold;
- :class:`LostTime`: downtime paid at the prorated fee or an hourly rate, times a multiple
  (``multiple=10`` is "ten times the prorated fee");
- :class:`HourlyStep`: a percentage per complete step (an hour) beyond an allowance, capped.

Every band bound states whether it is inclusive: ``Band.parse("[1h, 4h)", "10%")`` is
``1 h <= d < 4 h``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import ClassVar, Final, Literal, TypeVar

from sla_engine._time import US_PER_HOUR, format_duration, td_to_us
from sla_engine.credits import _read
from sla_engine.credits.incident import EXCLUSION_REASONS
from sla_engine.credits.money import ROUNDING_MODES
from sla_engine.errors import CreditError

__all__ = [
    "Band",
    "Cap",
    "ClaimWindow",
    "CreditRule",
    "CreditSchedule",
    "DowntimeBands",
    "FlatStep",
    "HourlyStep",
    "LostTime",
    "MinimumPayout",
    "Outcome",
    "UptimeBands",
]

Bound = timedelta | Decimal
Basis = Literal["incident", "period"]
_BASES: Final = ("incident", "period")
_HUNDRED: Final = Fraction(100)
_RANGE = re.compile(r"^\s*([\[(])\s*([^,]*?)\s*,\s*([^,]*?)\s*([\])])\s*$")
_INFINITE: Final = ("", "inf", "+inf", "-inf", "∞", "+∞", "-∞")


T = TypeVar("T")


def _wrap(build: Callable[[], T], path: _read.Path) -> T:
    """Run a constructor, adding ``path`` to the path of any CreditError it raises."""
    try:
        return build()
    except CreditError as exc:
        raise CreditError(exc.message, path=(*path, *exc.path)) from None


def _check_percent(value: object, path: tuple[str | int, ...], what: str) -> None:
    if _read.is_float(value) or not isinstance(value, Decimal):
        raise CreditError(
            f"{what}: expected a Decimal in percent units (Decimal('10') for 10 %), got "
            f"{type(value).__name__} {value!r}",
            path=path,
        )
    if not value.is_finite() or value < 0:
        raise CreditError(f"{what}: {value} must be a percentage >= 0", path=path)


def _check_duration(value: object, path: tuple[str | int, ...], what: str) -> None:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise CreditError(f"{what}: expected a timedelta >= 0, got {value!r}", path=path)


MAX_CLAIM_DAYS: Final = 36_525
"""The longest claim window in days (a century)."""
MAX_CLAIM_CYCLES: Final = 1_200
"""The longest claim window in billing cycles (a century of monthly cycles)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a rule gives for one measured downtime: ``factor`` times the fee ``base``."""

    base: Literal["period_fee", "hourly_rate"]
    factor: Fraction
    percent: Decimal | None = None
    band: str | None = None


# ---------------------------------------------------------------------------------------------
# Bands


@dataclass(frozen=True, slots=True, kw_only=True)
class Band:
    """``percent`` of the fee when the measure lies between ``lower`` and ``upper``.

    Bounds are ``timedelta`` (downtime bands) or ``Decimal`` percentages (uptime bands); ``None``
    is unbounded. Each bound says whether it is inclusive.
    """

    lower: Bound | None
    upper: Bound | None
    lower_inclusive: bool
    upper_inclusive: bool
    percent: Decimal

    def __post_init__(self) -> None:
        _check_percent(self.percent, ("credit",), "band credit")
        for name in ("lower_inclusive", "upper_inclusive"):
            if not isinstance(getattr(self, name), bool):
                raise CreditError(f"{name}: expected True or False", path=(name,))
        kinds = {type(b) for b in (self.lower, self.upper) if b is not None}
        if kinds - {timedelta, Decimal} or len(kinds) > 1:
            raise CreditError(
                f"band {self.range_text()}: bounds must both be timedelta (downtime) or both "
                "Decimal percentages (uptime)",
                path=("range",),
            )
        if (
            self.lower is not None
            and self.upper is not None
            and (
                self.lower > self.upper  # type: ignore[operator]
                or (
                    self.lower == self.upper and not (self.lower_inclusive and self.upper_inclusive)
                )
            )
        ):
            raise CreditError(
                f"band {self.range_text()} is empty; its lower bound must be below its upper",
                path=("range",),
            )

    @classmethod
    def parse(cls, range_text: str, credit: str | Decimal, *, path: _read.Path = ()) -> Band:
        """A band from interval notation: ``"[1h, 4h)"``, ``"[99%, 99.9%)"``, ``"(12h, inf)"``."""
        m = _RANGE.match(range_text) if isinstance(range_text, str) else None
        if not m:
            raise CreditError(
                f"band range {range_text!r} is not an interval; write e.g. '[1h, 4h)' "
                "('[' and ']' include the bound, '(' and ')' exclude it, 'inf' is unbounded)",
                path=(*path, "range"),
            )
        opening, low, high, closing = m.groups()
        bounds: list[Bound | None] = []
        for raw in (low, high):
            if raw.lower() in _INFINITE:
                bounds.append(None)
            elif raw.endswith("%"):
                bounds.append(_read.percent(raw, (*path, "range"), what="band bound"))
            else:
                bounds.append(_read.duration(raw, (*path, "range"), what="band bound"))
        pct = (
            credit
            if isinstance(credit, Decimal)
            else _read.percent(credit, (*path, "credit"), what="band credit")
        )
        try:
            return cls(
                lower=bounds[0],
                upper=bounds[1],
                lower_inclusive=opening == "[" and bounds[0] is not None,
                upper_inclusive=closing == "]" and bounds[1] is not None,
                percent=pct,
            )
        except CreditError as exc:
            raise CreditError(exc.message, path=(*path, *exc.path)) from None

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> Band:
        """Build from ``{"range": "[1h, 4h)", "credit": "10%"}``."""
        m = _read.mapping(data, path, allowed=("range", "credit"))
        return cls.parse(
            _read.text(_read.required(m, "range", path), (*path, "range"), what="range"),
            _read.percent(_read.required(m, "credit", path), (*path, "credit"), what="credit"),
            path=path,
        )

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        return {"range": self.range_text(), "credit": _read.format_percent(self.percent)}

    def range_text(self) -> str:
        """The band in interval notation, e.g. ``[1h, 4h)``."""

        def show(bound: object) -> str:
            if bound is None:
                return "inf"
            if isinstance(bound, timedelta):
                return format_duration(bound)
            if isinstance(bound, Decimal):
                return _read.format_percent(bound)
            return repr(bound)

        opening = "[" if self.lower_inclusive else "("
        closing = "]" if self.upper_inclusive else ")"
        return f"{opening}{show(self.lower)}, {show(self.upper)}{closing}"


def _band_key(bound: Bound) -> Fraction | int:
    if isinstance(bound, timedelta):
        return td_to_us(bound)
    return Fraction(bound)


def _compile_bands(
    bands: tuple[Band, ...],
) -> tuple[tuple[Fraction | int | None, Fraction | int | None, bool, bool, Band, Fraction], ...]:
    return tuple(
        (
            None if b.lower is None else _band_key(b.lower),
            None if b.upper is None else _band_key(b.upper),
            b.lower_inclusive,
            b.upper_inclusive,
            b,
            Fraction(b.percent) / _HUNDRED,
        )
        for b in bands
    )


def _find_band(
    compiled: tuple[
        tuple[Fraction | int | None, Fraction | int | None, bool, bool, Band, Fraction], ...
    ],
    key: Fraction | int,
) -> tuple[Band, Fraction] | None:
    for lo, hi, lo_inc, hi_inc, band, factor in compiled:
        if lo is not None and (key < lo or (key == lo and not lo_inc)):
            continue
        if hi is not None and (key > hi or (key == hi and not hi_inc)):
            continue
        return band, factor
    return None


def _check_bands(bands: object, *, kind: type, what: str) -> None:
    if not isinstance(bands, tuple) or not bands:
        raise CreditError(f"{what}: expected a non-empty tuple of Band", path=("bands",))
    for i, band in enumerate(bands):
        if not isinstance(band, Band):
            raise CreditError(f"{what}: item {i} is not a Band", path=("bands", i))
        for bound in (band.lower, band.upper):
            if bound is not None and not isinstance(bound, kind):
                raise CreditError(
                    f"{what}: band {band.range_text()} has a {type(bound).__name__} bound; "
                    f"expected {kind.__name__} bounds",
                    path=("bands", i, "range"),
                )
    for i, band in enumerate(bands):
        if i == 0:
            continue
        prev = bands[i - 1]
        where = f"{what}: bands {prev.range_text()} and {band.range_text()}"
        if prev.upper is None or band.lower is None:
            raise CreditError(
                f"{where} overlap (an unbounded side must be on the first or last band); list "
                "bands from the lowest measure to the highest",
                path=("bands", i, "range"),
            )
        if prev.lower is not None and band.lower < prev.lower:
            raise CreditError(
                f"{where} are out of order; list bands from the lowest measure to the highest",
                path=("bands", i, "range"),
            )
        if prev.upper < band.lower:
            raise CreditError(
                f"{where} leave a gap; make the second start where the first ends",
                path=("bands", i, "range"),
            )
        if prev.upper > band.lower:
            raise CreditError(
                f"{where} overlap; make the second start where the first ends",
                path=("bands", i, "range"),
            )
        if prev.upper_inclusive and band.lower_inclusive:
            raise CreditError(
                f"{where} both include the shared bound; exclude it from one of them, "
                "e.g. '[1h, 4h)' then '[4h, 12h)'",
                path=("bands", i, "range"),
            )
        if not prev.upper_inclusive and not band.lower_inclusive:
            raise CreditError(
                f"{where} both exclude the shared bound, leaving a gap; include it in one of "
                "them, e.g. '[1h, 4h)' then '[4h, 12h)'",
                path=("bands", i, "range"),
            )


def _bands_from_mapping(m: Mapping[str, object], path: _read.Path) -> tuple[Band, ...]:
    raw = _read.required(m, "bands", path)
    if not isinstance(raw, (list, tuple)) or not raw:
        raise CreditError("bands: expected a non-empty list of bands", path=(*path, "bands"))
    bands = [Band.from_mapping(b, path=(*path, "bands", i)) for i, b in enumerate(raw)]

    def order(band: Band) -> tuple[int, Fraction | int]:
        if band.lower is None:
            return (0, 0)
        return (1, _band_key(band.lower))

    return tuple(sorted(bands, key=order))


# ---------------------------------------------------------------------------------------------
# Rules


@dataclass(frozen=True, slots=True, kw_only=True)
class UptimeBands:
    """A percentage of the period fee by band of uptime share (bounds in percent)."""

    kind: ClassVar[str] = "uptime_bands"
    bands: tuple[Band, ...]
    _compiled: tuple[object, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_bands(self.bands, kind=Decimal, what="uptime bands")
        for i, band in enumerate(self.bands):
            for bound in (band.lower, band.upper):
                if bound is not None and not Decimal(0) <= bound <= Decimal(100):  # type: ignore[operator]
                    raise CreditError(
                        f"uptime bands: bound {bound}% of {band.range_text()} is outside 0%..100%",
                        path=("bands", i, "range"),
                    )
        object.__setattr__(self, "_compiled", _compile_bands(self.bands))

    @property
    def monotone(self) -> bool:
        """True when less uptime never gives a smaller percentage."""
        pcts = [b.percent for b in self.bands]
        return all(a >= b for a, b in pairwise(pcts))

    def evaluate(self, downtime_us: int, period_us: int) -> Outcome:
        """The band the uptime share falls in."""
        share = Fraction(period_us - downtime_us, period_us) if period_us else Fraction(1)
        found = _find_band(self._compiled, share * _HUNDRED)  # type: ignore[arg-type]
        if found is None:
            return Outcome("period_fee", Fraction(0), Decimal(0), None)
        band, factor = found
        return Outcome("period_fee", factor, band.percent, band.range_text())

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        return {"kind": self.kind, "bands": [b.to_mapping() for b in self.bands]}

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> UptimeBands:
        """Build from ``{"kind": "uptime_bands", "bands": [{"range": "[99%, 99.9%)", ...}]}``."""
        m = _read.mapping(data, path, allowed=("kind", "bands"))
        bands = _bands_from_mapping(m, path)
        return _wrap(lambda: cls(bands=bands), path)


@dataclass(frozen=True, slots=True, kw_only=True)
class DowntimeBands:
    """A percentage of the period fee by band of downtime (bounds are durations)."""

    kind: ClassVar[str] = "downtime_bands"
    bands: tuple[Band, ...]
    _compiled: tuple[object, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_bands(self.bands, kind=timedelta, what="downtime bands")
        for i, band in enumerate(self.bands):
            for bound in (band.lower, band.upper):
                if bound is not None and bound < timedelta(0):  # type: ignore[operator]
                    raise CreditError(
                        f"downtime bands: {band.range_text()} has a negative bound",
                        path=("bands", i, "range"),
                    )
        object.__setattr__(self, "_compiled", _compile_bands(self.bands))

    @property
    def monotone(self) -> bool:
        """True when more downtime never gives a smaller percentage."""
        pcts = [b.percent for b in self.bands]
        return all(a <= b for a, b in pairwise(pcts))

    def evaluate(self, downtime_us: int, period_us: int) -> Outcome:
        """The band the downtime falls in."""
        found = _find_band(self._compiled, downtime_us)  # type: ignore[arg-type]
        if found is None:
            return Outcome("period_fee", Fraction(0), Decimal(0), None)
        band, factor = found
        return Outcome("period_fee", factor, band.percent, band.range_text())

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        return {"kind": self.kind, "bands": [b.to_mapping() for b in self.bands]}

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> DowntimeBands:
        """Build from ``{"kind": "downtime_bands", "bands": [{"range": "[1h, 4h)", ...}]}``."""
        m = _read.mapping(data, path, allowed=("kind", "bands"))
        bands = _bands_from_mapping(m, path)
        return _wrap(lambda: cls(bands=bands), path)


@dataclass(frozen=True, slots=True, kw_only=True)
class FlatStep:
    """``percent`` of the period fee once downtime reaches ``threshold`` (or passes it, when
    ``inclusive`` is False)."""

    kind: ClassVar[str] = "flat_step"
    threshold: timedelta
    inclusive: bool
    percent: Decimal

    def __post_init__(self) -> None:
        _check_duration(self.threshold, ("threshold",), "threshold")
        if not isinstance(self.inclusive, bool):
            raise CreditError("inclusive: expected True or False", path=("inclusive",))
        _check_percent(self.percent, ("credit",), "credit")

    @property
    def monotone(self) -> bool:
        """Always True."""
        return True

    def evaluate(self, downtime_us: int, period_us: int) -> Outcome:
        """``percent`` or nothing."""
        limit = td_to_us(self.threshold)
        if downtime_us > limit or (self.inclusive and downtime_us == limit):
            label = f"{'>=' if self.inclusive else '>'} {format_duration(self.threshold)}"
            return Outcome("period_fee", Fraction(self.percent) / _HUNDRED, self.percent, label)
        return Outcome("period_fee", Fraction(0), Decimal(0), None)

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        return {
            "kind": self.kind,
            "threshold": format_duration(self.threshold),
            "inclusive": self.inclusive,
            "credit": _read.format_percent(self.percent),
        }

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> FlatStep:
        """Build from ``{"kind": "flat_step", "threshold": "1h", "inclusive": true,
        "credit": "10%"}``."""
        m = _read.mapping(data, path, allowed=("kind", "threshold", "inclusive", "credit"))
        threshold = _read.duration(_read.required(m, "threshold", path), (*path, "threshold"))
        inclusive = _read.boolean(
            _read.required(m, "inclusive", path), (*path, "inclusive"), what="inclusive"
        )
        pct = _read.percent(_read.required(m, "credit", path), (*path, "credit"), what="credit")
        return _wrap(lambda: cls(threshold=threshold, inclusive=inclusive, percent=pct), path)


@dataclass(frozen=True, slots=True, kw_only=True)
class LostTime:
    """Downtime paid back: ``multiple`` × the prorated fee (``rate="prorated"``: period fee ×
    downtime / period) or × an hourly rate (``rate="hourly"``: the fee must be per hour)."""

    kind: ClassVar[str] = "lost_time"
    rate: Literal["prorated", "hourly"]
    multiple: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if self.rate not in ("prorated", "hourly"):
            raise CreditError(f"rate: {self.rate!r} is not 'prorated' or 'hourly'", path=("rate",))
        if _read.is_float(self.multiple) or not isinstance(self.multiple, Decimal):
            raise CreditError(
                f"multiple: expected a Decimal such as Decimal('10'), got {self.multiple!r}",
                path=("multiple",),
            )
        if not self.multiple.is_finite() or self.multiple <= 0:
            raise CreditError(f"multiple: {self.multiple} must be > 0", path=("multiple",))

    @property
    def monotone(self) -> bool:
        """Always True."""
        return True

    def evaluate(self, downtime_us: int, period_us: int) -> Outcome:
        """``multiple`` × downtime as a share of the period (or in hours)."""
        m = Fraction(self.multiple)
        if self.rate == "hourly":
            return Outcome("hourly_rate", m * Fraction(downtime_us, US_PER_HOUR))
        share = Fraction(downtime_us, period_us) if period_us else Fraction(0)
        return Outcome("period_fee", m * share)

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        return {
            "kind": self.kind,
            "rate": self.rate,
            "multiple": _read.format_decimal(self.multiple),
        }

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> LostTime:
        """Build from ``{"kind": "lost_time", "rate": "prorated", "multiple": "10"}``."""
        m = _read.mapping(data, path, allowed=("kind", "rate", "multiple"))
        rate = _read.choice(
            _read.required(m, "rate", path),
            (*path, "rate"),
            what="rate",
            options=("prorated", "hourly"),
        )
        multiple = _read.decimal(m.get("multiple", "1"), (*path, "multiple"), what="multiple")
        return _wrap(lambda: cls(rate=rate, multiple=multiple), path)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True, kw_only=True)
class HourlyStep:
    """``percent_per_step`` of the period fee for each complete ``step`` of downtime beyond
    ``allowance``, up to ``max_percent``."""

    kind: ClassVar[str] = "hourly_step"
    allowance: timedelta
    percent_per_step: Decimal
    step: timedelta = timedelta(hours=1)
    max_percent: Decimal | None = None

    def __post_init__(self) -> None:
        _check_duration(self.allowance, ("allowance",), "allowance")
        _check_duration(self.step, ("step",), "step")
        if self.step <= timedelta(0):
            raise CreditError("step: must be longer than zero, e.g. '1h'", path=("step",))
        _check_percent(self.percent_per_step, ("credit_per_step",), "credit per step")
        if self.max_percent is not None:
            _check_percent(self.max_percent, ("max_credit",), "max credit")

    @property
    def monotone(self) -> bool:
        """Always True."""
        return True

    def evaluate(self, downtime_us: int, period_us: int) -> Outcome:
        """The number of complete steps beyond the allowance, times the percentage."""
        steps = max(0, (downtime_us - td_to_us(self.allowance)) // td_to_us(self.step))
        pct = self.percent_per_step * steps
        if self.max_percent is not None and pct > self.max_percent:
            pct = self.max_percent
        label = f"{steps} complete {format_duration(self.step)} beyond " + format_duration(
            self.allowance
        )
        return Outcome("period_fee", Fraction(pct) / _HUNDRED, pct, label)

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        out: dict[str, object] = {
            "kind": self.kind,
            "allowance": format_duration(self.allowance),
            "credit_per_step": _read.format_percent(self.percent_per_step),
            "step": format_duration(self.step),
        }
        if self.max_percent is not None:
            out["max_credit"] = _read.format_percent(self.max_percent)
        return out

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> HourlyStep:
        """Build from ``{"kind": "hourly_step", "allowance": "4h", "credit_per_step": "5%",
        "step": "1h", "max_credit": "50%"}``."""
        keys = ("kind", "allowance", "credit_per_step", "step", "max_credit")
        m = _read.mapping(data, path, allowed=keys)
        allowance = _read.duration(_read.required(m, "allowance", path), (*path, "allowance"))
        per = _read.percent(
            _read.required(m, "credit_per_step", path),
            (*path, "credit_per_step"),
            what="credit_per_step",
        )
        step = _read.duration(m.get("step", "1h"), (*path, "step"))
        top = (
            _read.percent(m["max_credit"], (*path, "max_credit"), what="max_credit")
            if "max_credit" in m
            else None
        )
        return _wrap(
            lambda: cls(allowance=allowance, percent_per_step=per, step=step, max_percent=top),
            path,
        )


CreditRule = UptimeBands | DowntimeBands | FlatStep | LostTime | HourlyStep
_RULES: Final[dict[str, type[CreditRule]]] = {
    r.kind: r for r in (UptimeBands, DowntimeBands, FlatStep, LostTime, HourlyStep)
}


def _rule_from_mapping(data: object, path: _read.Path) -> CreditRule:
    if not isinstance(data, Mapping):
        raise CreditError(f"rule: expected a mapping with a 'kind', got {data!r}", path=path)
    kind = _read.choice(
        _read.required(data, "kind", path), (*path, "kind"), what="rule kind", options=_RULES
    )
    return _RULES[kind].from_mapping(data, path=path)


# ---------------------------------------------------------------------------------------------
# Caps, minimum payout, claim window


@dataclass(frozen=True, slots=True, kw_only=True)
class Cap:
    """An upper limit on a credit: a percentage of the period fee, an amount in the fee's
    currency, or a number of days of service (the period fee prorated over its days)."""

    percent: Decimal | None = None
    amount: Decimal | None = None
    days_of_service: Decimal | None = None

    def __post_init__(self) -> None:
        given = [
            n for n in ("percent", "amount", "days_of_service") if getattr(self, n) is not None
        ]
        if len(given) != 1:
            raise CreditError(
                "a cap needs exactly one of percent, amount or days_of_service, got "
                f"{', '.join(given) or 'none'}",
            )
        name = given[0]
        value = getattr(self, name)
        if _read.is_float(value) or not isinstance(value, Decimal):
            raise CreditError(
                f"cap {name}: expected a Decimal, got {type(value).__name__} {value!r}; money "
                "and percentages must be exact",
                path=(name,),
            )
        if not value.is_finite() or value < 0:
            raise CreditError(f"cap {name}: {value} must be >= 0", path=(name,))

    def limit(self, period_fee: Fraction, period_days: int) -> Fraction:
        """The cap as an exact amount."""
        if self.percent is not None:
            return period_fee * Fraction(self.percent) / _HUNDRED
        if self.amount is not None:
            return Fraction(self.amount)
        assert self.days_of_service is not None
        return period_fee * Fraction(self.days_of_service) / period_days

    def describe(self) -> str:
        """``50% of the period fee``, ``500.00`` or ``30 days of service``."""
        if self.percent is not None:
            return f"{_read.format_percent(self.percent)} of the period fee"
        if self.amount is not None:
            return _read.format_decimal(self.amount)
        assert self.days_of_service is not None
        return f"{_read.format_decimal(self.days_of_service)} days of service"

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> Cap:
        """Build from ``"50%"``, ``{"amount": "500.00"}`` or ``{"days_of_service": "30"}``."""
        if isinstance(data, str):
            return cls(percent=_read.percent(data, path, what="cap"))
        m = _read.mapping(data, path, allowed=("percent", "amount", "days_of_service"))
        if len(m) != 1:
            raise CreditError(
                "a cap needs exactly one of percent, amount or days_of_service", path=path
            )
        ((key, raw),) = m.items()
        if key == "percent":
            return cls(percent=_read.percent(raw, (*path, key), what="cap"))
        value = _read.decimal(raw, (*path, key), what=f"cap {key}")
        return _wrap(lambda: cls(**{key: value}), path)

    def to_mapping(self) -> object:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        if self.percent is not None:
            return _read.format_percent(self.percent)
        if self.amount is not None:
            return {"amount": _read.format_decimal(self.amount)}
        assert self.days_of_service is not None
        return {"days_of_service": _read.format_decimal(self.days_of_service)}


_COMPARISONS: Final = (">", ">=")


@dataclass(frozen=True, slots=True, kw_only=True)
class MinimumPayout:
    """A credit is paid only when the rounded amount ``comparison`` ``amount`` holds
    (``">"`` with ``1.00``: "credits only when greater than $1"); otherwise it is zero."""

    amount: Decimal
    comparison: Literal[">", ">="] = ">"

    def __post_init__(self) -> None:
        if _read.is_float(self.amount) or not isinstance(self.amount, Decimal):
            raise CreditError(
                f"minimum payout: expected a Decimal, got {type(self.amount).__name__} "
                f"{self.amount!r}; money must be exact",
                path=("amount",),
            )
        if not self.amount.is_finite() or self.amount < 0:
            raise CreditError(f"minimum payout: {self.amount} must be >= 0", path=("amount",))
        if self.comparison not in _COMPARISONS:
            raise CreditError(
                f"minimum payout comparison: {self.comparison!r} is not '>' or '>='",
                path=("comparison",),
            )

    def allows(self, amount: Decimal) -> bool:
        """Whether ``amount`` is paid."""
        return amount > self.amount if self.comparison == ">" else amount >= self.amount

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> MinimumPayout:
        """Build from ``{"amount": "1.00", "comparison": ">"}``."""
        m = _read.mapping(data, path, allowed=("amount", "comparison"))
        amount = _read.decimal(_read.required(m, "amount", path), (*path, "amount"))
        comparison = _read.choice(
            m.get("comparison", ">"), (*path, "comparison"), what="comparison", options=_COMPARISONS
        )
        return _wrap(lambda: cls(amount=amount, comparison=comparison), path)  # type: ignore[arg-type]

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        return {"amount": _read.format_decimal(self.amount), "comparison": self.comparison}


_ANCHORS: Final = ("incident_end", "period_end")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimWindow:
    """A claim must be filed by ``anchor`` + ``days`` calendar days (same local wall time in the
    period's zone) or + ``cycles`` billing cycles; the deadline instant itself is in time.

    With ``cycles`` the deadline is the end of the ``cycles``-th billing cycle after the one the
    anchor falls in ("by the end of the second billing cycle after the incident").
    ``anchor="incident_end"`` gives each incident its own deadline; late incidents are dropped.
    """

    anchor: Literal["incident_end", "period_end"]
    days: int | None = None
    cycles: int | None = None

    def __post_init__(self) -> None:
        if self.anchor not in _ANCHORS:
            raise CreditError(
                f"claim anchor: {self.anchor!r} is not 'incident_end' or 'period_end'",
                path=("anchor",),
            )
        if (self.days is None) == (self.cycles is None):
            raise CreditError("a claim window needs exactly one of days or cycles")
        for name, most in (("days", MAX_CLAIM_DAYS), ("cycles", MAX_CLAIM_CYCLES)):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most
            ):
                raise CreditError(
                    f"claim {name}: expected a whole number from 0 to {most:,} (a century), "
                    f"got {value!r}",
                    path=(name,),
                )

    def describe(self) -> str:
        """``30 days after the incident's end`` and the like."""
        length = f"{self.days} days" if self.days is not None else f"{self.cycles} billing cycles"
        after = "the incident's end" if self.anchor == "incident_end" else "the period's end"
        return f"{length} after {after}"

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> ClaimWindow:
        """Build from ``{"days": 30, "anchor": "incident_end"}`` or
        ``{"cycles": 2, "anchor": "period_end"}``."""
        m = _read.mapping(data, path, allowed=("days", "cycles", "anchor"))
        anchor = _read.choice(
            _read.required(m, "anchor", path), (*path, "anchor"), what="anchor", options=_ANCHORS
        )
        values = {k: _read.integer(m[k], (*path, k), what=k) for k in ("days", "cycles") if k in m}
        return _wrap(lambda: cls(anchor=anchor, **values), path)  # type: ignore[arg-type]

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        out: dict[str, object] = {"anchor": self.anchor}
        if self.days is not None:
            out["days"] = self.days
        if self.cycles is not None:
            out["cycles"] = self.cycles
        return out


# ---------------------------------------------------------------------------------------------
# The schedule


_SCHEDULE_KEYS: Final = (
    "basis",
    "rule",
    "exclusions",
    "services",
    "min_error_rate",
    "min_affected_share",
    "minimum_downtime",
    "whole",
    "maintenance_notice",
    "cap_per_incident",
    "cap_per_period",
    "minimum_payout",
    "claim",
    "rounding",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditSchedule:
    """A rule plus every choice that turns incidents into a credit.

    - ``basis``: ``"period"`` measures the total covered downtime of the period once;
      ``"incident"`` measures each merged stretch of downtime alone and adds the credits.
    - ``exclusions``: incident causes that are not covered (default: all of
      :data:`~sla_engine.credits.incident.EXCLUSION_REASONS`). Excluding
      ``"scheduled_maintenance"`` also drops downtime inside maintenance windows announced at
      least ``maintenance_notice`` before they started.
    - ``services``: covered services (``None``: all); ``min_error_rate`` /
      ``min_affected_share``: an incident counts only at or above these shares (0..1).
    - ``minimum_downtime``: a stretch counting less than this is dropped; ``whole``: only
      complete units of it count (``timedelta(minutes=1)``: whole minutes, rounded down).
    - ``cap_per_incident``, ``cap_per_period``: :class:`Cap`; ``minimum_payout``:
      :class:`MinimumPayout`; ``claim``: :class:`ClaimWindow` (``None``: no claim needed);
      ``rounding``: one of :data:`~sla_engine.credits.money.ROUNDING_MODES`.
    """

    rule: CreditRule
    basis: Basis
    exclusions: frozenset[str] = frozenset(EXCLUSION_REASONS)
    services: frozenset[str] | None = None
    min_error_rate: Decimal | None = None
    min_affected_share: Decimal | None = None
    minimum_downtime: timedelta = timedelta(0)
    whole: timedelta | None = None
    maintenance_notice: timedelta = timedelta(0)
    cap_per_incident: Cap | None = None
    cap_per_period: Cap | None = None
    minimum_payout: MinimumPayout | None = None
    claim: ClaimWindow | None = None
    rounding: str = "half_even"

    def __post_init__(self) -> None:
        if not isinstance(self.rule, tuple(_RULES.values())):
            raise CreditError(
                f"rule: expected one of {', '.join(r.__name__ for r in _RULES.values())}, got "
                f"{type(self.rule).__name__}",
                path=("rule",),
            )
        if self.basis not in _BASES:
            raise CreditError(
                f"basis: {self.basis!r} is not 'incident' or 'period'; say whether each "
                "incident is credited alone or the period's total downtime once",
                path=("basis",),
            )
        if not isinstance(self.exclusions, frozenset):
            raise CreditError("exclusions: expected a frozenset of causes", path=("exclusions",))
        unknown = sorted(self.exclusions - set(EXCLUSION_REASONS))
        if unknown:
            raise CreditError(
                f"exclusions: {', '.join(map(repr, unknown))} not known; expected some of "
                f"{', '.join(EXCLUSION_REASONS)}",
                path=("exclusions",),
            )
        if self.services is not None and (
            not isinstance(self.services, frozenset) or not self.services
        ):
            raise CreditError(
                "services: expected a non-empty frozenset of service names, or None for all",
                path=("services",),
            )
        for name in ("min_error_rate", "min_affected_share"):
            value = getattr(self, name)
            if value is not None and (
                _read.is_float(value)
                or not isinstance(value, Decimal)
                or not value.is_finite()
                or not 0 <= value <= 1
            ):
                raise CreditError(
                    f"{name}: expected a Decimal share between 0 and 1 (5 % is "
                    f"Decimal('0.05')), got {value!r}",
                    path=(name,),
                )
        _check_duration(self.minimum_downtime, ("minimum_downtime",), "minimum_downtime")
        _check_duration(self.maintenance_notice, ("maintenance_notice",), "maintenance_notice")
        if self.whole is not None and (
            not isinstance(self.whole, timedelta) or self.whole <= timedelta(0)
        ):
            raise CreditError(
                f"whole: expected a positive timedelta such as timedelta(minutes=1), got "
                f"{self.whole!r}",
                path=("whole",),
            )
        for name, kind in (
            ("cap_per_incident", Cap),
            ("cap_per_period", Cap),
            ("minimum_payout", MinimumPayout),
            ("claim", ClaimWindow),
        ):
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                raise CreditError(
                    f"{name}: expected a {kind.__name__}, got {type(value).__name__}",
                    path=(name,),
                )
        if self.cap_per_incident is not None and self.basis == "period":
            raise CreditError(
                "cap_per_incident needs basis 'incident'; with basis 'period' use cap_per_period",
                path=("cap_per_incident",),
            )
        if self.rounding not in ROUNDING_MODES:
            raise CreditError(
                f"rounding: {self.rounding!r} is not one of {', '.join(ROUNDING_MODES)}",
                path=("rounding",),
            )

    @property
    def monotone(self) -> bool:
        """True when the credit never falls as covered downtime grows (with ``basis="period"``)."""
        return self.rule.monotone

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> CreditSchedule:
        """Build from plain data (as a policy file holds it); see ``to_mapping`` for the shape."""
        m = _read.mapping(data, path, allowed=_SCHEDULE_KEYS)
        kw: dict[str, object] = {
            "rule": _rule_from_mapping(_read.required(m, "rule", path), (*path, "rule")),
            "basis": _read.choice(
                _read.required(m, "basis", path), (*path, "basis"), what="basis", options=_BASES
            ),
        }
        if "exclusions" in m:
            kw["exclusions"] = _read.string_set(
                m["exclusions"], (*path, "exclusions"), what="exclusions"
            )
        if "services" in m:
            kw["services"] = _read.string_set(m["services"], (*path, "services"), what="services")
        for key in ("min_error_rate", "min_affected_share"):
            if key in m:
                kw[key] = _read.percent(m[key], (*path, key), what=key) / 100
        for key in ("minimum_downtime", "whole", "maintenance_notice"):
            if key in m:
                kw[key] = _read.duration(m[key], (*path, key), what=key)
        for key in ("cap_per_incident", "cap_per_period"):
            if key in m:
                kw[key] = Cap.from_mapping(m[key], path=(*path, key))
        if "minimum_payout" in m:
            kw["minimum_payout"] = MinimumPayout.from_mapping(
                m["minimum_payout"], path=(*path, "minimum_payout")
            )
        if "claim" in m:
            kw["claim"] = ClaimWindow.from_mapping(m["claim"], path=(*path, "claim"))
        if "rounding" in m:
            kw["rounding"] = _read.choice(
                m["rounding"], (*path, "rounding"), what="rounding", options=ROUNDING_MODES
            )
        return _wrap(lambda: cls(**kw), path)  # type: ignore[arg-type]

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        out: dict[str, object] = {
            "basis": self.basis,
            "rule": self.rule.to_mapping(),
            "exclusions": sorted(self.exclusions),
            "minimum_downtime": format_duration(self.minimum_downtime),
            "maintenance_notice": format_duration(self.maintenance_notice),
            "rounding": self.rounding,
        }
        if self.services is not None:
            out["services"] = sorted(self.services)
        for key in ("min_error_rate", "min_affected_share"):
            value = getattr(self, key)
            if value is not None:
                out[key] = _read.format_percent(value * 100)
        if self.whole is not None:
            out["whole"] = format_duration(self.whole)
        for key in ("cap_per_incident", "cap_per_period", "minimum_payout", "claim"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.to_mapping()
        return out
