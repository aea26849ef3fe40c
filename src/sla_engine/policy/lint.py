"""Semantic lint: problems a well-formed policy can still have.

Each rule is a function of a :class:`LintContext`; it reports problems through the context, with
the path of what is wrong, so every problem is located in the file. ``RULES`` lists them in the
order they run. Errors make a policy invalid; warnings flag risky but legal input.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sla_engine._time import BusinessDays, format_duration
from sla_engine.errors import CalendarError, CreditError, PolicyProblem
from sla_engine.hours import format_time_of_day, parse_days, parse_window
from sla_engine.policy._compile import (
    ATTRIBUTES,
    PlannedRule,
    attribute_names,
    key_attribute,
    metric_names,
    planned_rules,
    state_names,
)
from sla_engine.policy._problems import suggest
from sla_engine.policy.schema import (
    CalendarSpec,
    ComposedCalendarSpec,
    DowntimeBandsSpec,
    FlatStepSpec,
    HolidaySpec,
    HourlyStepSpec,
    MetricSpec,
    PolicySpec,
    SeveritySpec,
    StateSpec,
    UptimeBandsSpec,
)
from sla_engine.policy.source import Path, SourceDocument, format_path

__all__ = ["RULES", "LintContext", "Rule", "lint", "lint_policy_set"]

_DST_YEARS_MAX: Final = 10
_MAX_COMBOS: Final = 20_000
"""Most classes of tickets the target checks enumerate; beyond this they are skipped."""
_TARGET_SECTIONS: Final = ("rules", "tiers", "metrics", "severities", "channels", "issue_classes")
_SECTIONS: Final = {
    "metric": "a metrics section, e.g. metrics: {first_response: {default: 24h}}",
    "calendar": "one under calendars",
    "channel": "a channels section",
    "severity": "a severities list, e.g. severities: [sev1, sev2]",
    "issue class": "an issue_classes section",
    "tier": "a tiers section",
    "state": "it to states",
}


@dataclass(slots=True, kw_only=True)
class LintContext:
    """What a rule sees (the checked policy and where it was written) and where it reports."""

    spec: PolicySpec
    doc: SourceDocument
    problems: list[PolicyProblem] = field(default_factory=list)
    bad_calendars: dict[str, set[str | int | None]] = field(default_factory=dict)
    """Calendars with an error, and the keys reported under each (``None``: the whole)."""
    broken: Mapping[str, AbstractSet[str] | None] = field(default_factory=dict)
    """Names left out of a partly valid policy, by kind (``None``: every name of the kind), so
    references to them are not reported as unknown."""

    def is_broken(self, kind: str, name: str) -> bool:
        """Whether ``name`` of ``kind`` was left out because its definition is malformed."""
        if kind not in self.broken:
            return False
        names = self.broken[kind]
        return names is None or name in names

    def targets_intact(self) -> bool:
        """Whether every section the target rules come from is well formed."""
        return not any(self.is_broken("section", s) for s in _TARGET_SECTIONS)

    def check(
        self,
        kind: str,
        path: Path,
        name: str,
        known: Sequence[str],
        *,
        at: Literal["key", "value"] = "value",
    ) -> None:
        """Report ``name`` at ``path`` unless it is one of ``known`` (or was left out)."""
        if name in known or self.is_broken(kind, name):
            return
        if known:
            listed = ", ".join(known)
            message = f"unknown {kind} {name!r}{suggest(name, known)}; expected one of {listed}"
        else:
            section = _SECTIONS.get(kind, f"{kind}s")
            message = f"unknown {kind} {name!r}: the policy defines no {kind}s; add {section}"
        self.report(path, message, at=at)

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
            part = path[2] if len(path) > 2 else None
            self.bad_calendars.setdefault(str(path[1]), set()).add(part)


Rule = Callable[[LintContext], None]


def _named(items: Sequence[Any] | None) -> Iterator[tuple[int, str]]:
    for i, item in enumerate(items or []):
        yield i, item if isinstance(item, str) else item.name


def check_effective_range(ctx: LintContext) -> None:
    """``effective_until`` is not before ``effective_from``."""
    spec = ctx.spec
    if ctx.is_broken("section", "effective_from"):
        return
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


def check_references(ctx: LintContext) -> None:
    """Every calendar, channel, severity, issue class, tier, metric and state named is defined."""
    spec = ctx.spec
    calendars = list(spec.calendars)
    channels = list(spec.channels or {})
    metrics = metric_names(spec)
    states = state_names(spec)
    attributes = attribute_names(spec)
    declared = [a for a in spec.attributes or [] if a not in ATTRIBUTES]
    for name, entry in spec.calendars.items():
        if isinstance(entry, ComposedCalendarSpec):
            _composed_refs(ctx, ("calendars", name), entry, calendars)
    if spec.default_calendar is not None:
        ctx.check("calendar", ("default_calendar",), spec.default_calendar, calendars)
    claim = spec.credits.claim if spec.credits is not None else None
    if claim is not None and claim.calendar is not None:
        ctx.check("calendar", ("credits", "claim", "calendar"), claim.calendar, calendars)
    for name, channel in (spec.channels or {}).items():
        if channel is not None and channel.calendar is not None:
            ctx.check("calendar", ("channels", name, "calendar"), channel.calendar, calendars)
    keys = [*attributes["severity"], *attributes["channel"], *attributes["issue_class"]]
    for name, tier in (spec.tiers or {}).items():
        ctx.check("calendar", ("tiers", name, "calendar"), tier.calendar, calendars)
        for i, channel_name in enumerate(tier.channels or []):
            ctx.check("channel", ("tiers", name, "channels", i), channel_name, channels)
        for metric, value in (tier.targets or {}).items():
            where: Path = ("tiers", name, "targets", metric)
            ctx.check("metric", where, metric, metrics, at="key")
            if not isinstance(value, dict):
                continue
            for key in value:
                if key_attribute(spec, key) is None and not ctx.is_broken("target key", key):
                    ctx.report(
                        (*where, key),
                        f"unknown severity, channel or issue class {key!r}{suggest(key, keys)}; "
                        "a tier's targets are keyed by "
                        + (", ".join(keys) or "names the policy defines (it defines none)"),
                        at="key",
                    )
    for metric, rules in (spec.rules or {}).items():
        ctx.check("metric", ("rules", metric), metric, metrics, at="key")
        for i, rule in enumerate(rules):
            if rule.calendar is not None:
                ctx.check("calendar", ("rules", metric, i, "calendar"), rule.calendar, calendars)
            for attribute in ATTRIBUTES:
                values = getattr(rule.when, attribute, None) or []
                for j, value in enumerate(values):
                    path: Path = ("rules", metric, i, "when", attribute)
                    path = (*path, j) if len(values) > 1 else path
                    kind = attribute.replace("_", " ")
                    ctx.check(kind, path, value, attributes[attribute])
            for other in sorted(rule.when.others() if rule.when is not None else {}):
                if other in declared:
                    continue
                known = [*ATTRIBUTES, *declared]
                ctx.report(
                    ("rules", metric, i, "when", other),
                    f"unknown ticket attribute {other!r}{suggest(other, known)}; a rule may "
                    f"name {', '.join(known)}; declare other attributes in the top-level "
                    "'attributes' list, e.g. attributes: [region, plan]",
                    at="key",
                )
    for i, name in enumerate(spec.attributes or []):
        if name in ATTRIBUTES:
            ctx.report(
                ("attributes", i),
                f"{name!r} is a named ticket attribute (tier, severity, channel, issue_class "
                "are always known); list only the others, e.g. region or plan",
            )
    for name, metric_spec in (spec.metrics or {}).items():
        if metric_spec is None:
            continue
        here: Path = ("metrics", name)
        if metric_spec.calendar is not None:
            ctx.check("calendar", (*here, "calendar"), metric_spec.calendar, calendars)
        if metric_spec.state is not None:
            ctx.check("state", (*here, "state"), metric_spec.state, states)
        for key in ("start", "stop", "pause", "resume", "reset", "cancel"):
            for j, text in enumerate(getattr(metric_spec, key) or []):
                head = text.split(" after ")[0]
                prefix, sep, state = head.partition(":")
                if sep and prefix in ("enter", "leave"):
                    ctx.check("state", (*here, key, j), state, states)
    for i, state_entry in enumerate(spec.states or []):
        if isinstance(state_entry, StateSpec):
            for j, metric in enumerate(state_entry.pauses or []):
                ctx.check("metric", ("states", i, "pauses", j), metric, metrics)
    if spec.lifecycle is not None:
        for role, state in spec.lifecycle.model_dump(exclude_none=True).items():
            ctx.check("state", ("lifecycle", role), state, states)
    scoped: list[tuple[tuple[str | int, ...], Any, Any]] = [((), spec.warnings, spec.escalation)]
    scoped += [
        (("tiers", name), tier.warnings, tier.escalation)
        for name, tier in (spec.tiers or {}).items()
    ]
    for base, warnings_, escalation in scoped:
        for i, warning in enumerate(warnings_ or []):
            for j, metric in enumerate(warning.metrics or []):
                ctx.check("metric", (*base, "warnings", i, "metrics", j), metric, metrics)
            if warning.notify_calendar is not None:
                path = (*base, "warnings", i, "notify_calendar")
                ctx.check("calendar", path, warning.notify_calendar, calendars)
        if escalation is not None:
            for j, metric in enumerate(escalation.metrics or []):
                ctx.check("metric", (*base, "escalation", "metrics", j), metric, metrics)
            if escalation.notify_calendar is not None:
                path = (*base, "escalation", "notify_calendar")
                ctx.check("calendar", path, escalation.notify_calendar, calendars)


def check_distinct_names(ctx: LintContext) -> None:
    """No name is both a severity, a channel and an issue class (tier targets are keyed by them)."""
    spec = ctx.spec
    seen: dict[str, str] = {name: "severity" for name in spec.severity_names()}
    for section, kind in (("channels", "channel"), ("issue_classes", "issue class")):
        for name in getattr(spec, section) or {}:
            if name in seen:
                ctx.report(
                    (section, name),
                    f"{name!r} names both a {seen[name]} and a {kind}, so a tier target keyed "
                    f"by it would be ambiguous; rename one of them",
                    at="key",
                )
            else:
                seen[name] = kind


def _composed_refs(
    ctx: LintContext, path: Path, entry: ComposedCalendarSpec, known: Sequence[str]
) -> None:
    for i, part in enumerate(entry.parts):
        here = (*path, entry.kind, i)
        if isinstance(part, str):
            if part not in known:
                ctx.check("calendar", here, part, known)
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
            _check_holiday_years(ctx, here, source)


def _policy_years(ctx: LintContext) -> tuple[int, int]:
    """The years a policy is evaluated in, as far as it says: from ``effective_from`` to
    ``effective_until`` (or one year on, when it names no end)."""
    first = ctx.spec.effective_from.year
    until = ctx.spec.effective_until
    return first, until.year if until is not None else first + 1


def _check_holiday_years(ctx: LintContext, path: Path, source: HolidaySpec) -> None:
    """Warn when the policy's years reach past the holiday data it relies on: a frozen list
    (an evaluation there is an error) or, live, the years the installed package computes."""
    first, last = _policy_years(ctx)
    if source.frozen is not None:
        from sla_engine.closures import parse_years

        try:
            lo, hi = parse_years(source.frozen)
        except CalendarError:
            return  # reported by the core's own check
        if first < lo or last > hi:
            ctx.report(
                (*path, "frozen"),
                f"the holidays are frozen for {lo}-{hi}, but the policy is in force "
                f"{first}-{last}; an evaluation outside {lo}-{hi} is an error. Freeze the "
                f"policy's years: sla-engine holidays freeze POLICY --years {first}-{last}",
                severity="warning",
            )
        return
    if source.country is None:
        return
    import holidays

    try:
        table = holidays.country_holidays(source.country)
    except (NotImplementedError, KeyError, ValueError):
        return  # an unknown country is reported by _check_holiday_source
    start, end = getattr(table, "start_year", None), getattr(table, "end_year", None)
    if isinstance(start, int) and isinstance(end, int) and (first < start or last > end):
        ctx.report(
            (*path, "country"),
            f"the installed holidays package ({_holidays_version()}) computes {source.country} "
            f"holidays for {start}-{end} only, but the policy is in force {first}-{last}; "
            f"freeze the holidays you rely on (sla-engine holidays freeze POLICY --years "
            f"{first}-{last}) or upgrade the package",
            severity="warning",
        )


def _holidays_version() -> str:
    from sla_engine.data_versions import data_versions

    return data_versions().holidays or "unknown version"


def _check_holiday_source(ctx: LintContext, path: Path, source: HolidaySpec) -> None:
    import holidays

    if source.frozen is not None:
        return  # the dates are the policy's own; the country is provenance only

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
    from holidays.registry import COUNTRIES

    # the registry's codes, not list_supported_countries(), which imports every country
    codes = {code for _, *names in COUNTRIES.values() for code in names if code.isupper()}
    country = source.country
    if country not in codes:
        code = _country_code(country)
        hint = f" (did you mean {code!r}?)" if code and code != country else ""
        ctx.report(
            (*path, "country"),
            f"{country!r} is not a country the holidays package knows{hint}; expected an "
            "ISO 3166 code such as 'US', 'DE' or 'IR'",
        )
        return
    cls = type(holidays.country_holidays(country))
    subdivisions = list(getattr(cls, "subdivisions", ()) or ())
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
        if tier.price is not None and tier.price.currency is None:
            ctx.report(
                ("tiers", name, "price"),
                "a price needs the policy's currency; add e.g. 'currency: USD' at the top",
            )
            return


def check_lifecycle(ctx: LintContext) -> None:
    """A policy's own lifecycle has a terminal state for resolved tickets to enter."""
    entries = ctx.spec.states
    if entries and not any(isinstance(s, StateSpec) and s.terminal for s in entries):
        ctx.report(
            ("states",),
            "no state is terminal, so a resolved ticket has nowhere to go; mark the states "
            "that end the work, e.g. {name: Resolved, terminal: true}",
        )


