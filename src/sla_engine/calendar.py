"""Business-hours calendars compiled to UTC segments: exact, DST-correct and fast.

A calendar compiles, a UTC year at a time and only as far as queries reach, to a sorted list of
disjoint open segments ``[start, end)`` in integer microseconds since the epoch, with the running
total of open time before each segment. Then every question is one or two binary searches:

* ``elapsed(a, b) = total(b) - total(a)``;
* ``add(t, d)`` is where the total reaches ``total(t) + d``;
* ``subtract(t, d)`` is the latest instant where it is ``total(t) - d``.

The compiled years are a cache, bounded by :data:`MAX_CACHED_SEGMENTS`; a search that leaves
them walks whole UTC years up to the horizon, remembering each year's open time, and steps over
years the definition shows empty (a closed range, an empty operand). No answer depends on what
was compiled before: a calendar answers every question as a fresh one would.

Local time only says which date it is and which wall time a window opens and closes at; every
window is turned into UTC once, when its year is compiled, with the DST rule of the project:
a wall time in a gap moves forward by the gap, a wall time in a fold is the earlier instant.
"""

from __future__ import annotations

import itertools
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sla_engine._bounds import refuse_huge_ints
from sla_engine._time import FIRST_YEAR, LAST_YEAR, from_us, td_to_us, to_us, us_to_td
from sla_engine.closures import (
    ClosedDates,
    HolidaySource,
    check_horizon,
    frozen_span,
    parse_date,
)
from sla_engine.errors import CalendarError, HorizonError, UnknownTimeZoneError
from sla_engine.hours import (
    DAY_SECONDS,
    DAY_TITLES,
    WeeklyHours,
    Window,
    describe_windows,
    parse_windows,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["FIRST_YEAR", "LAST_YEAR", "MAX_CACHED_SEGMENTS", "BusinessCalendar", "Interval", "Span"]

MAX_CACHED_SEGMENTS: Final = 1 << 17
"""The most open segments a calendar keeps compiled at once (some 45 MB at most): a question
beyond them replaces the cached years rather than adding to them."""
MAX_COMPOSED: Final = 128
"""The most calendars one composition (``|``, ``&``, ``-``) holds, counting each use of one."""
_IDLE_DAYS_LIMIT: Final = 3660
"""``add_business_days`` gives up after this many consecutive dates without a working day."""

_US_PER_S: Final = 1_000_000
_MIN_US: Final = to_us(datetime(FIRST_YEAR, 1, 1, tzinfo=UTC))
_MAX_US: Final = to_us(datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC))
_DT_MIN_US: Final = to_us(datetime.min.replace(tzinfo=UTC))
_DT_MAX_US: Final = to_us(datetime.max.replace(tzinfo=UTC))

Kind = Literal["hours", "union", "intersection", "difference"]
_Segments = list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open interval of time ``[start, end)`` between two UTC instants."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        """``end - start``."""
        return self.end - self.start


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A piece of ``[start, end)`` and whether the calendar counts it, with the reason why."""

    start: datetime
    end: datetime
    counted: bool
    reason: str

    @property
    def duration(self) -> timedelta:
        """``end - start``."""
        return self.end - self.start

    def __str__(self) -> str:
        mark = "counted" if self.counted else "not counted"
        return f"{self.start.isoformat()} .. {self.end.isoformat()}  {mark}: {self.reason}"


_FAR: Final = 1 << 62
"""Past every instant and every total: the sentinel closing ``_State.fast``'s lists."""
_BUCKET_US: Final = 24 * 3600 * _US_PER_S
"""The widest bucket of ``_State``'s index: a UTC day."""
_BUCKET_MIN_US: Final = 60 * _US_PER_S
_BUCKETS_MAX: Final = 1 << 18
_BUCKET_SPREAD: Final = 2
"""Buckets narrow (down to a minute, up to the maximum count) until no bucket holds more
segment starts than this."""


