"""Weekly opening hours: windows per weekday, several a day, ``24:00`` and overnight windows.

A time of day is kept as seconds since local midnight, so ``24:00`` (86 400) can close a day. A
window that ends at or before it starts (``22:00-06:00``) runs overnight: it belongs to the date
it opens on, and its end is stored past 86 400 (``06:00`` the next morning is 108 000).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from sla_engine.errors import CalendarError

__all__ = ["DAY_NAMES", "WeeklyHours", "Window", "format_time_of_day", "parse_window"]

DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_TITLES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_SECONDS: Final = 86_400
ALWAYS: Final = frozenset({"24x7", "24/7", "always"})
MAX_WINDOWS_PER_DAY: Final = 288
"""The most windows one day may have: one every 5 minutes. It bounds what a year compiles to."""

_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_WINDOW = re.compile(rf"{_TIME}\s*-\s*{_TIME}")
_WINDOW_HINT = "expected 'HH:MM-HH:MM', e.g. '09:00-17:00', '22:00-06:00' or '00:00-24:00'"


def format_time_of_day(seconds: int) -> str:
    """``HH:MM`` (or ``HH:MM:SS``) for seconds since midnight; 86 400 is ``24:00``."""
    seconds %= DAY_SECONDS * 2
    if seconds > DAY_SECONDS:
        seconds -= DAY_SECONDS
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """Open from ``start`` to ``end`` seconds after the local midnight of the opening date."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < DAY_SECONDS:
            raise CalendarError(f"a window must open within the day, got start={self.start}s")
        if not self.start < self.end <= self.start + DAY_SECONDS:
            raise CalendarError(
                f"a window must close after it opens and within 24 hours, got "
                f"{self.start}s-{self.end}s"
            )

    @property
    def overnight(self) -> bool:
        """True when the window closes on the next date."""
        return self.end > DAY_SECONDS

    @property
    def seconds(self) -> int:
        """The window's length in wall-clock seconds."""
        return self.end - self.start

    def __str__(self) -> str:
        return f"{format_time_of_day(self.start)}-{format_time_of_day(self.end)}"


def _seconds(h: str, m: str, s: str | None, text: str) -> int:
    hour, minute, second = int(h), int(m), int(s or 0)
    if minute > 59 or second > 59 or hour > 24 or (hour == 24 and (minute or second)):
        raise CalendarError(
            f"{text!r} is not a time of day: hours run 00-23 (24:00 only to close a day), "
            "minutes and seconds 00-59"
        )
    return hour * 3600 + minute * 60 + second


def parse_window(text: object) -> Window:
    """Read ``'09:00-17:00'``; ``'22:00-06:00'`` runs overnight; ``'00:00-24:00'`` is all day."""
    if not isinstance(text, str):
        raise CalendarError(f"{text!r} is not a window ({_WINDOW_HINT})")
    m = _WINDOW.fullmatch(text.strip())
    if not m:
        raise CalendarError(f"{text!r} is not a window ({_WINDOW_HINT})")
    start = _seconds(m.group(1), m.group(2), m.group(3), text)
    end = _seconds(m.group(4), m.group(5), m.group(6), text)
    if start == DAY_SECONDS:
        raise CalendarError(f"{text!r}: a window cannot open at 24:00; write '00:00' instead")
    if end == start:
        raise CalendarError(
            f"{text!r} opens and closes at the same time; for a whole day write '00:00-24:00'"
        )
    if end < start:
        end += DAY_SECONDS
    return Window(start=start, end=end)


def parse_windows(value: object, path: Sequence[str | int] = ()) -> tuple[Window, ...]:
    """Read a list of windows (or one window, or ``'closed'``/``[]``), sorted, refusing overlaps."""
    if value is None or value == "closed":
        return ()
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, Sequence):
        items = list(value)
    else:
        raise CalendarError(
            f"{value!r} is not a list of windows ({_WINDOW_HINT})", path=tuple(path)
        )
    if len(items) > MAX_WINDOWS_PER_DAY:
        raise CalendarError(
            f"{len(items)} windows in one day; at most {MAX_WINDOWS_PER_DAY} are allowed "
            "(one every 5 minutes): merge neighbouring windows",
            path=tuple(path),
        )
    windows = []
    for i, item in enumerate(items):
        if isinstance(item, Window):
            windows.append(item)
            continue
        try:
            windows.append(parse_window(item))
        except CalendarError as exc:
            raise CalendarError(exc.message, path=(*path, i)) from None
    windows.sort(key=lambda w: w.start)
    for a, b in itertools.pairwise(windows):
        if b.start < a.end:
            raise CalendarError(
                f"windows {a} and {b} overlap; merge them into one window or separate them",
                path=tuple(path),
            )
    return tuple(windows)


