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
from sla_engine.credits.incident import COVERED, EXCLUSION_REASONS
from sla_engine.credits.money import FEE_BASES as _FEE_BASES
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


def _check_bands(bands: object, *, kind: type, what: str, gaps: bool = False) -> None:
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
            if gaps:
                continue
            raise CreditError(
                f"{where} leave a gap; make the second start where the first ends (or say "
                "gaps: allowed when the contract pays nothing in between)",
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
        if not prev.upper_inclusive and not band.lower_inclusive and not gaps:
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


def _gaps_from_mapping(m: Mapping[str, object], path: _read.Path) -> bool:
    if "gaps" not in m:
        return False
    word = _read.choice(m["gaps"], (*path, "gaps"), what="gaps", options=("allowed", "refused"))
    return word == "allowed"


# ---------------------------------------------------------------------------------------------
# Rules


@dataclass(frozen=True, slots=True, kw_only=True)
class UptimeBands:
    """A percentage of the period fee by band of uptime share (bounds in percent)."""

    kind: ClassVar[str] = "uptime_bands"
    bands: tuple[Band, ...]
    gaps: bool = False
    _compiled: tuple[object, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.gaps, bool):
            raise CreditError("gaps: expected True or False", path=("gaps",))
        _check_bands(self.bands, kind=Decimal, what="uptime bands", gaps=self.gaps)
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
        out: dict[str, object] = {"kind": self.kind, "bands": [b.to_mapping() for b in self.bands]}
        if self.gaps:
            out["gaps"] = "allowed"
        return out

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> UptimeBands:
        """Build from ``{"kind": "uptime_bands", "bands": [{"range": "[99%, 99.9%)", ...}]}``."""
        m = _read.mapping(data, path, allowed=("kind", "bands", "gaps"))
        bands = _bands_from_mapping(m, path)
        gaps = _gaps_from_mapping(m, path)
        return _wrap(lambda: cls(bands=bands, gaps=gaps), path)


@dataclass(frozen=True, slots=True, kw_only=True)
class DowntimeBands:
    """A percentage of the period fee by band of downtime (bounds are durations)."""

    kind: ClassVar[str] = "downtime_bands"
    bands: tuple[Band, ...]
    gaps: bool = False
    _compiled: tuple[object, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.gaps, bool):
            raise CreditError("gaps: expected True or False", path=("gaps",))
        _check_bands(self.bands, kind=timedelta, what="downtime bands", gaps=self.gaps)
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
        out: dict[str, object] = {"kind": self.kind, "bands": [b.to_mapping() for b in self.bands]}
        if self.gaps:
            out["gaps"] = "allowed"
        return out

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> DowntimeBands:
        """Build from ``{"kind": "downtime_bands", "bands": [{"range": "[1h, 4h)", ...}]}``."""
        m = _read.mapping(data, path, allowed=("kind", "bands", "gaps"))
        bands = _bands_from_mapping(m, path)
        gaps = _gaps_from_mapping(m, path)
        return _wrap(lambda: cls(bands=bands, gaps=gaps), path)


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
    downtime / period) or × an hourly rate (``rate="hourly"``: the fee must be per hour).

    ``proration="calendar_month"`` prices each minute at the monthly fee of the calendar month
    it fell in, spread over that month's own length ("the amount paid for the minutes of
    downtime" in a quarterly period: a February minute is worth more than a March one). It
    needs a monthly fee and periods of whole calendar months."""

    kind: ClassVar[str] = "lost_time"
    rate: Literal["prorated", "hourly"]
    multiple: Decimal = Decimal(1)
    proration: Literal["period", "calendar_month"] = "period"

    def __post_init__(self) -> None:
        if self.rate not in ("prorated", "hourly"):
            raise CreditError(f"rate: {self.rate!r} is not 'prorated' or 'hourly'", path=("rate",))
        if self.proration not in ("period", "calendar_month"):
            raise CreditError(
                f"proration: {self.proration!r} is not 'period' or 'calendar_month'",
                path=("proration",),
            )
        if self.proration == "calendar_month" and self.rate != "prorated":
            raise CreditError(
                "proration: calendar_month needs rate 'prorated'", path=("proration",)
            )
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
        out: dict[str, object] = {
            "kind": self.kind,
            "rate": self.rate,
            "multiple": _read.format_decimal(self.multiple),
        }
        if self.proration != "period":
            out["proration"] = self.proration
        return out

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> LostTime:
        """Build from ``{"kind": "lost_time", "rate": "prorated", "multiple": "10"}``."""
        m = _read.mapping(data, path, allowed=("kind", "rate", "multiple", "proration"))
        rate = _read.choice(
            _read.required(m, "rate", path),
            (*path, "rate"),
            what="rate",
            options=("prorated", "hourly"),
        )
        multiple = _read.decimal(m.get("multiple", "1"), (*path, "multiple"), what="multiple")
        proration = _read.choice(
            m.get("proration", "period"),
            (*path, "proration"),
            what="proration",
            options=("period", "calendar_month"),
        )
        return _wrap(
            lambda: cls(rate=rate, multiple=multiple, proration=proration),  # type: ignore[arg-type]
            path,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HourlyStep:
    """``percent_per_step`` of the period fee for each complete ``step`` of downtime beyond
    ``allowance``, up to ``max_percent``."""

    kind: ClassVar[str] = "hourly_step"
    allowance: timedelta | Decimal
    percent_per_step: Decimal
    step: timedelta = timedelta(hours=1)
    max_percent: Decimal | None = None

    def __post_init__(self) -> None:
        if isinstance(self.allowance, Decimal):
            _check_percent(self.allowance, ("allowance",), "allowance")
            if self.allowance > 100:
                raise CreditError(
                    f"allowance: {self.allowance}% is more than the whole period",
                    path=("allowance",),
                )
        else:
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
        if isinstance(self.allowance, Decimal):
            allowed: Fraction | int = Fraction(self.allowance) / _HUNDRED * period_us
            beyond = f"{_read.format_percent(self.allowance)} of the period"
        else:
            allowed = td_to_us(self.allowance)
            beyond = format_duration(self.allowance)
        steps = max(0, int((downtime_us - allowed) // td_to_us(self.step)))
        pct = self.percent_per_step * steps
        if self.max_percent is not None and pct > self.max_percent:
            pct = self.max_percent
        label = f"{steps} complete {format_duration(self.step)} beyond {beyond}"
        return Outcome("period_fee", Fraction(pct) / _HUNDRED, pct, label)

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        out: dict[str, object] = {
            "kind": self.kind,
            "allowance": (
                _read.format_percent(self.allowance)
                if isinstance(self.allowance, Decimal)
                else format_duration(self.allowance)
            ),
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
        raw_allowance = _read.required(m, "allowance", path)
        allowance: timedelta | Decimal = (
            _read.percent(raw_allowance, (*path, "allowance"), what="allowance")
            if isinstance(raw_allowance, str) and raw_allowance.strip().endswith("%")
            else _read.duration(raw_allowance, (*path, "allowance"))
        )
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
    currency, or a number of days of service (the period fee prorated over its days).

    ``of`` names what a percentage is taken of: ``"period_fee"``, or the name of charges the
    caller passes with each call (``charges={"invoice": ...}``: "50 % of the invoice";
    ``{"last_30_days": ...}``: "the charges of the previous 30 days")."""

    percent: Decimal | None = None
    amount: Decimal | None = None
    days_of_service: Decimal | None = None
    of: str = "period_fee"

    def __post_init__(self) -> None:
        if not isinstance(self.of, str) or not re.match(r"^[a-z][a-z0-9_]*$", self.of):
            raise CreditError(
                f"cap of: expected 'period_fee' or a name of charges such as 'invoice', got "
                f"{self.of!r}",
                path=("of",),
            )
        if self.of != "period_fee" and self.percent is None:
            raise CreditError(
                f"cap of {self.of!r}: only a percentage is taken of charges", path=("of",)
            )
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

    def limit(
        self,
        period_fee: Fraction,
        period_days: int,
        charges: Mapping[str, Decimal] | None = None,
    ) -> Fraction:
        """The cap as an exact amount (``charges`` by name, for a cap of charges)."""
        if self.percent is not None:
            if self.of != "period_fee":
                value = None if charges is None else charges.get(self.of)
                if value is None:
                    raise CreditError(
                        f"the cap is {_read.format_percent(self.percent)} of the charges "
                        f"{self.of!r}; pass them with the call: charges={{{self.of!r}: "
                        "Decimal(...)}",
                        path=("charges", self.of),
                    )
                return Fraction(value) * Fraction(self.percent) / _HUNDRED
            return period_fee * Fraction(self.percent) / _HUNDRED
        if self.amount is not None:
            return Fraction(self.amount)
        assert self.days_of_service is not None
        return period_fee * Fraction(self.days_of_service) / period_days

    def describe(self) -> str:
        """``50% of the period fee``, ``500.00`` or ``30 days of service``."""
        if self.percent is not None:
            of = "the period fee" if self.of == "period_fee" else f"the charges {self.of!r}"
            return f"{_read.format_percent(self.percent)} of {of}"
        if self.amount is not None:
            return _read.format_decimal(self.amount)
        assert self.days_of_service is not None
        return f"{_read.format_decimal(self.days_of_service)} days of service"

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> Cap:
        """Build from ``"50%"``, ``{"amount": "500.00"}`` or ``{"days_of_service": "30"}``."""
        if isinstance(data, str):
            return cls(percent=_read.percent(data, path, what="cap"))
        m = _read.mapping(data, path, allowed=("percent", "amount", "days_of_service", "of"))
        of = _read.text(m["of"], (*path, "of"), what="of") if "of" in m else "period_fee"
        m = {k: v for k, v in m.items() if k != "of"}
        if len(m) != 1:
            raise CreditError(
                "a cap needs exactly one of percent, amount or days_of_service", path=path
            )
        ((key, raw),) = m.items()
        if key == "percent":
            pct = _read.percent(raw, (*path, key), what="cap")
            return _wrap(lambda: cls(percent=pct, of=of), path)
        value = _read.decimal(raw, (*path, key), what=f"cap {key}")
        return _wrap(lambda: cls(**{key: value}, of=of), path)

    def to_mapping(self) -> object:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        if self.percent is not None and self.of != "period_fee":
            return {"percent": _read.format_percent(self.percent), "of": self.of}
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