class _State:
    """The compiled segments over ``[lo, hi)``; replaced whole, never changed in place.

    ``off[i]`` is ``cum[i] - starts[i]``: the open time before ``t`` inside segment ``i`` is
    ``off[i] + t``, past its end ``cend[i]``. ``fast`` is what the integer fast paths read,
    unpacked in one step: ``(lo, hi, width, last, starts, ends, off, cend, total)``.
    ``starts`` and ``cend`` end with the sentinel :data:`_FAR` (so a look at the next segment
    needs no bounds check); ``last[k]`` is the last segment starting at or before the start of
    the ``k``-th bucket of ``width`` µs from ``lo`` (-1 if none), so the last segment starting
    at or before ``t`` is found from ``last[(t - lo) // width]`` in a step or two; ``total`` is
    the open time of the whole range.
    """

    __slots__ = ("cend", "cum", "ends", "fast", "hi", "lo", "off", "starts")

    def __init__(self, lo: int, hi: int, segments: _Segments) -> None:
        self.lo = lo
        self.hi = hi
        self.starts = starts = [s for s, _ in segments]
        self.ends = [e for _, e in segments]
        cum: list[int] = []
        cend: list[int] = []
        off: list[int] = []
        total = 0
        for s, e in segments:
            cum.append(total)
            off.append(total - s)
            total += e - s
            cend.append(total)
        self.cum = cum
        self.cend = cend
        self.off = off
        width = _BUCKET_US
        while True:
            last = _bucket_index(starts, lo, hi, width)
            narrower = max(width // 2, _BUCKET_MIN_US)
            if (
                narrower == width
                or (hi - lo) // narrower + 2 > _BUCKETS_MAX
                or all(b - a <= _BUCKET_SPREAD for a, b in itertools.pairwise(last))
            ):
                break
            width = narrower
        self.fast: tuple[
            int, int, int, list[int], list[int], list[int], list[int], list[int], int
        ] = (lo, hi, width, last, [*starts, _FAR], self.ends, off, [*cend, _FAR], total)

    def segments(self) -> _Segments:
        return list(zip(self.starts, self.ends, strict=True))


def _bucket_index(starts: list[int], lo: int, hi: int, width: int) -> list[int]:
    """Per bucket of ``width`` µs from ``lo`` (to the one holding ``hi``): the last segment
    starting at or before its start, -1 if none."""
    out: list[int] = []
    i = -1
    n = len(starts)
    for edge in range(lo, hi + width, width):
        while i + 1 < n and starts[i + 1] <= edge:
            i += 1
        out.append(i)
    return out


class _Grid:
    """Counts of sorted keys at or below (or below) many values at once.

    The range ``[lo, hi)`` is cut into equal buckets, each remembering how many keys lie
    before it; a value then needs its bucket's count plus at most ``spread`` comparisons with
    the few keys inside the bucket. That is a handful of cache-friendly gathers per value, where
    a binary search over random values misses the cache at every step.
    """

    __slots__ = ("keys", "left", "lo", "right", "spread", "width")

    MAX_BUCKETS: Final = 1 << 21
    MAX_SPREAD: Final = 4

    def __init__(self, keys: Any, lo: int, hi: int) -> None:
        import numpy as np

        self.lo = lo
        self.keys = np.append(keys, np.iinfo(np.int64).max)
        span = max(hi - lo, 1)
        width = max(span // self.MAX_BUCKETS + 1, 3600 * _US_PER_S)
        spread = self.MAX_SPREAD + 1
        while True:
            edges = lo + np.arange(span // width + 2, dtype=np.int64) * width
            right = np.searchsorted(keys, edges, side="right")
            left = np.searchsorted(keys, edges, side="left")
            spread = int((left[1:] - right[:-1]).max(initial=0)) + 1 if len(keys) else 0
            if spread <= self.MAX_SPREAD or width >= span or len(edges) < 64:
                break
            width = max(width // 8, 1)
            if span // width + 2 > self.MAX_BUCKETS:
                break
        self.width, self.left, self.right, self.spread = width, left, right, spread

    def count(self, values: Any, *, side: str) -> Any:
        """For each value, how many keys are ``<=`` it (``side='right'``) or ``<`` it."""
        import numpy as np

        if self.spread > self.MAX_SPREAD:
            return np.searchsorted(self.keys[:-1], values, side=side)  # type: ignore[call-overload]
        bucket = (values - self.lo) // self.width
        keys = self.keys
        if side == "right":
            idx = self.right[bucket]
            for _ in range(self.spread):
                idx += keys[idx] <= values
        else:
            idx = self.left[bucket]
            for _ in range(self.spread):
                idx += keys[idx] < values
        return idx


def _year_start_us(year: int) -> int:
    return to_us(datetime(year, 1, 1, tzinfo=UTC))


def _utc_year(us: int) -> int:
    return from_us(us).year


def _prefix(state: _State, x: int) -> int:
    """Open µs in ``[state.lo, x)`` for ``x`` inside the state."""
    i = bisect_right(state.starts, x) - 1
    if i < 0:
        return 0
    return state.cum[i] + min(x, state.ends[i]) - state.starts[i]


def _merge(segments: Iterable[tuple[int, int]]) -> _Segments:
    """Sort, drop empty and merge overlapping or touching segments."""
    out: _Segments = []
    for s, e in sorted(seg for seg in segments if seg[1] > seg[0]):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _combine(a: _Segments, b: _Segments, keep: Callable[[bool, bool], bool]) -> _Segments:
    """Combine two sorted, disjoint segment lists with a boolean rule."""
    points = sorted({p for seg in a for p in seg} | {p for seg in b for p in seg})
    out: _Segments = []
    i = j = 0
    for lo, hi in itertools.pairwise(points):
        while i < len(a) and a[i][1] <= lo:
            i += 1
        while j < len(b) and b[j][1] <= lo:
            j += 1
        in_a = i < len(a) and a[i][0] <= lo
        in_b = j < len(b) and b[j][0] <= lo
        if keep(in_a, in_b):
            if out and out[-1][1] == lo:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
    return out


_NOT_ZONES: Final = frozenset({"localtime", "posixrules", "Factory"})
"""Files in a zone database that are not IANA zone names."""
_ZONE_NAME: Final = re.compile(r"[A-Za-z0-9_+-]{1,30}(?:/[A-Za-z0-9_+-]{1,30}){0,3}")


def _load_zone(name: object) -> ZoneInfo:
    if isinstance(name, ZoneInfo) and name.key is not None and name.key not in _NOT_ZONES:
        return name
    if isinstance(name, ZoneInfo):
        name = name.key
    if (
        not isinstance(name, str)
        or not name.strip()
        or name in _NOT_ZONES
        or name.startswith(("posix/", "right/"))
        or not _ZONE_NAME.fullmatch(name)
    ):
        raise UnknownTimeZoneError(
            f"timezone: {name!r} is not a time zone name; expected an IANA name such as "
            "'America/New_York' or 'Asia/Tehran'",
            path=("timezone",),
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimeZoneError(
            f"timezone: {name!r} is not in the IANA time zone database; expected a name such "
            "as 'America/New_York', 'Europe/Berlin' or 'Asia/Tehran' (install 'tzdata' where "
            "the system has no zone database)",
            path=("timezone",),
        ) from None


def _parse_holidays(value: object) -> tuple[HolidaySource, ...]:
    if value is None:
        return ()
    if isinstance(value, HolidaySource):
        return (value,)
    if isinstance(value, str):
        country, _, subdivision = value.strip().partition("-")
        return (HolidaySource(country=country, subdivision=subdivision or None),)
    if isinstance(value, Mapping):
        return (HolidaySource.from_mapping(value),)
    if isinstance(value, Sequence):
        out: list[HolidaySource] = []
        for i, item in enumerate(value):
            try:
                out.extend(_parse_holidays(item))
            except CalendarError as exc:
                raise CalendarError(exc.message, path=("holidays", i, *exc.path[1:])) from None
        return tuple(out)
    raise CalendarError(
        f"holidays: expected e.g. {{'country': 'US', 'subdivision': 'NY'}} or 'US-NY', "
        f"got {value!r}",
        path=("holidays",),
    )


def _parse_special(value: object) -> dict[date, tuple[Window, ...]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise CalendarError(
            f"special: expected a mapping of dates to windows, e.g. "
            f"{{'2026-12-31': ['09:00-13:00']}}, got {value!r}",
            path=("special",),
        )
    out: dict[date, tuple[Window, ...]] = {}
    for key, windows in value.items():
        day = check_horizon(parse_date(key, ("special", str(key))), ("special", str(key)))
        if day in out:
            raise CalendarError(f"special: {day} is given twice", path=("special", str(key)))
        out[day] = parse_windows(windows, ("special", str(key)))
    return out


_DEFINITION: Final = (
    "_zone",
    "_weekly",
    "_holidays",
    "_closed",
    "_special",
    "name",
    "_kind",
    "_operands",
)
"""What a calendar is; everything else it holds is a cache of answers derived from these."""


class BusinessCalendar:
    """When a team is open: weekly hours in an IANA zone, less holidays and closed dates.

    ``BusinessCalendar(timezone=..., hours=..., holidays=..., closed=..., special=...)`` takes
    the same words as a policy file's calendar. Instants in may be aware datetimes of any zone;
    instants out are UTC. Durations are business time as ``timedelta``.
    """

    __slots__ = (
        "_closed",
        "_holiday_names",
        "_holiday_years",
        "_holidays",
        "_kind",
        "_lock",
        "_np",
        "_operands",
        "_size",
        "_special",
        "_state",
        "_weekly",
        "_year_totals",
        "_zone",
        "name",
    )

    def __init__(
        self,
        *,
        timezone: str | ZoneInfo,
        hours: Mapping[str, Any] | str | WeeklyHours,
        holidays: Mapping[str, Any] | Sequence[Any] | str | None = None,
        closed: Sequence[Any] | None = None,
        special: Mapping[Any, Any] | None = None,
        name: str | None = None,
    ) -> None:
        definition = {"timezone": timezone, "hours": hours, "holidays": holidays}
        definition |= {"closed": closed, "special": special, "name": name}
        for key, value in definition.items():  # before any message shows such a number
            refuse_huge_ints(value, (key,), CalendarError)
        self._zone = _load_zone(timezone)
        self._weekly = WeeklyHours.parse(hours)
        self._holidays = _parse_holidays(holidays)
        self._closed = ClosedDates.parse(closed)
        self._special = _parse_special(special)
        self.name = name
        self._kind: Kind = "hours"
        self._operands: tuple[BusinessCalendar, ...] = ()
        if self._weekly.is_empty and not any(self._special.values()):
            raise CalendarError(
                "hours: the calendar is never open (no day has a window); give at least one "
                "window, e.g. {'mon-fri': ['09:00-17:00']}, or '24x7'",
                path=("hours",),
            )
        overlap = sorted(d for d in self._special if self._closed.listed(d))
        if overlap:
            raise CalendarError(
                f"special: {overlap[0]} has its own hours and is also a closed date; keep one",
                path=("special", overlap[0].isoformat()),
            )
        self._init_cache()

    def _init_cache(self) -> None:
        self._size: int = sum(op._size for op in self._operands) or 1
        self._holiday_names: dict[date, str] = {}
        self._holiday_years: frozenset[int] = frozenset()
        self._year_totals: dict[int, int] = {}
        self._state = _State(0, 0, [])
        self._np: tuple[_State, Any] | None = None
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- pickle and copy
    def __getstate__(self) -> dict[str, Any]:
        """The definition alone: compiled years, caches and the lock are rebuilt on load."""
        return {key: getattr(self, key) for key in _DEFINITION}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        for key in _DEFINITION:
            setattr(self, key, state[key])
        self._init_cache()

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> BusinessCalendar:
        """Build from plain data: the mapping a policy file holds under a calendar's name.

        Besides the keyword arguments of the class, ``{"union": [m1, m2, ...]}``,
        ``{"intersection": [...]}`` and ``{"difference": [m1, m2]}`` compose calendars.
        """
        if not isinstance(mapping, Mapping):
            raise CalendarError(f"a calendar must be a mapping, got {mapping!r}")
        for kind in ("union", "intersection", "difference"):
            if kind in mapping:
                return cls._compose_mapping(kind, mapping)
        known = {"timezone", "hours", "holidays", "closed", "special", "name"}
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise CalendarError(
                f"unknown calendar key {unknown[0]!r}; expected {', '.join(sorted(known))}",
                path=(unknown[0],),
            )
        for required in ("timezone", "hours"):
            if required not in mapping:
                raise CalendarError(
                    f"a calendar needs {required!r}"
                    + (" (an IANA name)" if required == "timezone" else " (e.g. '24x7')"),
                    path=(required,),
                )
        return cls(**dict(mapping))

    @classmethod
    def problems(cls, mapping: Mapping[str, Any]) -> list[CalendarError]:
        """Every problem in a calendar mapping, each part checked on its own; ``[]`` if it builds.

        ``from_mapping`` stops at the first problem; this reports a bad zone and a bad window
        together, each with its ``path``, so a policy can list them all at once.
        """
        try:
            cls.from_mapping(mapping)
        except CalendarError as exc:
            first = exc
        else:
            return []
        composed = any(kind in mapping for kind in ("union", "intersection", "difference"))
        if not isinstance(mapping, Mapping) or composed:
            return [first]
        parts: tuple[tuple[str, Callable[[Any], object]], ...] = (
            ("timezone", _load_zone),
            ("hours", WeeklyHours.parse),
            ("holidays", _parse_holidays),
            ("closed", ClosedDates.parse),
            ("special", _parse_special),
        )
        found: list[CalendarError] = []
        for key, check in parts:
            if key in mapping:
                try:
                    check(mapping[key])
                except CalendarError as exc:
                    found.append(exc)
        return found or [first]

    @classmethod
    def _compose_mapping(cls, kind: str, mapping: Mapping[str, Any]) -> BusinessCalendar:
        extra = sorted(set(mapping) - {kind, "name"})
        if extra:
            raise CalendarError(
                f"a {kind} takes only {kind!r} and 'name', not {extra[0]!r}", path=(extra[0],)
            )
        parts = mapping[kind]
        if not isinstance(parts, Sequence) or isinstance(parts, str) or len(parts) < 2:
            raise CalendarError(f"{kind}: expected a list of two or more calendars", path=(kind,))
        if kind == "difference" and len(parts) != 2:
            raise CalendarError("difference: expected exactly two calendars", path=(kind,))
        built: list[BusinessCalendar] = []
        for i, part in enumerate(parts):
            try:
                built.append(part if isinstance(part, cls) else cls.from_mapping(part))
            except CalendarError as exc:
                raise CalendarError(exc.message, path=(kind, i, *exc.path)) from None
        result = built[0]
        for other in built[1:]:
            result = result._compose(kind, other)  # type: ignore[arg-type]
        result.name = mapping.get("name")
        return result

    @classmethod
    def always(
        cls, *, timezone: str | ZoneInfo = "UTC", name: str | None = None
    ) -> BusinessCalendar:
        """Open around the clock (24x7), every day of the year."""
        return cls(timezone=timezone, hours="24x7", name=name)

    def _compose(self, kind: Kind, other: BusinessCalendar) -> BusinessCalendar:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        if self._size + other._size > MAX_COMPOSED:
            # every question walks the operands as a tree: c | c, a hundred times over, would
            # hold 2**100 of them
            raise CalendarError(
                f"a composition holds at most {MAX_COMPOSED} calendars (counting each use of "
                f"one); this {kind} would hold {self._size + other._size}"
            )
        new = object.__new__(BusinessCalendar)
        new._zone = self._zone
        new._weekly = WeeklyHours(days=((),) * 7)
        new._holidays = ()
        new._closed = ClosedDates()
        new._special = {}
        new.name = None
        new._kind = kind
        new._operands = (self, other)
        new._init_cache()
        return new

    def __or__(self, other: BusinessCalendar) -> BusinessCalendar:
        """Open when either is open (follow-the-sun)."""
        return self._compose("union", other)

    def __and__(self, other: BusinessCalendar) -> BusinessCalendar:
        """Open when both are open."""
        return self._compose("intersection", other)

    def __sub__(self, other: BusinessCalendar) -> BusinessCalendar:
        """Open when this one is open and ``other`` is not."""
        return self._compose("difference", other)

    # ----------------------------------------------------------------- description
    @property
    def timezone(self) -> str:
        """The IANA name of the zone that says which local date it is."""
        return self._zone.key

    @property
    def zone(self) -> ZoneInfo:
        """The zone as a ``ZoneInfo``."""
        return self._zone

    @property
    def kind(self) -> Kind:
        """``'hours'`` for a calendar of its own, else how it was composed."""
        return self._kind

    @property
    def weekly_hours(self) -> WeeklyHours:
        """The weekly windows (empty for a composed calendar)."""
        return self._weekly

    def to_mapping(self) -> dict[str, Any]:
        """The plain-data form; ``BusinessCalendar.from_mapping(c.to_mapping()) == c``."""
        if self._kind != "hours":
            parts: list[dict[str, Any]] = []
            for i, op in enumerate(self._operands):
                m = op.to_mapping()
                # Flatten left-nested chains of the same operation: from_mapping folds left.
                if (
                    i == 0
                    and op._kind == self._kind
                    and self._kind != "difference"
                    and op.name is None
                ):
                    parts.extend(m[self._kind])
                else:
                    parts.append(m)
            out: dict[str, Any] = {self._kind: parts}
        else:
            out = {"timezone": self.timezone, "hours": self._weekly.to_mapping()}
            if self._holidays:
                hs = [h.to_mapping() for h in self._holidays]
                out["holidays"] = hs[0] if len(hs) == 1 else hs
            if self._closed.source:
                out["closed"] = self._closed.to_list()
            if self._special:
                out["special"] = {
                    d.isoformat(): [str(w) for w in ws] for d, ws in sorted(self._special.items())
                }
        if self.name is not None:
            out["name"] = self.name
        return out

    def _key(self) -> Any:
        if self._kind != "hours":
            return (self._kind, self.name, tuple(op._key() for op in self._operands))
        return (
            self.timezone,
            self._weekly,
            self._holidays,
            self._closed.key(),
            tuple(sorted(self._special.items())),
            self.name,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return bool(self._key() == other._key())

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        if self._kind != "hours":
            return f"<BusinessCalendar{label} {self._kind} of {len(self._operands)}>"
        return f"<BusinessCalendar{label} {self.timezone} {self._weekly.to_mapping()}>"

    # ----------------------------------------------------------------- local days
    def _holiday_table(self, first: date, last: date) -> dict[date, str]:
        """Holiday names by date, built a whole year at a time and kept (a few a year)."""
        if not self._holidays:
            return self._holiday_names
        for source in self._holidays:  # a frozen source refuses dates it holds no data for
            source.covers(first, last)
        years = set(range(first.year, last.year + 1)) - self._holiday_years
        if not years:
            return self._holiday_names
        with self._lock:
            years -= self._holiday_years
            names = dict(self._holiday_names)
            runs: list[list[int]] = []
            for year in sorted(years):  # contiguous runs: never the years between two asked
                if runs and runs[-1][-1] == year - 1:
                    runs[-1].append(year)
                else:
                    runs.append([year])
            for run in runs:
                for source in self._holidays:
                    for day, label in source.build(run[0], run[-1]).items():
                        if day.year in years:
                            old = names.get(day)
                            names[day] = label if old in (None, label) else f"{old}; {label}"
            self._holiday_names = names
            self._holiday_years = self._holiday_years | years
            return names

    def _closed_table(self, first: date, last: date) -> dict[date, str]:
        """Closed dates with names between ``first`` and ``last`` (RRULEs included)."""
        return self._closed.build(first, last)

    def closure(self, day: date) -> str | None:
        """Why a local date is closed, or ``None``: a holiday's or closed date's name."""
        if self._kind != "hours":
            raise CalendarError("closure() answers for a calendar of its own, not a composition")
        if not isinstance(day, date) or isinstance(day, datetime):
            raise CalendarError(f"closure: expected a date, got {day!r}")
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise HorizonError(
                f"closure: {day.isoformat()} is outside the dates calendars answer for "
                f"({FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31)"
            )
        if self._skipped(day):
            return f"{day.isoformat()} does not exist in {self.timezone} (skipped by the zone)"
        if day in self._special:
            return None if self._special[day] else "special hours: closed"
        closed = self._closed_table(day, day)
        if day in closed:
            return closed[day] or "closed date"
        return self._holiday_table(day, day).get(day)

    def _day_windows(
        self, day: date, closed: Mapping[date, str], holidays: Mapping[date, str]
    ) -> tuple[Window, ...]:
        if day in self._special:
            return self._special[day]
        if day in closed or day in holidays:
            return ()
        return self._weekly.days[day.weekday()]

    def _wall_us(self, day: date, seconds: int) -> int:
        """The instant of a wall time ``seconds`` after local midnight of ``day``."""
        extra, seconds = divmod(seconds, DAY_SECONDS)
        if extra:
            day = day + timedelta(days=extra)
        h, rest = divmod(seconds, 3600)
        m, s = divmod(rest, 60)
        return to_us(datetime(day.year, day.month, day.day, h, m, s, tzinfo=self._zone))

    def _local_date(self, us: int) -> date:
        return from_us(us).astimezone(self._zone).date()

    def _skipped(self, day: date) -> bool:
        """True for a local date the zone skipped whole (Pacific/Apia, 2011-12-30)."""
        return self._wall_us(day, DAY_SECONDS) <= self._wall_us(day, 0)

    # ----------------------------------------------------------------- compiling
    def _build(self, lo: int, hi: int) -> _Segments:
        """Open segments clipped to ``[lo, hi)``."""
        if self._kind != "hours":
            a, b = (op._segments_in(lo, hi) for op in self._operands)
            rule: Callable[[bool, bool], bool] = {
                "union": lambda x, y: x or y,
                "intersection": lambda x, y: x and y,
                "difference": lambda x, y: x and not y,
            }[self._kind]
            return _combine(a, b, rule)
        first = self._local_date(lo) - timedelta(days=2)
        last = self._local_date(hi - 1) + timedelta(days=1)
        if self._closed.covers(first, last):
            return []
        closed = self._closed_table(first, last)
        holidays = self._holiday_table(first, last)
        out: _Segments = []
        day = first
        one_day = timedelta(days=1)
        midnight = self._wall_us(day, 0)
        while day <= last:
            nxt = day + one_day
            next_midnight = self._wall_us(nxt, 0)
            windows = self._day_windows(day, closed, holidays)
            if windows and next_midnight > midnight:  # a skipped date has no hours
                for w in windows:
                    s = midnight if w.start == 0 else self._wall_us(day, w.start)
                    e = next_midnight if w.end == DAY_SECONDS else self._wall_us(day, w.end)
                    if e > s and e > lo and s < hi:
                        out.append((max(s, lo), min(e, hi)))
            day, midnight = nxt, next_midnight
        return _merge(out)

    def _segments_in(self, lo: int, hi: int) -> _Segments:
        """The open segments inside ``[lo, hi)``, clipped and merged, a window at a time."""
        out: _Segments = []
        if hi <= lo:
            return out
        self._check_horizon(lo, hi)
        y = _utc_year(lo)
        while True:
            step_hi = hi if self._fits(lo, hi) else min(hi, _year_start_us(y + 1))
            state = self._cover(lo, step_hi)
            i = max(bisect_right(state.starts, lo) - 1, 0)
            starts, ends = state.starts, state.ends
            while i < len(starts) and starts[i] < step_hi:
                s, e = max(starts[i], lo), min(ends[i], step_hi)
                if e > s:
                    if out and out[-1][1] == s:
                        out[-1] = (out[-1][0], e)
                    else:
                        out.append((s, e))
                i += 1
            if step_hi >= hi:
                return out
            lo, y = step_hi, y + 1

    @staticmethod
    def _check_horizon(lo: int, hi: int) -> None:
        if lo < _MIN_US or hi > _MAX_US:
            bad = lo if lo < _MIN_US else hi
            raise HorizonError(
                f"{from_us(max(min(bad, _DT_MAX_US), _DT_MIN_US)).isoformat()}: calendars answer "
                f"for {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31 (UTC); the question reaches past it"
            )

    def _density(self) -> int:
        """An upper estimate of the open segments a UTC year compiles to (from the definition)."""
        if self._kind != "hours":
            return sum(op._density() for op in self._operands)
        per_week = sum(len(day) for day in self._weekly.days)
        return per_week * 53 + 2 * len(self._special) + 2

    def _fits(self, lo: int, hi: int) -> bool:
        """True when the whole UTC years from ``lo`` to ``hi`` fit the cache's budget."""
        years = _utc_year(max(hi - 1, lo)) - _utc_year(lo) + 1
        return years * self._density() <= MAX_CACHED_SEGMENTS

    def _cover(self, lo: int, hi: int) -> _State:
        """A state compiled at least over ``[lo, hi)`` (whole UTC years).

        The cache is one window of whole years: it grows to take in a question while the
        window stays within :data:`MAX_CACHED_SEGMENTS`; past that it is replaced by the
        years the question needs. Callers ask for ranges that fit (see ``_fits``).
        """
        state = self._state
        if state.lo <= lo and hi <= state.hi and state.hi > state.lo:
            return state
        self._check_horizon(lo, hi)
        with self._lock:
            state = self._state
            y0 = _utc_year(lo)
            y1 = _utc_year(max(hi - 1, lo)) + 1
            if state.hi > state.lo:
                s0, s1 = _utc_year(state.lo), _utc_year(state.hi - 1) + 1
                u0, u1 = min(y0, s0), max(y1, s1)
                # Grow by at least the window's own span, so that a walk year by year
                # compiles each year once and rebuilds the window a logarithmic number of times.
                g0 = min(u0, max(s0 - (s1 - s0), FIRST_YEAR)) if u0 < s0 else u0
                g1 = max(u1, min(s1 + (s1 - s0), LAST_YEAR + 1)) if u1 > s1 else u1
                # A question far from the window, or past the budget, starts afresh from the
                # years asked: compiling every year in between, or growing one year at a time,
                # would cost more than it saves.
                near = u1 - u0 <= 2 * (s1 - s0) + (y1 - y0)
                if near and (g1 - g0) * self._density() <= MAX_CACHED_SEGMENTS:
                    y0, y1 = g0, g1
            new_lo, new_hi = _year_start_us(y0), _year_start_us(y1)
            frozen = self._frozen_us()
            if frozen is not None and frozen[0] <= lo and hi <= frozen[1]:
                # the UTC years reach past the local dates frozen holidays hold: compile only
                # the instants they answer for (a question past them compiles whole years,
                # and the frozen source refuses it, naming its years)
                new_lo, new_hi = max(new_lo, frozen[0]), min(new_hi, frozen[1])
            parts: _Segments = []
            if state.hi > state.lo and new_lo <= state.lo and state.hi <= new_hi:
                if new_lo < state.lo:
                    parts += self._build(new_lo, state.lo)
                parts += state.segments()
                if new_hi > state.hi:
                    parts += self._build(state.hi, new_hi)
            else:
                parts = self._build(new_lo, new_hi)
            state = _State(new_lo, new_hi, _merge(parts))
            self._state = state
            return state

    def _frozen_us(self) -> tuple[int, int] | None:
        """The instants whose compiling reads only local dates every frozen holiday source
        holds (``_build`` reads two days before and one after), or ``None`` without one."""
        spans = [frozen_span(*h.frozen) for h in self._holidays if h.frozen is not None]
        if self._kind != "hours" or not spans:
            return None
        first = max(lo for lo, _ in spans) + timedelta(days=2)
        last = min(hi for _, hi in spans)
        return self._wall_us(first, 0), self._wall_us(last, 0)

    def precompute(self, first_year: int, last_year: int) -> None:
        """Compile ``first_year``..``last_year`` (UTC) now rather than on first use, as far as
        the cache's budget allows (beyond it, each year is compiled when asked)."""
        lo, hi = _year_start_us(first_year), _year_start_us(last_year + 1)
        if self._fits(lo, hi):
            self._cover(lo, hi)
        else:
            self._cover(lo, _year_start_us(first_year + 1))

    # ----------------------------------------------------------------- year by year
    # A search that leaves the cached window walks whole UTC years. Each year's open time is a
    # fact of the definition, remembered once found; a year a closed range covers is known
    # empty without compiling it, and a composition is empty where its operands say so. The
    # walk ends at the horizon, never at a count of empty years, so the answer depends on the
    # calendar and the question alone.
    def _year_total(self, year: int) -> int:
        """Open microseconds in the UTC year ``year``."""
        total = self._year_totals.get(year)
        if total is not None:
            return total
        ys, ye = _year_start_us(year), _year_start_us(year + 1)
        state = self._state
        cached = state.lo <= ys and ye <= state.hi
        grown = (min(ys, state.lo), max(ye, state.hi)) if state.hi > state.lo else (ys, ye)
        if cached:
            total = _prefix(state, ye) - _prefix(state, ys)
        elif self._empty_by_definition(year):
            total = 0
        elif self._fits(*grown):
            state = self._cover(ys, ye)
            total = _prefix(state, ye) - _prefix(state, ys)
        else:
            total = sum(e - s for s, e in self._build(ys, ye))
        self._year_totals[year] = total
        return total

    def _empty_by_definition(self, year: int) -> bool:
        """True when the definition alone shows the UTC year has no open time."""
        if self._kind == "hours":
            ys, ye = _year_start_us(year), _year_start_us(year + 1)
            first = self._local_date(ys) - timedelta(days=2)
            last = self._local_date(ye - 1) + timedelta(days=1)
            return self._closed.covers(first, last)
        left, right = self._operands
        if self._kind == "union":
            return left._year_total(year) == 0 and right._year_total(year) == 0
        if self._kind == "intersection":
            return left._year_total(year) == 0 or right._year_total(year) == 0
        return left._year_total(year) == 0

    def _locate_forward(self, year: int, rem: int) -> int:
        """The earliest instant by which ``rem`` open µs (``0 < rem <= total``) have passed
        since the start of the UTC year ``year``."""
        ys = _year_start_us(year)
        state = self._cover(ys, _year_start_us(year + 1))
        target = _prefix(state, ys) + rem
        return target - state.off[bisect_left(state.cend, target)]

    def _locate_backward(self, year: int, rem: int) -> int:
        """The latest instant from which ``rem`` open µs (``0 < rem <= total``) remain before
        the end of the UTC year ``year``."""
        ys, ye = _year_start_us(year), _year_start_us(year + 1)
        state = self._cover(ys, ye)
        target = _prefix(state, ye) - rem
        j = bisect_right(state.cend, target)
        return state.starts[j] + target - state.cum[j]

    def _walk_forward(self, year: int, rem: int) -> int:
        """Where ``rem`` more open µs have passed from the start of the UTC year ``year``."""
        if rem > _MAX_US - _year_start_us(min(year, LAST_YEAR + 1)):
            year = LAST_YEAR + 1  # longer than the rest of the horizon: no need to look
        while year <= LAST_YEAR:
            total = self._year_total(year)
            if rem <= total:
                return self._locate_forward(year, rem)
            rem -= total
            year += 1
        raise HorizonError(
            f"the calendar has no open time left for {us_to_td(rem)} of business time before "
            f"the end of {LAST_YEAR}-12-31, the last date calendars answer for"
        )

    def _walk_backward(self, year: int, rem: int) -> int:
        """The latest instant from which ``rem`` open µs pass by the end of the UTC year."""
        if rem > _year_start_us(max(year, FIRST_YEAR - 1) + 1) - _MIN_US:
            year = FIRST_YEAR - 1  # longer than the horizon before it: no need to look
        while year >= FIRST_YEAR:
            total = self._year_total(year)
            if rem <= total:
                return self._locate_backward(year, rem)
            rem -= total
            year -= 1
        raise HorizonError(
            f"the calendar has no open time left for {us_to_td(rem)} of business time after "
            f"{FIRST_YEAR}-01-01, the first date calendars answer for"
        )

    def _open_in(self, a: int, b: int) -> int:
        """Open µs in ``[a, b)`` for ``a <= b``, whatever the distance, year by year."""
        if self._fits(a, b + 1):
            state = self._cover(a, b + 1)
            return _prefix(state, b) - _prefix(state, a)
        ya, yb = _utc_year(a), _utc_year(b)
        head_state = self._cover(a, a + 1)
        head = _prefix(head_state, _year_start_us(ya + 1)) - _prefix(head_state, a)
        middle = sum(self._year_total(y) for y in range(ya + 1, yb))
        tail_state = self._cover(b, b + 1)
        tail = _prefix(tail_state, b) - _prefix(tail_state, _year_start_us(yb))
        return head + middle + tail

    # ----------------------------------------------------------------- integer fast paths
    # The open time before an instant t is 0 before the first segment, else, with i the last
    # segment starting at or before t, off[i] + t inside it and cend[i] past its end. The
    # segment of a second instant is looked for next to the first one's, then by the index.
    def elapsed_us(self, a: int, b: int) -> int:
        """Business microseconds in ``[a, b)``; negative when ``b < a``."""
        lo, hi, width, last, starts, ends, off, cend, _ = self._state.fast
        if not (lo <= a < hi and lo <= b < hi):
            self._check_horizon(min(a, b), max(a, b) + 1)
            if not self._fits(min(a, b), max(a, b) + 1):
                return self._open_in(a, b) if a <= b else -self._open_in(b, a)
            lo, hi, width, last, starts, ends, off, cend, _ = self._cover(
                min(a, b), max(a, b) + 1
            ).fast
        i = last[(a - lo) // width]
        while starts[i + 1] <= a:
            i += 1
        if i < 0:
            ta = 0
        elif a < ends[i]:
            ta = off[i] + a
        else:
            ta = cend[i]
        if starts[i + 1] > b >= a:
            j = i
        else:
            j = last[(b - lo) // width]
            while starts[j + 1] <= b:
                j += 1
        if j < 0:
            return -ta
        if b < ends[j]:
            return off[j] + b - ta
        return cend[j] - ta

    def add_us(self, t: int, d: int) -> int:
        """The earliest instant ``u`` with ``elapsed_us(t, u) == d`` (``t`` itself when 0)."""
        if d <= 0:
            return t if d == 0 else self.subtract_us(t, -d)
        state = self._state
        lo, hi, width, last, starts, ends, off, cend, total = state.fast
        if not lo <= t < hi:
            state = self._cover(t, t + 1)
            lo, hi, width, last, starts, ends, off, cend, total = state.fast
        i = last[(t - lo) // width]
        while starts[i + 1] <= t:
            i += 1
        if i < 0:
            target = d
            i = 0
        elif t < ends[i]:
            target = d + off[i] + t
        else:
            target = d + cend[i]
        if target > total:
            return self._walk_forward(_utc_year(hi), target - total)
        # the segment where the total reaches target: i or later (the total before t is at
        # least cum[i]), often i or the next one
        if cend[i] >= target:
            return target - off[i]
        if cend[i + 1] >= target:
            return target - off[i + 1]
        return target - off[bisect_left(cend, target, i + 2)]

    def subtract_us(self, t: int, d: int) -> int:
        """The latest instant ``u`` with ``elapsed_us(u, t) == d`` (``t`` itself when 0)."""
        if d <= 0:
            return t if d == 0 else self.add_us(t, -d)
        state = self._state
        if not state.lo <= t < state.hi:
            state = self._cover(t, t + 1)
        total = _prefix(state, t)
        if total < d:
            return self._walk_backward(_utc_year(state.lo) - 1, d - total)
        target = total - d
        j = bisect_right(state.cend, target)
        return state.starts[j] + target - state.cum[j]

    def is_open_us(self, t: int) -> bool:
        """True when ``t`` lies in an open segment."""
        lo, hi, width, last, starts, ends, _, _, _ = self._state.fast
        if not lo <= t < hi:
            lo, hi, width, last, starts, ends, _, _, _ = self._cover(t, t + 1).fast
        i = last[(t - lo) // width]
        while starts[i + 1] <= t:
            i += 1
        return i >= 0 and t < ends[i]

    def next_open_us(self, t: int) -> int:
        """The earliest instant ``>= t`` at which the calendar is open."""
        state = self._cover(t, t + 1) if not self._state.lo <= t < self._state.hi else self._state
        i = bisect_right(state.starts, t) - 1
        if i >= 0 and t < state.ends[i]:
            return t
        if i + 1 < len(state.starts):
            return state.starts[i + 1]
        year = _utc_year(state.hi)
        while year <= LAST_YEAR:
            if self._year_total(year):
                ys = _year_start_us(year)
                state = self._cover(ys, _year_start_us(year + 1))
                return state.starts[bisect_right(state.starts, ys - 1)]
            year += 1
        raise HorizonError(
            f"the calendar is never open from {from_us(t).isoformat()} to {LAST_YEAR}-12-31, "
            "the last date calendars answer for"
        )

    def next_close_us(self, t: int) -> int:
        """The earliest instant ``>= t`` at which the calendar is closed."""
        state = self._cover(t, t + 1) if not self._state.lo <= t < self._state.hi else self._state
        i = bisect_right(state.starts, t) - 1
        if i < 0 or t >= state.ends[i]:
            return t
        if state.ends[i] < state.hi:
            return state.ends[i]
        year = _utc_year(state.hi)
        while year <= LAST_YEAR:
            ys, ye = _year_start_us(year), _year_start_us(year + 1)
            if self._year_total(year) < ye - ys:
                state = self._cover(ys, ye)
                k = bisect_right(state.starts, ys) - 1
                if k < 0 or state.ends[k] <= ys:
                    return ys
                return state.ends[k]
            year += 1
        raise HorizonError(
            f"the calendar is open from {from_us(t).isoformat()} to the end of {LAST_YEAR}-12-31,"
            " the last date calendars answer for; it never closes there"
        )

    def segments_us(self, a: int, b: int) -> list[tuple[int, int]]:
        """The open segments inside ``[a, b)``, clipped, as ``(start_us, end_us)`` pairs."""
        if b <= a:
            return []
        return self._segments_in(a, b)

    # ----------------------------------------------------------------- the public API
    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time in ``[start, end)``; negative when ``end`` is before ``start``."""
        return us_to_td(self.elapsed_us(to_us(start, "start"), to_us(end, "end")))

    def add(self, start: datetime, business_time: timedelta) -> datetime:
        """The earliest instant by which ``business_time`` has passed since ``start`` (UTC).

        ``add(t, timedelta(0)) == t``; for a positive duration the answer can be a closing
        time, never the next opening. A negative duration subtracts.
        """
        return from_us(self.add_us(to_us(start, "start"), td_to_us(business_time, "business_time")))

    def subtract(self, end: datetime, business_time: timedelta) -> datetime:
        """The latest instant from which ``business_time`` runs out at ``end`` (UTC)."""
        return from_us(
            self.subtract_us(to_us(end, "end"), td_to_us(business_time, "business_time"))
        )

    def is_open(self, at: datetime) -> bool:
        """True when the calendar is open at the instant ``at``."""
        return self.is_open_us(to_us(at, "at"))

    def next_open(self, at: datetime) -> datetime:
        """The earliest instant at or after ``at`` at which the calendar is open (UTC)."""
        return from_us(self.next_open_us(to_us(at, "at")))

    def next_close(self, at: datetime) -> datetime:
        """The earliest instant at or after ``at`` at which the calendar is closed (UTC)."""
        return from_us(self.next_close_us(to_us(at, "at")))

    def segments(self, start: datetime, end: datetime) -> list[Interval]:
        """The open intervals inside ``[start, end)``, clipped to it, in UTC."""
        return [
            Interval(from_us(s), from_us(e))
            for s, e in self.segments_us(to_us(start, "start"), to_us(end, "end"))
        ]

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """``days`` working days after ``start``'s local date, at the same local wall time.

        A working day is a local date on which the calendar is open at some time. The date of
        ``start`` itself is not counted; ``days == 0`` returns ``start``; negative goes back.
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise CalendarError(f"days: expected a whole number of business days, got {days!r}")
        t = to_us(start, "start")
        if days == 0:
            return from_us(t)
        self._check_horizon(t, t + 1)
        if abs(days) > (LAST_YEAR - FIRST_YEAR + 1) * 366:
            raise HorizonError(
                f"add_business_days: {days} working days run past the dates calendars answer "
                f"for ({FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31)"
            )
        local = from_us(t).astimezone(self._zone)
        wall = local.hour * 3600 + local.minute * 60 + local.second
        day = local.date()
        step = timedelta(days=1 if days > 0 else -1)
        remaining = abs(days)
        idle = 0
        while remaining:
            day += step
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise HorizonError(f"add_business_days ran past {day.year}, outside the horizon")
            if self._is_working_day(day):
                remaining -= 1
                idle = 0
            else:
                idle += 1
                if idle > _IDLE_DAYS_LIMIT:
                    raise HorizonError(
                        f"no working day in {_IDLE_DAYS_LIMIT} days from {day.isoformat()}"
                    )
        return from_us(self._wall_us(day, wall) + local.microsecond)

    def _is_working_day(self, day: date) -> bool:
        if self._kind == "hours":
            if self._skipped(day):
                return False
            windows = self._day_windows(
                day, self._closed_table(day, day), self._holiday_table(day, day)
            )
            return bool(windows)
        left, right = self._operands
        if self._kind == "union":
            return left._is_working_day(day) or right._is_working_day(day)
        if self._kind == "intersection" and not (
            left._is_working_day(day) and right._is_working_day(day)
        ):
            return False
        if self._kind == "difference" and not left._is_working_day(day):
            return False
        return self.elapsed_us(self._wall_us(day, 0), self._wall_us(day, DAY_SECONDS)) > 0

    # ----------------------------------------------------------------- explanation
    def explain(self, start: datetime, end: datetime) -> list[Span]:
        """Each piece of ``[start, end)``: counted or not, and why (hours, weekend, holiday)."""
        a, b = to_us(start, "start"), to_us(end, "end")
        if b <= a:
            return []
        cuts = {a, b}
        for s, e in self.segments_us(a, b):
            cuts.update((s, e))
        cuts.update(self._midnights(a, b))
        points = sorted(cuts)
        spans: list[Span] = []
        for lo, hi in itertools.pairwise(points):
            counted = self.is_open_us(lo)
            reason = self._reason(lo, counted)
            if spans and spans[-1].counted == counted and spans[-1].reason == reason:
                last = spans[-1]
                spans[-1] = Span(start=last.start, end=from_us(hi), counted=counted, reason=reason)
            else:
                spans.append(
                    Span(start=from_us(lo), end=from_us(hi), counted=counted, reason=reason)
                )
        return spans

    def _midnights(self, a: int, b: int) -> list[int]:
        """Local midnights inside ``(a, b)``: of this zone, and of every composed calendar's."""
        out: list[int] = []
        for op in self._operands:
            out.extend(op._midnights(a, b))
        day = self._local_date(a) + timedelta(days=1)
        while True:
            m = self._wall_us(day, 0)
            if m >= b:
                return out
            if m > a:
                out.append(m)
            day += timedelta(days=1)

    def _label(self, fallback: str) -> str:
        return self.name or fallback

    def _reason(self, us: int, counted: bool) -> str:
        if self._kind != "hours":
            left, right = self._operands
            ln, rn = left._label("first calendar"), right._label("second calendar")
            lo = left.is_open_us(us)
            if self._kind == "union":
                if counted:
                    src, name = (left, ln) if lo else (right, rn)
                    return f"{name}: {src._reason(us, True)}"
                return f"{ln}: {left._reason(us, False)}; {rn}: {right._reason(us, False)}"
            if self._kind == "intersection":
                if counted:
                    return f"{ln}: {left._reason(us, True)}; {rn}: {right._reason(us, True)}"
                src, name = (left, ln) if not lo else (right, rn)
                return f"{name}: {src._reason(us, False)}"
            if counted:
                return f"{ln}: {left._reason(us, True)}"
            if not lo:
                return f"{ln}: {left._reason(us, False)}"
            return f"excluded while {rn} is open: {right._reason(us, True)}"
        local = from_us(us).astimezone(self._zone)
        day = local.date()
        secs = local.hour * 3600 + local.minute * 60 + local.second
        prev = day - timedelta(days=1)
        closed = self._closed_table(prev, day)
        holidays = self._holiday_table(prev, day)
        if counted:
            for d, offset in ((day, 0), (prev, DAY_SECONDS)):
                for w in self._day_windows(d, closed, holidays):
                    if w.start <= secs + offset < w.end:
                        where = (
                            f"special hours for {d.isoformat()}"
                            if d in self._special
                            else DAY_TITLES[d.weekday()]
                        )
                        return f"open: {where} {w}"
            return "open"
        if self._skipped(prev):
            windows = self._day_windows(day, closed, holidays)
            if secs < min((w.start for w in windows), default=DAY_SECONDS):
                return self._day_reason(prev, closed, holidays) or "outside hours"
        # Closed time after midnight may belong to yesterday's overnight window.
        for w in self._weekly.days[prev.weekday()]:
            if w.overnight and secs + DAY_SECONDS < w.end:
                why = self._day_reason(prev, closed, holidays)
                if why is not None:
                    return why
        return self._day_reason(day, closed, holidays) or (
            f"outside hours: {DAY_TITLES[day.weekday()]} "
            f"{describe_windows(self._weekly.days[day.weekday()])}"
        )

    def _day_reason(
        self, day: date, closed: Mapping[date, str], holidays: Mapping[date, str]
    ) -> str | None:
        if self._skipped(day):
            return f"{day.isoformat()} does not exist in {self.timezone} (skipped by the zone)"
        if day in self._special:
            return f"special hours for {day.isoformat()}: {describe_windows(self._special[day])}"
        if day in closed:
            return f"closed date: {closed[day]}" if closed[day] else "closed date"
        if day in holidays:
            return f"holiday: {holidays[day]}"
        if not self._weekly.days[day.weekday()]:
            return f"weekend: no hours on {DAY_TITLES[day.weekday()]}"
        return None

    # ----------------------------------------------------------------- batch (numpy)
    def _arrays(self, state: _State) -> tuple[Any, Any, Any, Any, _Grid, _Grid]:
        cached = self._np
        if cached is not None and cached[0] is state:
            return cached[1]  # type: ignore[no-any-return]
        import numpy as np

        starts = np.asarray(state.starts, dtype=np.int64)
        cend = np.asarray(state.cend, dtype=np.int64)
        arrays = (
            starts,
            np.asarray(state.ends, dtype=np.int64),
            np.asarray(state.cum, dtype=np.int64),
            cend,
            _Grid(starts, state.lo, state.hi),
            _Grid(cend, 0, int(cend[-1]) + 1 if len(cend) else 1),
        )
        self._np = (state, arrays)
        return arrays

    @staticmethod
    def _as_us_array(values: Any, what: str) -> npt.NDArray[np.int64]:
        from sla_engine._batch import as_us_array  # numpy, Arrow, aware datetimes, timedeltas

        return as_us_array(values, what)

    def _batch_window(self, lo: int, hi: int) -> bool:
        """Cover ``[lo, hi)`` and a year either side for a batch; False when that does not fit
        the cache (the batch then runs element by element)."""
        state = self._state
        if state.lo <= lo and hi <= state.hi:
            return True
        self._check_horizon(lo, hi)
        wide_lo = max(_year_start_us(_utc_year(lo) - 1), _MIN_US)
        wide_hi = min(_year_start_us(_utc_year(hi - 1) + 2), _MAX_US)
        if not self._fits(wide_lo, wide_hi):
            return False
        self._cover(wide_lo, wide_hi)
        return True

    def _totals(self, x: Any) -> tuple[Any, _State, Any]:
        import numpy as np

        state = self._state
        if x.size and not (state.lo <= int(x.min()) and int(x.max()) < state.hi):
            state = self._cover(int(x.min()), int(x.max()) + 1)
        starts, ends, cum, _, grid, _ = arrays = self._arrays(state)
        if not len(starts):
            return np.zeros_like(x), state, arrays
        i = grid.count(x, side="right") - 1
        k = np.maximum(i, 0)
        total = np.where(i < 0, 0, cum[k] + np.minimum(x, ends[k]) - starts[k])
        return total, state, arrays

    def elapsed_many(self, starts: Any, ends: Any) -> npt.NDArray[np.timedelta64]:
        """``elapsed`` over arrays of UTC instants (``datetime64`` or int64 µs), as
        ``timedelta64[us]``."""
        import numpy as np

        a = self._as_us_array(starts, "starts")
        b = self._as_us_array(ends, "ends")
        a, b = np.broadcast_arrays(a, b)
        if a.size and not self._batch_window(
            int(min(a.min(), b.min())), int(max(a.max(), b.max())) + 1
        ):
            scalar = [self.elapsed_us(int(p), int(q)) for p, q in zip(a.flat, b.flat, strict=True)]
            return np.asarray(scalar, dtype=np.int64).reshape(a.shape).astype("timedelta64[us]")
        ta, _, _ = self._totals(a)
        tb, _, _ = self._totals(b)
        result: npt.NDArray[np.timedelta64] = (tb - ta).astype("timedelta64[us]")
        return result

    def add_many(self, instants: Any, business_time: Any) -> npt.NDArray[np.datetime64]:
        """``add`` over arrays: UTC instants plus business durations, as ``datetime64[us]``.

        Each element equals ``add`` on the same instant and duration, for every calendar.
        """
        import numpy as np

        x = self._as_us_array(instants, "instants")
        d = self._as_us_array(business_time, "business_time")
        x, d = np.broadcast_arrays(x, d)
        if not x.size:
            return x.astype("datetime64[us]")
        if not self._batch_window(int(x.min()), int(x.max()) + 1):
            return self._add_each(x, d)
        total, state, _ = self._totals(x)
        target = total + d
        reach = state.cend[-1] if state.cend else 0
        outside = ((d > 0) & (target > reach)) | ((d < 0) & (target < 0))
        if bool(outside.any()):
            # answers past the cached years: element by element, as add_us gives them
            inside = ~outside
            out = self._add_each(x, d).astype(np.int64)
            if bool(inside.any()):
                out[inside] = self.add_many(x[inside], d[inside]).astype(np.int64)
            result_all: npt.NDArray[np.datetime64] = out.astype("datetime64[us]")
            return result_all
        starts, _, cum, _, _, grid = self._arrays(state)
        if bool((d > 0).all()):
            j = grid.count(target, side="left")
        elif bool((d < 0).all()):
            j = grid.count(target, side="right")
        else:
            j = np.where(d > 0, grid.count(target, side="left"), grid.count(target, side="right"))
        j = np.minimum(j, len(starts) - 1)
        out = starts[j] + target - cum[j]
        if not bool((d != 0).all()):
            out = np.where(d == 0, x, out)
        result: npt.NDArray[np.datetime64] = out.astype("datetime64[us]")
        return result

    def _add_each(self, x: Any, d: Any) -> npt.NDArray[np.datetime64]:
        import numpy as np

        out = np.fromiter(
            (self.add_us(int(t), int(u)) for t, u in zip(x.flat, d.flat, strict=True)),
            dtype=np.int64,
            count=x.size,
        )
        result: npt.NDArray[np.datetime64] = out.reshape(x.shape).astype("datetime64[us]")
        return result

    def subtract_many(self, instants: Any, business_time: Any) -> npt.NDArray[np.datetime64]:
        """``subtract`` over arrays, as ``datetime64[us]``."""
        import numpy as np

        d = self._as_us_array(business_time, "business_time")
        return self.add_many(instants, np.negative(d))
