"""What closes a working day: public holidays, closed dates and ranges, recurring closures.

Public holidays come from the ``holidays`` package (any country it knows, with subdivision,
categories, observed days and the language of the names). Recurring closures are RFC 5545
RRULEs read by python-dateutil. All of these name local dates in the calendar's zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import holidays as holidays_package
from dateutil import rrule as dateutil_rrule

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
    raise CalendarError(f"{value!r} is not a date (expected YYYY-MM-DD)", path=path)


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
        dates = {
            parse_date(day, ("holidays", "dates", str(day))): str(name)
            for day, name in raw_dates.items()
        }
        return cls(
            country=str(value.get("country") or value.get("market")),
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


@dataclass(frozen=True, slots=True, kw_only=True)
class _ClosedRule:
    text: str
    dtstart: date
    name: str

    def occurrences(self, first: date, last: date) -> list[date]:
        rule = dateutil_rrule.rrulestr(
            self.text,
            dtstart=datetime(self.dtstart.year, self.dtstart.month, self.dtstart.day),  # noqa: DTZ001 - local dates only
            forceset=True,
        )
        lo = datetime(first.year, first.month, first.day)  # noqa: DTZ001 - local dates only
        hi = datetime(last.year, last.month, last.day)  # noqa: DTZ001 - local dates only
        return [d.date() for d in rule.between(lo, hi, inc=True)]


_RRULE_START = date(1900, 1, 1)

FROZEN_YEARS: tuple[int, int] = (1900, 2199)
"""The years a freeze may cover: the calendar's horizon."""
_FROZEN = re.compile(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?")


def frozen_span(first_year: int, last_year: int) -> tuple[date, date]:
    """The local dates a freeze of ``first_year``..``last_year`` holds: the years, and three
    days before and two after, which a calendar compiling those years in any zone reads."""
    return date(first_year, 1, 1) - timedelta(days=3), date(last_year, 12, 31) + timedelta(days=2)


def parse_years(value: object, path: Sequence[str | int] = ()) -> tuple[int, int]:
    """``'2026-2030'``, ``'2026'`` or ``2026`` as an inclusive range of years."""
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    m = _FROZEN.fullmatch(text) if text is not None else None
    if m is None:
        raise CalendarError(
            f"{value!r} is not a range of years; expected e.g. '2026-2030' or '2026'", path=path
        )
    first = int(m.group(1))
    return first, int(m.group(2) or first)


def _parse_frozen(value: object) -> tuple[int, int]:
    return parse_years(value, ("holidays", "frozen"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ClosedDates:
    """Dates on which the calendar is closed: single dates, ranges and RRULEs, with names."""

    dates: Mapping[date, str] = field(default_factory=dict, hash=False)
    rules: tuple[_ClosedRule, ...] = ()
    source: tuple[Any, ...] = ()

    @classmethod
    def parse(cls, value: object) -> ClosedDates:
        """Read a list of ``'2026-12-24'``, ``'2026-12-24..2026-12-31'``,
        ``{"date": ..., "name": ...}``, ``{"from": ..., "to": ..., "name": ...}`` or
        ``{"rrule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "start": "2026-01-01", "name": ...}``.
        """
        if value is None:
            return cls()
        if isinstance(value, (str, date, Mapping)) or not isinstance(value, Sequence):
            items: list[object] = [value]
        else:
            items = list(value)
        dates: dict[date, str] = {}
        rules: list[_ClosedRule] = []
        for i, item in enumerate(items):
            path = ("closed", i)
            if isinstance(item, Mapping):
                unknown = sorted(set(item) - {"date", "from", "to", "rrule", "start", "name"})
                if unknown:
                    raise CalendarError(
                        f"closed: unknown key {unknown[0]!r}; expected date, from/to, "
                        "rrule/start, name",
                        path=(*path, unknown[0]),
                    )
                name = str(item.get("name", ""))
                if "rrule" in item:
                    text = item["rrule"]
                    start = parse_date(item.get("start", _RRULE_START), (*path, "start"))
                    rule = _ClosedRule(text=str(text), dtstart=start, name=name)
                    try:
                        rule.occurrences(start, start + timedelta(days=1))
                    except (ValueError, TypeError) as exc:
                        raise CalendarError(
                            f"closed: {text!r} is not an RFC 5545 RRULE ({exc}); expected e.g. "
                            "'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24'",
                            path=(*path, "rrule"),
                        ) from None
                    rules.append(rule)
                    continue
                if "date" in item:
                    first = last = parse_date(item["date"], (*path, "date"))
                elif "from" in item and "to" in item:
                    first = parse_date(item["from"], (*path, "from"))
                    last = parse_date(item["to"], (*path, "to"))
                else:
                    raise CalendarError(
                        "closed: an entry needs 'date', 'from' and 'to', or 'rrule'", path=path
                    )
            elif isinstance(item, str) and _RANGE.fullmatch(item.strip()):
                m = _RANGE.fullmatch(item.strip())
                assert m is not None
                first, last = parse_date(m.group(1), path), parse_date(m.group(2), path)
                name = ""
            else:
                first = last = parse_date(item, path)
                name = ""
            if last < first:
                raise CalendarError(
                    f"closed: the range {first}..{last} ends before it starts", path=path
                )
            day = first
            while day <= last:
                dates[day] = name
                day += timedelta(days=1)
        return cls(dates=dates, rules=tuple(rules), source=tuple(items))

    def build(self, first: date, last: date) -> dict[date, str]:
        """Closed dates with names between ``first`` and ``last`` inclusive."""
        out = {d: n for d, n in self.dates.items() if first <= d <= last}
        for rule in self.rules:
            for d in rule.occurrences(max(first, rule.dtstart), last):
                out.setdefault(d, rule.name)
        return out

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