_ANCHORS: Final = ("incident_start", "incident_end", "period_end")
_LENGTHS: Final = ("days", "cycles", "months", "business_days")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimWindow:
    """A claim must be filed before ``anchor`` plus one length: ``days`` calendar days or
    ``months`` calendar months (same local wall time in the period's zone; the 31st becomes
    the month's last day), ``cycles`` billing cycles, or ``business_days`` working days on the
    named ``calendar``.

    The window is half-open like every period: the deadline is the first instant that is late.
    With ``cycles`` it is the end of the ``cycles``-th billing cycle after the one the anchor
    falls in ("by the end of the second billing cycle after the incident"), so the first instant
    of the following cycle is late; "15 days after the end of June" ends at 16 July 00:00, which
    is late. With ``business_days`` the whole last working day is in time: the deadline is the
    local midnight (in the calendar's zone) that ends the ``business_days``-th working day after
    the anchor's date.

    ``anchor="incident_start"`` or ``"incident_end"`` gives each incident its own deadline; late
    incidents are dropped. ``"period_end"`` gives one deadline for the whole credit.
    """

    anchor: Literal["incident_start", "incident_end", "period_end"]
    days: int | None = None
    cycles: int | None = None
    months: int | None = None
    business_days: int | None = None
    calendar: str | None = None

    def __post_init__(self) -> None:
        if self.anchor not in _ANCHORS:
            raise CreditError(
                f"claim anchor: {self.anchor!r} is not one of {', '.join(_ANCHORS)}",
                path=("anchor",),
            )
        given = [name for name in _LENGTHS if getattr(self, name) is not None]
        if len(given) != 1:
            raise CreditError(
                "a claim window needs exactly one of days, cycles, months or business_days"
            )
        for name in _LENGTHS:
            most = MAX_CLAIM_DAYS if name in ("days", "business_days") else MAX_CLAIM_CYCLES
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most
            ):
                raise CreditError(
                    f"claim {name}: expected a whole number from 0 to {most:,} (a century), "
                    f"got {value!r}",
                    path=(name,),
                )
        if (self.business_days is None) != (self.calendar is None):
            raise CreditError(
                "claim: business_days needs the calendar they are counted on (calendar: "
                "'support'), and a calendar is only for business_days",
                path=("calendar",),
            )
        if self.calendar is not None and (not isinstance(self.calendar, str) or not self.calendar):
            raise CreditError("claim calendar: expected a calendar name", path=("calendar",))

    @property
    def per_incident(self) -> bool:
        """Whether each incident has its own deadline."""
        return self.anchor != "period_end"

    def describe(self) -> str:
        """``30 days after the incident's end`` and the like."""
        if self.days is not None:
            length = f"{self.days} days"
        elif self.cycles is not None:
            length = f"{self.cycles} billing cycles"
        elif self.months is not None:
            length = f"{self.months} calendar months"
        else:
            length = f"{self.business_days} business days on {self.calendar}"
        after = {
            "incident_start": "the incident's start",
            "incident_end": "the incident's end",
            "period_end": "the period's end",
        }[self.anchor]
        return f"{length} after {after}"

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> ClaimWindow:
        """Build from ``{"days": 30, "anchor": "incident_end"}``, ``{"cycles": 2, "anchor":
        "period_end"}``, ``{"months": 2, ...}`` or ``{"business_days": 10, "calendar":
        "support", ...}``."""
        m = _read.mapping(data, path, allowed=(*_LENGTHS, "anchor", "calendar"))
        anchor = _read.choice(
            _read.required(m, "anchor", path), (*path, "anchor"), what="anchor", options=_ANCHORS
        )
        values: dict[str, object] = {
            k: _read.integer(m[k], (*path, k), what=k) for k in _LENGTHS if k in m
        }
        if "calendar" in m:
            values["calendar"] = _read.text(m["calendar"], (*path, "calendar"), what="calendar")
        return _wrap(lambda: cls(anchor=anchor, **values), path)  # type: ignore[arg-type]

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        out: dict[str, object] = {"anchor": self.anchor}
        for name in (*_LENGTHS, "calendar"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
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
    "fee_basis",
    "strict",
    "weight",
    "commitment",
    "planned_downtime",
    "count_from",
    "causes",
    "minutes",
    "plans",
    "cap_per_12_months",
)
MINUTES: Final[tuple[str, ...]] = ("touched", "full")
STRICT_BOUNDS: Final[tuple[str, ...]] = ("minimum_downtime", "min_error_rate", "min_affected_share")
WEIGHTS: Final[tuple[str, ...]] = ("error_rate", "affected_share")
PLANNED_DOWNTIME: Final[tuple[str, ...]] = ("excluded", "out_of_period")
COUNT_FROM: Final[tuple[str, ...]] = ("start", "reported_at")
_CAUSE = re.compile(r"^[a-z][a-z0-9_]*$")


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
    - ``cap_per_incident``, ``cap_per_period``: :class:`Cap`; ``cap_per_12_months``: the most
      the credits of any twelve months may add up to; each call then passes
      ``credited_before``, what the eleven billing months before it credited; ``minimum_payout``:
      :class:`MinimumPayout`; ``claim``: :class:`ClaimWindow` (``None``: no claim needed);
      ``rounding``: one of :data:`~sla_engine.credits.money.ROUNDING_MODES`.
    - ``fee_basis``: what the fee given with each call must be (``"month"``, ``"period"``,
      ``"hour"``); ``None`` does not check.
    - ``strict``: the names among :data:`STRICT_BOUNDS` whose bound is excluded ("error rate
      greater than 5 %", "longer than 5 minutes"); the others include it.
    - ``weight``: ``"error_rate"`` or ``"affected_share"``: each instant of downtime counts
      that share of itself (the highest among the incidents covering it).
    - ``commitment``: the uptime percentage promised; when given, a credit is owed only when the
      period's uptime is below it.
    - ``maintenance_notice``: ``None`` excludes maintenance however late it was announced.
    - ``planned_downtime``: ``"excluded"`` drops excluded maintenance from the downtime;
      ``"out_of_period"`` also takes it out of the period's length (scheduled availability).
    - ``count_from``: ``"reported_at"`` counts an incident's downtime only from when the
      customer reported it.
    - ``minutes``: downtime on the clock's minutes: ``"touched"`` counts every minute any
      downtime touched, whole; ``"full"`` only the minutes wholly inside downtime.
    - ``plans``: ``(name, schedule)`` pairs: the schedule a customer of that plan or edition
      gets ("99.95 % standard, 99.99 % enterprise", each with its own bands); this schedule is
      the one for customers of no named plan. Pick one with :meth:`for_plan`.
    - ``causes``: incident causes this schedule declares beyond the built-in ones (open
      vocabulary); each may then be listed in ``exclusions``.
    """

    rule: CreditRule
    basis: Basis
    exclusions: frozenset[str] = frozenset(EXCLUSION_REASONS)
    services: frozenset[str] | None = None
    min_error_rate: Decimal | None = None
    min_affected_share: Decimal | None = None
    minimum_downtime: timedelta = timedelta(0)
    whole: timedelta | None = None
    maintenance_notice: timedelta | None = timedelta(0)
    cap_per_incident: Cap | None = None
    cap_per_period: Cap | None = None
    minimum_payout: MinimumPayout | None = None
    claim: ClaimWindow | None = None
    rounding: str = "half_even"
    fee_basis: str | None = None
    strict: frozenset[str] = frozenset()
    weight: str | None = None
    commitment: Decimal | None = None
    planned_downtime: str = "excluded"
    count_from: str = "start"
    causes: frozenset[str] = frozenset()
    minutes: str | None = None
    plans: tuple[tuple[str, CreditSchedule], ...] = ()
    cap_per_12_months: Cap | None = None

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
        if not isinstance(self.causes, frozenset) or any(
            not isinstance(c, str) or not _CAUSE.match(c) for c in self.causes
        ):
            raise CreditError(
                "causes: expected a frozenset of cause names in lower case with underscores, "
                f"such as 'customer_software', got {self.causes!r}",
                path=("causes",),
            )
        clash = sorted(self.causes & {COVERED, *EXCLUSION_REASONS})
        if clash:
            raise CreditError(
                f"causes: {', '.join(map(repr, clash))} is built in; declare only new causes",
                path=("causes",),
            )
        unknown = sorted(self.exclusions - set(EXCLUSION_REASONS) - self.causes)
        if unknown:
            raise CreditError(
                f"exclusions: {', '.join(map(repr, unknown))} not known; expected some of "
                f"{', '.join((*EXCLUSION_REASONS, *sorted(self.causes)))} (declare a new "
                "cause under causes)",
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
        if self.maintenance_notice is not None:
            _check_duration(self.maintenance_notice, ("maintenance_notice",), "maintenance_notice")
        if not isinstance(self.strict, frozenset) or not self.strict <= set(STRICT_BOUNDS):
            raise CreditError(
                f"strict: expected a frozenset of some of {', '.join(STRICT_BOUNDS)}, got "
                f"{self.strict!r}",
                path=("strict",),
            )
        for name, value, options in (
            ("weight", self.weight, (None, *WEIGHTS)),
            ("planned_downtime", self.planned_downtime, PLANNED_DOWNTIME),
            ("count_from", self.count_from, COUNT_FROM),
            ("minutes", self.minutes, (None, *MINUTES)),
        ):
            if value not in options:
                raise CreditError(
                    f"{name}: {value!r} is not one of "
                    f"{', '.join(str(o) for o in options if o is not None)}",
                    path=(name,),
                )
        if self.commitment is not None:
            _check_percent(self.commitment, ("commitment",), "commitment")
            if self.commitment > 100:
                raise CreditError(
                    f"commitment: {self.commitment}% is above 100%", path=("commitment",)
                )
        if not isinstance(self.plans, tuple) or any(
            not isinstance(p, tuple)
            or len(p) != 2
            or not isinstance(p[0], str)
            or not p[0]
            or not isinstance(p[1], CreditSchedule)
            for p in self.plans
        ):
            raise CreditError(
                "plans: expected a tuple of (name, CreditSchedule) pairs", path=("plans",)
            )
        names = [name for name, _ in self.plans]
        if len(set(names)) != len(names):
            raise CreditError("plans: a plan is named twice", path=("plans",))
        for name, plan in self.plans:
            if plan.plans:
                raise CreditError(
                    f"plans.{name}: a plan's schedule has no plans of its own",
                    path=("plans", name),
                )
        if self.minutes is not None and self.whole is not None:
            raise CreditError(
                "minutes and whole both round downtime to units; give one of them",
                path=("minutes",),
            )
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
            ("cap_per_12_months", Cap),
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
        if self.fee_basis is not None and self.fee_basis not in _FEE_BASES:
            raise CreditError(
                f"fee_basis: {self.fee_basis!r} is not one of {', '.join(_FEE_BASES)} (a "
                "monthly fee, the period's charges, an hourly rate)",
                path=("fee_basis",),
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

    def for_plan(self, plan: str | None) -> CreditSchedule:
        """The schedule of customers of ``plan`` (``None``: this one, for customers of no
        named plan); an unknown plan is an error naming the plans there are."""
        if plan is None:
            return self
        for name, schedule in self.plans:
            if name == plan:
                return schedule
        known = ", ".join(name for name, _ in self.plans) or "none"
        raise CreditError(
            f"plan: {plan!r} is not a plan of this schedule (plans: {known})", path=("plan",)
        )

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> CreditSchedule:
        """Build from plain data (as a policy file holds it); see ``to_mapping`` for the shape."""
        m = _read.mapping(data, path, allowed=_SCHEDULE_KEYS)
        if "plans" in m:
            raw_plans = m["plans"]
            if not isinstance(raw_plans, Mapping) or not raw_plans:
                raise CreditError(
                    "plans: expected a mapping of plan names to what differs for them, e.g. "
                    "{enterprise: {commitment: '99.99%'}}",
                    path=(*path, "plans"),
                )
            base = {k: v for k, v in m.items() if k != "plans"}
            plans: list[tuple[str, CreditSchedule]] = []
            for name, overrides in raw_plans.items():
                where = (*path, "plans", str(name))
                extra = _read.mapping(overrides, where, allowed=_SCHEDULE_KEYS)
                if "plans" in extra:
                    raise CreditError("a plan has no plans of its own", path=(*where, "plans"))
                plans.append((str(name), cls.from_mapping({**base, **extra}, path=where)))
            m = {**base, "plans": tuple(plans)}
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
                kw[key] = _read.share(m[key], (*path, key), what=key)
        for key in ("minimum_downtime", "whole", "maintenance_notice"):
            if key == "maintenance_notice" and m.get(key) == "none":
                kw[key] = None
            elif key in m:
                kw[key] = _read.duration(m[key], (*path, key), what=key)
        for key in ("cap_per_incident", "cap_per_period", "cap_per_12_months"):
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
        if "plans" in m:
            kw["plans"] = m["plans"]
        if "fee_basis" in m:
            kw["fee_basis"] = _read.choice(
                m["fee_basis"], (*path, "fee_basis"), what="fee_basis", options=_FEE_BASES
            )
        for key, options in (
            ("weight", WEIGHTS),
            ("planned_downtime", PLANNED_DOWNTIME),
            ("count_from", COUNT_FROM),
            ("minutes", MINUTES),
        ):
            if key in m:
                kw[key] = _read.choice(m[key], (*path, key), what=key, options=options)
        if "strict" in m:
            kw["strict"] = _read.string_set(m["strict"], (*path, "strict"), what="strict")
        if "causes" in m:
            kw["causes"] = _read.string_set(m["causes"], (*path, "causes"), what="causes")
        if "commitment" in m:
            kw["commitment"] = _read.percent(
                m["commitment"], (*path, "commitment"), what="commitment"
            )
        return _wrap(lambda: cls(**kw), path)  # type: ignore[arg-type]

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        out: dict[str, object] = {
            "basis": self.basis,
            "rule": self.rule.to_mapping(),
            "exclusions": sorted(self.exclusions),
            "minimum_downtime": format_duration(self.minimum_downtime),
            "maintenance_notice": (
                "none"
                if self.maintenance_notice is None
                else format_duration(self.maintenance_notice)
            ),
            "rounding": self.rounding,
        }
        if self.services is not None:
            out["services"] = sorted(self.services)
        for key in ("min_error_rate", "min_affected_share"):
            value = getattr(self, key)
            if value is not None:
                out[key] = _read.format_percent(_read.EXACT.multiply(value, 100))
        if self.whole is not None:
            out["whole"] = format_duration(self.whole)
        if self.fee_basis is not None:
            out["fee_basis"] = self.fee_basis
        if self.strict:
            out["strict"] = sorted(self.strict)
        if self.weight is not None:
            out["weight"] = self.weight
        if self.commitment is not None:
            out["commitment"] = _read.format_percent(self.commitment)
        if self.planned_downtime != "excluded":
            out["planned_downtime"] = self.planned_downtime
        if self.count_from != "start":
            out["count_from"] = self.count_from
        if self.causes:
            out["causes"] = sorted(self.causes)
        if self.minutes is not None:
            out["minutes"] = self.minutes
        if self.plans:
            out["plans"] = {name: plan.to_mapping() for name, plan in self.plans}
        for key in (
            "cap_per_incident",
            "cap_per_period",
            "cap_per_12_months",
            "minimum_payout",
            "claim",
        ):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.to_mapping()
        return out
