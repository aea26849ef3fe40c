"""What closes a working day: public holidays, closed dates and ranges, recurring closures.

Public holidays come from the ``holidays`` package (any country it knows, with subdivision,
categories, observed days and the language of the names). Recurring closures are RFC 5545
RRULEs read by python-dateutil. All of these name local dates in the calendar's zone.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Final

import holidays as holidays_package
from dateutil import rrule as dateutil_rrule

from sla_engine._bounds import shown
from sla_engine._time import FIRST_YEAR, LAST_YEAR
from sla_engine.errors import CalendarError

__all__ = [
    "FROZEN_YEARS",
    "ClosedDates",
    "HolidaySource",
    "frozen_span",
    "parse_date",
    "parse_years",
]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/)\s*(\d{4}-\d{2}-\d{2})")
FIRST_DATE: Final = date(FIRST_YEAR, 1, 1)
"""The first date a calendar may name (closed dates, ranges, special dates, RRULE starts)."""
LAST_DATE: Final = date(LAST_YEAR, 12, 31)
"""The last date a calendar may name."""


def check_horizon(day: date, path: Sequence[str | int] = ()) -> date:
    """``day`` itself when it lies in the calendar horizon; a ``CalendarError`` otherwise."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise CalendarError(
            f"{day.isoformat()} is outside the dates calendars answer for "
            f"({FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}); name a date inside them",
            path=path,
        )
    return day


