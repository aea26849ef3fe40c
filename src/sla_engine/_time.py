"""Instants and durations at the boundary: aware-datetime guards, integer microseconds, parsing.

Inside the library an instant is an ``int`` of microseconds since 1970-01-01T00:00Z and a duration
an ``int`` of microseconds. Only this module converts between those and ``datetime``/``timedelta``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final

from sla_engine.errors import DurationError, NaiveDatetimeError

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
FIRST_YEAR: Final = 1900
"""The earliest year a calendar answers for (the horizon's start, UTC)."""
LAST_YEAR: Final = 2199
"""The latest year a calendar answers for (the horizon's end, UTC)."""
US: Final = timedelta(microseconds=1)
US_PER_SECOND: Final = 1_000_000
US_PER_MINUTE: Final = 60 * US_PER_SECOND
US_PER_HOUR: Final = 60 * US_PER_MINUTE
US_PER_DAY: Final = 24 * US_PER_HOUR
_EPOCH_ORDINAL: Final = EPOCH.toordinal()

_NAIVE_HINT = (
    "attach a zone, e.g. datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo('America/New_York')) "
    "or dt.replace(tzinfo=timezone.utc)"
)


def require_aware(value: object, what: str = "instant") -> datetime:
    """Return ``value`` if it is an aware ``datetime``; raise a clear error otherwise."""
    if not isinstance(value, datetime):
        raise NaiveDatetimeError(
            f"{what}: expected an aware datetime, got {type(value).__name__} {value!r}"
        )
    if value.utcoffset() is None:
        raise NaiveDatetimeError(f"{what}: {value.isoformat()} has no time zone; {_NAIVE_HINT}")
    return value


def to_us(value: datetime, what: str = "instant") -> int:
    """Microseconds since the epoch for an aware datetime (exact, no floats)."""
    if type(value) is datetime:  # the fast path: plain datetimes only
        offset = value.utcoffset()
        if offset is not None:
            return (
                (
                    (value.toordinal() - _EPOCH_ORDINAL) * 86_400
                    + value.hour * 3600
                    + value.minute * 60
                    + value.second
                )
                * US_PER_SECOND
                + value.microsecond
                - (offset.days * 86_400 + offset.seconds) * US_PER_SECOND
                - offset.microseconds
            )
    aware = require_aware(value, what)
    return (aware - EPOCH) // US


def from_us(us: int) -> datetime:
    """The UTC datetime for microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=us)


def td_to_us(value: timedelta, what: str = "duration") -> int:
    """Microseconds in a ``timedelta`` (exact)."""
    if not isinstance(value, timedelta):
        raise DurationError(
            f"{what}: expected a timedelta, got {type(value).__name__} {value!r}; write e.g. "
            "timedelta(hours=2), or parse_timedelta('2h') for text"
        )
    return (value.days * 86_400 + value.seconds) * US_PER_SECOND + value.microseconds


def us_to_td(us: int) -> timedelta:
    """A ``timedelta`` of ``us`` microseconds."""
    return timedelta(microseconds=us)


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessDays:
    """A count of working days (``1bd``), as distinct from a length of business time."""

    days: int

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or not isinstance(self.days, int) or self.days < 0:
            raise DurationError(f"business days must be a whole number >= 0, got {self.days!r}")

    def __str__(self) -> str:
        return f"{self.days}bd"


_UNIT_US: Final = {"h": US_PER_HOUR, "m": US_PER_MINUTE, "s": US_PER_SECOND, "ms": 1000}
_COMPACT = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_ISO = re.compile(
    r"P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)
_EXAMPLES = "expected e.g. '30s', '2h', '1h30m', '1bd' or ISO 8601 'PT2H'"
_DAY_HINT = (
    "a bare day is ambiguous: write '24h' for 24 hours of business time "
    "or '1bd' for one business day"
)


MAX_DURATION: Final = timedelta(days=36_525)
"""The longest duration read from text: a century (longer ones cannot end inside the horizon
of instants in any useful way, and ``10**20h`` would overflow ``timedelta``)."""
_MAX_DURATION_US: Final = MAX_DURATION.days * US_PER_DAY


def _exact_us(number: str, unit_us: int, text: str) -> int:
    if len(number) > 40:
        raise DurationError(f"{text[:60]!r} is longer than a century, the longest duration read")
    try:
        value = Decimal(number) * unit_us
    except InvalidOperation as exc:  # pragma: no cover - the regexes admit only digits
        raise DurationError(f"{text!r} is not a duration ({_EXAMPLES})") from exc
    if value > _MAX_DURATION_US:
        raise DurationError(f"{text!r} is longer than a century, the longest duration read")
    if value != value.to_integral_value():
        raise DurationError(f"{text!r} is finer than a microsecond")
    return int(value)


def parse_duration(text: str) -> timedelta | BusinessDays:
    """Read a duration: ``30s``, ``2h``, ``1h30m``, ``1.5h``, ``1bd``, ``PT2H``.

    ``1d`` and ``P1D`` are refused: a "day" of business time is ambiguous.
    """
    if not isinstance(text, str):
        raise DurationError(f"{text!r} is not a duration ({_EXAMPLES})")
    s = text.strip()
    if not s:
        raise DurationError(f"an empty string is not a duration ({_EXAMPLES})")
    bd = re.fullmatch(r"(\d+)\s*bd", s)
    if bd:
        if len(bd.group(1)) > 6:
            raise DurationError(f"{text[:60]!r}: at most 999999 business days")
        return BusinessDays(days=int(bd.group(1)))
    if re.fullmatch(r"\d+(?:\.\d+)?\s*(d|days?|w|weeks?)", s, flags=re.IGNORECASE):
        raise DurationError(f"{text!r}: {_DAY_HINT}")
    if s[:1] in "Pp":
        m = _ISO.fullmatch(s.upper())
        if not m or s.upper() in {"P", "PT"} or s.upper().endswith("T"):
            raise DurationError(f"{text!r} is not a duration ({_EXAMPLES})")
        if m.group("days") is not None:
            raise DurationError(f"{text!r}: {_DAY_HINT}")
        total = 0
        for key, unit_us in (("h", US_PER_HOUR), ("m", US_PER_MINUTE), ("s", US_PER_SECOND)):
            part = m.group(key)
            if part is not None:
                total += _exact_us(part, unit_us, text)
        if total > _MAX_DURATION_US:
            raise DurationError(f"{text!r} is longer than a century, the longest duration read")
        return us_to_td(total)
    compact = s.replace(" ", "")
    pos = 0
    total = 0
    seen: list[str] = []
    for m in _COMPACT.finditer(compact):
        if m.start() != pos:
            break
        unit: str = m.group(2)
        if unit in seen:
            raise DurationError(f"{text!r} names the unit {unit!r} twice ({_EXAMPLES})")
        seen.append(unit)
        total += _exact_us(m.group(1), _UNIT_US[unit], text)
        pos = m.end()
    if pos != len(compact) or not seen:
        raise DurationError(f"{text!r} is not a duration ({_EXAMPLES})")
    if total > _MAX_DURATION_US:
        raise DurationError(f"{text!r} is longer than a century, the longest duration read")
    return us_to_td(total)


def parse_timedelta(text: str) -> timedelta:
    """Read a duration that must be a length of time (no business days)."""
    value = parse_duration(text)
    if isinstance(value, BusinessDays):
        raise DurationError(f"{text!r}: business days are not allowed here; write hours, e.g. '8h'")
    return value


def format_duration(value: timedelta) -> str:
    """The canonical compact form of a duration: ``1h30m``, ``45s``, ``0s``."""
    us = td_to_us(value)
    sign = "-" if us < 0 else ""
    us = abs(us)
    hours, rest = divmod(us, US_PER_HOUR)
    minutes, rest = divmod(rest, US_PER_MINUTE)
    seconds, micro = divmod(rest, US_PER_SECOND)
    parts = []
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}m")
    if seconds or micro:
        parts.append(f"{seconds}.{micro:06d}".rstrip("0").rstrip(".") + "s")
    return sign + ("".join(parts) or "0s")


FIRST_INSTANT: Final = datetime(1900, 1, 1, tzinfo=UTC)
"""The earliest instant the library takes (the calendars' horizon starts here)."""
END_INSTANT: Final = datetime(2200, 1, 1, tzinfo=UTC)
"""The first instant past the library's horizon: every instant taken is before it."""
_FIRST_US: Final = (FIRST_INSTANT - EPOCH) // US
_END_US: Final = (END_INSTANT - EPOCH) // US
HORIZON_US: Final = (_FIRST_US, _END_US)
"""The horizon as µs since the epoch: first instant taken, first instant past it."""


def horizon_us(value: datetime, what: str = "instant", *, path: tuple[str | int, ...] = ()) -> int:
    """Microseconds since the epoch of an aware instant inside the horizon
    (1900-01-01T00:00Z to 2200-01-01T00:00Z, half-open); a ``HorizonError`` otherwise."""
    from sla_engine.errors import HorizonError

    us = to_us(require_aware(value, what), what)
    if not _FIRST_US <= us < _END_US:
        raise HorizonError(
            f"{what}: {value.isoformat()} is outside the instants sla_engine takes, "
            "1900-01-01T00:00:00Z up to (not including) 2200-01-01T00:00:00Z",
            path=path,
        )
    return us
