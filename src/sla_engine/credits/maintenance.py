"""Maintenance windows: one-off or recurring (RFC 5545 RRULE), each with the notice given.

A window's downtime is excluded from credits only when the schedule excludes scheduled
maintenance and the window was announced at least the schedule's ``maintenance_notice`` before
it started.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from sla_engine._bounds import refuse_huge_fields
from sla_engine._time import (
    MAX_DURATION,
    format_duration,
    from_us,
    horizon_us,
    require_aware,
    td_to_us,
    to_us,
)
from sla_engine.credits import _read
from sla_engine.credits.period import _zone, utc_iso
from sla_engine.errors import CreditError, NaiveDatetimeError

__all__ = ["MaintenanceOccurrence", "MaintenanceWindow", "RecurringMaintenance"]

_MAX_OCCURRENCES: Final = 100_000


@dataclass(frozen=True, slots=True, kw_only=True)
class MaintenanceOccurrence:
    """One concrete window ``[start_us, end_us)`` and when it was announced (µs)."""

    id: str
    start_us: int
    end_us: int
    announced_us: int

    @property
    def notice_us(self) -> int:
        """How long before the start it was announced (µs; negative if announced after)."""
        return self.start_us - self.announced_us


_SLOW_FREQS: Final = ("SECONDLY", "MINUTELY")
MAX_INTERVAL: Final = 10_000
"""The largest ``INTERVAL`` a maintenance rule may have."""
MAX_COUNT: Final = 100_000
"""The largest ``COUNT`` a maintenance rule may have."""


_STEPS: Final = {
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
}


_MONTH_DAYS: Final = dict(
    zip(range(1, 13), (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), strict=True)
)


def _moved(local: datetime, years: int) -> datetime:
    """A wall time ``years`` (a multiple of 400) later: the same day of the week and month."""
    return local.replace(year=local.year + years)


def _until_of(rule: object) -> datetime | None:
    """The UNTIL of a rule, from its RFC 5545 text."""
    m = re.search(r"UNTIL=(\d{8}T\d{6})", str(rule))
    # a wall time in the rule's zone, naive like the rule itself
    return None if m is None else datetime.strptime(m.group(1), "%Y%m%dT%H%M%S")  # noqa: DTZ007


def _rule_parts(text: str) -> dict[str, str]:
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts: dict[str, str] = {}
    for part in body.upper().split(";"):
        name, _, value = part.partition("=")
        parts[name.strip()] = value.strip()
    return parts


def _whole(text: str) -> bool:
    """ASCII digits, at most six (``str.isdigit`` takes '²', which ``int`` refuses)."""
    return text.isascii() and text.isdigit() and len(text) <= 6


def _rule_problem(text: str) -> str | None:
    """Why a maintenance RRULE is refused before it is expanded, or ``None``: windows recur at
    most hourly, with an INTERVAL from 1 to ``MAX_INTERVAL`` and BYEASTER within a year."""
    parts = _rule_parts(text)
    if parts.get("FREQ") in _SLOW_FREQS:
        return "maintenance windows recur at most hourly (FREQ=HOURLY, DAILY, WEEKLY, ...)"
    if parts.get("FREQ") in ("HOURLY", "DAILY"):
        for name in ("BYSETPOS", "BYYEARDAY", "BYWEEKNO"):
            if name in parts:
                return f"{name} is for WEEKLY, MONTHLY or YEARLY rules, not {parts['FREQ']}"
    interval = parts.get("INTERVAL")
    if interval is not None and not (_whole(interval) and 1 <= int(interval) <= MAX_INTERVAL):
        return f"INTERVAL must be a whole number from 1 to {MAX_INTERVAL:,}"
    days = [v.lstrip("+") for v in parts.get("BYMONTHDAY", "").split(",") if v]
    months = [v for v in parts.get("BYMONTH", "").split(",") if _whole(v)] or ["1"]
    longest = max(_MONTH_DAYS.get(int(m), 31) for m in months)
    if days and all(_whole(d) and int(d) > longest for d in days):
        return "BYMONTHDAY names no day of the months it runs in, so the rule never occurs"
    if "COUNT" in parts and "UNTIL" in parts:
        return "give COUNT or UNTIL, not both (RFC 5545)"
    if "BYEASTER" in parts:
        return "BYEASTER is not supported in maintenance rules; name the dates with BYMONTHDAY"
    count = parts.get("COUNT")
    if count is not None and not (_whole(count) and int(count) <= MAX_COUNT):
        return f"COUNT must be a whole number from 0 to {MAX_COUNT:,}"
    return None


def _aware(value: datetime, what: str, name: str) -> None:
    try:
        require_aware(value, what)
    except NaiveDatetimeError as exc:
        raise NaiveDatetimeError(exc.message, path=(name,)) from None
    horizon_us(value, what, path=(name,))


@dataclass(frozen=True, slots=True, kw_only=True)
class MaintenanceWindow:
    """A one-off window ``[start, end)`` announced at ``announced_at``."""

    id: str
    start: datetime
    end: datetime
    announced_at: datetime

    def __post_init__(self) -> None:
        refuse_huge_fields(self, ("id", "start", "end", "announced_at"), CreditError)
        if not isinstance(self.id, str) or not self.id:
            raise CreditError(f"id: expected a non-empty string, got {self.id!r}", path=("id",))
        for name in ("start", "end", "announced_at"):
            _aware(getattr(self, name), f"maintenance {self.id!r} {name}", name)
        if self.end < self.start:
            raise CreditError(
                f"maintenance {self.id!r}: end {self.end.isoformat()} is before start "
                f"{self.start.isoformat()}; swap them or fix the end",
                path=("end",),
            )

    def occurrences(self, start_us: int, end_us: int) -> list[MaintenanceOccurrence]:
        """The window, if it overlaps ``[start_us, end_us)``."""
        s, e = to_us(self.start), to_us(self.end)
        if s < end_us and e > start_us and e > s:
            return [
                MaintenanceOccurrence(
                    id=self.id, start_us=s, end_us=e, announced_us=to_us(self.announced_at)
                )
            ]
        return []

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> MaintenanceWindow:
        """Build from ``{"id", "start", "end", "announced_at"}`` (ISO 8601 instants)."""
        m = _read.mapping(data, path, allowed=("id", "start", "end", "announced_at"))
        values = {
            key: _read.instant(_read.required(m, key, path), (*path, key), what=key)
            for key in ("start", "end", "announced_at")
        }
        ident = _read.text(_read.required(m, "id", path), (*path, "id"), what="id")
        try:
            return cls(id=ident, **values)
        except CreditError as exc:
            raise CreditError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        return {
            "id": self.id,
            "start": utc_iso(to_us(self.start)),
            "end": utc_iso(to_us(self.end)),
            "announced_at": utc_iso(to_us(self.announced_at)),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RecurringMaintenance:
    """Windows of ``duration`` starting at each occurrence of an RFC 5545 ``rule``.

    ``first`` is the first occurrence; the rule repeats its wall time in ``timezone`` (so a
    Sunday 02:00 window stays at 02:00 local across DST; a time in a DST gap moves forward by
    the gap). ``announced_at`` is when the recurring schedule was published.
    """

    id: str
    rule: str
    first: datetime
    duration: timedelta
    timezone: str
    announced_at: datetime

    def __post_init__(self) -> None:
        refuse_huge_fields(
            self, ("id", "rule", "first", "duration", "timezone", "announced_at"), CreditError
        )
        if not isinstance(self.id, str) or not self.id:
            raise CreditError(f"id: expected a non-empty string, got {self.id!r}", path=("id",))
        for name in ("first", "announced_at"):
            _aware(getattr(self, name), f"maintenance {self.id!r} {name}", name)
        if (
            not isinstance(self.duration, timedelta)
            or self.duration <= timedelta(0)
            or self.duration > MAX_DURATION
        ):
            raise CreditError(
                f"maintenance {self.id!r}: duration must be a positive timedelta of at most "
                "a century, got "
                f"{self.duration!r}",
                path=("duration",),
            )
        _zone(self.timezone)
        if not isinstance(self.rule, str) or "DTSTART" in self.rule.upper():
            raise CreditError(
                f"maintenance {self.id!r}: rule {self.rule!r} must be an RRULE without DTSTART "
                "(the first occurrence is given by 'first'), e.g. 'FREQ=WEEKLY;BYDAY=SU'",
                path=("rule",),
            )
        problem = _rule_problem(self.rule)
        if problem is not None:
            raise CreditError(
                f"maintenance {self.id!r}: rule {self.rule!r}: {problem}", path=("rule",)
            )
        try:
            self._rule()
        except (ValueError, TypeError, IndexError, OverflowError) as exc:
            raise CreditError(
                f"maintenance {self.id!r}: rule {self.rule!r} is not an RFC 5545 RRULE ({exc}); "
                "expected e.g. 'FREQ=WEEKLY;BYDAY=SU'",
                path=("rule",),
            ) from None

    def _local_first(self) -> datetime:
        return self.first.astimezone(ZoneInfo(self.timezone)).replace(tzinfo=None)

    def _rule(self, start: datetime | None = None) -> object:
        text = self.rule.strip()
        if text.upper().startswith("RRULE:"):
            text = text[6:]
        return rrulestr(text, dtstart=self._local_first() if start is None else start)

    def _expand(self, lo: datetime, hi: datetime) -> list[datetime]:
        """The rule's local occurrences in ``[lo, hi]``, in bounded time.

        A rule of fixed steps (hourly, daily, weekly) without COUNT starts from its last step
        before ``lo`` (the same wall-time grid, so the same occurrences). The search then runs
        400 years later: the Gregorian calendar repeats itself exactly every 400 years, so the
        occurrences are the same, moved; and a rule that never matches, which dateutil searches
        up to the year 9999, meets that year within 400 years of ``hi``.
        """
        parts = _rule_parts(self.rule)
        start = first = self._local_first()
        step = _STEPS.get(parts.get("FREQ", ""))
        if step is not None and "COUNT" not in parts:
            step *= int(parts.get("INTERVAL") or 1)
            if lo - first > 2 * step:
                start = first + ((lo - first) // step - 1) * step
        until = _until_of(self._rule(start))
        end = hi if until is None else min(until, hi)
        years = 400 * ((9998 - hi.year) // 400)
        rule: Any = self._rule(_moved(start, years))
        with warnings.catch_warnings():  # COUNT with UNTIL: stop at whichever comes first
            warnings.simplefilter("ignore", DeprecationWarning)
            rule = rule.replace(until=_moved(end, years))
        found = rule.between(_moved(lo, years), _moved(hi, years), inc=True)
        return [_moved(local, -years) for local in found]

    def occurrences(self, start_us: int, end_us: int) -> list[MaintenanceOccurrence]:
        """Every window that overlaps ``[start_us, end_us)``, in order."""
        zone = ZoneInfo(self.timezone)
        length = td_to_us(self.duration)
        announced = to_us(self.announced_at)
        # Local wall times can be up to a day off UTC; search a little wider, then filter.
        lo = (from_us(start_us - length) - timedelta(days=2)).astimezone(zone).replace(tzinfo=None)
        hi = (from_us(end_us) + timedelta(days=2)).astimezone(zone).replace(tzinfo=None)
        try:
            found = self._expand(lo, hi)
        except (ValueError, IndexError, OverflowError) as exc:
            raise CreditError(
                f"maintenance {self.id!r}: rule {self.rule!r} cannot be expanded ({exc})",
                path=("rule",),
            ) from None
        out: list[MaintenanceOccurrence] = []
        for local in found:
            s = to_us(local.replace(tzinfo=zone))
            e = s + length
            if s < end_us and e > start_us:
                out.append(
                    MaintenanceOccurrence(
                        id=f"{self.id}@{utc_iso(s)}", start_us=s, end_us=e, announced_us=announced
                    )
                )
            if len(out) > _MAX_OCCURRENCES:
                raise CreditError(
                    f"maintenance {self.id!r}: more than {_MAX_OCCURRENCES} windows in one "
                    "period; check the rule's FREQ and INTERVAL",
                    path=("rule",),
                )
        return out

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> RecurringMaintenance:
        """Build from ``{"id", "rule": "FREQ=WEEKLY;BYDAY=SU", "first": "2026-01-04T02:00:00-05:00",
        "duration": "2h", "timezone": "America/New_York", "announced_at": ...}``."""
        keys = ("id", "rule", "first", "duration", "timezone", "announced_at")
        m = _read.mapping(data, path, allowed=keys)
        texts = {
            key: _read.text(_read.required(m, key, path), (*path, key), what=key)
            for key in ("id", "rule", "timezone")
        }
        first = _read.instant(_read.required(m, "first", path), (*path, "first"), what="first")
        announced = _read.instant(
            _read.required(m, "announced_at", path), (*path, "announced_at"), what="announced_at"
        )
        length = _read.duration(
            _read.required(m, "duration", path), (*path, "duration"), what="duration"
        )
        try:
            return cls(
                id=texts["id"],
                rule=texts["rule"],
                timezone=texts["timezone"],
                first=first,
                duration=length,
                announced_at=announced,
            )
        except CreditError as exc:
            raise CreditError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        return {
            "id": self.id,
            "rule": self.rule,
            "first": self.first.astimezone(ZoneInfo(self.timezone)).isoformat(),
            "duration": format_duration(self.duration),
            "timezone": self.timezone,
            "announced_at": utc_iso(to_us(self.announced_at)),
        }