def check_catch_all(ctx: LintContext) -> None:
    """Every metric has a target for every ticket: a catch-all rule or the metric's default."""
    for metric, rules in planned_rules(ctx.spec).items():
        if ctx.is_broken("metric rules", metric):
            continue
        if not any(not rule.when for rule in rules):
            ctx.report(
                ("metrics", metric),
                f"no catch-all target for {metric!r}: a ticket no rule or tier target matches "
                f"would have no {metric} target; add a default to the metric, e.g. "
                "'default: 24h', or 'default: none' if the metric does not apply to such tickets",
                at="key",
            )


def check_shadowed_rules(ctx: LintContext) -> None:
    """No target rule is hidden by an earlier one that matches every ticket it would."""
    if not ctx.targets_intact():
        return
    for rules in planned_rules(ctx.spec).values():
        for j, rule in enumerate(rules):
            for earlier in rules[:j]:
                if earlier.covers(rule):
                    ctx.report(
                        rule.origin,
                        f"this target can never apply: the earlier rule {earlier.name!r} "
                        f"({format_path(earlier.origin)}) matches every ticket it would "
                        f"({_describe_when(rule.when)}); remove it or make the earlier rule "
                        "narrower",
                    )
                    break


def _describe_when(when: Mapping[str, Sequence[str]]) -> str:
    parts = [f"{k.replace('_', ' ')} {' or '.join(v)}" for k, v in when.items()]
    return " and ".join(parts) or "any ticket"


