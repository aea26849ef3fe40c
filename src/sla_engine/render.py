"""The public support, pricing and SLA table of a policy, as Markdown or self-contained HTML.

:func:`render_policy` turns a checked policy into the page a provider publishes: support tiers
with their prices, channels with their first-response targets, every target by tier, severity,
channel and issue class, the business hours and holidays of each calendar (holiday names in the
calendar's own language, e.g. Persian for an Iranian calendar), warnings and the escalation
chain, the credit schedule with its claim window, and the exclusions.

Both formats are built from one document model, so they always say the same thing. The output
depends only on the policy and ``year`` (no clock, no locale): the same input gives the same
bytes. In Markdown every piece of text from the policy is backslash-escaped; in HTML it goes
through :func:`html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import MAX_PREC, Context, Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

import holidays as holidays_package

from sla_engine._time import US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, BusinessDays, td_to_us
from sla_engine.calendar import BusinessCalendar
from sla_engine.clocks import SLA, MetricKind, TargetRule
from sla_engine.credits import (
    Band,
    CreditSchedule,
    DowntimeBands,
    FlatStep,
    HourlyStep,
    LostTime,
    UptimeBands,
)
from sla_engine.data_versions import data_versions
from sla_engine.hours import DAY_SECONDS, DAY_TITLES

if TYPE_CHECKING:
    from sla_engine.policy.schema import PolicySpec

__all__ = ["RenderFormat", "RenderablePolicy", "human_duration", "render_policy"]

MAX_RENDER_YEARS: Final = 50
"""The most years of holidays one page lists."""

RenderFormat = Literal["markdown", "html"]
FORMATS: Final[tuple[str, ...]] = ("markdown", "html")


class RenderablePolicy(Protocol):
    """What rendering reads from a policy (``sla_engine.policy.Policy`` provides it)."""

    @property
    def spec(self) -> PolicySpec: ...

    @property
    def calendars(self) -> Mapping[str, BusinessCalendar]: ...

    @property
    def sla(self) -> SLA | None: ...

    @property
    def credit_schedule(self) -> CreditSchedule | None: ...


# ------------------------------------------------------------------------------ document model


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    """Plain text, and the language it is written in when not the document's."""

    text: str
    lang: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A table with a header row; every cell is plain text."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Paragraph:
    """A paragraph of plain text."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Bullets:
    """A bulleted list of plain text items."""

    items: tuple[str, ...]


Block = Table | Paragraph | Bullets


@dataclass(slots=True, kw_only=True)
class Section:
    """A heading and its blocks."""

    title: str
    level: int = 2
    blocks: list[Block] = field(default_factory=list)


# ------------------------------------------------------------------------------ wording


def _plural(n: int | Decimal, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def human_duration(value: timedelta | BusinessDays) -> str:
    """A duration for readers: ``2 hours``, ``1 hour 30 minutes``, ``30 seconds``,
    ``3 business days``."""
    if isinstance(value, BusinessDays):
        return _plural(value.days, "business day")
    us = td_to_us(value)
    sign = "minus " if us < 0 else ""
    us = abs(us)
    hours, rest = divmod(us, US_PER_HOUR)
    minutes, rest = divmod(rest, US_PER_MINUTE)
    parts = []
    if hours:
        parts.append(_plural(hours, "hour"))
    if minutes:
        parts.append(_plural(minutes, "minute"))
    if rest:
        seconds = Decimal(rest) / US_PER_SECOND
        parts.append(_plural(seconds.normalize() if rest % US_PER_SECOND else seconds, "second"))
    return sign + (" ".join(parts) or "0 seconds")


def _humanize(name: str) -> str:
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else name


_PER: Final = {
    "month": "per month",
    "year": "per year",
    "user-month": "per user per month",
    "user-year": "per user per year",
    "incident": "per incident",
    "once": "one-off",
}

_EXCLUSIONS: Final = {
    "scheduled_maintenance": "Scheduled maintenance",
    "third_party": "Third-party services and integrations",
    "customer_misconfiguration": "Misconfiguration on the customer's side",
    "force_majeure": "Force majeure",
    "beta": "Beta and preview features",
}

_ATTRIBUTE_TITLES: Final = {
    "tier": "tier",
    "severity": "severity",
    "channel": "channel",
    "issue_class": "issue class",
}


def _money(amount: Decimal, currency: str | None) -> str:
    text = f"{amount:,}"
    return f"{currency} {text}" if currency else text


def _holiday_lang(language: str) -> str:
    """``fa_IR`` -> ``fa-IR`` (a BCP 47 tag for HTML's ``lang``)."""
    return language.replace("_", "-")


# ------------------------------------------------------------------------------ labels


@dataclass(frozen=True, slots=True)
class _Labels:
    tiers: Mapping[str, str]
    severities: Mapping[str, str]
    channels: Mapping[str, str]
    issue_classes: Mapping[str, str]
    calendars: Mapping[str, str]
    metrics: Mapping[str, str]

    @classmethod
    def of(cls, spec: PolicySpec) -> _Labels:
        tiers = {k: t.label or _humanize(k) for k, t in (spec.tiers or {}).items()}
        severities: dict[str, str] = {}
        for entry in spec.severities or []:
            if isinstance(entry, str):
                severities[entry] = _humanize(entry)
            else:
                severities[entry.name] = entry.label or _humanize(entry.name)
        channels = {
            k: (c.label if c is not None and c.label else _humanize(k))
            for k, c in (spec.channels or {}).items()
        }
        issue_classes = {
            k: (c.label if c is not None and c.label else _humanize(k))
            for k, c in (spec.issue_classes or {}).items()
        }
        calendars = {
            k: (getattr(c, "name", None) or _humanize(k)) for k, c in spec.calendars.items()
        }
        metrics = {
            k: (m.label if m is not None and m.label else _humanize(k))
            for k, m in (spec.metrics or {}).items()
        }
        return cls(tiers, severities, channels, issue_classes, calendars, metrics)

    def value(self, attribute: str, value: str) -> str:
        table: Mapping[str, str] = {
            "tier": self.tiers,
            "severity": self.severities,
            "channel": self.channels,
            "issue_class": self.issue_classes,
        }.get(attribute, {})
        return table.get(value, _humanize(value))

    def any_value(self, value: str) -> str:
        """The label of a severity, channel or issue class name (tier targets' keys)."""
        for table in (self.severities, self.channels, self.issue_classes):
            if value in table:
                return table[value]
        return _humanize(value)

    def calendar(self, name: str) -> str:
        return self.calendars.get(name, _humanize(name))

    def metric(self, name: str) -> str:
        return self.metrics.get(name, _humanize(name))


def _match_text(rule: TargetRule, labels: _Labels, *, first: bool) -> str:
    parts = []
    names = ("tier", "severity", "channel", "issue_class", *rule.when.names())
    for attribute, wanted in zip(names, rule.when.conditions(names), strict=True):
        if wanted is None:
            continue
        shown = " or ".join(sorted(labels.value(attribute, v) for v in wanted))
        parts.append(f"{_ATTRIBUTE_TITLES.get(attribute, attribute.replace('_', ' '))}: {shown}")
    if not parts:
        return "All tickets" if first else "All other tickets"
    return "; ".join(parts)


# ------------------------------------------------------------------------------ sections


def _header(spec: PolicySpec) -> Section:
    until = f" until {spec.effective_until.isoformat()}" if spec.effective_until else ""
    section = Section(title=f"{spec.name}: support, pricing and service levels", level=1)
    section.blocks.append(
        Paragraph(
            text=f"Version {spec.version}, in force from {spec.effective_from.isoformat()}{until}."
        )
    )
    if spec.description:
        section.blocks.append(Paragraph(text=" ".join(spec.description.split())))
    return section


def _tiers(spec: PolicySpec, labels: _Labels) -> Section | None:
    if not spec.tiers:
        return None
    rows = []
    for name, tier in spec.tiers.items():
        note = " ".join(tier.price.note.split()) if tier.price and tier.price.note else ""
        if tier.price is None:
            price = "On request"
        elif tier.price.amount == 0:
            price = f"Included ({note})" if note else "Included"
        else:
            currency = tier.price.currency or spec.currency
            price = f"{_money(tier.price.amount, currency)} {_PER[tier.price.per]}"
            price += f" ({note})" if note else ""
        channels = ", ".join(labels.value("channel", c) for c in tier.channels or []) or "All"
        parts = [" ".join(tier.description.split())] if tier.description else []
        parts += tier.features or []
        features = "; ".join(parts)
        rows.append(
            (
                Cell(text=labels.value("tier", name)),
                Cell(text=price),
                Cell(text=labels.calendar(tier.calendar)),
                Cell(text=channels),
                Cell(text=features or "-"),
            )
        )
    return Section(
        title="Support tiers and prices",
        blocks=[
            Table(
                header=("Tier", "Price", "Support hours", "Channels", "Includes"),
                rows=tuple(rows),
            )
        ],
    )


def _first_response_for(sla: SLA | None, channel: str) -> TargetRule | None:
    """The first-response rule every ticket on ``channel`` gets unless a tier's rule says more."""
    if sla is None:
        return None
    for metric in sla.metrics:
        if metric.kind is not MetricKind.FIRST_RESPONSE:
            continue
        for rule in sla.targets.get(metric.name, ()):
            when = rule.when
            if (
                when.tier is None
                and when.severity is None
                and when.issue_class is None
                and (when.channel is None or channel in when.channel)
            ):
                return rule
        return None
    return None


def _counted_on(rule: TargetRule, labels: _Labels) -> str:
    return labels.calendar(rule.calendar) if rule.calendar else "the ticket's support hours"


def _channels(spec: PolicySpec, sla: SLA | None, labels: _Labels) -> Section | None:
    if not spec.channels:
        return None
    rows = []
    for name, channel in spec.channels.items():
        rule = _first_response_for(sla, name)
        if rule is None:
            first = "-"
        elif rule.target is None:
            first = "no target"
        else:
            first = human_duration(rule.target)
            if rule.calendar:
                first += f" ({labels.calendar(rule.calendar)})"
        description = (
            " ".join(channel.description.split()) if channel and channel.description else ""
        )
        hours = labels.calendar(channel.calendar) if channel and channel.calendar else "-"
        rows.append(
            (
                Cell(text=labels.value("channel", name)),
                Cell(text=description or "-"),
                Cell(text=hours),
                Cell(text=first),
            )
        )
    return Section(
        title="Channels",
        blocks=[
            Table(header=("Channel", "Description", "Open", "First response"), rows=tuple(rows)),
            Paragraph(
                text="First response: the target for any ticket on the channel; a tier's own "
                "targets below may be shorter."
            ),
        ],
    )


def _target_text(value: object) -> str:
    if isinstance(value, timedelta | BusinessDays):
        return human_duration(value)
    return "not applicable"


def _tier_targets(spec: PolicySpec, labels: _Labels) -> list[Block]:
    """Targets written on the tiers, one table per metric: a row per severity, channel or issue
    class named (and one for a tier-wide target), a column per tier."""
    tiers = {k: t for k, t in (spec.tiers or {}).items() if t.targets}
    if not tiers:
        return []
    metrics: list[str] = []
    for tier in tiers.values():
        for metric in tier.targets or {}:
            if metric not in metrics:
                metrics.append(metric)
    whole = ""  # the row key of a tier-wide target
    blocks: list[Block] = []
    for metric in metrics:
        columns = [k for k, t in tiers.items() if metric in (t.targets or {})]
        by_tier: dict[str, dict[str, object]] = {}
        keys: list[str] = []
        for k in columns:
            value = (tiers[k].targets or {})[metric]
            table: dict[str, object] = dict(value) if isinstance(value, Mapping) else {whole: value}
            by_tier[k] = table
            keys += [key for key in table if key not in keys]
        rows = []
        for key in keys:
            cells = [Cell(text="All tickets" if key == whole else labels.any_value(key))]
            for k in columns:
                found = by_tier[k].get(key)
                cells.append(Cell(text="-" if found is None else _target_text(found)))
            rows.append(tuple(cells))
        blocks.append(
            Table(
                caption=f"{labels.metric(metric)} by tier",
                header=("For", *(labels.value("tier", k) for k in columns)),
                rows=tuple(rows),
            )
        )
    return blocks


def _targets(spec: PolicySpec, sla: SLA | None, labels: _Labels) -> Section | None:
    blocks = _tier_targets(spec, labels)
    if sla is not None:
        for metric in sla.metrics:
            rules = sla.targets.get(metric.name, ())
            if not rules or all(r.target is None for r in rules):
                continue
            rows = []
            for i, rule in enumerate(rules):
                target = "not applicable" if rule.target is None else human_duration(rule.target)
                counted = "-" if rule.target is None else _counted_on(rule, labels)
                rows.append(
                    (
                        Cell(text=_match_text(rule, labels, first=i == 0)),
                        Cell(text=target),
                        Cell(text=counted),
                    )
                )
            blocks.append(
                Table(
                    caption=labels.metric(metric.name) + ": every rule, in order",
                    header=("Applies to", "Target", "Counted on"),
                    rows=tuple(rows),
                )
            )
        if sla.calendar_rules:
            items = []
            for calendar_rule in sla.calendar_rules:
                when = calendar_rule.when
                who = (
                    "all other tickets"
                    if when.is_catch_all()
                    else _match_text(TargetRule(name="-", when=when), labels, first=True)
                )
                items.append(f"{labels.calendar(calendar_rule.calendar)}: {who}")
            blocks.append(Paragraph(text="Targets are counted on these support hours:"))
            blocks.append(Bullets(items=tuple(items)))
    if not blocks:
        return None
    blocks.append(
        Paragraph(
            text="Rules are read in order: a ticket gets the first row that matches it. Targets "
            "count time while support is open."
        )
    )
    pausing = [st for st in sla.lifecycle.states if st.pauses] if sla is not None else []
    if pausing:
        blocks.append(Paragraph(text="Time in these states does not count:"))
        blocks.append(
            Bullets(
                items=tuple(
                    f"{st.name}: {', '.join(labels.metric(m) for m in sorted(st.pauses))}"
                    for st in pausing
                )
            )
        )
    return Section(title="Service level targets", blocks=blocks)


def _windows_text(calendar: BusinessCalendar, weekday: int) -> str:
    windows = calendar.weekly_hours.windows(weekday)
    if not windows:
        return "Closed"
    if len(windows) == 1 and windows[0].start == 0 and windows[0].end == DAY_SECONDS:
        return "Open 24 hours"
    return ", ".join(str(w).replace("-", "–") for w in windows)


def _holiday_names(mapping: Mapping[str, Any], first: date, last: date) -> dict[date, Cell]:
    """Holiday names by local date, each in its source's language (the country's own unless
    the policy names one) and tagged with it; a day two sources of different languages name
    is left untagged.

    The language is always passed explicitly, so the names never depend on the reader's locale.
    """
    raw = mapping.get("holidays")
    sources = raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []
    names: dict[date, Cell] = {}
    for source in sources:
        if source.get("frozen") is not None:  # the policy's own dates: no holiday data read
            language = source.get("language")
            lang = _holiday_lang(language) if language else None
            for text, name in source.get("dates", {}).items():
                day = date.fromisoformat(str(text))
                if first <= day <= last:
                    names[day] = Cell(text=str(name), lang=lang)
            continue
        kwargs: dict[str, Any] = {"years": range(first.year, last.year + 1)}
        if source.get("subdivision") is not None:
            kwargs["subdiv"] = source["subdivision"]
        if source.get("categories"):
            kwargs["categories"] = tuple(source["categories"])
        market = "market" in source
        if not market:
            kwargs["observed"] = source.get("observed", True)
        code = str(source.get("market") or source.get("country"))
        make = holidays_package.financial_holidays if market else holidays_package.country_holidays
        language = source.get("language") or make(code, years=first.year).default_language
        if language:
            kwargs["language"] = language
        lang = _holiday_lang(language) if language else None
        for day, name in make(code, **kwargs).items():
            if not first <= day <= last:
                continue
            old = names.get(day)
            if old is None:
                names[day] = Cell(text=str(name), lang=lang)
            else:
                same = old.lang == lang
                names[day] = Cell(text=f"{old.text}; {name}", lang=lang if same else None)
    return names


def _calendar_section(
    name: str, calendar: BusinessCalendar, spec_entry: Any, labels: _Labels, years: range
) -> Section:
    section = Section(title=f"Support hours: {labels.calendar(name)}", level=3)
    if calendar.kind != "hours":
        parts = [
            labels.calendar(p) if isinstance(p, str) else "a calendar written in place"
            for p in getattr(spec_entry, "parts", [])
        ]
        wording = {
            "union": "Open whenever any of these is open: ",
            "intersection": "Open only when all of these are open: ",
            "difference": "Open when the first is open and the second is not: ",
        }[calendar.kind]
        section.blocks.append(Paragraph(text=wording + ", ".join(parts) + "."))
        section.blocks.append(Paragraph(text=f"Time zone: {calendar.timezone}."))
        return section
    section.blocks.append(Paragraph(text=f"Time zone: {calendar.timezone}."))
    section.blocks.append(
        Table(
            header=("Day", "Hours"),
            rows=tuple(
                (Cell(text=DAY_TITLES[i]), Cell(text=_windows_text(calendar, i))) for i in range(7)
            ),
        )
    )
    first, last = date(years.start, 1, 1), date(years.stop - 1, 12, 31)
    mapping = calendar.to_mapping()
    holiday_names = _holiday_names(mapping, first, last)
    rows = []
    day = first
    while day <= last:
        reason = calendar.closure(day)
        if reason is not None:
            cell = holiday_names.get(day) or Cell(text=reason)
            rows.append((Cell(text=day.isoformat()), Cell(text=DAY_TITLES[day.weekday()]), cell))
        day += timedelta(days=1)
    span = str(years.start) if len(years) == 1 else f"{years.start}–{years.stop - 1}"
    if rows:
        section.blocks.append(
            Table(
                caption=f"Closed days {span}",
                header=("Date", "Day", "Holiday or closure"),
                rows=tuple(rows),
            )
        )
    else:
        section.blocks.append(Paragraph(text=f"No holidays or closed days in {span}."))
    special = {
        d: ws
        for d, ws in (mapping.get("special") or {}).items()
        if first.isoformat() <= d <= last.isoformat() and ws
    }
    if special:
        section.blocks.append(
            Table(
                caption=f"Special hours {span}",
                header=("Date", "Hours"),
                rows=tuple(
                    (Cell(text=d), Cell(text=", ".join(ws).replace("-", "–")))
                    for d, ws in special.items()
                ),
            )
        )
    return section


def _hours(policy: RenderablePolicy, labels: _Labels, years: range) -> list[Section]:
    spec = policy.spec
    head = Section(title="Support hours and holidays")
    head.blocks.append(
        Paragraph(text="Times are local to each calendar's time zone; targets pause while closed.")
    )
    versions = data_versions()
    zones = f"the IANA time-zone database {versions.tzdb}" if versions.tzdb else "the IANA database"
    head.blocks.append(
        Paragraph(
            text=f"Holiday dates not listed in this policy come from the holidays package "
            f"{versions.holidays}; local times follow {zones}."
        )
    )
    out = [head]
    for name, calendar in policy.calendars.items():
        out.append(_calendar_section(name, calendar, spec.calendars.get(name), labels, years))
    return out


def _escalation(spec: PolicySpec, sla: SLA | None, labels: _Labels) -> Section | None:
    if sla is None or (sla.escalation is None and not sla.warnings and not sla.escalations):
        return None
    section = Section(title="Warnings and escalation")
    if sla.warnings:
        items = []
        for warning in sla.warnings:
            scope = (
                f" (for {', '.join(labels.metric(m) for m in sorted(warning.metrics))})"
                if warning.metrics
                else ""
            )
            if warning.when is not None:
                scope += f" ({warning.when})"
            items.append(f"{warning.name}: at {warning.describe()}{scope}")
        section.blocks.append(Paragraph(text="The team is warned before a target is missed:"))
        section.blocks.append(Bullets(items=tuple(items)))
    chain = sla.escalation
    if chain is not None:
        written = {lv.name: lv for lv in (spec.escalation.levels if spec.escalation else [])}
        rows = []
        for i, (level, offset) in enumerate(zip(chain.levels, chain.offsets(), strict=True)):
            when = (
                "at the breach"
                if offset == timedelta(0)
                else f"{human_duration(offset)} after the breach"
            )
            source = written.get(level.name)
            contact = source.contact if source is not None and source.contact else "-"
            responds = (
                human_duration(source.responds_within)
                if source is not None and source.responds_within is not None
                else "-"
            )
            rows.append(
                (
                    Cell(text=str(i + 1)),
                    Cell(text=level.name),
                    Cell(text=contact),
                    Cell(text=when),
                    Cell(text=responds),
                )
            )
        clock = "business time" if chain.clock.value == "business" else "wall-clock time"
        section.blocks.append(
            Table(
                caption=f"Escalation when a target is missed ({clock})",
                header=("Level", "Who", "Contact", "Reached", "Responds within"),
                rows=tuple(rows),
            )
        )
    items = []
    for own in sla.escalations:
        steps = ", then ".join(
            f"{level.name} "
            + (
                "at the breach"
                if off == timedelta(0)
                else f"{human_duration(off)} after the breach"
            )
            for level, off in zip(own.levels, own.offsets(), strict=True)
        )
        items.append(f"{own.when or 'any ticket'}: {steps}")
    if items:
        section.blocks.append(Paragraph(text="Escalation chains of their own:"))
        section.blocks.append(Bullets(items=tuple(items)))
    return section


def _bound(value: object) -> str:
    if isinstance(value, timedelta):
        return human_duration(value)
    return f"{value}%"


def _band_text(band: Band) -> str:
    low, high = band.lower, band.upper
    if low is None and high is None:
        return "any"
    if low is None:
        return f"{'at most' if band.upper_inclusive else 'less than'} {_bound(high)}"
    if high is None:
        return f"{'at least' if band.lower_inclusive else 'more than'} {_bound(low)}"
    lower = f"{'at least' if band.lower_inclusive else 'more than'} {_bound(low)}"
    upper = f"{'at most' if band.upper_inclusive else 'less than'} {_bound(high)}"
    return f"{lower} and {upper}"


def _credit(schedule: CreditSchedule | None) -> list[Section]:
    if schedule is None:
        return []
    section = Section(title="Service credits")
    rule = schedule.rule
    per = (
        "each incident on its own"
        if schedule.basis == "incident"
        else "the total downtime in the billing period"
    )
    section.blocks.append(
        Paragraph(text=f"When a covered service is down, credits are computed from {per}.")
    )
    if isinstance(rule, DowntimeBands | UptimeBands):
        measure = "Downtime" if isinstance(rule, DowntimeBands) else "Uptime in the period"
        section.blocks.append(
            Table(
                header=(measure, "Credit (share of the period's fee)"),
                rows=tuple(
                    (Cell(text=_band_text(b)), Cell(text=f"{b.percent}%")) for b in rule.bands
                ),
            )
        )
    elif isinstance(rule, FlatStep):
        how = "at least" if rule.inclusive else "more than"
        section.blocks.append(
            Paragraph(
                text=f"A credit of {rule.percent}% of the period's fee for downtime of {how} "
                f"{human_duration(rule.threshold)}."
            )
        )
    elif isinstance(rule, LostTime):
        base = "the prorated fee" if rule.rate == "prorated" else "the hourly rate"
        section.blocks.append(
            Paragraph(text=f"Downtime is credited at {rule.multiple} × {base} for its length.")
        )
    elif isinstance(rule, HourlyStep):
        cap = f", up to {rule.max_percent}%" if rule.max_percent is not None else ""
        allowance = (
            f"{rule.allowance}% of the period"
            if isinstance(rule.allowance, Decimal)
            else human_duration(rule.allowance)
        )
        section.blocks.append(
            Paragraph(
                text=f"{rule.percent_per_step}% of the period's fee for each complete "
                f"{human_duration(rule.step)} of downtime beyond "
                f"{allowance}{cap}."
            )
        )
    terms = []
    if schedule.claim is None:
        terms.append("No claim is needed: credits are applied automatically.")
    else:
        terms.append(f"Claim window: file a claim within {schedule.claim.describe()}.")
    if schedule.cap_per_incident is not None:
        terms.append(f"Cap per incident: {schedule.cap_per_incident.describe()}.")
    if schedule.cap_per_period is not None:
        terms.append(f"Cap per billing period: {schedule.cap_per_period.describe()}.")
    if schedule.minimum_payout is not None:
        m = schedule.minimum_payout
        word = "more than" if m.comparison == ">" else "at least"
        terms.append(f"Credits are paid when they come to {word} {m.amount}.")
    if schedule.minimum_downtime > timedelta(0):
        strict = "minimum_downtime" in schedule.strict
        terms.append(
            f"Downtime {'no longer' if strict else 'shorter'} than "
            f"{human_duration(schedule.minimum_downtime)} is not credited."
        )
    if schedule.commitment is not None:
        terms.append(
            f"Credits are owed only when the period's uptime is below {schedule.commitment}%."
        )
    for key, word in (("min_error_rate", "error rate"), ("min_affected_share", "share of users")):
        threshold = getattr(schedule, key)
        if threshold is not None:
            how = "above" if key in schedule.strict else "at least"
            percent = Context(prec=MAX_PREC).multiply(threshold, 100)  # exact
            terms.append(f"An outage counts when its {word} is {how} {percent:f}%.")
    if schedule.weight is not None:
        word = "error rate" if schedule.weight == "error_rate" else "share of users affected"
        terms.append(f"Each minute of a partial outage counts in proportion to its {word}.")
    if schedule.count_from == "reported_at":
        terms.append("Downtime counts from when you report it.")
    if schedule.minutes == "touched":
        terms.append("Every clock minute touched by downtime counts as a whole minute.")
    elif schedule.minutes == "full":
        terms.append("Only clock minutes wholly unavailable count.")
    if schedule.plans:
        terms.append(
            "Plans with terms of their own: "
            + ", ".join(
                name + (f" (commitment {plan.commitment}%)" if plan.commitment is not None else "")
                for name, plan in schedule.plans
            )
            + "."
        )
    if schedule.planned_downtime == "out_of_period":
        terms.append("Announced maintenance is taken out of the period's length.")
    if schedule.services is not None:
        terms.append(f"Covered services: {', '.join(sorted(schedule.services))}.")
    section.blocks.append(Bullets(items=tuple(terms)))
    out = [section]
    if schedule.exclusions:
        items = []
        for reason in sorted(schedule.exclusions):
            text = _EXCLUSIONS.get(reason, _humanize(reason))
            if (
                reason == "scheduled_maintenance"
                and schedule.maintenance_notice is not None
                and schedule.maintenance_notice > timedelta(0)
            ):
                text += f" announced at least {human_duration(schedule.maintenance_notice)} ahead"
            items.append(text)
        out.append(
            Section(
                title="Exclusions",
                blocks=[
                    Paragraph(text="Downtime caused by the following is not credited:"),
                    Bullets(items=tuple(items)),
                ],
            )
        )
    return out


def build_document(
    policy: RenderablePolicy, *, year: int | None = None, years: int = 1
) -> list[Section]:
    """The sections of the public page, in order."""
    spec = policy.spec
    first = spec.effective_from.year if year is None else year
    if (
        not isinstance(first, int)
        or not isinstance(years, int)
        or not 1900 <= first <= 2199
        or not 1 <= years <= MAX_RENDER_YEARS
        or first + years - 1 > 2199
    ):
        from sla_engine.errors import PolicyError, PolicyProblem

        shown_first = first if isinstance(first, int) and abs(first) < 10**9 else "?"
        shown_years = years if isinstance(years, int) and abs(years) < 10**9 else "?"
        raise PolicyError(
            [
                PolicyProblem(
                    path="",
                    message=f"year {shown_first} and years {shown_years} give no valid range; "
                    f"give a year from 1900 to 2199, such as 2026, and years from 1 to "
                    f"{MAX_RENDER_YEARS} ending by 2199",
                    source=getattr(policy, "source", None),
                )
            ],
            source=getattr(policy, "source", None),
        )
    labels = _Labels.of(spec)
    sla = policy.sla
    sections: list[Section | None] = [
        _header(spec),
        _tiers(spec, labels),
        _channels(spec, sla, labels),
        _targets(spec, sla, labels),
        *_hours(policy, labels, range(first, first + years)),
        _escalation(spec, sla, labels),
        *_credit(policy.credit_schedule),
    ]
    return [s for s in sections if s is not None]


# ------------------------------------------------------------------------------ Markdown

_MD_SPECIAL: Final = frozenset("\\`*_[]<>|&~#!")


def _md(text: str) -> str:
    """Escape text for Markdown (CommonMark escapes any ASCII punctuation with a backslash)."""
    flat = " ".join(text.split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in flat)


def _markdown(sections: Iterable[Section]) -> str:
    lines: list[str] = []
    for section in sections:
        lines += ["#" * section.level + " " + _md(section.title), ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines += [_md(block.text), ""]
            elif isinstance(block, Bullets):
                lines += [f"- {_md(item)}" for item in block.items] + [""]
            else:
                if block.caption:
                    lines += [f"**{_md(block.caption)}**", ""]
                lines.append("| " + " | ".join(_md(h) for h in block.header) + " |")
                lines.append("|" + "|".join("---" for _ in block.header) + "|")
                for row in block.rows:
                    lines.append("| " + " | ".join(_md(c.text) for c in row) + " |")
                lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# ------------------------------------------------------------------------------ HTML

_STYLE: Final = """\
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Vazirmatn",sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
table{border-collapse:collapse;margin:0 0 1.5rem;width:100%}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #c8c8c8;padding:.35rem .6rem;text-align:start;vertical-align:top}
th{background:#f2f2f2}
h1{font-size:1.8rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
"""


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _cell(tag: str, cell: Cell) -> str:
    if cell.lang:
        return f'<{tag} lang="{_h(cell.lang)}" dir="auto">{_h(cell.text)}</{tag}>'
    return f'<{tag} dir="auto">{_h(cell.text)}</{tag}>'


def _html(sections: Sequence[Section], title: str) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(title)}</title>",
        f"<style>\n{_STYLE}</style>",
        "</head>",
        "<body>",
    ]
    for section in sections:
        level = min(max(section.level, 1), 6)
        out.append(f"<h{level}>{_h(section.title)}</h{level}>")
        for block in section.blocks:
            if isinstance(block, Paragraph):
                out.append(f'<p dir="auto">{_h(block.text)}</p>')
            elif isinstance(block, Bullets):
                out.append("<ul>")
                out += [f'<li dir="auto">{_h(item)}</li>' for item in block.items]
                out.append("</ul>")
            else:
                out.append("<table>")
                if block.caption:
                    out.append(f"<caption>{_h(block.caption)}</caption>")
                out.append(
                    "<thead><tr>"
                    + "".join(f'<th scope="col">{_h(h)}</th>' for h in block.header)
                    + "</tr></thead>"
                )
                out.append("<tbody>")
                for row in block.rows:
                    out.append("<tr>" + "".join(_cell("td", c) for c in row) + "</tr>")
                out.append("</tbody>")
                out.append("</table>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def render_policy(
    policy: RenderablePolicy,
    *,
    format: RenderFormat = "markdown",
    year: int | None = None,
    years: int = 1,
) -> str:
    """The public support, pricing and SLA page of ``policy`` as Markdown or HTML.

    Holidays are listed for ``years`` calendar years from ``year`` (default: the year the policy
    takes effect). The result depends on nothing else: no clock, no locale.
    """
    if format not in FORMATS:
        raise ValueError(f"format {format!r} is not one of {', '.join(FORMATS)}")
    sections = build_document(policy, year=year, years=years)
    if format == "html":
        return _html(sections, sections[0].title)
    return _markdown(sections)
