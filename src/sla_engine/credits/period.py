"""Billing periods: calendar months, quarters, or cycles anchored on a day, in a named zone.

A :class:`BillingCycle` is the rule (``months`` long, starting on ``anchor``'s day of the month
at local midnight in ``timezone``); a :class:`BillingPeriod` is one period of it, numbered
from the anchor. Period ``k`` starts on ``anchor + k * months`` months, computed from the anchor
each time so that a cycle anchored on the 31st starts on Jan 31, Feb 28, Mar 31 and never drifts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

from sla_engine._bounds import refuse_huge_fields, shown
from sla_engine._time import END_INSTANT, FIRST_INSTANT, from_us, require_aware, to_us
from sla_engine.credits import _read
from sla_engine.errors import CreditError, HorizonError

__all__ = ["BillingCycle", "BillingPeriod"]

_DEFAULT_ANCHOR: Final = date(2000, 1, 1)
_NAMED: Final = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
_MONTH: Final = re.compile(r"(\d{4})-(\d{2})")
_QUARTER: Final = re.compile(r"(\d{4})-[Qq]([1-4])")
_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _zone(name: str, path: _read.Path = ("timezone",)) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise CreditError(f"timezone: expected an IANA zone name, got {name!r}", path=path)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CreditError(
            f"timezone: {name!r} is not an IANA time zone (expected e.g. 'UTC', "
            "'America/New_York')",
            path=path,
        ) from None


_FIRST_US: Final = to_us(FIRST_INSTANT)
_END_US: Final = to_us(END_INSTANT)
_MAX_INDEX_MONTHS: Final = 12 * 10_000


def _year(year: object) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise CreditError(f"year: expected a whole number, got {shown(year)}", path=("year",))
    if not FIRST_INSTANT.year <= year < END_INSTANT.year:
        raise HorizonError(
            f"year: {shown(year)} is outside the years sla_engine takes, {FIRST_INSTANT.year} to "
            f"{END_INSTANT.year - 1}",
            path=("year",),
        )


def local_midnight_us(day: date, zone: ZoneInfo) -> int:
    """The instant (µs) of local midnight on ``day``; in a DST gap, moved forward by the gap."""
    return to_us(datetime.combine(day, time(0), tzinfo=zone))


@dataclass(frozen=True, slots=True, kw_only=True)
class BillingCycle:
    """Billing periods ``months`` long starting on ``anchor``'s day at local midnight.

    ``BillingCycle.monthly()`` is calendar months, ``BillingCycle.quarterly()`` calendar quarters.
    """

    timezone: str = "UTC"
    months: int = 1
    anchor: date = _DEFAULT_ANCHOR

    def __post_init__(self) -> None:
        refuse_huge_fields(self, ("timezone", "anchor"), CreditError)
        _zone(self.timezone)
        if (
            isinstance(self.months, bool)
            or not isinstance(self.months, int)
            or not 1 <= self.months <= 1200
        ):
            raise CreditError(
                "months: a billing cycle is a whole number of months from 1 to 1200, got "
                f"{shown(self.months)}",
                path=("months",),
            )
        if not isinstance(self.anchor, date) or isinstance(self.anchor, datetime):
            raise CreditError(
                f"anchor: expected a date such as date(2026, 1, 15), got {self.anchor!r}",
                path=("anchor",),
            )

    @classmethod
    def monthly(cls, *, timezone: str = "UTC") -> BillingCycle:
        """Calendar months."""
        return cls(timezone=timezone, months=1)

    @classmethod
    def quarterly(cls, *, timezone: str = "UTC") -> BillingCycle:
        """Calendar quarters (January, April, July, October)."""
        return cls(timezone=timezone, months=3)

    @property
    def zone(self) -> ZoneInfo:
        """The cycle's time zone."""
        return ZoneInfo(self.timezone)

    def start_date(self, index: int) -> date:
        """The local date period ``index`` starts on."""
        result: date = self.anchor + relativedelta(months=index * self.months)
        return result

    def start_us(self, index: int) -> int:
        """The instant (µs) period ``index`` starts."""
        return local_midnight_us(self.start_date(index), self.zone)

    def period(self, index: int) -> BillingPeriod:
        """Period number ``index`` (0 starts on the anchor)."""
        return BillingPeriod(cycle=self, index=index)

    def containing(self, instant: datetime) -> BillingPeriod:
        """The period that contains ``instant`` (periods are half-open)."""
        return self.period(self.index_containing_us(to_us(require_aware(instant, "instant"))))

    def index_containing_us(self, t_us: int) -> int:
        """The number of the period containing the instant ``t_us``."""
        local = from_us(t_us).astimezone(self.zone).date()
        months = (local.year - self.anchor.year) * 12 + (local.month - self.anchor.month)
        index = months // self.months
        while self.start_us(index) > t_us:
            index -= 1
        while self.start_us(index + 1) <= t_us:
            index += 1
        return index

    def same_periods(self, other: BillingCycle) -> bool:
        """Whether ``other`` cuts time into exactly the same periods (same length, zone and
        start days; the anchor may be any period's first day)."""
        if self.months != other.months or self.timezone != other.timezone:
            return False
        if self.anchor.day != other.anchor.day:
            return False
        apart = (other.anchor.year - self.anchor.year) * 12 + other.anchor.month - self.anchor.month
        return apart % self.months == 0

    def describe(self) -> str:
        """``monthly in UTC``, ``every 3 months from 2026-01-15 in Europe/Berlin``."""
        names = {1: "monthly", 3: "quarterly", 6: "half-yearly", 12: "yearly"}
        calendar = self.anchor.day == 1 and (self.anchor.month - 1) % self.months == 0
        if calendar and self.months in names:
            return f"{names[self.months]} in {self.timezone}"
        return f"every {self.months} months from {self.anchor.isoformat()} in {self.timezone}"

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> BillingCycle:
        """Build from ``{"every": "month"|"quarter", "timezone": ...}`` or
        ``{"months": 1, "anchor": "2026-01-15", "timezone": ...}``."""
        m = _read.mapping(data, path, allowed=("every", "months", "anchor", "timezone"))
        if "every" in m and "months" in m:
            raise CreditError("give either 'every' or 'months', not both", path=path)
        if "every" in m:
            every = _read.choice(m["every"], (*path, "every"), what="every", options=_NAMED)
            months = _NAMED[every]
        else:
            months = _read.integer(m.get("months", 1), (*path, "months"), what="months", minimum=1)
        anchor = (
            _read.local_date(m["anchor"], (*path, "anchor"), what="anchor")
            if "anchor" in m
            else _DEFAULT_ANCHOR
        )
        timezone = _read.text(m.get("timezone", "UTC"), (*path, "timezone"), what="timezone")
        _zone(timezone, (*path, "timezone"))
        return cls(timezone=timezone, months=months, anchor=anchor)

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        return {
            "months": self.months,
            "anchor": self.anchor.isoformat(),
            "timezone": self.timezone,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class BillingPeriod:
    """One billing period ``[start, end)`` of a cycle."""

    cycle: BillingCycle
    index: int

    def __post_init__(self) -> None:
        refuse_huge_fields(self, ("index",), CreditError)
        if not isinstance(self.cycle, BillingCycle):
            raise CreditError(
                f"cycle: expected a BillingCycle, got {type(self.cycle).__name__}",
                path=("cycle",),
            )
        if isinstance(self.index, bool) or not isinstance(self.index, int):
            raise CreditError(
                f"index: expected a whole number, got {self.index!r}", path=("index",)
            )
        start: int | None = None
        end: int | None = None
        if abs(self.index) <= _MAX_INDEX_MONTHS // self.cycle.months:
            try:
                start, end = self.cycle.start_us(self.index), self.cycle.start_us(self.index + 1)
            except (OverflowError, ValueError):
                start = end = None
        if start is None or end is None or start < _FIRST_US or end > _END_US:
            raise HorizonError(
                f"index: period {self.index} of the cycle is outside the instants sla_engine "
                f"takes, {FIRST_INSTANT:%Y-%m-%d} up to (not including) {END_INSTANT:%Y-%m-%d} "
                "(UTC)",
                path=("index",),
            )

    @classmethod
    def month(cls, year: int, month: int, *, timezone: str = "UTC") -> BillingPeriod:
        """The calendar month ``year-month`` in ``timezone``."""
        _year(year)
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise CreditError(f"month: expected 1..12, got {shown(month)}", path=("month",))
        cycle = BillingCycle.monthly(timezone=timezone)
        return cls(cycle=cycle, index=(year - 2000) * 12 + (month - 1))

    @classmethod
    def quarter(cls, year: int, quarter: int, *, timezone: str = "UTC") -> BillingPeriod:
        """Calendar quarter ``quarter`` (1..4) of ``year`` in ``timezone``."""
        _year(year)
        if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4:
            raise CreditError(f"quarter: expected 1..4, got {shown(quarter)}", path=("quarter",))
        cycle = BillingCycle.quarterly(timezone=timezone)
        return cls(cycle=cycle, index=(year - 2000) * 4 + (quarter - 1))

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        cycle: BillingCycle | None = None,
        timezone: str | None = None,
        path: _read.Path = ("period",),
    ) -> BillingPeriod:
        """The period ``text`` names: a month ``"2025-04"``, a quarter ``"2024-Q2"``, or a day
        ``"2026-03-15"`` (the period containing it).

        With ``cycle`` (a policy's billing cycle) the answer is that cycle's period containing
        the first local midnight of the month, quarter or day, and a month on a quarterly cycle
        or a quarter on a monthly one is refused. Without it, a month names a calendar month
        and a quarter a calendar quarter in ``timezone`` (default UTC).
        """
        if not isinstance(text, str):
            raise CreditError(
                f"period: expected text such as '2025-04' or '2024-Q2', got {text!r}", path=path
            )
        value = text.strip()
        first: date | None = None
        kind = "day"
        try:
            if m := _MONTH.fullmatch(value):
                first, kind = date(int(m.group(1)), int(m.group(2)), 1), "month"
            elif m := _QUARTER.fullmatch(value):
                first, kind = date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1), "quarter"
            elif _DAY.fullmatch(value):
                first = date.fromisoformat(value)
        except ValueError:
            first = None
        if first is None:
            raise CreditError(
                f"period: {text!r} is not a billing period; write a month as 2025-04, a quarter "
                "as 2024-Q2, or a day (the period containing it) as 2026-03-15",
                path=path,
            )
        if cycle is not None:
            if not isinstance(cycle, BillingCycle):
                raise CreditError(
                    f"cycle: expected a BillingCycle, got {type(cycle).__name__}", path=path
                )
            if timezone is not None and timezone != cycle.timezone:
                raise CreditError(
                    f"period: the timezone {timezone!r} differs from the billing cycle's "
                    f"{cycle.timezone!r}; leave it out to use the cycle's",
                    path=path,
                )
            wanted = {"month": 1, "quarter": 3}.get(kind)
            if wanted is not None and wanted != cycle.months:
                raise CreditError(
                    f"period: {text!r} names a {kind}, but the billing cycle is "
                    f"{cycle.describe()}; name one of its periods (a day such as "
                    f"{first.isoformat()} names the period containing it)",
                    path=path,
                )
            found = cycle.containing(datetime.combine(first, time(0), tzinfo=cycle.zone))
            if wanted is not None and found.first_day != first:
                raise CreditError(
                    f"period: {text!r} is not a period of the billing cycle "
                    f"{cycle.describe()}; its periods start on {found.first_day.isoformat()} "
                    "and the like",
                    path=path,
                )
            return found
        zone = timezone or "UTC"
        _zone(zone, path)
        if kind == "quarter":
            return cls.quarter(first.year, (first.month + 2) // 3, timezone=zone)
        if kind == "month":
            return cls.month(first.year, first.month, timezone=zone)
        monthly = BillingCycle.monthly(timezone=zone)
        return monthly.containing(datetime.combine(first, time(0), tzinfo=monthly.zone))

    @property
    def start_us(self) -> int:
        """Start instant, µs since the epoch."""
        return self.cycle.start_us(self.index)

    @property
    def end_us(self) -> int:
        """End instant (exclusive), µs since the epoch."""
        return self.cycle.start_us(self.index + 1)

    @property
    def start(self) -> datetime:
        """Start instant, UTC."""
        return from_us(self.start_us)

    @property
    def end(self) -> datetime:
        """End instant (exclusive), UTC."""
        return from_us(self.end_us)

    @property
    def first_day(self) -> date:
        """The first local date of the period."""
        return self.cycle.start_date(self.index)

    @property
    def days(self) -> int:
        """The number of local calendar days in the period."""
        return (self.cycle.start_date(self.index + 1) - self.first_day).days

    def shifted(self, cycles: int) -> BillingPeriod:
        """The period ``cycles`` cycles later (earlier if negative)."""
        return BillingPeriod(cycle=self.cycle, index=self.index + cycles)

    def label(self) -> str:
        """A readable name: ``2026-03 (UTC)`` or ``2026-01-15..2026-04-15 (Europe/Berlin)``."""
        first = self.first_day
        if self.cycle.months == 1 and first.day == 1:
            return f"{first:%Y-%m} ({self.cycle.timezone})"
        if self.cycle.months == 3 and first.day == 1 and first.month in (1, 4, 7, 10):
            return f"{first.year}-Q{(first.month - 1) // 3 + 1} ({self.cycle.timezone})"
        following = self.cycle.start_date(self.index + 1)
        return f"{first.isoformat()}..{following.isoformat()} ({self.cycle.timezone})"

    def __str__(self) -> str:
        return self.label()


def utc_iso(t_us: int) -> str:
    """An instant as ``2026-03-01T00:00:00Z`` (microseconds only when non-zero)."""
    dt = from_us(t_us).astimezone(UTC)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += f".{dt.microsecond:06d}"
    return text + "Z"
