"""A checked policy to the core's own objects, through the core's ``from_mapping`` readers.

The clocks get an ``SLA``: the policy's states (with the lifecycle roles), metrics, the target
rules for each metric and the calendar rules, its warnings, escalation chain and strategies.
Target rules are tried in this order, first match wins:

1. the policy's ``rules`` for the metric, in the order written;
2. each tier's ``targets`` for the metric, tier by tier, in the order written (a tier-wide
   target matches the tier; a keyed one the tier and that severity, channel or issue class),
   counted on the tier's calendar;
3. the metric's ``default``, the catch-all, on the metric's ``calendar``.

A rule that names no calendar is counted on the calendar the calendar rules pick: the ticket's
tier's calendar, else its channel's, else the default calendar.

The credits get a ``CreditSchedule`` (and a ``BillingCycle`` when the policy names one).
Every error the core raises carries a path into the policy, so it is located in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from sla_engine._time import BusinessDays
from sla_engine.errors import SLAEngineError
from sla_engine.policy.schema import NONE_TARGET, MetricSpec, PolicySpec, StateSpec
from sla_engine.policy.source import Path

if TYPE_CHECKING:
    from sla_engine.calendar import BusinessCalendar
    from sla_engine.clocks import SLA
    from sla_engine.credits import BillingCycle, CreditSchedule

__all__ = [
    "ATTRIBUTES",
    "CompileError",
    "PlannedRule",
    "attribute_names",
    "build_billing_cycle",
    "build_credit_schedule",
    "build_sla",
    "lifecycle_roles",
    "metric_names",
    "planned_calendar_rules",
    "planned_rules",
    "state_names",
]

ATTRIBUTES: Final = ("tier", "severity", "channel", "issue_class")
"""The ticket attributes targets are chosen by (the clocks' order)."""

DEFAULT_STATES: Final = (
    "New",
    "Triaged",
    "In Progress",
    "Waiting on Customer",
    "Escalated",
    "Resolved",
    "Verified",
    "Closed",
)
"""The clocks' default lifecycle, used when a policy lists no states."""


class CompileError(Exception):
    """A problem the core found while building from the policy, with the policy path."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedRule:
    """A target rule as it will be tried, with the place in the policy it comes from."""

    metric: str
    origin: Path
    name: str
    when: Mapping[str, tuple[str, ...]]
    target: timedelta | BusinessDays | None
    calendar: str | None
    customer_zone: bool = False

    def matches(self, attributes: Mapping[str, str | None]) -> bool:
        """Whether a ticket with ``attributes`` matches this rule."""
        return all(attributes.get(k) in values for k, values in self.when.items())

    def covers(self, other: PlannedRule) -> bool:
        """Whether every ticket ``other`` matches is matched by this rule too."""
        return all(
            key in other.when and set(other.when[key]) <= set(values)
            for key, values in self.when.items()
        )

    def mapping(self) -> dict[str, Any]:
        """The rule as ``TargetRule.from_mapping`` reads it."""
        out: dict[str, Any] = {
            "name": self.name,
            "when": {k: list(v) for k, v in self.when.items()},
            "target": None if self.target is None else _text(self.target),
        }
        if self.calendar is not None:
            out["calendar"] = self.calendar
        if self.customer_zone:
            out["customer_zone"] = True
        return out


def _text(value: timedelta | BusinessDays) -> str:
    from sla_engine._time import format_duration

    return str(value) if isinstance(value, BusinessDays) else format_duration(value)


def _target(value: object) -> timedelta | BusinessDays | None:
    if value == NONE_TARGET or value is None:
        return None
    assert isinstance(value, (timedelta, BusinessDays))
    return value


def metric_names(spec: PolicySpec) -> list[str]:
    """The metrics the policy defines."""
    return list(spec.metrics or {})


def state_names(spec: PolicySpec) -> list[str]:
    """The lifecycle's states: the policy's, or the clocks' default ones."""
    return spec.state_names() if spec.states else list(DEFAULT_STATES)


def attribute_names(spec: PolicySpec) -> dict[str, list[str]]:
    """The values each ticket attribute may take, by attribute."""
    return {
        "tier": list(spec.tiers or {}),
        "severity": spec.severity_names(),
        "channel": list(spec.channels or {}),
        "issue_class": list(spec.issue_classes or {}),
    }


def key_attribute(spec: PolicySpec, key: str) -> str | None:
    """Which attribute a tier target's key names (severity, channel or issue class)."""
    names = attribute_names(spec)
    for attribute in ("severity", "channel", "issue_class"):
        if key in names[attribute]:
            return attribute
    return None


def planned_rules(spec: PolicySpec) -> dict[str, list[PlannedRule]]:
    """Every metric's target rules in the order they are tried (see the module docstring).

    Rules of metrics the policy does not define, and tier targets whose key names no severity,
    channel or issue class, are left out (lint reports them).
    """
    metrics = spec.metrics or {}
    out: dict[str, list[PlannedRule]] = {name: [] for name in metrics}
    for metric, rules in (spec.rules or {}).items():
        if metric not in out:
            continue
        for i, rule in enumerate(rules):
            when = {
                key: tuple(values)
                for key in ATTRIBUTES
                if (values := getattr(rule.when, key, None)) is not None
            }
            if rule.when is not None:
                when.update((k, tuple(v)) for k, v in sorted(rule.when.others().items()))
            name = rule.name or (
                " and ".join(f"{k} {'|'.join(v)}" for k, v in when.items()) or "any ticket"
            )
            out[metric].append(
                PlannedRule(
                    metric=metric,
                    origin=("rules", metric, i),
                    name=name,
                    when=when,
                    target=_target(rule.target),
                    calendar=rule.calendar,
                    customer_zone=bool(rule.customer_zone),
                )
            )
    for tier_name, tier in (spec.tiers or {}).items():
        for metric, value in (tier.targets or {}).items():
            if metric not in out:
                continue
            base: Path = ("tiers", tier_name, "targets", metric)
            if not isinstance(value, dict):
                out[metric].append(
                    PlannedRule(
                        metric=metric,
                        origin=base,
                        name=f"tier {tier_name}",
                        when={"tier": (tier_name,)},
                        target=_target(value),
                        calendar=tier.calendar,
                        customer_zone=bool(tier.customer_zone),
                    )
                )
                continue
            for key, target in value.items():
                attribute = key_attribute(spec, key)
                if attribute is None:
                    continue
                out[metric].append(
                    PlannedRule(
                        metric=metric,
                        origin=(*base, key),
                        name=f"tier {tier_name}, {attribute.replace('_', ' ')} {key}",
                        when={"tier": (tier_name,), attribute: (key,)},
                        target=_target(target),
                        calendar=tier.calendar,
                        customer_zone=bool(tier.customer_zone),
                    )
                )
    for name, metric_spec in metrics.items():
        if metric_spec is not None and metric_spec.default is not None:
            out[name].append(
                PlannedRule(
                    metric=name,
                    origin=("metrics", name, "default"),
                    name="default",
                    when={},
                    target=_target(metric_spec.default),
                    calendar=metric_spec.calendar,
                )
            )
    return out


def planned_calendar_rules(spec: PolicySpec) -> list[tuple[Path, dict[str, Any]]]:
    """The calendar rules, with where each comes from: tiers, then channels, then the default."""
    out: list[tuple[Path, dict[str, Any]]] = []
    for name, tier in (spec.tiers or {}).items():
        out.append(
            (
                ("tiers", name, "calendar"),
                {
                    "name": f"tier {name}",
                    "when": {"tier": [name]},
                    "calendar": tier.calendar,
                    **({"customer_zone": True} if tier.customer_zone else {}),
                },
            )
        )
    for name, channel in (spec.channels or {}).items():
        if channel is not None and channel.calendar is not None:
            out.append(
                (
                    ("channels", name, "calendar"),
                    {
                        "name": f"channel {name}",
                        "when": {"channel": [name]},
                        "calendar": channel.calendar,
                    },
                )
            )
    where: Path = ("default_calendar",) if spec.default_calendar else ("calendars",)
    out.append((where, {"name": "default", "calendar": spec.default_calendar_name()}))
    return out


def lifecycle_roles(spec: PolicySpec) -> dict[str, str]:
    """The state each lifecycle event enters: as the policy names it, else by default.

    Defaults: the clocks' own names (New, Resolved, Verified, Closed, In Progress) when the
    policy has such a state; else ``initial`` is the first state, ``resolved`` the first
    terminal one, ``verified`` the resolved state, ``closed`` the last terminal one, and
    ``reopen`` the first working state after the initial one.
    """
    names = state_names(spec)
    entries = spec.states or [StateSpec(name=n, terminal=n in DEFAULT_STATES[5:]) for n in names]
    terminal = [
        e.name for e in entries if isinstance(e, StateSpec) and e.terminal
    ]  # plain names are working states
    working = [n for n in names if n not in terminal]
    given = spec.lifecycle.model_dump(exclude_none=True) if spec.lifecycle else {}
    roles: dict[str, str] = {}
    roles["initial"] = given.get("initial") or (
        "New" if "New" in names else (names[0] if names else "New")
    )
    roles["resolved"] = given.get("resolved") or (
        "Resolved" if "Resolved" in terminal else (terminal[0] if terminal else "Resolved")
    )
    roles["verified"] = given.get("verified") or (
        "Verified" if "Verified" in terminal else roles["resolved"]
    )
    roles["closed"] = given.get("closed") or (
        "Closed" if "Closed" in terminal else (terminal[-1] if terminal else "Closed")
    )
    after = [n for n in working if n != roles["initial"]]
    roles["reopen"] = given.get("reopen") or (
        "In Progress" if "In Progress" in working else (after[0] if after else roles["initial"])
    )
    return roles


def _metric_mapping(name: str, metric: MetricSpec | None) -> dict[str, Any]:
    metric = metric or MetricSpec()
    out: dict[str, Any] = {"name": name, "kind": metric.kind_for(name)}
    for key in ("start", "stop", "pause", "resume", "reset", "cancel"):
        value = getattr(metric, key)
        if value is not None:
            out[key] = list(value)
    for key in ("once", "repeat", "stop_on_terminal", "state", "severity_change", "reopen"):
        value = getattr(metric, key)
        if value is not None:
            out[key] = value
    return out


def _same(path: Path) -> Path:
    return path


@contextmanager
def _locating(rename: Callable[[Path], Path] = _same) -> Iterator[None]:
    """Turn a core error into a :class:`CompileError` at its (renamed) policy path."""
    try:
        yield
    except SLAEngineError as exc:
        path = tuple(getattr(exc, "path", ()) or ())
        raise CompileError(rename(path), getattr(exc, "message", str(exc))) from None


def _target_rule(rule: PlannedRule) -> Any:
    from sla_engine.clocks import TargetRule

    def where(path: Path) -> Path:
        # a tier target or a metric default is one value in the file: the core's keys are not
        return path if rule.origin[0] == "rules" else rule.origin

    with _locating(where):
        return TargetRule.from_mapping(rule.mapping(), path=rule.origin)


def build_sla(spec: PolicySpec, calendars: Mapping[str, BusinessCalendar]) -> SLA | None:
    """The clocks' ``SLA`` for the policy, or ``None`` when it defines no metrics.

    Raises :class:`CompileError` at the first problem the core finds, with a policy path.
    """
    if not spec.metrics:
        return None
    from sla_engine.clocks import (
        SLA,
        CalendarRule,
        EscalationChain,
        Lifecycle,
        Metric,
        Strategies,
        WarningRule,
    )

    metric_list = list(spec.metrics.items())
    with _locating():
        metrics = tuple(
            Metric.from_mapping(_metric_mapping(n, m), path=("metrics", n)) for n, m in metric_list
        )
        plans = planned_rules(spec)
    targets = {metric: tuple(_target_rule(r) for r in rules) for metric, rules in plans.items()}
    with _locating():
        cal_plans = planned_calendar_rules(spec)
        calendar_rules = tuple(CalendarRule.from_mapping(m, path=where) for where, m in cal_plans)
    fields: dict[str, Any] = {}
    if spec.states:
        roles = lifecycle_roles(spec)
        states = [
            {"name": s}
            if isinstance(s, str)
            else s.model_dump(include={"name", "pauses", "terminal"})
            for s in spec.states
        ]
        for state in states:
            if state.get("pauses") is None:
                state.pop("pauses", None)

        def role_path(path: Path) -> Path:
            return ("lifecycle", *path) if path and path[0] in roles else path

        with _locating(role_path):
            fields["lifecycle"] = Lifecycle.from_mapping({"states": states, **roles})
    scoped_warnings: list[tuple[Path, Any, dict[str, Any] | None]] = [
        (("warnings", i), w, None) for i, w in enumerate(spec.warnings or [])
    ]
    for tier_name, tier in (spec.tiers or {}).items():
        scoped_warnings += [
            (("tiers", tier_name, "warnings", i), w, {"tier": [tier_name]})
            for i, w in enumerate(tier.warnings or [])
        ]
    if scoped_warnings:
        rules_: list[WarningRule] = []
        for base, warning, when in scoped_warnings:
            data: dict[str, Any] = {"name": warning.name or _warning_name(warning.at, warning)}
            if warning.at is not None:
                data["share"] = f"{warning.at}%"
            if warning.before is not None:
                data["lead"] = _text(warning.before)
                data["clock"] = warning.clock or "business"
            if warning.metrics is not None:
                data["metrics"] = list(warning.metrics)
            if warning.notify_calendar is not None:
                data["notify_calendar"] = warning.notify_calendar
            if when is not None:
                data["when"] = when

            def warning_path(path: Path, base: Path = base) -> Path:
                renamed = {"share": "at", "lead": "before"}
                tail = tuple(renamed.get(str(p), p) for p in path[2:3]) + path[3:]
                return (*base, *tail) if len(path) >= 2 else base

            with _locating(warning_path):
                rules_.append(WarningRule.from_mapping(data, path=("warnings", len(rules_))))
        fields["warnings"] = tuple(rules_)
    if spec.escalation is not None:
        with _locating():
            fields["escalation"] = EscalationChain.from_mapping(
                _chain_data(spec.escalation, None), path=("escalation",)
            )
    tier_chains = []
    for tier_name, tier in (spec.tiers or {}).items():
        if tier.escalation is not None:
            where: Path = ("tiers", tier_name, "escalation")

            def chain_path(path: Path, where: Path = where) -> Path:
                return (*where, *path[1:])

            with _locating(chain_path):
                tier_chains.append(
                    EscalationChain.from_mapping(
                        _chain_data(tier.escalation, {"tier": [tier_name]}), path=("escalation",)
                    )
                )
    if tier_chains:
        fields["escalations"] = tuple(tier_chains)
    if spec.strategies is not None:
        choices = spec.strategies.model_dump(exclude_none=True)
        with _locating():
            fields["strategies"] = Strategies.from_mapping(choices, path=("strategies",))

    def sla_path(path: Path) -> Path:
        if not path:
            return path
        head = path[0]
        if head == "targets" and len(path) >= 3 and isinstance(path[2], int):
            return (*plans[str(path[1])][path[2]].origin, *path[3:])
        if head == "calendar_rules" and len(path) >= 2 and isinstance(path[1], int):
            return cal_plans[path[1]][0]
        if head == "metrics" and len(path) >= 2 and isinstance(path[1], int):
            return ("metrics", metric_list[path[1]][0], *path[2:])
        if head == "lifecycle" and len(path) >= 2 and path[1] == "states":
            return path[1:]
        return path

    with _locating(sla_path):
        return SLA(
            calendars=calendars,
            metrics=metrics,
            targets=targets,
            calendar_rules=calendar_rules,
            name=f"{spec.name} {spec.version}",
            version=spec.version,
            **fields,
        )


def _chain_data(chain: Any, when: dict[str, list[str]] | None) -> dict[str, Any]:
    """An escalation spec as ``EscalationChain.from_mapping`` reads it (a level's ``after``
    defaults to the previous level's ``responds_within``)."""
    levels = []
    previous: timedelta | BusinessDays | None = None
    for level in chain.levels:
        after = level.after if level.after is not None else (previous or timedelta(0))
        item = {"name": level.name, "after": _text(after)}
        if level.responds_within is not None:
            item["responds_within"] = _text(level.responds_within)
        levels.append(item)
        previous = level.responds_within
    data: dict[str, Any] = {"levels": levels}
    for key in ("clock", "metrics", "notify_calendar"):
        value = getattr(chain, key)
        if value is not None:
            data[key] = value
    if when is not None:
        data["when"] = when
    return data


def _warning_name(at: object, warning: Any) -> str:
    if at is not None:
        return f"{at}%"
    return f"{_text(warning.before)} before"


def build_credit_schedule(spec: PolicySpec) -> CreditSchedule | None:
    """The credits' ``CreditSchedule``, or ``None`` when the policy has no credits section."""
    if spec.credits is None:
        return None
    from sla_engine.credits import CreditSchedule

    data = spec.credits.model_dump(
        by_alias=True, exclude_none=True, exclude_defaults=True, exclude={"billing"}
    )
    with _locating():
        return CreditSchedule.from_mapping(data, path=("credits",))


def build_billing_cycle(spec: PolicySpec) -> BillingCycle | None:
    """The billing cycle credits are computed over, when the policy names one."""
    if spec.credits is None or spec.credits.billing is None:
        return None
    from sla_engine.credits import BillingCycle

    data = spec.credits.billing.model_dump(exclude_none=True)
    with _locating():
        return BillingCycle.from_mapping(data, path=("credits", "billing"))
