"""A slow, obviously correct business calendar to check the engine against.

It shares no code with ``sla_engine.calendar``. It walks local dates one by one; for each date
that exists in the zone it takes that date's windows (special hours, else nothing on a closed
date or holiday, else the weekday's windows) and turns each window's wall-clock bounds into UTC
by trying every offset the zone uses around that time:

* one offset reproduces the wall time: that is the instant;
* two do (a fold, clocks went back): the earlier instant;
* none does (a gap, clocks went forward): the wall time read with the offset in force before
  the jump, the smaller of the two, which moves it forward by the length of the gap.

The open intervals are then merged; ``elapsed`` sums their overlap with ``[a, b)``, ``add`` walks
forward through them consuming the duration, ``subtract`` walks backward. Everything is integer
microseconds since 1970-01-01T00:00Z. Use it on ranges of days, not years.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
DAY_US = 86_400_000_000
Intervals = list[tuple[int, int]]


def us_of(dt: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    assert dt.tzinfo is not None
    return (dt - EPOCH) // ONE_US


def dt_of(us: int) -> datetime:
    """The UTC datetime of microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=us)


def parse_window(text: str) -> tuple[int, int]:
    """``'HH:MM[:SS]-HH:MM[:SS]'`` as seconds after the opening date's midnight; an end at or
    before the start means the next morning."""
    m = re.fullmatch(r"(\d\d):(\d\d)(?::(\d\d))?-(\d\d):(\d\d)(?::(\d\d))?", text.strip())
    assert m, text
    start = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)
    end = int(m[4]) * 3600 + int(m[5]) * 60 + int(m[6] or 0)
    if end <= start:
        end += 86_400
    return start, end