_Combo = dict[str, str | None]


def _combos(rules: Sequence[PlannedRule], attributes: Sequence[str]) -> Iterator[_Combo]:
    """One ticket per class of tickets the rules tell apart (values the rules name, or none)."""
    values: dict[str, list[str | None]] = {}
    for attribute in attributes:
        named = {v for rule in rules for v in rule.when.get(attribute, ())}
        values[attribute] = [*sorted(named), None]
    total = 1
    for options in values.values():
        total *= len(options)
    if total > _MAX_COMBOS:
        return
    for picked in itertools.product(*values.values()):
        yield dict(zip(values, picked, strict=True))


def _select(rules: Sequence[PlannedRule], combo: _Combo) -> PlannedRule | None:
    return next((rule for rule in rules if rule.matches(combo)), None)


def _calendar_of(rule: PlannedRule, combo: _Combo, spec: PolicySpec) -> str | None:
    if rule.calendar is not None:
        return rule.calendar
    tiers = spec.tiers or {}
    channels = spec.channels or {}
    tier = combo.get("tier")
    if tier is not None and tier in tiers:
        return tiers[tier].calendar
    channel = combo.get("channel")
    if channel is not None and (spec_ := channels.get(channel)) is not None and spec_.calendar:
        return spec_.calendar
    return spec.default_calendar_name()