def _day_index(name: str, key: str) -> int:
    word = name.strip().lower()
    for i, (short, title) in enumerate(zip(DAY_NAMES, DAY_TITLES, strict=True)):
        if word in (short, title.lower()):
            return i
    raise CalendarError(
        f"{key!r}: {name.strip()!r} is not a day; expected one of "
        f"{', '.join(DAY_NAMES)}, a range such as 'mon-fri' or 'sat-wed', or 'daily'"
    )


def parse_days(key: str) -> tuple[int, ...]:
    """Weekday indexes (Monday 0) named by 'mon', 'mon-fri', 'sat-wed' or 'mon,thu'."""
    text = key.strip().lower()
    if text in {"daily", "every day", "mon-sun"}:
        return tuple(range(7))
    days: list[int] = []
    for part in text.split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = _day_index(first, key), _day_index(last, key)
            i = a
            while True:
                days.append(i)
                if i == b:
                    break
                i = (i + 1) % 7
        else:
            days.append(_day_index(part, key))
    if len(set(days)) != len(days):
        raise CalendarError(
            f"{key!r} names a day twice; name each day once, e.g. 'mon-fri' or 'mon,wed'"
        )
    return tuple(days)


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklyHours:
    """Opening windows for each weekday, Monday first."""

    days: tuple[tuple[Window, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise CalendarError(f"weekly hours need 7 days, got {len(self.days)}")

    @classmethod
    def always(cls) -> WeeklyHours:
        """Open around the clock, every day."""
        full = (Window(start=0, end=DAY_SECONDS),)
        return cls(days=(full,) * 7)

    @classmethod
    def parse(cls, value: object) -> WeeklyHours:
        """Read ``{"mon-fri": ["09:00-17:00"], "sat": ["10:00-14:00"]}`` or ``"24x7"``."""
        if isinstance(value, WeeklyHours):
            return value
        if isinstance(value, str):
            if value.strip().lower() in ALWAYS:
                return cls.always()
            raise CalendarError(
                f"hours: {value!r} is not weekly hours; write '24x7' or a mapping such as "
                "{'mon-fri': ['09:00-17:00']}",
                path=("hours",),
            )
        if not isinstance(value, Mapping):
            raise CalendarError(
                f"hours: expected a mapping of days to windows or '24x7', got {value!r}",
                path=("hours",),
            )
        days: list[tuple[Window, ...] | None] = [None] * 7
        named_by: dict[int, str] = {}
        for key, windows in value.items():
            if not isinstance(key, str):
                raise CalendarError(f"hours: {key!r} is not a day name", path=("hours",))
            try:
                indexes = parse_days(key)
            except CalendarError as exc:
                raise CalendarError(f"hours: {exc.message}", path=("hours", key)) from None
            parsed = parse_windows(windows, ("hours", key))
            for i in indexes:
                if i in named_by:
                    raise CalendarError(
                        f"hours: {DAY_NAMES[i]} is given twice, by {named_by[i]!r} and {key!r}; "
                        "name each day once",
                        path=("hours", key),
                    )
                named_by[i] = key
                days[i] = parsed
        result = cls(days=tuple(d or () for d in days))
        result._check_overnight_overlaps()
        return result

    def _check_overnight_overlaps(self) -> None:
        for i, windows in enumerate(self.days):
            spill = max((w.end - DAY_SECONDS for w in windows if w.overnight), default=0)
            following = self.days[(i + 1) % 7]
            if spill and following and following[0].start < spill:
                raise CalendarError(
                    f"hours: {DAY_NAMES[i]}'s overnight window runs to "
                    f"{format_time_of_day(spill)}, past {DAY_NAMES[(i + 1) % 7]}'s opening at "
                    f"{format_time_of_day(following[0].start)}; shorten one of them",
                    path=("hours",),
                )

    @property
    def is_empty(self) -> bool:
        """True when no day has a window."""
        return not any(self.days)

    def to_mapping(self) -> dict[str, list[str]]:
        """The plain-data form, grouping consecutive days with the same windows."""
        out: dict[str, list[str]] = {}
        i = 0
        while i < 7:
            j = i
            while j + 1 < 7 and self.days[j + 1] == self.days[i]:
                j += 1
            if self.days[i]:
                key = DAY_NAMES[i] if i == j else f"{DAY_NAMES[i]}-{DAY_NAMES[j]}"
                out[key] = [str(w) for w in self.days[i]]
            i = j + 1
        return out

    def windows(self, weekday: int) -> tuple[Window, ...]:
        """The windows of a weekday (Monday 0)."""
        return self.days[weekday]


def describe_windows(windows: Iterable[Window]) -> str:
    """``'09:00-12:00, 13:00-17:00'``."""
    return ", ".join(str(w) for w in windows) or "closed"