def merge(intervals: Sequence[tuple[int, int]]) -> Intervals:
    """Sorted, non-empty, with overlapping or touching intervals joined."""
    out: Intervals = []
    for s, e in sorted(i for i in intervals if i[1] > i[0]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


@functools.cache
def date_exists(zone: str, day: date) -> bool:
    """True when some instant has ``day`` as its local date in ``zone`` (scanned every 15
    minutes, from 27 hours before noon UTC of that date to 27 hours after)."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    tz = ZoneInfo(zone)
    return any(
        (noon + timedelta(minutes=15 * k)).astimezone(tz).date() == day
        for k in range(-4 * 27, 4 * 27 + 1)
    )


def clip(intervals: Intervals, lo: int, hi: int) -> Intervals:
    """The parts of ``intervals`` inside ``[lo, hi)``."""
    return [(max(s, lo), min(e, hi)) for s, e in intervals if e > lo and s < hi and lo < hi]


class Reference:
    """Questions answered from ``intervals(lo, hi)``; subclasses say which intervals are open."""

    def intervals(self, lo: int, hi: int) -> Intervals:
        """The open intervals clipped to ``[lo, hi)``, merged."""
        raise NotImplementedError

    def is_open(self, t: int) -> bool:
        """Whether ``t`` lies inside an open interval."""
        return any(s <= t < e for s, e in self.intervals(t - DAY_US, t + DAY_US))

    def elapsed(self, a: int, b: int) -> int:
        """The total length of open time in ``[a, b)``; negative when ``b < a``."""
        if b < a:
            return -self.elapsed(b, a)
        return sum(e - s for s, e in self.intervals(a, b))

    def add(self, t: int, d: int, *, limit_days: int = 800) -> int:
        """Walk forward from ``t`` through open intervals until ``d`` has been used."""
        if d < 0:
            return self.subtract(t, -d, limit_days=limit_days)
        if d == 0:
            return t
        lo = t
        while lo < t + limit_days * DAY_US:
            hi = lo + 16 * DAY_US
            for s, e in self.intervals(lo, hi):
                if e - s >= d:
                    return s + d
                d -= e - s
            lo = hi
        raise AssertionError("reference add: no answer within the searched range")

    def subtract(self, t: int, d: int, *, limit_days: int = 800) -> int:
        """Walk backward from ``t`` through open intervals until ``d`` has been used."""
        if d < 0:
            return self.add(t, -d, limit_days=limit_days)
        if d == 0:
            return t
        hi = t
        while hi > t - limit_days * DAY_US:
            lo = hi - 16 * DAY_US
            for s, e in reversed(self.intervals(lo, hi)):
                if e - s >= d:
                    return e - d
                d -= e - s
            hi = lo
        raise AssertionError("reference subtract: no answer within the searched range")

    def next_open(self, t: int, *, limit_days: int = 800) -> int:
        """The earliest instant ``>= t`` inside an open interval."""
        lo = t
        while lo < t + limit_days * DAY_US:
            found = self.intervals(lo, lo + 16 * DAY_US)
            if found:
                return found[0][0]
            lo += 16 * DAY_US
        raise AssertionError("reference next_open: nothing open within the searched range")

    def next_close(self, t: int, *, limit_days: int = 800) -> int:
        """The earliest instant ``>= t`` outside every open interval."""
        end = t
        while end < t + limit_days * DAY_US:
            hi = end + 16 * DAY_US
            for s, e in self.intervals(end, hi):
                if s > end:
                    return end
                end = e
            if end < hi:
                return end
        raise AssertionError("reference next_close: open all through the searched range")


@dataclass(frozen=True)
class ReferenceCalendar(Reference):
    """Weekly windows in a zone, less holidays and closed dates, with special dates' own hours.

    ``weekly[0]`` is Monday; windows are ``(start, end)`` seconds after the opening date's local
    midnight, an overnight window ending past 86 400.
    """

    zone: ZoneInfo
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: Mapping[date, str] = field(default_factory=dict)
    closed: Mapping[date, str] = field(default_factory=dict)
    special: Mapping[date, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    memo: dict[date, Intervals] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_definition(
        cls,
        *,
        timezone: str,
        hours: Mapping[str, Sequence[str]] | str,
        holidays: Mapping[date, str] | None = None,
        closed: Mapping[date, str] | None = None,
        special: Mapping[date, Sequence[str]] | None = None,
    ) -> ReferenceCalendar:
        """Read per-day hours (keys 'mon'..'sun' only, or '24x7') and dated dictionaries."""
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        if hours == "24x7":
            weekly = tuple(((0, 86_400),) for _ in names)
        else:
            assert isinstance(hours, Mapping)
            assert set(hours) <= set(names), hours
            weekly = tuple(tuple(parse_window(w) for w in hours.get(n, ())) for n in names)
        return cls(
            zone=ZoneInfo(timezone),
            weekly=weekly,
            holidays=dict(holidays or {}),
            closed=dict(closed or {}),
            special={d: tuple(parse_window(w) for w in ws) for d, ws in (special or {}).items()},
        )

    # -- local time, done the long way
    def local_date(self, us: int) -> date:
        """The local date at the instant ``us``."""
        return dt_of(us).astimezone(self.zone).date()

    def wall_to_us(self, day: date, seconds: int) -> int:
        """The instant of the wall time ``seconds`` after local midnight of ``day``."""
        wall = datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)
        as_utc = wall.replace(tzinfo=UTC)
        offsets = {
            (as_utc + timedelta(hours=k)).astimezone(self.zone).utcoffset() for k in range(-30, 31)
        }
        real = [o for o in offsets if o is not None]
        candidates = sorted(
            as_utc - o
            for o in real
            if (as_utc - o).astimezone(self.zone).replace(tzinfo=None) == wall
        )
        if candidates:
            return us_of(candidates[0])  # in a fold, the earlier instant
        return us_of(as_utc - min(real))  # in a gap, the offset before the jump

    def exists(self, day: date) -> bool:
        """True when some instant has ``day`` as its local date."""
        return date_exists(self.zone.key, day)

    def windows(self, day: date) -> tuple[tuple[int, int], ...]:
        """The windows that open on ``day``."""
        if day in self.special:
            return self.special[day]
        if day in self.closed or day in self.holidays:
            return ()
        return self.weekly[day.weekday()]

    def day_intervals(self, day: date) -> Intervals:
        """The UTC intervals of the windows that open on ``day`` (none if it does not exist)."""
        if day not in self.memo:
            self.memo[day] = (
                [(self.wall_to_us(day, s), self.wall_to_us(day, e)) for s, e in self.windows(day)]
                if self.exists(day)
                else []
            )
        return self.memo[day]

    def intervals(self, lo: int, hi: int) -> Intervals:
        """Walk every local date that can touch ``[lo, hi)`` and convert its windows."""
        found: Intervals = []
        day = self.local_date(lo) - timedelta(days=2)
        last = self.local_date(hi) + timedelta(days=1)
        while day <= last:
            found.extend(self.day_intervals(day))
            day += timedelta(days=1)
        return clip(merge(found), lo, hi)


@dataclass(frozen=True)
class ReferenceCombination(Reference):
    """Open where ``rule(left open, right open)`` holds, decided piece by piece."""

    left: Reference
    right: Reference
    rule: Callable[[bool, bool], bool]

    def intervals(self, lo: int, hi: int) -> Intervals:
        """Cut ``[lo, hi)`` at every boundary of either side and test each piece's start."""
        a, b = self.left.intervals(lo, hi), self.right.intervals(lo, hi)
        cuts = sorted({lo, hi} | {p for s, e in a + b for p in (s, e)})
        pieces = [
            (x, y)
            for x, y in itertools.pairwise(cuts)
            if self.rule(any(s <= x < e for s, e in a), any(s <= x < e for s, e in b))
        ]
        return merge(pieces)


def union(a: Reference, b: Reference) -> ReferenceCombination:
    """Open when either is."""
    return ReferenceCombination(a, b, lambda x, y: x or y)


def intersection(a: Reference, b: Reference) -> ReferenceCombination:
    """Open when both are."""
    return ReferenceCombination(a, b, lambda x, y: x and y)


def difference(a: Reference, b: Reference) -> ReferenceCombination:
    """Open when ``a`` is and ``b`` is not."""
    return ReferenceCombination(a, b, lambda x, y: x and not y)


def holiday_dates(spec: object, years: range) -> dict[date, str]:
    """Holiday names from the ``holidays`` package for ``'US-CA'`` or a mapping like the
    engine's (``country``, ``subdivision``, ``language``)."""
    import holidays as holidays_package

    if isinstance(spec, str):
        country, _, subdivision = spec.partition("-")
        spec = {"country": country, "subdivision": subdivision or None}
    assert isinstance(spec, Mapping)
    table = holidays_package.country_holidays(
        spec["country"],
        subdiv=spec.get("subdivision"),
        years=years,
        language=spec.get("language"),
    )
    return {d: str(n) for d, n in table.items()}


def reference_for(mapping: Mapping[str, object], *, years: range) -> ReferenceCalendar:
    """The reference for an engine mapping made of per-day hours, ``{"date", "name"}`` closed
    entries, special dates and at most one holiday source."""
    closed_items = mapping.get("closed") or []
    assert isinstance(closed_items, list)
    closed = {date.fromisoformat(item["date"]): item["name"] for item in closed_items}
    special_items = mapping.get("special") or {}
    assert isinstance(special_items, Mapping)
    special = {date.fromisoformat(k): v for k, v in special_items.items()}
    hol = mapping.get("holidays")
    zone = mapping["timezone"]
    hours = mapping["hours"]
    assert isinstance(zone, str)
    return ReferenceCalendar.from_definition(
        timezone=zone,
        hours=hours,  # type: ignore[arg-type]
        holidays=holiday_dates(hol, years) if hol is not None else None,
        closed=closed,
        special=special,
    )