def parse_date(value: object, path: Sequence[str | int] = ()) -> date:
    """A ``date`` from a ``date`` or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        raise CalendarError(
            f"{value!r} is a datetime; a calendar date is expected (YYYY-MM-DD)", path=path
        )
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarError(f"{shown(value)} is not a date (expected YYYY-MM-DD)", path=path)


def _known_codes(*, market: bool) -> set[str]:
    """The country (or market) codes the holidays package knows, without importing them all.

    ``list_supported_countries()`` imports every country module (about 50 ms); the package's
    registry names the codes without that. Should the registry move, fall back to the list.
    """
    try:
        from holidays.registry import COUNTRIES, FINANCIAL
    except ImportError:  # pragma: no cover - depends on the holidays release
        listed = (
            holidays_package.list_supported_financial()
            if market
            else holidays_package.list_supported_countries()
        )
        return set(listed)
    registry = FINANCIAL if market else COUNTRIES
    return {code for _, *names in registry.values() for code in names if code.isupper()}


@dataclass(frozen=True, slots=True, kw_only=True)
class HolidaySource:
    """Public holidays of one country (and subdivision) from the ``holidays`` package."""

    country: str
    subdivision: str | None = None
    categories: tuple[str, ...] = ()
    observed: bool = True
    language: str | None = None
    market: bool = False
    frozen: tuple[int, int] | None = None
    dates: Mapping[date, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        what = "market" if self.market else "country"
        checks: tuple[tuple[str, object, bool, str], ...] = (
            (what, self.country, isinstance(self.country, str), "a code such as 'US'"),
            (
                "subdivision",
                self.subdivision,
                self.subdivision is None or isinstance(self.subdivision, str),
                "one code such as 'NY'",
            ),
            (
                "categories",
                self.categories,
                isinstance(self.categories, tuple)
                and all(isinstance(c, str) for c in self.categories),
                "names such as ['public']",
            ),
            ("observed", self.observed, isinstance(self.observed, bool), "true or false"),
            (
                "language",
                self.language,
                self.language is None or isinstance(self.language, str),
                "a code such as 'en_US'",
            ),
            ("market", self.market, isinstance(self.market, bool), "true or false"),
        )
        for key, value, ok, expected in checks:
            if not ok:
                raise CalendarError(
                    f"holidays: {key} must be {expected}, got {value!r}", path=("holidays", key)
                )
        if self.frozen is not None:
            self._check_frozen()
            return  # the dates are the policy's own: no country data is needed
        if self.dates:
            raise CalendarError(
                "holidays: 'dates' go with 'frozen' (the years they cover); freeze them with "
                "'sla-engine holidays freeze' or leave 'dates' out",
                path=("holidays", "dates"),
            )
        if self.country not in _known_codes(market=self.market):
            raise CalendarError(
                f"holidays: {self.country!r} is not a {what} the holidays package knows; "
                f"expected an ISO 3166 code such as 'US', 'DE' or 'IR'",
                path=("holidays", what),
            )
        make = (
            holidays_package.financial_holidays
            if self.market
            else holidays_package.country_holidays
        )
        table = type(make(self.country, years=[]))
        subdivisions = list(getattr(table, "subdivisions", ()) or ())
        aliases = dict(getattr(table, "subdivisions_aliases", {}) or {})
        if self.subdivision is not None and not (
            self.subdivision in subdivisions or self.subdivision in aliases
        ):
            shown = ", ".join(subdivisions[:12]) + (", ..." if len(subdivisions) > 12 else "")
            raise CalendarError(
                f"holidays: {self.subdivision!r} is not a subdivision of {self.country}; "
                f"expected one of {shown or '(none: leave subdivision out)'}",
                path=("holidays", "subdivision"),
            )
        # Build one year now so that bad categories or languages fail at construction.
        self.build(2026, 2027)

    def _check_frozen(self) -> None:
        assert self.frozen is not None
        first, last = self.frozen
        if not (FROZEN_YEARS[0] <= first <= last <= FROZEN_YEARS[1]):
            raise CalendarError(
                f"holidays: frozen years {first}-{last} are not a range within "
                f"{FROZEN_YEARS[0]}-{FROZEN_YEARS[1]}; expected e.g. '2026-2030'",
                path=("holidays", "frozen"),
            )
        lo, hi = frozen_span(first, last)
        for day in self.dates:
            if not lo <= day <= hi:
                raise CalendarError(
                    f"holidays: the frozen date {day} is outside the frozen years "
                    f"{first}-{last} (and the days around them a calendar reads, {lo}..{hi})",
                    path=("holidays", "dates", day.isoformat()),
                )

    def covers(self, first: date, last: date) -> None:
        """Refuse a question about local dates a frozen source has no data for.

        A live source covers every year the ``holidays`` package computes. A frozen one covers
        its years and the few days around them that a calendar reads at the edges; past that,
        silently answering "no holidays" would move deadlines, so it is an error naming the range.
        """
        if self.frozen is None:
            return
        lo, hi = frozen_span(*self.frozen)
        if first < lo or last > hi:
            outside = first if first < lo else last
            raise CalendarError(
                f"holidays: the holidays of {self.country} are frozen into the policy for "
                f"{self.frozen[0]}-{self.frozen[1]}; this question reads {outside}, outside that "
                "range. Freeze "
                "more years (sla-engine holidays freeze POLICY --years A-B) or ask within them",
                path=("holidays", "frozen"),
            )

    def freeze(self, first_year: int, last_year: int) -> HolidaySource:
        """This source with its holidays for ``first_year``..``last_year`` written out as named
        dates (with the days around them a calendar reads), needing no holiday data after."""
        live = replace(self, frozen=None, dates={})
        lo, hi = frozen_span(first_year, last_year)
        table = live.build(lo.year, hi.year)
        dates = {d: table[d] for d in sorted(table) if lo <= d <= hi}
        return replace(self, frozen=(first_year, last_year), dates=dates)

    @classmethod
    def from_mapping(cls, value: Mapping[str, Any]) -> HolidaySource:
        """Read ``{"country": "US", "subdivision": "CA", "language": "en_US", ...}``; a frozen
        source adds ``"frozen": "2026-2030"`` and ``"dates": {"2026-01-01": "New Year's Day"}``.
        """
        known = {"country", "market", "subdivision", "categories", "observed", "language"}
        known |= {"frozen", "dates"}
        unknown = sorted(set(value) - known)
        if unknown:
            raise CalendarError(
                f"holidays: unknown key {unknown[0]!r}; expected {', '.join(sorted(known))}",
                path=("holidays", unknown[0]),
            )
        if ("country" in value) == ("market" in value):
            raise CalendarError(
                "holidays: name exactly one of 'country' (e.g. 'US') or 'market' (e.g. 'NYSE')",
                path=("holidays",),
            )
        categories = value.get("categories", ())
        if isinstance(categories, str):
            categories = (categories,)
        elif isinstance(categories, Sequence):
            categories = tuple(categories)
        else:
            raise CalendarError(
                f"holidays: categories must be a name or a list of names such as ['public'], "
                f"got {categories!r}",
                path=("holidays", "categories"),
            )
        name = value.get("country", value.get("market"))
        if not isinstance(name, str):
            key = "country" if "country" in value else "market"
            raise CalendarError(
                f"holidays: {key} must be a code such as 'US', got {name!r}",
                path=("holidays", key),
            )
        observed = value.get("observed", True)
        if not isinstance(observed, bool):
            raise CalendarError(
                f"holidays: observed must be true or false, got {observed!r}",
                path=("holidays", "observed"),
            )
        frozen = _parse_frozen(value["frozen"]) if "frozen" in value else None
        raw_dates = value.get("dates", {})
        if not isinstance(raw_dates, Mapping):
            raise CalendarError(
                "holidays: dates must map each date to its name, e.g. "
                "{'2026-01-01': \"New Year's Day\"}",
                path=("holidays", "dates"),
            )
        dates = {}
        for day, label in raw_dates.items():
            where = ("holidays", "dates", day if isinstance(day, str) else shown(day))
            if not isinstance(label, str):
                raise CalendarError(
                    f"holidays: the name of the frozen date {shown(day)} must be text, got "
                    f"{shown(label)}",
                    path=where,
                )
            dates[parse_date(day, where)] = label
        return cls(
            country=name,
            market="market" in value,
            subdivision=value.get("subdivision"),
            categories=tuple(categories),
            observed=observed,
            language=value.get("language"),
            frozen=frozen,
            dates=dates,
        )

    def to_mapping(self) -> dict[str, Any]:
        """The plain-data form."""
        out: dict[str, Any] = {"market" if self.market else "country": self.country}
        if self.subdivision is not None:
            out["subdivision"] = self.subdivision
        if self.categories:
            out["categories"] = list(self.categories)
        if not self.observed:
            out["observed"] = False
        if self.language is not None:
            out["language"] = self.language
        if self.frozen is not None:
            first, last = self.frozen
            out["frozen"] = f"{first}-{last}"
            out["dates"] = {d.isoformat(): n for d, n in sorted(self.dates.items())}
        return out

    def build(self, first_year: int, last_year: int) -> dict[date, str]:
        """Holiday names by date for ``first_year``..``last_year`` inclusive."""
        if self.frozen is not None:
            return {d: n for d, n in self.dates.items() if first_year <= d.year <= last_year}
        kwargs: dict[str, Any] = {"years": range(first_year, last_year + 1)}
        if self.subdivision is not None:
            kwargs["subdiv"] = self.subdivision
        if self.language is not None:
            kwargs["language"] = self.language
        if self.categories:
            kwargs["categories"] = self.categories
        if not self.market:
            kwargs["observed"] = self.observed
        make = (
            holidays_package.financial_holidays
            if self.market
            else holidays_package.country_holidays
        )
        try:
            if self.language is None:
                # Name holidays in the table's own default language, never the reader's locale:
                # the holidays package would otherwise read LANG and friends.
                kwargs["language"] = make(self.country, years=[]).default_language
            table = make(self.country, **kwargs)
        except (NotImplementedError, ValueError, KeyError) as exc:
            raise CalendarError(
                f"holidays: the holidays package refused {self.to_mapping()}: {exc}",
                path=("holidays",),
            ) from None
        return {day: str(name) for day, name in table.items()}


_RRULE_FREQUENCIES: Final = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_EASTER_RANGE: Final = (-80, 249)
"""BYEASTER offsets that stay inside Easter's own year in every year (Easter falls between
22 March and 25 April)."""
_RRULE_ERRORS: Final = (ValueError, TypeError, IndexError, OverflowError, KeyError)


def _rrule_fields(text: str, path: Sequence[str | int]) -> dict[str, str]:
    """The ``KEY=value`` parts of one RRULE line, checked for what could hang or crash."""
    body = text.strip()
    if body[:6].upper() == "RRULE:":
        body = body[6:]
    fields: dict[str, str] = {}
    for part in body.split(";"):
        key, sep, value = part.partition("=")
        key = key.strip().upper()
        if not sep or not key or key in fields or any(c in part for c in ":\n\r"):
            raise CalendarError(
                f"closed: {text!r} is not one RFC 5545 RRULE line (KEY=value parts separated "
                "by ';', each key once); expected e.g. 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24'",
                path=path,
            )
        fields[key] = value.strip()
    freq = fields.get("FREQ", "").upper()
    if freq not in _RRULE_FREQUENCIES:
        raise CalendarError(
            f"closed: {text!r}: FREQ must be one of {', '.join(_RRULE_FREQUENCIES)} (closed "
            f"dates recur at most daily), got {fields.get('FREQ', 'none')!r}; expected e.g. "
            "'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24'",
            path=path,
        )
    for key in ("INTERVAL", "COUNT"):
        value = fields.get(key, "1")
        if not (value.isascii() and value.isdigit() and len(value) <= 6) or not (
            1 <= int(value) <= 100_000
        ):
            raise CalendarError(
                f"closed: {text!r}: {key} must be a whole number from 1 to 100000, "
                f"got {fields[key]!r}",
                path=path,
            )
    if "BYEASTER" in fields:
        lo, hi = _EASTER_RANGE
        for offset in fields["BYEASTER"].split(","):
            number = offset.strip()
            digits = number[1:] if number[:1] in "+-" else number
            if not (
                digits.isascii()
                and digits.isdigit()
                and len(digits) <= 4
                and lo <= int(number) <= hi
            ):
                raise CalendarError(
                    f"closed: {text!r}: BYEASTER offsets must be whole numbers of days from "
                    f"{lo} to {hi} (inside Easter's year), got {offset!r}",
                    path=path,
                )
    return fields


def _rrule(text: str, dtstart: date) -> Any:
    return dateutil_rrule.rrulestr(
        text,
        dtstart=datetime(dtstart.year, dtstart.month, dtstart.day),  # noqa: DTZ001 - local dates only
        forceset=True,
    )


@functools.lru_cache(maxsize=64)
def _rule_dates(text: str, dtstart: date) -> tuple[date, ...]:
    """Every date of the rule from its start to the end of the horizon, sorted (computed once;
    a rule recurs at most daily, so this is at most one date per day of the horizon)."""
    out: list[date] = []
    for occurrence in _rrule(text, dtstart):
        day = occurrence.date()
        if day > LAST_DATE:
            break
        if not out or out[-1] != day:
            out.append(day)
    return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class _ClosedRule:
    text: str
    dtstart: date
    name: str

    def occurrences(self, first: date, last: date) -> list[date]:
        try:
            days = _rule_dates(self.text, self.dtstart)
        except _RRULE_ERRORS as exc:
            raise CalendarError(
                f"closed: {self.text!r} cannot be expanded ({type(exc).__name__}: {exc})",
                path=("closed",),
            ) from None
        lo = bisect_right(days, first - timedelta(days=1)) if first > FIRST_DATE else 0
        hi = bisect_right(days, last)
        return list(days[lo:hi])


_RRULE_START = FIRST_DATE


@dataclass(frozen=True, slots=True)
class _Span:
    """Consecutive closed dates ``first..last`` (inclusive) sharing one name."""

    first: date
    last: date
    name: str


def _disjoint(spans: Sequence[tuple[date, date, str]]) -> tuple[_Span, ...]:
    """Sorted, disjoint spans from possibly overlapping ones; where several cover a date, the
    one given last names it. Runs in O(n log n) on ordinals: no date is visited one by one."""
    events = sorted(
        {p for first, last, _ in spans for p in (first.toordinal(), last.toordinal() + 1)}
    )
    starts = sorted(
        (
            (first.toordinal(), last.toordinal() + 1, -order, name)
            for order, (first, last, name) in enumerate(spans)
        ),
    )
    active: list[tuple[int, int, str]] = []  # (-order, end, name), the latest given on top
    out: list[_Span] = []
    k = 0
    for lo, hi in itertools.pairwise(events):
        while k < len(starts) and starts[k][0] <= lo:
            _, end, neg, name = starts[k]
            heapq.heappush(active, (neg, end, name))
            k += 1
        while active and active[0][1] <= lo:
            heapq.heappop(active)
        if not active:
            continue
        name = active[0][2]
        if out and out[-1].name == name and out[-1].last.toordinal() + 1 == lo:
            out[-1] = _Span(out[-1].first, date.fromordinal(hi - 1), name)
        else:
            out.append(_Span(date.fromordinal(lo), date.fromordinal(hi - 1), name))
    return tuple(out)


FROZEN_YEARS: tuple[int, int] = (1900, 2199)
"""The years a freeze may cover: the calendar's horizon."""
_FROZEN = re.compile(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?")


def frozen_span(first_year: int, last_year: int) -> tuple[date, date]:
    """The local dates a freeze of ``first_year``..``last_year`` holds: the years, and three
    days before and two after, which a calendar compiling those years in any zone reads."""
    return date(first_year, 1, 1) - timedelta(days=3), date(last_year, 12, 31) + timedelta(days=2)


def parse_years(value: object, path: Sequence[str | int] = ()) -> tuple[int, int]:
    """``'2026-2030'``, ``'2026'`` or ``2026`` as an inclusive range of years."""
    number = isinstance(value, int) and not isinstance(value, bool)
    if number and not 0 <= value <= 9999:  # type: ignore[operator]
        value = shown(value)  # a year has four digits (and str() of a huge int raises)
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    m = _FROZEN.fullmatch(text) if text is not None and len(text) <= 100 else None
    if m is None:
        raise CalendarError(
            f"{shown(value) if len(shown(value)) <= 100 else 'the value'} is not a range of "
            "years; expected e.g. '2026-2030' or '2026'",
            path=path,
        )
    first = int(m.group(1))
    return first, int(m.group(2) or first)


def _parse_frozen(value: object) -> tuple[int, int]:
    return parse_years(value, ("holidays", "frozen"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ClosedDates:
    """Dates on which the calendar is closed: single dates, ranges and RRULEs, with names.

    Dates and ranges are kept as disjoint spans of dates, never expanded day by day, so a range
    of three centuries costs what a single date does.
    """

    spans: tuple[_Span, ...] = ()
    rules: tuple[_ClosedRule, ...] = ()
    source: tuple[Any, ...] = ()

    @classmethod
    def parse(cls, value: object) -> ClosedDates:
        """Read a list of ``'2026-12-24'``, ``'2026-12-24..2026-12-31'``,
        ``{"date": ..., "name": ...}``, ``{"from": ..., "to": ..., "name": ...}`` or
        ``{"rrule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "start": "2026-01-01", "name": ...}``.
        Every date named must lie in the horizon, 1900-01-01 to 2199-12-31.
        """
        if value is None:
            return cls()
        if isinstance(value, (str, date, Mapping)) or not isinstance(value, Sequence):
            items: list[object] = [value]
        else:
            items = list(value)
        spans: list[tuple[date, date, str]] = []
        rules: list[_ClosedRule] = []
        for i, item in enumerate(items):
            path = ("closed", i)
            if isinstance(item, Mapping):
                unknown = sorted(
                    str(k) for k in set(item) - {"date", "from", "to", "rrule", "start", "name"}
                )
                if unknown:
                    raise CalendarError(
                        f"closed: unknown key {unknown[0]!r}; expected date, from/to, "
                        "rrule/start, name",
                        path=(*path, unknown[0]),
                    )
                name = str(item.get("name", ""))
                if "rrule" in item:
                    text = item["rrule"]
                    if not isinstance(text, str):
                        raise CalendarError(
                            f"closed: {text!r} is not an RRULE; expected text such as "
                            "'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24'",
                            path=(*path, "rrule"),
                        )
                    _rrule_fields(text, (*path, "rrule"))
                    start = check_horizon(
                        parse_date(item.get("start", _RRULE_START), (*path, "start")),
                        (*path, "start"),
                    )
                    rule = _ClosedRule(text=text, dtstart=start, name=name)
                    try:
                        _rrule(text, start).between(
                            datetime(start.year, start.month, start.day),  # noqa: DTZ001
                            datetime(start.year, start.month, start.day, 23),  # noqa: DTZ001
                            inc=True,
                        )
                    except _RRULE_ERRORS as exc:
                        raise CalendarError(
                            f"closed: {text!r} is not an RFC 5545 RRULE ({exc}); expected e.g. "
                            "'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24'",
                            path=(*path, "rrule"),
                        ) from None
                    rules.append(rule)
                    continue
                if "date" in item:
                    first = last = parse_date(item["date"], (*path, "date"))
                    check_horizon(first, (*path, "date"))
                elif "from" in item and "to" in item:
                    first = check_horizon(
                        parse_date(item["from"], (*path, "from")), (*path, "from")
                    )
                    last = check_horizon(parse_date(item["to"], (*path, "to")), (*path, "to"))
                else:
                    raise CalendarError(
                        "closed: an entry needs 'date', 'from' and 'to', or 'rrule'", path=path
                    )
            elif isinstance(item, str) and _RANGE.fullmatch(item.strip()):
                m = _RANGE.fullmatch(item.strip())
                assert m is not None
                first = check_horizon(parse_date(m.group(1), path), path)
                last = check_horizon(parse_date(m.group(2), path), path)
                name = ""
            else:
                first = last = check_horizon(parse_date(item, path), path)
                name = ""
            if last < first:
                raise CalendarError(
                    f"closed: the range {first}..{last} ends before it starts", path=path
                )
            spans.append((first, last, name))
        return cls(spans=_disjoint(spans), rules=tuple(rules), source=tuple(items))

    def _span_at(self, day: date) -> _Span | None:
        i = bisect_right(self.spans, day, key=lambda s: s.first) - 1
        if i >= 0 and day <= self.spans[i].last:
            return self.spans[i]
        return None

    def listed(self, day: date) -> bool:
        """True when a closed date or range names ``day`` (RRULEs aside)."""
        return self._span_at(day) is not None

    def covers(self, first: date, last: date) -> bool:
        """True when every date of ``first..last`` is closed by dates and ranges alone."""
        day = first
        while day <= last:
            span = self._span_at(day)
            if span is None:
                return False
            if span.last >= last:
                return True
            day = span.last + timedelta(days=1)
        return True

    def name_of(self, day: date) -> str | None:
        """The name a date is closed under ('' when unnamed), or ``None`` when it is not."""
        span = self._span_at(day)
        if span is not None:
            return span.name
        for rule in self.rules:
            if rule.occurrences(day, day):
                return rule.name
        return None

    def build(self, first: date, last: date) -> dict[date, str]:
        """Closed dates with names between ``first`` and ``last`` inclusive."""
        out: dict[date, str] = {}
        i = max(bisect_right(self.spans, first, key=lambda s: s.first) - 1, 0)
        one = timedelta(days=1)
        while i < len(self.spans) and self.spans[i].first <= last:
            span = self.spans[i]
            day, end = max(span.first, first), min(span.last, last)
            while day <= end:
                out[day] = span.name
                day += one
            i += 1
        for rule in self.rules:
            for d in rule.occurrences(max(first, rule.dtstart), last):
                out.setdefault(d, rule.name)
        return out

    def key(self) -> tuple[Any, ...]:
        """What the closures are, for equality: the spans and the rules."""
        return (self.spans, tuple((r.text, r.dtstart, r.name) for r in self.rules))

    def to_list(self) -> list[Any]:
        """The plain-data form, as given."""
        out: list[Any] = []
        for item in self.source:
            if isinstance(item, date):
                out.append(item.isoformat())
            elif isinstance(item, Mapping):
                out.append(
                    {k: (v.isoformat() if isinstance(v, date) else v) for k, v in item.items()}
                )
            else:
                out.append(item)
        return out