def _longer(a: object, b: object) -> bool | None:
    """Whether target ``a`` is longer than ``b``; ``None`` when they cannot be compared."""
    if isinstance(a, BusinessDays) and isinstance(b, BusinessDays):
        return a.days > b.days
    if isinstance(a, timedelta) and isinstance(b, timedelta):
        return a > b
    return None


def _kind_of(spec: PolicySpec, metric: str) -> str:
    entry = (spec.metrics or {}).get(metric)
    return (entry or MetricSpec()).kind_for(metric)


def check_response_before_resolution(ctx: LintContext) -> None:
    """A response target is not longer than the resolution target of the same ticket."""
    if not ctx.targets_intact():
        return
    spec = ctx.spec
    plans = planned_rules(spec)
    responses = [m for m in plans if _kind_of(spec, m) in ("first_response", "next_response")]
    resolutions = [m for m in plans if _kind_of(spec, m) == "resolution"]
    reported: set[tuple[Path, Path]] = set()
    for response, resolution in itertools.product(responses, resolutions):
        both = [*plans[response], *plans[resolution]]
        for combo in _combos(both, (*ATTRIBUTES, *sorted(set(spec.attributes or ())))):
            a, b = _select(plans[response], combo), _select(plans[resolution], combo)
            if a is None or b is None or (a.origin, b.origin) in reported:
                continue
            same = _calendar_of(a, combo, spec) == _calendar_of(b, combo, spec)
            if same and _longer(a.target, b.target):
                reported.add((a.origin, b.origin))
                assert a.target is not None and b.target is not None
                ctx.report(
                    a.origin,
                    f"the {response} target {_show(a.target)} is longer than the {resolution} "
                    f"target {_show(b.target)} ({format_path(b.origin)}) for "
                    f"{_describe_combo(combo)}; a response cannot be due after the resolution: "
                    f"shorten the {response} target or lengthen the {resolution} one",
                )


