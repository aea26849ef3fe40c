"""Semantic lint: problems a well-formed policy can still have.

Each rule is a function of a :class:`LintContext`; it reports problems through the context, with
the path of what is wrong, so every problem is located in the file. ``RULES`` lists them in the
order they run. Errors make a policy invalid; warnings flag risky but legal input.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sla_engine._time import BusinessDays, format_duration
from sla_engine.errors import CalendarError, PolicyProblem
from sla_engine.hours import format_time_of_day, parse_days, parse_window
from sla_engine.policy._problems import suggest
from sla_engine.policy.schema import (
    CalendarSpec,
    ComposedCalendarSpec,
    HolidaySpec,
    PolicySpec,
    SeveritySpec,
    StateSpec,
)
from sla_engine.policy.source import Path, SourceDocument

__all__ = ["RULES", "LintContext", "Rule", "lint", "lint_policy_set"]

_DST_YEARS_MAX: Final = 10


@dataclass(slots=True, kw_only=True)
class LintContext:
    """What a rule sees (the checked policy and where it was written) and where it reports."""

    spec: PolicySpec
    doc: SourceDocument
    problems: list[PolicyProblem] = field(default_factory=list)
    bad_calendars: set[str] = field(default_factory=set)

    def report(
        self,
        path: Path,
        message: str,
        *,
        severity: str = "error",
        at: Literal["key", "value"] = "value",
    ) -> None:
        """Record a problem at ``path`` (located at its value, or its key)."""
        self.problems.append(self.doc.problem(path, message, severity=severity, at=at))
        if severity == "error" and len(path) >= 2 and path[0] == "calendars":
            self.bad_calendars.add(str(path[1]))


Rule = Callable[[LintContext], None]


def _named(items: Sequence[Any] | None) -> Iterator[tuple[int, str]]:
    for i, item in enumerate(items or []):
        yield i, item if isinstance(item, str) else item.name


def check_effective_range(ctx: LintContext) -> None:
    """``effective_until`` is not before ``effective_from``."""
    spec = ctx.spec
    if spec.effective_until is not None and spec.effective_until < spec.effective_from:
        ctx.report(
            ("effective_until",),
            f"{spec.effective_until} is before effective_from {spec.effective_from}; the last "
            "day in force must be on or after the first",
        )


def check_unique_names(ctx: LintContext) -> None:
    """Severity and state names are each given once."""
    for section in ("severities", "states"):
        seen: dict[str, int] = {}
        for i, name in _named(getattr(ctx.spec, section)):
            if name in seen:
                path: Path = (section, i)
                item = getattr(ctx.spec, section)[i]
                if isinstance(item, (SeveritySpec, StateSpec)):
                    path = (section, i, "name")
                ctx.report(path, f"{name!r} is listed twice (first as item {seen[name]}); keep one")
            else:
                seen[name] = i


def _unknown(
    ctx: LintContext,
    path: Path,
    kind: str,
    name: str,
    known: Sequence[str],
    *,
    at: Literal["key", "value"] = "value",
) -> None:
    if known:
        listed = ", ".join(known)
        message = f"unknown {kind} {name!r}{suggest(name, known)}; expected one of {listed}"
    else:
        message = f"unknown {kind} {name!r}: the policy defines no {kind}s"
    ctx.report(path, message, at=at)


def check_references(ctx: LintContext) -> None:
    """Every calendar, channel and severity named is defined in the policy."""
    spec = ctx.spec
    calendars = list(spec.calendars)
    channels = list(spec.channels or {})
    severities = spec.severity_names()
    for name, entry in spec.calendars.items():
        if isinstance(entry, ComposedCalendarSpec):
            _composed_refs(ctx, ("calendars", name), entry, calendars)
    for name, channel in (spec.channels or {}).items():
        if (
            channel is not None
            and channel.calendar is not None
            and channel.calendar not in calendars
        ):
            path: Path = ("channels", name, "calendar")
            _unknown(ctx, path, "calendar", channel.calendar, calendars)
    for name, tier in (spec.tiers or {}).items():
        if tier.calendar not in calendars:
            _unknown(ctx, ("tiers", name, "calendar"), "calendar", tier.calendar, calendars)
        for i, channel_name in enumerate(tier.channels or []):
            if channel_name not in channels:
                _unknown(ctx, ("tiers", name, "channels", i), "channel", channel_name, channels)
        for metric, by_severity in (tier.targets or {}).items():
            for severity in by_severity:
                if severity not in severities:
                    where: Path = ("tiers", name, "targets", metric, severity)
                    _unknown(ctx, where, "severity", severity, severities, at="key")


def _composed_refs(
    ctx: LintContext, path: Path, entry: ComposedCalendarSpec, known: Sequence[str]
) -> None:
    for i, part in enumerate(entry.parts):
        here = (*path, entry.kind, i)
        if isinstance(part, str):
            if part not in known:
                _unknown(ctx, here, "calendar", part, known)
        elif isinstance(part, ComposedCalendarSpec):
            _composed_refs(ctx, here, part, known)


def _refs(entry: Any) -> Iterator[str]:
    if isinstance(entry, ComposedCalendarSpec):
        for part in entry.parts:
            if isinstance(part, str):
                yield part
            else:
                yield from _refs(part)


def check_calendar_cycles(ctx: LintContext) -> None:
    """No calendar is composed, directly or not, of itself."""
    graph = {name: list(_refs(entry)) for name, entry in ctx.spec.calendars.items()}
    for start in graph:
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph.get(node, []):
                if nxt == start:
                    ctx.report(
                        ("calendars", start),
                        "the calendar is composed of itself: " + " -> ".join([*trail, nxt]),
                    )
                    stack.clear()
                    break
                if nxt not in seen and nxt in graph:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))


def _plain_calendars(spec: PolicySpec) -> Iterator[tuple[Path, CalendarSpec]]:
    def walk(path: Path, entry: Any) -> Iterator[tuple[Path, CalendarSpec]]:
        if isinstance(entry, CalendarSpec):
            yield path, entry
        elif isinstance(entry, ComposedCalendarSpec):
            for i, part in enumerate(entry.parts):
                if not isinstance(part, str):
                    yield from walk((*path, entry.kind, i), part)

    for name, entry in spec.calendars.items():
        yield from walk(("calendars", name), entry)


def check_zones(ctx: LintContext) -> None:
    """Every time zone is an IANA name the zone database knows."""
    for path, cal in _plain_calendars(ctx.spec):
        try:
            ZoneInfo(cal.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            from zoneinfo import available_timezones

            hint = suggest(cal.timezone, available_timezones())
            ctx.report(
                (*path, "timezone"),
                f"{cal.timezone!r} is not an IANA time zone{hint}; expected e.g. "
                "'America/New_York', 'Europe/Berlin' or 'Asia/Tehran'",
            )


def _country_code(text: str) -> str | None:
    from holidays.registry import COUNTRIES

    wanted = text.strip().lower().replace(" ", "_")
    for key, (_, code, *rest) in COUNTRIES.items():
        if wanted == key or text.upper() == code or text.upper() in rest:
            return str(code)
    return None


def check_holidays(ctx: LintContext) -> None:
    """Holiday countries, subdivisions, languages and categories are ones ``holidays`` knows."""
    for path, cal in _plain_calendars(ctx.spec):
        sources = cal.holidays if isinstance(cal.holidays, list) else [cal.holidays]
        for i, source in enumerate(sources):
            if source is None:
                continue
            here = (*path, "holidays", i) if isinstance(cal.holidays, list) else (*path, "holidays")
            _check_holiday_source(ctx, here, source)


def _check_holiday_source(ctx: LintContext, path: Path, source: HolidaySpec) -> None:
    import holidays

    if source.market is not None:
        markets = holidays.list_supported_financial()
        if source.market not in markets:
            ctx.report(
                (*path, "market"),
                f"{source.market!r} is not a market the holidays package knows"
                f"{suggest(source.market, markets)}; expected one of {', '.join(sorted(markets))}",
            )
        return
    assert source.country is not None
    countries = holidays.list_supported_countries()
    country = source.country
    if country not in countries:
        code = _country_code(country)
        hint = f" (did you mean {code!r}?)" if code and code != country else ""
        ctx.report(
            (*path, "country"),
            f"{country!r} is not a country the holidays package knows{hint}; expected an "
            "ISO 3166 code such as 'US', 'DE' or 'IR'",
        )
        return
    cls = type(holidays.country_holidays(country))
    subdivisions = list(countries[country])
    if source.subdivision is not None and source.subdivision not in subdivisions:
        aliases = getattr(cls, "subdivisions_aliases", {}) or {}
        alias = aliases.get(source.subdivision)
        hint = f" (did you mean {alias!r}?)" if alias else suggest(source.subdivision, subdivisions)
        shown = ", ".join(subdivisions[:12]) + (", ..." if len(subdivisions) > 12 else "")
        ctx.report(
            (*path, "subdivision"),
            f"{source.subdivision!r} is not a subdivision of {country}{hint}; expected one of "
            + (shown or "none (leave subdivision out)"),
        )
    languages = list(getattr(cls, "supported_languages", ()) or ())
    if source.language is not None and source.language not in languages:
        ctx.report(
            (*path, "language"),
            f"the holidays package has no {source.language!r} names for {country}"
            f"{suggest(source.language, languages)}; expected one of "
            + (", ".join(languages) or "none (leave language out)"),
        )
    categories = list(getattr(cls, "supported_categories", ()) or ())
    for i, category in enumerate(source.categories or []):
        if category not in categories:
            ctx.report(
                (*path, "categories", i),
                f"{category!r} is not a holiday category of {country}"
                f"{suggest(category, categories)}; expected one of {', '.join(categories)}",
            )


def check_open_hours(ctx: LintContext) -> None:
    """Every calendar is open at some time."""
    for path, cal in _plain_calendars(ctx.spec):
        hours = cal.hours
        never = isinstance(hours, dict) and not any(hours.values())
        if never and not any((cal.special or {}).values()):
            ctx.report(
                (*path, "hours"),
                "the calendar is never open: no day has a window; give at least one, "
                "e.g. {mon-fri: ['09:00-17:00']}, or write hours: 24x7",
            )


def _gaps(zone: ZoneInfo, first_year: int, last_year: int) -> list[tuple[date, int, int]]:
    """Skipped local wall times: (local date, first skipped second of day, end), by year."""
    out: list[tuple[date, int, int]] = []
    t = datetime(first_year, 1, 1, tzinfo=UTC)
    stop = datetime(last_year + 1, 1, 2, tzinfo=UTC)
    step = timedelta(hours=12)
    before = t.astimezone(zone).utcoffset()
    while t < stop:
        nxt = t + step
        after = nxt.astimezone(zone).utcoffset()
        if before is not None and after is not None and after > before:
            lo, hi = t, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if mid.astimezone(zone).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            wall = (hi + before).replace(tzinfo=None)
            start = wall.hour * 3600 + wall.minute * 60 + wall.second
            out.append((wall.date(), start, start + int((after - before).total_seconds())))
        before = after
        t = nxt
    return out


def check_dst_gaps(ctx: LintContext) -> None:
    """Warn when a window opens or closes at a wall time a DST change skips."""
    spec = ctx.spec
    first = spec.effective_from.year
    last = spec.effective_until.year if spec.effective_until else first + 1
    last = min(last, first + _DST_YEARS_MAX)
    for path, cal in _plain_calendars(spec):
        try:
            zone = ZoneInfo(cal.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
        gaps = _gaps(zone, first, last)
        if not gaps:
            continue
        windows: list[tuple[Path, str, set[int] | date]] = []
        if isinstance(cal.hours, dict):
            for key, items in cal.hours.items():
                try:
                    days = set(parse_days(key))
                except CalendarError:
                    continue
                windows.extend(((*path, "hours", key, i), w, days) for i, w in enumerate(items))
        for key, items in (cal.special or {}).items():
            day = date.fromisoformat(key)
            windows.extend(((*path, "special", key, i), w, day) for i, w in enumerate(items))
        for where, text, when in windows:
            try:
                window = parse_window(text)
            except CalendarError:
                continue
            for day, lo, hi in gaps:
                applies = day == when if isinstance(when, date) else day.weekday() in when
                bounds = [window.start, window.end] if window.end <= 86_400 else [window.start]
                if applies and any(lo <= b < hi for b in bounds):
                    skipped = f"{format_time_of_day(lo)}-{format_time_of_day(hi)}"
                    ctx.report(
                        where,
                        f"the window {text!r} opens or closes at a time {cal.timezone} skips on "
                        f"{day} ({skipped} does not exist); that day it moves forward by the "
                        f"gap. Choose times outside {skipped}",
                        severity="warning",
                    )
                    break


def check_warnings(ctx: LintContext) -> None:
    """Warnings come before the breach: under 100 % of the target."""
    for i, warning in enumerate(ctx.spec.warnings or []):
        if warning.at is not None and warning.at >= 100:
            ctx.report(
                ("warnings", i, "at"),
                f"a warning at {warning.at}% comes with or after the breach; warn below 100%, "
                "e.g. '75%', and use the escalation chain for what follows a breach",
            )


def check_currency(ctx: LintContext) -> None:
    """A priced tier has a currency to be priced in."""
    if ctx.spec.currency is not None:
        return
    for name, tier in (ctx.spec.tiers or {}).items():
        if tier.price is not None:
            ctx.report(
                ("tiers", name, "price"),
                "a price needs the policy's currency; add e.g. 'currency: USD' at the top",
            )
            return


def check_severity_order(ctx: LintContext) -> None:
    """A more severe level does not get a looser target than a less severe one."""
    order = ctx.spec.severity_names()
    rank: dict[str, int] = {}
    for i, name in enumerate(order):
        rank.setdefault(name, i)
    for tier_name, tier in (ctx.spec.tiers or {}).items():
        for metric, by_severity in (tier.targets or {}).items():
            known = sorted((s for s in by_severity if s in rank), key=rank.__getitem__)
            for more, less in itertools.pairwise(known):
                a, b = by_severity[more], by_severity[less]
                if isinstance(a, BusinessDays) and isinstance(b, BusinessDays):
                    looser = a.days > b.days
                elif isinstance(a, timedelta) and isinstance(b, timedelta):
                    looser = a > b
                else:
                    looser = False
                if looser:
                    ctx.report(
                        ("tiers", tier_name, "targets", metric, more),
                        f"{more} ({_show(a)}) is looser than the less severe {less} "
                        f"({_show(b)}); a more severe level should not wait longer",
                        severity="warning",
                    )


def _show(value: timedelta | BusinessDays) -> str:
    return str(value) if isinstance(value, BusinessDays) else format_duration(value)


RULES: Final[tuple[Rule, ...]] = (
    check_effective_range,
    check_unique_names,
    check_references,
    check_calendar_cycles,
    check_zones,
    check_holidays,
    check_open_hours,
    check_dst_gaps,
    check_warnings,
    check_currency,
    check_severity_order,
)


def lint(spec: PolicySpec, doc: SourceDocument) -> LintContext:
    """Run every rule; the context holds the problems found and the calendars at fault."""
    ctx = LintContext(spec=spec, doc=doc)
    for rule in RULES:
        rule(ctx)
    return ctx


def lint_policy_set(items: Sequence[tuple[PolicySpec, SourceDocument]]) -> list[PolicyProblem]:
    """Versions of one policy must not be in force on the same day."""
    problems: list[PolicyProblem] = []
    by_name: dict[str, list[tuple[PolicySpec, SourceDocument]]] = {}
    for spec, doc in items:
        by_name.setdefault(spec.name, []).append((spec, doc))
    for versions in by_name.values():
        versions.sort(key=lambda item: item[0].effective_from)
        for (a, a_doc), (b, b_doc) in itertools.pairwise(versions):
            if a.effective_until is None or a.effective_until >= b.effective_from:
                until = a.effective_until.isoformat() if a.effective_until else "open-ended"
                where = f" ({a_doc.source})" if a_doc.source else ""
                fix = b.effective_from - timedelta(days=1)
                problems.append(
                    b_doc.problem(
                        ("effective_from",),
                        f"version {b.version} of {b.name!r} takes effect on {b.effective_from} "
                        f"while version {a.version}{where} is in force (until {until}); set "
                        f"effective_until: {fix.isoformat()} on version {a.version}",
                    )
                )
    return problems