def _describe_combo(combo: _Combo) -> str:
    parts = [f"{k.replace('_', ' ')} {v}" for k, v in combo.items() if v is not None]
    return "tickets with " + " and ".join(parts) if parts else "every ticket"


def check_severity_order(ctx: LintContext) -> None:
    """A more severe level does not get a looser target than a less severe one."""
    if not ctx.targets_intact():
        return
    spec = ctx.spec
    order = list(dict.fromkeys(spec.severity_names()))
    if len(order) < 2:
        return
    reported: set[tuple[Path, Path]] = set()
    for rules in planned_rules(spec).values():
        for combo in _combos(rules, ("tier", "channel", "issue_class")):
            picked: list[tuple[str, PlannedRule]] = []
            for severity in order:
                rule = _select(rules, combo | {"severity": severity})
                if rule is not None and rule.target is not None:
                    picked.append((severity, rule))
            for (more, a), (less, b) in itertools.pairwise(picked):
                if a.origin == b.origin or (a.origin, b.origin) in reported:
                    continue
                full = combo | {"severity": more}
                same = _calendar_of(a, full, spec) == _calendar_of(
                    b, combo | {"severity": less}, spec
                )
                if same and _longer(a.target, b.target):
                    reported.add((a.origin, b.origin))
                    assert a.target is not None and b.target is not None
                    ctx.report(
                        a.origin,
                        f"{more} ({_show(a.target)}) is looser than the less severe {less} "
                        f"({_show(b.target)}); a more severe level should not wait longer",
                    )


def _show(value: timedelta | BusinessDays) -> str:
    return str(value) if isinstance(value, BusinessDays) else format_duration(value)


def _bands(ctx: LintContext) -> list[tuple[int, Any]] | None:
    from sla_engine.credits import Band

    credits = ctx.spec.credits
    if credits is None or not isinstance(credits.rule, (DowntimeBandsSpec, UptimeBandsSpec)):
        return None
    out: list[tuple[int, Any]] = []
    for i, band in enumerate(credits.rule.bands):
        where: Path = ("credits", "rule", "bands", i)
        try:
            out.append((i, Band.parse(band.bounds, band.credit)))
        except CreditError as exc:
            ctx.report((*where, *exc.path), exc.message)
    return out


def check_credit_bands(ctx: LintContext) -> None:
    """Credit bands leave no gap (unless the rule says ``gaps: allowed``), do not overlap, and
    never give less for a worse outage."""
    bands = _bands(ctx)
    credits = ctx.spec.credits
    if not bands or credits is None:
        return
    uptime = isinstance(credits.rule, UptimeBandsSpec)
    expected = Decimal if uptime else timedelta
    for i, band in bands:
        if any(b is not None and not isinstance(b, expected) for b in (band.lower, band.upper)):
            unit = (
                "percentages such as '[99%, 99.9%)'" if uptime else "durations such as '[1h, 4h)'"
            )
            ctx.report(
                ("credits", "rule", "bands", i, "range"),
                f"the band {band.range_text()} does not fit {credits.rule.kind}: write its bounds "
                f"as {unit}",
            )
            return

    def order(item: tuple[int, Any]) -> tuple[int, Any]:
        lower = item[1].lower
        return (0, 0) if lower is None else (1, lower)

    ordered = sorted(bands, key=order)
    gaps = getattr(credits.rule, "gaps", None) == "allowed"
    for (_, prev), (i, band) in itertools.pairwise(ordered):
        where: Path = ("credits", "rule", "bands", i, "range")
        pair = f"the bands {prev.range_text()} and {band.range_text()}"
        fix = "make the second start where the first ends, e.g. '[1h, 4h)' then '[4h, 12h)'"
        if prev.upper is None or band.lower is None or prev.upper > band.lower:
            ctx.report(where, f"{pair} overlap; {fix}")
        elif prev.upper < band.lower:
            if gaps:
                continue
            ctx.report(
                where,
                f"{pair} leave a gap from {_bound(prev.upper)} to {_bound(band.lower)}; {fix}",
            )
        elif prev.upper_inclusive and band.lower_inclusive:
            ctx.report(
                where,
                f"{pair} both include {_bound(band.lower)}; exclude it from one of them, "
                "e.g. '[1h, 4h)' then '[4h, 12h)'",
            )
        elif not prev.upper_inclusive and not band.lower_inclusive and not gaps:
            ctx.report(
                where,
                f"{pair} both exclude {_bound(band.lower)}, leaving it uncovered; include it "
                "in one of them, e.g. '[1h, 4h)' then '[4h, 12h)'",
            )
    ranked = list(reversed(ordered)) if uptime else ordered
    measure = "less uptime" if uptime else "more downtime"
    for (_, prev), (i, band) in itertools.pairwise(ranked):
        if band.percent < prev.percent:
            ctx.report(
                ("credits", "rule", "bands", i, "credit"),
                f"the credit falls from {_pct(prev.percent)} ({prev.range_text()}) to "
                f"{_pct(band.percent)} ({band.range_text()}): {measure} would earn a smaller "
                "credit; make each band's credit at least the one before it",
            )


def _bound(value: object) -> str:
    return format_duration(value) if isinstance(value, timedelta) else f"{value}%"


def _pct(value: Decimal) -> str:
    return f"{value:f}%"


def check_caps(ctx: LintContext) -> None:
    """A percentage cap is not below a credit the schedule can give."""
    credits = ctx.spec.credits
    if credits is None:
        return
    rule = credits.rule
    top: tuple[Decimal, str] | None = None
    if isinstance(rule, (DowntimeBandsSpec, UptimeBandsSpec)):
        best = max(rule.bands, key=lambda b: b.credit)
        top = (best.credit, f"the band {best.bounds}")
    elif isinstance(rule, FlatStepSpec):
        top = (rule.credit, "the flat step")
    elif isinstance(rule, HourlyStepSpec) and rule.max_credit is not None:
        top = (rule.max_credit, "the maximum hourly-step credit")
    if top is None:
        return
    for key in ("cap_per_incident", "cap_per_period"):
        cap = getattr(credits, key)
        percent = cap if isinstance(cap, Decimal) else getattr(cap, "percent", None)
        if getattr(cap, "of", None) not in (None, "period_fee"):
            continue  # a share of the customer's own charges, not of the fee
        if percent is not None and percent < top[0]:
            ctx.report(
                ("credits", key),
                f"the cap {_pct(percent)} is below {top[1]} ({_pct(top[0])}), which could "
                f"never be paid in full; raise the cap to at least {_pct(top[0])} or lower the "
                "credit",
            )


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
    check_distinct_names,
    check_lifecycle,
    check_catch_all,
    check_shadowed_rules,
    check_response_before_resolution,
    check_severity_order,
    check_credit_bands,
    check_caps,
)


def lint(
    spec: PolicySpec,
    doc: SourceDocument,
    *,
    broken: Mapping[str, AbstractSet[str] | None] | None = None,
) -> LintContext:
    """Run every rule; the context holds the problems found and the calendars at fault.

    ``broken`` names what was left out of a partly valid policy (see :class:`LintContext`).
    """
    ctx = LintContext(spec=spec, doc=doc, broken=broken or {})
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
