"""Private: the compiled clock engine, in integer microseconds.

An :class:`Engine` is built once per SLA. A :class:`Run` is one ticket's state; ``Run.feed`` applies
one event in time bounded by the number of metrics (never by the length of the log). Each open
cycle keeps the business time counted so far on the calendar it is counted on; a target change
that moves it to another calendar re-counts the cycle's closed segments there once (each segment
is counted on each calendar at most once, so the cost stays amortised constant per event).
Instants reached between events (warnings, the due time, a breach) are found with the calendar's
``add_us`` when a running segment closes; at evaluation they are projected the same way from the
open segment, so batch and incremental answers agree by construction.

Speed: what an event does to the lifecycle (which tables fire, which clocks pause) is computed
once per (state, state) pair and cached on the engine; target selection is cached per attribute
combination; a calendar open around the clock is counted with integer arithmetic; the cycle logs
hold raw tuples whose text is only built when an evaluation renders them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sla_engine._time import BusinessDays, from_us, td_to_us, to_us
from sla_engine.calendar import FIRST_YEAR, LAST_YEAR, BusinessCalendar
from sla_engine.clocks.escalation import Clock, EscalationChain
from sla_engine.clocks.events import (
    ATTRIBUTE_OF,
    ATTRIBUTES,
    VALUE_REQUIRED,
    EventKind,
    split_attribute,
)
from sla_engine.clocks.lifecycle import Lifecycle
from sla_engine.clocks.metrics import MetricKind, Trigger
from sla_engine.clocks.strategies import Reopen, SeverityChange
from sla_engine.errors import TicketError
from sla_engine.hours import WeeklyHours

if TYPE_CHECKING:
    from sla_engine.clocks.sla import SLA

START: Final = 0
STOP: Final = 1
PAUSE: Final = 2
RESUME: Final = 3
RESET: Final = 4
CANCEL: Final = 5
_ACTION_FIELDS: Final = ("start", "stop", "pause", "resume", "reset", "cancel")
# actions of compiled steps besides the triggers' own
TERMINAL: Final = 6  # the ticket entered a terminal state: fulfil the open cycle
REOPEN: Final = 7  # the ticket left a terminal state: resume the cycle or open a new one
STATE_PAUSE: Final = 8  # the new state pauses the metric
STATE_RESUME: Final = 9  # the new state no longer pauses it
SET_STATE: Final = 10  # the ticket is now in state ``mi`` (after the leave triggers)
_STATE_PAUSES: Final = (STATE_PAUSE, STATE_RESUME)

# warning modes
SHARE: Final = 0
BUSINESS_LEAD: Final = 1
WALL_LEAD: Final = 2

#: (rule position, target µs or None, calendar index, read in the ticket's zone, business days,
#: mark). ``business days`` is 0 unless the rule's target is a count of business days; the
#: target is then fixed when the cycle starts (see :meth:`Run.target_of`). ``mark`` is the
#: count below which closing a segment crosses nothing (see :meth:`MetricPlan.mark`).
Selection = tuple[int, int | None, int, bool, int, int]
#: the ticket's attributes: the named four (ATTRIBUTES order), then the SLA's others by name
Attrs = tuple[str | None, ...]
Elapsed = Callable[[int, int], int]
Table = list[tuple[int, int, "EventKind | None", "MetricPlan"]]
#: One operation of a compiled step: (metric index or state, action, after-guard, plan, why).
Op = tuple[int, int, "EventKind | None", "MetricPlan", str]

# EventKind members, bound once (an enum class attribute lookup is slow in a hot loop)
_CREATED: Final = EventKind.CREATED
_STATUS_CHANGED: Final = EventKind.STATUS_CHANGED
_RESOLVED: Final = EventKind.RESOLVED
_VERIFIED: Final = EventKind.VERIFIED
_CLOSED: Final = EventKind.CLOSED
_REOPENED: Final = EventKind.REOPENED
_CUSTOM: Final = EventKind.CUSTOM
_RESTART: Final = SeverityChange.RESTART
_CARRY: Final = SeverityChange.CARRY
_RESUME: Final = Reopen.RESUME

# a margin inside the calendars' horizon where a 24x7 calendar is counted with arithmetic;
# outside it the calendar itself answers (and raises its HorizonError)
_YEAR_US: Final = 366 * 24 * 3600 * 1_000_000
_SAFE_LO: Final = to_us(datetime.fromisoformat(f"{FIRST_YEAR:04d}-01-01T00:00:00+00:00")) + (
    2 * _YEAR_US
)
_SAFE_HI: Final = to_us(datetime.fromisoformat(f"{LAST_YEAR + 1:04d}-01-01T00:00:00+00:00")) - (
    2 * _YEAR_US
)


def _always_open(cal: BusinessCalendar) -> bool:
    """True for a calendar open every microsecond (24x7 with no closures or special hours)."""
    if cal.kind != "hours" or cal.weekly_hours != WeeklyHours.always():
        return False
    return set(cal.to_mapping()) <= {"timezone", "hours", "name"}


def _arith(cal: BusinessCalendar) -> tuple[Elapsed, Elapsed]:
    """``elapsed_us`` and ``add_us`` of an always-open calendar, as integer arithmetic."""
    slow_el = cal.elapsed_us
    slow_add = cal.add_us
    lo = _SAFE_LO
    hi = _SAFE_HI

    def elapsed(a: int, b: int) -> int:
        # both ends inside the margin (tested as lo <= a <= b < hi, the usual order, first)
        if lo <= a <= b < hi or lo <= b < a < hi:
            return b - a
        return slow_el(a, b)

    def add(t: int, d: int) -> int:
        u = t + d
        if lo <= t <= u < hi or lo <= u < t < hi:
            return u
        return slow_add(t, d)

    return elapsed, add


class WarnPlan:
    __slots__ = ("conds", "den", "lead", "mode", "name", "notify", "num")

    def __init__(
        self, name: str, mode: int, num: int, den: int, lead: int, notify: BusinessCalendar | None
    ) -> None:
        self.name = name
        self.mode = mode
        self.num = num
        self.den = den
        self.lead = lead
        self.notify = notify
        #: the tickets warned (None: all), as attribute conditions
        self.conds: tuple[frozenset[str] | None, ...] | None = None


class EscPlan:
    __slots__ = ("answers", "business", "conds", "names", "notify", "offsets")

    def __init__(
        self,
        names: tuple[str, ...],
        offsets: tuple[int, ...],
        business: bool,
        notify: BusinessCalendar | None,
        conds: tuple[frozenset[str] | None, ...] | None = None,
        answers: tuple[int | None, ...] = (),
    ) -> None:
        self.names = names
        self.offsets = offsets
        self.business = business
        self.notify = notify
        self.conds = conds
        #: each level's answer time in µs (``responds_within``), or None
        self.answers = answers or (None,) * len(names)


class Rule:
    __slots__ = ("bdays", "calendar", "conds", "name", "target", "text", "zoned")

    def __init__(
        self,
        name: str,
        conds: tuple[frozenset[str] | None, ...],
        target: int | None,
        calendar: int,
        text: str,
        *,
        bdays: int = 0,
        zoned: bool = False,
    ) -> None:
        self.name = name
        self.conds = conds
        self.target = target
        self.calendar = calendar
        self.text = text
        self.bdays = bdays
        self.zoned = zoned

    @property
    def applies(self) -> bool:
        """Whether the metric applies to tickets this rule matches."""
        return self.target is not None or self.bdays > 0


class MetricPlan:
    __slots__ = (
        "cals",
        "change",
        "escs",
        "honours_pause",
        "index",
        "kind",
        "memo",
        "multi",
        "name",
        "once",
        "reopen",
        "repeat",
        "rules",
        "stop_on_terminal",
        "warns",
    )

    def __init__(self, index: int, name: str, kind: MetricKind) -> None:
        self.index = index
        self.name = name
        self.kind = kind
        self.rules: list[Rule] = []
        self.cals: tuple[int, ...] = ()
        self.multi = False  # whether a cycle may move to another calendar
        self.once = False
        self.repeat = False
        self.stop_on_terminal = True
        self.honours_pause = True
        self.warns: tuple[WarnPlan, ...] = ()
        #: the escalation chains watching this metric, tried in order
        self.escs: list[EscPlan] = []
        self.memo: dict[Attrs, Selection | str] = {}
        #: the strategies this metric follows (its own, else the SLA's)
        self.change: SeverityChange = SeverityChange.RECOMPUTE
        self.reopen: Reopen = Reopen.RESUME

    def mark(self, target: int | None) -> int:
        """The least business count at which a cycle with ``target`` reaches its due time or
        a warning: below it, closing a segment records nothing."""
        if target is None:
            return 0
        mark = target
        for w in self.warns:
            if w.mode == SHARE:
                mark = min(mark, -(-w.num * target // w.den))
            elif w.mode == BUSINESS_LEAD:
                mark = min(mark, target - w.lead)
            else:  # a wall lead is reached no earlier than this business count (see _crossings)
                mark = min(mark, target - w.lead + 1)
        return mark


class Transition:
    """What moving from one lifecycle state to another does, computed once per pair."""

    __slots__ = ("enter", "enter_why", "from_terminal", "leave", "leave_why", "pauses", "reason")

    def __init__(self, eng: Engine, old: int, new: int) -> None:
        names = eng.lifecycle.states
        self.leave: Table | None = eng.on_leave.get(names[old].name) if old >= 0 else None
        self.leave_why = f"left {names[old].name!r}" if old >= 0 else ""
        self.enter: Table | None = eng.on_enter.get(names[new].name)
        self.enter_why = f"entered {names[new].name!r}"
        #: 1: entering a terminal state; -1: leaving one; 0: neither
        self.from_terminal = 0
        if old >= 0 and not eng.terminal[old] and eng.terminal[new]:
            self.from_terminal = 1
        elif old >= 0 and eng.terminal[old] and not eng.terminal[new]:
            self.from_terminal = -1
        before = eng.state_pauses[old] if old >= 0 else (False,) * len(eng.plans)
        after = eng.state_pauses[new]
        #: (metric index, paused) for each metric whose state pause changes
        self.pauses: tuple[tuple[int, bool], ...] = tuple(
            (mi, after[mi]) for mi in range(len(eng.plans)) if after[mi] != before[mi]
        )
        self.reason = repr(names[new].name)


def _matches(conds: tuple[frozenset[str] | None, ...], attrs: Attrs) -> bool:
    for wanted, value in zip(conds, attrs, strict=True):
        if wanted is not None and value not in wanted:
            return False
    return True


class Engine:
    """An SLA compiled for fast evaluation. Built by ``SLA``; not for direct use."""

    def __init__(self, sla: SLA) -> None:
        self.sla = sla
        #: the SLA's content hash, computed when first asked (see ``SLA.content_hash``)
        self.content_hash: str | None = None
        #: calendars by index: the SLA's own first, then zone variants as tickets need them
        self.cal_names: list[str] = list(sla.calendars)
        self.cals: list[BusinessCalendar] = list(sla.calendars.values())
        self.cal_zone: list[str | None] = [None] * len(self.cals)
        self.el: list[Elapsed] = []
        self.add: list[Elapsed] = []
        for calendar in self.cals:
            self._ops(calendar)
        self._zoned: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()
        cal_index = {name: i for i, name in enumerate(self.cal_names)}
        lifecycle = sla.lifecycle
        self.lifecycle = lifecycle
        self.states: dict[str, int] = {s.name: i for i, s in enumerate(lifecycle.states)}
        self.terminal: tuple[bool, ...] = tuple(s.terminal for s in lifecycle.states)
        self.initial = self.states[lifecycle.initial]
        self.resolved = self.states[lifecycle.resolved]
        self.verified = self.states[lifecycle.verified]
        self.closed = self.states[lifecycle.closed]
        metric_names = [m.name for m in sla.metrics]
        # the default lifecycle serves any set of metrics; a policy's own must name real ones
        own = lifecycle != Lifecycle.default()
        for i, state in enumerate(lifecycle.states if own else ()):
            for name in sorted(state.pauses - set(metric_names)):
                raise TicketError(
                    f"lifecycle state {state.name!r} pauses {name!r}, which is not a metric of "
                    f"this SLA (metrics: {', '.join(metric_names)})",
                    path=("lifecycle", "states", i, "pauses"),
                )
        #: the attributes beyond the named four that some condition names, sorted; a ticket's
        #: attribute tuple is the named four, then these
        self.extra: tuple[str, ...] = tuple(
            sorted(
                {
                    name
                    for when in (
                        *(r.when for rules in sla.targets.values() for r in rules),
                        *(r.when for r in sla.calendar_rules),
                        *(w.when for w in sla.warnings if w.when is not None),
                        *(c.when for c in sla.escalations if c.when is not None),
                        *([sla.escalation.when] if sla.escalation and sla.escalation.when else []),
                    )
                    for name in when.names()
                }
            )
        )
        self.attr_names: tuple[str, ...] = (*ATTRIBUTES, *self.extra)
        #: each other attribute's position in the attribute tuple
        self.extra_index: dict[str, int] = {
            name: len(ATTRIBUTES) + k for k, name in enumerate(self.extra)
        }
        names = self.attr_names
        self.cal_rules: list[tuple[str, tuple[frozenset[str] | None, ...], int, str, bool]] = []
        for i, crule in enumerate(sla.calendar_rules):
            if crule.calendar not in cal_index:
                raise TicketError(
                    f"calendar rule {crule.name!r} names calendar {crule.calendar!r}, which is "
                    f"not defined (calendars: {', '.join(self.cal_names)})",
                    path=("calendar_rules", i, "calendar"),
                )
            self.cal_rules.append(
                (
                    crule.name,
                    crule.when.conditions(names),
                    cal_index[crule.calendar],
                    str(crule.when),
                    crule.customer_zone,
                )
            )
            if crule.customer_zone:
                self._check_zoned(cal_index[crule.calendar], ("calendar_rules", i, "calendar"))
        for key in sla.targets:
            if key not in metric_names:
                raise TicketError(
                    f"targets are given for {key!r}, which is not a metric of this SLA "
                    f"(metrics: {', '.join(metric_names)})",
                    path=("targets", key),
                )
        self.plans: list[MetricPlan] = []
        #: whether a warning or an escalation chain depends on the ticket's attributes
        self.by_attrs = False
        # dispatch tables: trigger -> [(metric index, action, after-guard, plan)]
        self.on_event: dict[EventKind, Table] = {}
        self.on_custom: dict[str, Table] = {}
        self.on_enter: dict[str, Table] = {}
        self.on_leave: dict[str, Table] = {}
        for mi, metric in enumerate(sla.metrics):
            plan = MetricPlan(mi, metric.name, metric.kind)
            plan.once = metric.once
            plan.repeat = metric.repeat
            plan.stop_on_terminal = metric.stop_on_terminal
            plan.change = metric.severity_change or sla.strategies.severity_change
            plan.reopen = metric.reopen or sla.strategies.reopen
            plan.honours_pause = (
                metric.kind is not MetricKind.FIRST_RESPONSE or sla.strategies.first_response_pauses
            )
            rules = sla.targets.get(metric.name)
            if not rules:
                raise TicketError(
                    f"metric {metric.name!r} has no target rules; add at least a catch-all rule "
                    "(target null if the metric should not apply)",
                    path=("targets", metric.name),
                )
            used: set[int] = set()
            homes: set[tuple[int, bool]] = set()
            for ri, rule in enumerate(rules):
                if rule.calendar is None:
                    cal = -1
                    used.update(c for _, _, c, _, _ in self.cal_rules)
                    homes.update((c, z or rule.customer_zone) for _, _, c, _, z in self.cal_rules)
                elif rule.calendar in cal_index:
                    cal = cal_index[rule.calendar]
                    used.add(cal)
                    homes.add((cal, rule.customer_zone))
                else:
                    raise TicketError(
                        f"rule {rule.name!r} of {metric.name!r} names calendar "
                        f"{rule.calendar!r}, which is not defined (calendars: "
                        f"{', '.join(self.cal_names)})",
                        path=("targets", metric.name, ri, "calendar"),
                    )
                if rule.customer_zone and cal >= 0:
                    self._check_zoned(cal, ("targets", metric.name, ri, "calendar"))
                if rule.target is None:
                    target, bdays = None, 0
                elif isinstance(rule.target, BusinessDays):
                    target, bdays = None, rule.target.days
                else:
                    target, bdays = td_to_us(rule.target), 0
                plan.rules.append(
                    Rule(
                        rule.name,
                        rule.when.conditions(names),
                        target,
                        cal,
                        str(rule.when),
                        bdays=bdays,
                        zoned=rule.customer_zone,
                    )
                )
            plan.cals = tuple(sorted(used)) or (0,)
            plan.multi = len(homes | {(plan.cals[0], False)}) > 1
            warns = []
            for wi, warning in enumerate(sla.warnings):
                if not warning.applies_to(metric.name):
                    continue
                notify = self._notify(warning.notify_calendar, ("warnings", wi))
                if warning.share is not None:
                    s = warning.share
                    warns.append(
                        WarnPlan(warning.name, SHARE, s.numerator, s.denominator, 0, notify)
                    )
                else:
                    assert warning.lead is not None
                    mode = BUSINESS_LEAD if warning.clock is Clock.BUSINESS else WALL_LEAD
                    warns.append(WarnPlan(warning.name, mode, 0, 1, td_to_us(warning.lead), notify))
                if warning.when is not None:
                    warns[-1].conds = warning.when.conditions(names)
                    self.by_attrs = True
            plan.warns = tuple(warns)
            chains: list[tuple[tuple[str | int, ...], EscalationChain]] = [
                (("escalations", i), c) for i, c in enumerate(sla.escalations)
            ]
            if sla.escalation is not None:
                chains.append((("escalation",), sla.escalation))
            for chain_path, chain in chains:
                if chain.applies_to(metric.name):
                    plan.escs.append(
                        EscPlan(
                            tuple(lv.name for lv in chain.levels),
                            tuple(td_to_us(o) for o in chain.offsets()),
                            chain.clock is Clock.BUSINESS,
                            self._notify(chain.notify_calendar, chain_path),
                            None if chain.when is None else chain.when.conditions(names),
                            tuple(
                                None if lv.responds_within is None else td_to_us(lv.responds_within)
                                for lv in chain.levels
                            ),
                        )
                    )
            self.plans.append(plan)
            for action, field_name in enumerate(_ACTION_FIELDS):
                for ti, trig in enumerate(getattr(metric, field_name)):
                    self._register(plan, action, trig, ("metrics", mi, field_name, ti))
            if metric.state is not None and metric.state not in self.states:
                raise TicketError(
                    f"metric {metric.name!r} measures state {metric.state!r}, which is not in "
                    f"the lifecycle ({', '.join(self.states)})",
                    path=("metrics", mi, "state"),
                )
        self.by_attrs = self.by_attrs or any(c.when is not None for c in sla.escalations)
        for where, scopes in (
            ("warnings", [w.metrics for w in sla.warnings]),
            ("escalation", [sla.escalation.metrics] if sla.escalation else []),
            ("escalations", [c.metrics for c in sla.escalations]),
        ):
            for i, scope in enumerate(scopes):
                for name in sorted((scope or frozenset()) - set(metric_names)):
                    raise TicketError(
                        f"{where} name metric {name!r}, which is not a metric of this SLA",
                        path=(where, "metrics") if where == "escalation" else (where, i, "metrics"),
                    )
        # per state: which metrics it pauses (as a tuple of bools by metric index)
        self.state_pauses: tuple[tuple[bool, ...], ...] = tuple(
            tuple(p.honours_pause and p.name in s.pauses for p in self.plans)
            for s in lifecycle.states
        )
        self.pause_reason: tuple[str, ...] = tuple(s.name for s in lifecycle.states)
        self.transitions: dict[tuple[int, int], Transition] = {}
        self.whys: dict[tuple[EventKind, str | None], str] = {}
        #: compiled steps: what an event does, by (state, kind, value)
        self.steps: dict[tuple[int, EventKind, str | None], list[Op]] = {}
        #: what a plain event (a reply, a note, a custom event ...) does, by kind and by name
        self.kind_ops: dict[EventKind, list[Op]] = {}
        self.custom_ops: dict[str, list[Op]] = {}
        #: per attribute combination: each metric's selection, or why none can be made
        self.attr_sels: dict[Attrs, tuple[Selection, ...] | str] = {}
        # the severity_change and reopen strategies are per metric (MetricPlan.change/.reopen)
        self.retroactive: bool = sla.strategies.retroactive_start
        #: what each plain kind but ``custom`` does (its value does not matter): one lookup
        self.plain_ops: dict[EventKind, list[Op]] = {
            kind: self.event_ops(kind, None) for kind in _PLAIN if kind is not _CUSTOM
        }

    # ------------------------------------------------------------------ calendars
    def _ops(self, cal: BusinessCalendar) -> None:
        if _always_open(cal):
            el, add = _arith(cal)
        else:
            el, add = cal.elapsed_us, cal.add_us
        self.el.append(el)
        self.add.append(add)

    def _check_zoned(self, cal: int, path: tuple[str | int, ...]) -> None:
        if "timezone" not in self.cals[cal].to_mapping():
            raise TicketError(
                f"calendar {self.cal_names[cal]!r} is composed of other calendars and has no "
                "time zone of its own, so it cannot be read in the customer's zone; set "
                "customer_zone on a calendar with a timezone",
                path=path,
            )

    def zoned(self, cal: int, zone: str) -> int:
        """The index of calendar ``cal`` read in ``zone`` (built once per pair, on this SLA)."""
        key = (cal, zone)
        found = self._zoned.get(key)
        if found is not None:
            return found
        base = self.cals[cal]
        if base.timezone == zone:
            self._zoned[key] = cal
            return cal
        with self._lock:
            found = self._zoned.get(key)
            if found is not None:
                return found
            variant = BusinessCalendar.from_mapping({**base.to_mapping(), "timezone": zone})
            index = len(self.cals)
            self._ops(variant)
            self.cals.append(variant)
            self.cal_names.append(self.cal_names[cal])
            self.cal_zone.append(zone)
            self._zoned[key] = index
            return index

    def _notify(self, name: str | None, path: tuple[str | int, ...]) -> BusinessCalendar | None:
        if name is None:
            return None
        if name not in self.cal_names:
            raise TicketError(
                f"notify_calendar {name!r} is not defined (calendars: {', '.join(self.cal_names)})",
                path=(*path, "notify_calendar"),
            )
        return self.cals[self.cal_names.index(name)]

    def _register(
        self, plan: MetricPlan, action: int, trig: Trigger, path: tuple[str | int, ...]
    ) -> None:
        entry = (plan.index, action, trig.after, plan)
        if trig.event is not None:
            self.on_event.setdefault(trig.event, []).append(entry)
        elif trig.custom is not None:
            self.on_custom.setdefault(trig.custom, []).append(entry)
        else:
            state = trig.enter if trig.enter is not None else trig.leave
            assert state is not None
            if state not in self.states:
                raise TicketError(
                    f"trigger {str(trig)!r} names state {state!r}, which is not in the "
                    f"lifecycle ({', '.join(self.states)})",
                    path=path,
                )
            table = self.on_enter if trig.enter is not None else self.on_leave
            table.setdefault(state, []).append(entry)

    def transition(self, old: int, new: int) -> Transition:
        """What moving from state ``old`` (-1: before creation) to ``new`` does."""
        key = (old, new)
        found = self.transitions.get(key)
        if found is None:
            found = self.transitions[key] = Transition(self, old, new)
        return found

    def _table_ops(self, table: Table | None, why: str) -> list[Op]:
        return [(mi, action, after, plan, why) for mi, action, after, plan in table or ()]

    def event_ops(self, kind: EventKind, value: str | None) -> list[Op]:
        """The triggers an event of ``kind`` (a custom one named ``value``) fires, in order."""
        if kind is _CUSTOM:
            name = value or ""
            found = self.custom_ops.get(name)
            if found is None:
                found = self._table_ops(self.on_custom.get(name), self.why(kind, value))
                if len(self.custom_ops) < 4096:
                    self.custom_ops[name] = found
            return found
        found = self.kind_ops.get(kind)
        if found is None:
            found = self.kind_ops[kind] = self._table_ops(
                self.on_event.get(kind), self.why(kind, None)
            )
        return found

    def step(self, old: int, new: int, kind: EventKind, value: str | None) -> list[Op]:
        """What a lifecycle event moving the ticket from ``old`` to ``new`` does, in order:
        the leave triggers, the new state, terminal fulfilment or reopening, pauses, the enter
        triggers and the event's own triggers."""
        key = (old, kind, value)
        found = self.steps.get(key)
        if found is not None:
            return found
        ops: list[Op] = []
        if new != old:
            tr = self.transition(old, new)
            ops += self._table_ops(tr.leave, tr.leave_why)
            first = self.plans[0]
            ops.append((new, SET_STATE, None, first, ""))
            if tr.from_terminal > 0:
                ops += [
                    (p.index, TERMINAL, None, p, tr.enter_why)
                    for p in self.plans
                    if p.stop_on_terminal
                ]
            elif tr.from_terminal < 0:
                ops += [(p.index, REOPEN, None, p, "reopened: a new cycle") for p in self.plans]
            ops += [
                (mi, STATE_PAUSE if paused else STATE_RESUME, None, self.plans[mi], tr.reason)
                for mi, paused in tr.pauses
            ]
            ops += self._table_ops(tr.enter, tr.enter_why)
        ops += self.event_ops(kind, value)
        if len(self.steps) < 4096:
            self.steps[key] = ops
        return ops

    def why(self, kind: EventKind, value: str | None) -> str:
        """``agent_reply`` or ``custom 'major_incident'``: what an event's triggers cite."""
        key = (kind, value)
        found = self.whys.get(key)
        if found is None:
            found = kind.value if value is None else f"{kind.value} {value!r}"
            if len(self.whys) < 4096:
                self.whys[key] = found
        return found

    def check_attrs(self, attrs: Attrs) -> tuple[Selection, ...] | str:
        """Each metric's selection for ``attrs``, or why one cannot be made (the first)."""
        found: list[Selection] = []
        result: tuple[Selection, ...] | str
        for plan in self.plans:
            sel = self.select(plan, attrs)
            if isinstance(sel, str):
                result = sel
                break
            found.append(sel)
        else:
            result = tuple(found)
        if len(self.attr_sels) < 4096:
            self.attr_sels[attrs] = result
        return result

    # ------------------------------------------------------------------ target selection
    def select(self, plan: MetricPlan, attrs: Attrs) -> Selection | str:
        """The first matching rule's selection, or why none matched."""
        hit = plan.memo.get(attrs)
        if hit is not None:
            return hit
        result: Selection | str
        for pos, rule in enumerate(plan.rules):
            if _matches(rule.conds, attrs):
                cal = rule.calendar
                zoned = rule.zoned
                if rule.applies and cal < 0:
                    for _, conds, cal_i, _, cal_zoned in self.cal_rules:
                        if _matches(conds, attrs):
                            cal = cal_i
                            zoned = zoned or cal_zoned
                            break
                    else:
                        result = (
                            f"rule {rule.name!r} of {plan.name!r} names no calendar and no "
                            f"calendar rule matches {self.show(attrs)}; add a catch-all calendar "
                            "rule or name a calendar on the target rule"
                        )
                        break
                result = (
                    pos,
                    rule.target,
                    max(cal, plan.cals[0]) if cal < 0 else cal,
                    zoned and rule.applies,
                    rule.bdays,
                    plan.mark(rule.target),
                )
                break
        else:
            result = (
                f"no target rule of {plan.name!r} matches {self.show(attrs)}; add a catch-all rule "
                "(a rule with no 'when') at the end, with target null if the metric should not "
                "apply"
            )
        if len(plan.memo) < 4096:
            plan.memo[attrs] = result
        return result

    def why_not(self, plan: MetricPlan, attrs: Attrs, upto: int) -> list[str]:
        """For the trace: why each rule before ``upto`` did not match."""
        out = []
        for rule in plan.rules[:upto]:
            for name, wanted, value in zip(self.attr_names, rule.conds, attrs, strict=True):
                if wanted is not None and value not in wanted:
                    out.append(
                        f"rule {rule.name!r} did not match: {name} is {value!r}, "
                        f"it wants {' or '.join(sorted(wanted))}"
                    )
                    break
        return out

    def show(self, attrs: Attrs) -> str:
        """``tier='premium', severity=None, ...`` for messages."""
        return ", ".join(f"{k}={v!r}" for k, v in zip(self.attr_names, attrs, strict=True))

    def attrs_of(self, values: Mapping[str, str | None], others: Mapping[str, str]) -> Attrs:
        """The attribute tuple: the named four from ``values``, then the others this SLA's
        conditions name, from ``others`` (attributes no condition names are left out)."""
        named = (
            values.get("tier"),
            values.get("severity"),
            values.get("channel"),
            values.get("issue_class"),
        )
        if not self.extra:
            return named
        return (*named, *(others.get(name) for name in self.extra))


class Cycle:
    """One cycle of one metric (mutable while the ticket is fed).

    ``done`` is the business time counted up to the start of the open segment (or the stop):
    ``carried`` (what a ``carry`` brought in) plus the closed segments counted on ``cal``.
    ``segs`` keeps those segments when the metric may move to another calendar, ``folds`` how
    far each other calendar has counted them.
    """

    __slots__ = (
        "breached_at",
        "by_terminal",
        "cal",
        "carried",
        "chain",
        "done",
        "due_at",
        "due_stop",
        "folds",
        "gaps",
        "log",
        "mark",
        "no",
        "outcome",
        "rule",
        "seg",
        "segs",
        "start",
        "stop",
        "target",
        "warn",
    )

    def __init__(
        self,
        no: int,
        start: int,
        rule: int,
        target: int | None,
        cal: int,
        mark: int,
        seg: int | None = None,
        segs: list[tuple[int, int]] | None = None,
    ) -> None:
        self.no = no
        self.start = start
        self.rule = rule
        self.target = target
        self.cal = cal
        self.mark = mark
        self.stop: int | None = None
        self.outcome: str | None = None
        self.by_terminal = False
        #: where the running segment started (None while paused or closed)
        self.seg = seg
        self.done = 0
        self.carried = 0
        self.segs = segs
        self.folds: dict[int, tuple[int, int]] | None = None
        #: the closed intervals [stop, reopen) of a cycle a reopen resumed: the escalation
        #: chain does not run while the cycle is fulfilled
        self.gaps: list[tuple[int, int]] | None = None
        self.due_at: int | None = None
        #: once stopped before its due time: where the target would have run out had the cycle
        #: gone on (computed at the stop, while the calendar's data for it is at hand)
        self.due_stop: int | None = None
        self.breached_at: int | None = None
        #: the escalation chain (index into the plan's) chosen at the breach; -1: none matched
        self.chain = -1
        # per warning: None = not reached; an instant = notified then; NEVER = skipped
        self.warn: list[int | None] = _NO_WARN
        self.log: list[tuple[int, str, int, Any]] = _NO_LOG

    def elapsed(self) -> int:
        """Business µs counted up to the start of the open segment (or the stop)."""
        return self.done


NEVER: Final = -(1 << 62)
# shared empty placeholders, replaced (never mutated) when a cycle needs its own
_NO_WARN: Final[list[int | None]] = []
_NO_LOG: Final[list[tuple[int, str, int, Any]]] = []
_NO_CYCLES: Final[list[Cycle]] = []
_ATTR_INDEX: Final = {kind: ATTRIBUTES.index(name) for kind, name in ATTRIBUTE_OF.items()}


def _held(cal: BusinessCalendar | None, t: int) -> int:
    if cal is None or cal.is_open_us(t):
        return t
    return cal.next_open_us(t)


class Run:
    """One ticket being fed events in order.

    One state machine: every action of a compiled step goes through ``_exec`` to ``_open``,
    ``_close``, ``_set_pause``, ``_reopen`` and ``_reselect``; the due time and the breach are
    found by :func:`due_at` and :func:`breach_at` alone.
    """

    __slots__ = (
        "answered",
        "attrs",
        "count",
        "cycles",
        "engine",
        "evp",
        "last",
        "open",
        "seen",
        "sels",
        "state",
        "stp",
        "ticket_id",
        "trace",
        "zone",
    )

    def __init__(
        self,
        engine: Engine,
        ticket_id: str,
        attrs: Attrs,
        zone: str | None = None,
        *,
        trace: bool = True,
    ) -> None:
        self.engine = engine
        #: keep each cycle's log (for the event stream and the explanation trace); the integer
        #: batch path, which answers with rows only, does without
        self.trace = trace
        self.seen: set[EventKind] = set()
        #: instants of the ``escalation_answered`` events, by the level's name
        self.answered: dict[str, list[int]] = {}
        self.begin(ticket_id, attrs, zone)

    def begin(self, ticket_id: str, attrs: Attrs, zone: str | None) -> None:
        """Start over for a new ticket, before its first event (the batch path runs every
        ticket on one ``Run``)."""
        self.ticket_id = ticket_id
        self.attrs = attrs
        self.zone = zone
        #: the selection of each metric for ``attrs`` (set once the ticket is created)
        self.sels: tuple[Selection, ...] = ()
        self.state = -1
        self.seen.clear()
        if self.answered:
            self.answered = {}
        self.count = 0
        self.last = NEVER
        n = len(self.engine.plans)
        self.open: list[Cycle | None] = [None] * n
        self.cycles: list[list[Cycle]] = [_NO_CYCLES] * n
        self.evp = [False] * n  # paused by a pause trigger
        self.stp = [False] * n  # paused by the lifecycle state

    # ------------------------------------------------------------------ checks
    def _fail(
        self, index: int, kind: EventKind, value: str | None, at: int, message: str
    ) -> TicketError:
        detail = kind.value if value is None else f"{kind.value} {value!r}"
        return TicketError(
            f"ticket {self.ticket_id!r}, event {index} ({detail} at {from_us(at).isoformat()}): "
            f"{message}",
            path=("events", index),
        )

    def _check_order(self, at: int, kind: EventKind, value: str | None) -> None:
        index = self.count
        if index == 0 and kind is not _CREATED:
            raise self._fail(index, kind, value, at, "the log must start with a 'created' event")
        if index and kind is _CREATED:
            raise self._fail(
                index, kind, value, at, "a ticket is created once; remove the second 'created'"
            )
        if at < self.last:
            raise self._fail(
                index,
                kind,
                value,
                at,
                f"it is earlier than event {index - 1} at {from_us(self.last).isoformat()}; "
                "feed events in time order (events at the same instant keep the order given)",
            )

    def feed(self, at: int, kind: EventKind, value: str | None) -> None:
        """Apply one event; every check is made before anything changes."""
        index = self.count
        # in order, and the first event (only) a creation: else _check_order raises
        if at < self.last or (not index) is not (kind is _CREATED):
            self._check_order(at, kind, value)
        eng = self.engine
        if kind is _ESC_ANSWERED:
            if not value:
                raise self._fail(index, kind, value, at, "it needs value= the level's name")
            self.count = index + 1
            self.last = at
            self.answered.setdefault(value, []).append(at)
            answer_ops = eng.event_ops(kind, None)
            if answer_ops:
                self._exec(answer_ops, at, index)
            self.seen.add(kind)
            return
        if kind in _PLAIN:
            self.count = index + 1
            self.last = at
            ops = eng.plain_ops.get(kind)
            if ops is None:
                ops = eng.event_ops(kind, value)
            if ops:
                self._exec(ops, at, index)
            self.seen.add(kind)
            return
        # the new state
        old = self.state
        new = old
        if kind is _STATUS_CHANGED:
            found = eng.states.get(value)  # type: ignore[arg-type]  # a value is required
            if found is None:
                raise self._fail(
                    index,
                    kind,
                    value,
                    at,
                    f"unknown state {value!r}; expected one of {', '.join(eng.states)}",
                )
            new = found
        elif kind is _CREATED:
            new = eng.initial
        elif kind is _RESOLVED:
            new = eng.resolved
        elif kind is _VERIFIED:
            new = eng.verified
        elif kind is _CLOSED:
            new = eng.closed
        elif kind is _REOPENED:
            new = self._reopen_state(at, value)
        terminal = eng.terminal
        if old >= 0 and terminal[old] and not terminal[new] and kind is not _REOPENED:
            lifecycle = eng.lifecycle
            raise self._fail(
                index,
                kind,
                value,
                at,
                f"it moves the ticket out of terminal state {lifecycle.states[old].name!r} to "
                f"{lifecycle.states[new].name!r} without a reopen; add a 'reopened' event "
                "before it",
            )
        attrs = self.attrs
        i = _ATTR_INDEX.get(kind)
        if i is not None:
            attrs = (*attrs[:i], value, *attrs[i + 1 :])
            if attrs == self.attrs:
                attrs = self.attrs
        elif kind is _ATTRIBUTE_CHANGED:
            pair = split_attribute(value)  # type: ignore[arg-type]  # a value is required
            if pair is None:
                raise self._fail(
                    index,
                    kind,
                    value,
                    at,
                    "the value must be 'name=value' of another attribute (e.g. 'plan=gold')",
                )
            j = eng.extra_index.get(pair[0])
            if j is not None:  # an attribute no condition names changes nothing
                attrs = (*attrs[:j], pair[1], *attrs[j + 1 :])
                if attrs == self.attrs:
                    attrs = self.attrs
        sels: tuple[Selection, ...] | None = None
        if kind is _CREATED or attrs is not self.attrs:
            found_sels = eng.attr_sels.get(attrs)
            if found_sels is None:
                found_sels = eng.check_attrs(attrs)
            if isinstance(found_sels, str):
                raise self._fail(index, kind, value, at, found_sels)
            sels = found_sels
        # -- apply (nothing below can fail on valid input) -----------------------------------
        self.count = index + 1
        self.last = at
        if sels is not None:
            self.sels = sels
        if attrs is not self.attrs:
            opens = self.open
            if eng.by_attrs:
                # what depends on the attributes (warnings, chains) is judged per segment:
                # close the running ones at the change, under the attributes they ran with
                for plan in eng.plans:
                    c = opens[plan.index]
                    if c is not None and c.seg is not None:
                        self._measure(plan, c, at)
                        c.seg = at
            self.attrs = attrs
            for plan in eng.plans:
                c = opens[plan.index]
                if c is not None:
                    self._reselect(plan, c, at, index, eng.why(kind, value))
        ops = eng.steps.get((old, kind, value))
        if ops is None:
            ops = eng.step(old, new, kind, value)
        if ops:
            self._exec(ops, at, index)
        self.seen.add(kind)

    def feed_many(
        self,
        events: Iterable[tuple[int, EventKind, str | None]],
        until: int,
        check: Callable[[Run, object, object], None] | None = None,
    ) -> None:
        """Apply ``events`` (``(at_us, kind, value)``, in order) up to the instant ``until``.

        The same as calling :meth:`feed` for each (the batch path): a reply, a note, a custom
        event or a lifecycle event whose compiled step is cached is applied here directly;
        anything else (creation, a reopen, an attribute change, a first sight, an error) goes
        through :meth:`feed`. ``check(run, kind, value)`` raises for a kind or value that is
        not an ``EventKind`` with the value it needs; without it they must already be checked.
        """
        eng = self.engine
        feed = self.feed
        run_ops = self._exec
        seen_add = self.seen.add
        plain_ops = eng.plain_ops
        steps = eng.steps
        for at, kind, value in events:
            if at > until:
                break
            if kind.__class__ is not EventKind and check is not None:
                check(self, kind, value)
            # the value is checked below where it matters: a plain kind but custom needs none,
            # and a cached step was compiled by feed after every check of its (state, kind,
            # value) had passed (checks that depend on nothing else)
            index = self.count
            if at < self.last or not index:
                if check is not None and kind in VALUE_REQUIRED and not value:
                    check(self, kind, value)
                feed(at, kind, value)
                continue
            found = plain_ops.get(kind)
            if found is not None:
                ops = found
            elif kind in _LIFECYCLE:
                found = steps.get((self.state, kind, value))
                if found is None:
                    if check is not None and kind in VALUE_REQUIRED and not value:
                        check(self, kind, value)
                    feed(at, kind, value)
                    continue
                ops = found
            else:
                if check is not None and kind in VALUE_REQUIRED and not value:
                    check(self, kind, value)
                if kind is not _CUSTOM:
                    feed(at, kind, value)
                    continue
                ops = eng.event_ops(kind, value)
            self.count = index + 1
            self.last = at
            if ops:
                run_ops(ops, at, index)
            seen_add(kind)

    def _reopen_state(self, at: int, value: str | None) -> int:
        eng = self.engine
        lifecycle = eng.lifecycle
        index = self.count
        old = self.state
        if not eng.terminal[old]:
            raise self._fail(
                index,
                _REOPENED,
                value,
                at,
                f"the ticket is in {lifecycle.states[old].name!r}, which is not terminal; "
                "only a resolved or closed ticket can be reopened (drop the event or use "
                "status_changed)",
            )
        target_state = value if value is not None else lifecycle.reopen
        if target_state not in eng.states or eng.terminal[eng.states[target_state]]:
            raise self._fail(
                index,
                _REOPENED,
                value,
                at,
                f"cannot reopen into {target_state!r}; name a non-terminal state of "
                f"{', '.join(eng.states)}",
            )
        return eng.states[target_state]

    # ------------------------------------------------------------------ state changes
    def _exec(self, ops: list[Op], at: int, index: int) -> None:
        """Apply a compiled step in order: the one place where actions change cycles (through
        ``_open``, ``_close``, ``_set_pause`` and ``_reopen``)."""
        opens = self.open
        eng = self.engine
        for mi, action, after, plan, why in ops:
            if after is not None and after not in self.seen:
                continue
            if action == START:
                if opens[mi] is not None or (plan.once and self.cycles[mi]):
                    continue
                if plan.stop_on_terminal and eng.terminal[self.state]:
                    continue
                self._open(plan, at, index, why)
            elif action == STOP:
                if opens[mi] is not None:
                    self._close(plan, at, index, "stop", why)
                    if plan.repeat and not (plan.stop_on_terminal and eng.terminal[self.state]):
                        self._open(plan, at, index, f"{why}: the next cycle")
            elif action == TERMINAL:
                if opens[mi] is not None:
                    self._close(plan, at, index, "terminal", why)
            elif action == SET_STATE:
                self.state = mi
            elif action in _STATE_PAUSES:
                self._set_pause(plan, at, index, action == STATE_PAUSE, self.evp[mi], why)
            elif action == PAUSE:
                if not self.evp[mi]:
                    self._set_pause(plan, at, index, self.stp[mi], True, why)
            elif action == RESUME:
                if self.evp[mi]:
                    self._set_pause(plan, at, index, self.stp[mi], False, why)
            elif action == RESET:
                if opens[mi] is not None:
                    self._close(plan, at, index, "reset", why)
                self._open(plan, at, index, f"{why}: reset")
            elif action == CANCEL:
                if opens[mi] is not None:
                    self._close(plan, at, index, "cancel", why)
            else:  # REOPEN
                self._reopen(plan, at, index, why)

    def _reopen(self, plan: MetricPlan, at: int, index: int, why: str) -> None:
        """The ticket left a terminal state: the cycle the terminal state fulfilled resumes, or
        a new one opens, as the ``reopen`` strategy says."""
        mi = plan.index
        cycles = self.cycles[mi]
        last = cycles[-1] if cycles else None
        if last is None or not last.by_terminal or self.open[mi] is not None:
            return
        last.by_terminal = False
        if plan.reopen is _RESUME:
            assert last.stop is not None
            if at > last.stop:
                if last.gaps is None:
                    last.gaps = []
                last.gaps.append((last.stop, at))
            last.stop = None
            last.due_stop = None
            last.outcome = None
            self.open[mi] = last
            if self.trace:
                last.log.append((at, "reopened", index, "resumed the same cycle"))
            if not (self.stp[mi] or self.evp[mi]):
                last.seg = at
            # an attribute changed while the ticket was resolved governs the resumed cycle,
            # as if the change came right after the reopen
            self._reselect(plan, last, at, index, why)
        else:
            self._open(plan, at, index, why)

    # ------------------------------------------------------------------ cycles
    def target_of(self, cal: int, anchor: int, days: int) -> int:
        """A target of ``days`` business days counted from ``anchor``, as business µs on
        calendar ``cal``: the business time from ``anchor`` to the same local wall time
        ``days`` working days later."""
        calendar = self.engine.cals[cal]
        end = calendar.add_business_days(from_us(anchor), days)
        return calendar.elapsed_us(anchor, to_us(end))

    def resolve(
        self, plan: MetricPlan, sel: Selection, anchor: int
    ) -> tuple[int, int | None, int, int]:
        """A selection made concrete for this ticket: (rule position, target µs, calendar,
        mark), for a cycle counting from ``anchor``."""
        pos, target, cal, zoned, bdays, mark = sel
        if zoned and self.zone is not None:
            cal = self.engine.zoned(cal, self.zone)
        if bdays:
            target = self.target_of(cal, anchor, bdays)
            mark = plan.mark(target)
        return pos, target, cal, mark

    def _open(self, plan: MetricPlan, at: int, index: int, why: str) -> None:
        mi = plan.index
        cycles = self.cycles[mi]
        if cycles is _NO_CYCLES:
            cycles = self.cycles[mi] = []
        sel = self.sels[mi]
        rule, target, cal, zoned, bdays, mark = sel
        if zoned or bdays:
            rule, target, cal, mark = self.resolve(plan, sel, at)
        paused = self.stp[mi] or self.evp[mi]
        c = Cycle(
            len(cycles) + 1,
            at,
            rule,
            target,
            cal,
            mark,
            None if paused else at,
            [] if plan.multi else None,
        )
        cycles.append(c)
        self.open[mi] = c
        if self.trace:
            c.log = [
                (at, "activated", index, why),
                (at, "target", index, (rule, self.attrs, cal, target)),
            ]
            if paused:
                c.log.append((at, "paused", index, None))

    def _close(self, plan: MetricPlan, at: int, index: int, how: str, why: str) -> None:
        mi = plan.index
        c = self.open[mi]
        assert c is not None
        if c.seg is not None:
            self._measure(plan, c, at)
        breached = c.breached_at is not None and c.target is not None
        if how == "stop" or how == "terminal":
            c.outcome = "breached" if breached else "met"
            kind = "fulfilled"
        else:
            c.outcome = "breached" if breached else "cancelled"
            kind = "cancelled" if how == "cancel" else "reset"
        c.stop = at
        if c.due_at is None and c.target is not None:
            c.due_stop = due_at(self.engine.add[c.cal], at, c.done, c.target)
        c.by_terminal = how == "terminal"
        self.open[mi] = None
        if self.trace:
            c.log.append((at, kind, index, why))

    def _set_pause(
        self, plan: MetricPlan, at: int, index: int, state: bool, event: bool, reason: str
    ) -> None:
        """Set the metric's two pause flags; a cycle pauses or resumes if they now differ.

        The log keeps ``reason`` raw; the text ``paused by <reason> (event <index>)`` is built
        when rendered.
        """
        mi = plan.index
        was = self.stp[mi] or self.evp[mi]
        self.stp[mi] = state
        self.evp[mi] = event
        now = state or event
        c = self.open[mi]
        if c is None or was == now:
            return
        if now:
            if c.seg is not None:
                self._measure(plan, c, at)
            if self.trace:
                c.log.append((at, "paused", index, reason))
        else:
            c.seg = at
            if self.trace:
                c.log.append((at, "resumed", index, reason))

    def _measure(self, plan: MetricPlan, c: Cycle, b: int) -> None:
        """Close the running segment ``[c.seg, b)``: add its business time, record crossings."""
        a = c.seg
        assert a is not None
        c.seg = None
        ea = c.done
        if b > a:
            eb = c.done = ea + self.engine.el[c.cal](a, b)
            if c.segs is not None:
                c.segs.append((a, b))
        else:
            eb = ea
        if eb >= c.mark and c.target is not None:
            self._crossings(plan, c, a, ea, eb, b)

    def _crossings(self, plan: MetricPlan, c: Cycle, a: int, ea: int, eb: int, b: int) -> None:
        """Record the due time, the breach and warnings reached in the segment ``[a, b)``,
        over which the count went from ``ea`` to ``eb``."""
        t = c.target
        assert t is not None
        add = self.engine.add[c.cal]
        if c.due_at is None and eb >= t:
            c.due_at = due_at(add, a, ea, t)
        if c.breached_at is None and eb > t:
            c.breached_at = breach_at(add, a, ea, t)
            c.chain = self.chain_for(plan)
        if not self.trace:
            return  # warnings only feed the event stream, which a run without a log never shows
        warn = c.warn
        for k, w in enumerate(plan.warns):
            if w.conds is not None and not _matches(w.conds, self.attrs):
                continue  # not for this ticket, as it stands over this segment
            if warn is _NO_WARN or warn[k] is None:
                if w.mode == SHARE:
                    if eb < -(-w.num * t // w.den):
                        continue
                elif w.mode == BUSINESS_LEAD:
                    if eb < t - w.lead:
                        continue
                elif eb <= t - w.lead:
                    # wall lead: business time runs no faster than wall time, so the due
                    # time is at least t - eb after b and the warning not before b
                    continue
                u = _warn_instant(w, add, a, ea, t)
                if u < b:
                    if warn is _NO_WARN:
                        warn = c.warn = [None] * len(plan.warns)
                    warn[k] = (
                        NEVER
                        if c.breached_at is not None and c.breached_at <= u
                        else _held(w.notify, u)
                    )

    def _recount(self, c: Cycle, old_cal: int, new_cal: int) -> None:
        """Move the cycle's count from ``old_cal`` to ``new_cal`` (its closed segments)."""
        segs = c.segs
        assert segs is not None
        folds = c.folds if c.folds is not None else {}
        folds[old_cal] = (len(segs), c.done - c.carried)
        n, acc = folds.get(new_cal, (0, 0))
        el = self.engine.el[new_cal]
        for a, b in segs[n:]:
            acc += el(a, b)
        folds[new_cal] = (len(segs), acc)
        c.folds = folds
        c.done = c.carried + acc

    def _reselect(self, plan: MetricPlan, c: Cycle, at: int, index: int, why: str) -> None:
        """Hold the open cycle ``c`` to the metric's current selection (a change at ``at``)."""
        eng = self.engine
        pos, target, cal, zoned, bdays, _ = self.sels[plan.index]
        if zoned and self.zone is not None:
            cal = eng.zoned(cal, self.zone)
        if pos == c.rule and cal == c.cal and (bdays or target == c.target):
            return
        running = c.seg is not None
        if running:
            self._measure(plan, c, at)
        if target is None and not bdays and c.breached_at is not None and c.target is not None:
            # the metric no longer applies, but a breach raised stays: the cycle ends,
            # breached, on its old target, saying why
            self._close(
                plan,
                at,
                index,
                "cancel",
                f"{why}: the metric no longer applies (rule {plan.rules[pos].name!r} sets no "
                f"target for {self.engine.show(self.attrs)})",
            )
            return
        e_old = c.done
        old_target = c.target
        old_cal = c.cal
        if cal != old_cal:
            self._recount(c, old_cal, cal)
        c.rule = pos
        c.cal = cal
        clear = False
        anchor = c.start
        if old_target is None:
            if not eng.retroactive:
                clear, c.carried, anchor = True, 0, at
        elif plan.change is _RESTART:
            clear, c.carried, anchor = True, 0, at
        elif plan.change is _CARRY:
            clear, c.carried = True, e_old
        if clear:
            c.done = c.carried
            c.segs = [] if c.segs is not None else None
            c.folds = None
        c.target = self.target_of(cal, anchor, bdays) if bdays else target
        c.mark = plan.mark(c.target)
        if self.trace:
            c.log.append((at, "target", index, (c.rule, self.attrs, c.cal, c.target)))
        t = c.target
        if t is not None:
            e_new = c.done
            if e_new < t:
                c.due_at = None
            elif c.due_at is None or old_target != t:
                c.due_at = at
            if c.breached_at is None and e_new > t:
                c.breached_at = at
                c.chain = self.chain_for(plan)
        if running:
            c.seg = at

    # ------------------------------------------------------------------ evaluation
    def project(
        self, plan: MetricPlan, c: Cycle
    ) -> tuple[int | None, int | None, list[int | None]]:
        """Due, breach and notified-warning instants, if no further event comes.

        ``None`` where the instant is not reached (a paused or closed cycle).
        """
        due = c.due_at
        breach = c.breached_at
        warn: list[int | None] = [None] * len(plan.warns) if c.warn is _NO_WARN else list(c.warn)
        t = c.target
        a = c.seg
        if t is None or a is None:
            return due, breach, warn
        ea = c.done
        add = self.engine.add[c.cal]
        if due is None:
            due = due_at(add, a, ea, t)
        if breach is None:
            breach = breach_at(add, a, ea, t)
        for k, w in enumerate(plan.warns):
            if warn[k] is None and (w.conds is None or _matches(w.conds, self.attrs)):
                u = _warn_instant(w, add, a, ea, t)
                warn[k] = NEVER if breach <= u else _held(w.notify, u)
        return due, breach, warn

    def chain_for(self, plan: MetricPlan) -> int:
        """The first escalation chain of ``plan`` for the ticket's attributes now; -1: none."""
        for k, esc in enumerate(plan.escs):
            if esc.conds is None or _matches(esc.conds, self.attrs):
                return k
        return -1

    def escalations(
        self, plan: MetricPlan, c: Cycle, breach: int | None
    ) -> list[tuple[str, int, int | None, int]]:
        """(level, instant notified, answer breach, answer time) of each level of the cycle's
        chain (none without a breach): the chain chosen at the breach, or for a breach still
        ahead, the one the ticket's attributes select now. The answer breach is ``None``
        where the level has no answer time or answered in time (see :meth:`answer_breach`)."""
        if not plan.escs or breach is None or c.target is None:
            return []
        k = c.chain if c.breached_at is not None else self.chain_for(plan)
        if k < 0:
            return []
        esc = plan.escs[k]
        gaps = c.gaps
        if esc.business:
            add = self.engine.add[c.cal]
            if gaps is None:
                at = [_held(esc.notify, add(breach, off)) for off in esc.offsets]
            else:
                el = self.engine.el[c.cal]
                at = [_past_gaps(esc.notify, gaps, breach, off, add, el) for off in esc.offsets]
        elif gaps is None:
            at = [_held(esc.notify, breach + off) for off in esc.offsets]
        else:
            at = [
                _past_gaps(esc.notify, gaps, breach, off, _wall_add, _wall_el)
                for off in esc.offsets
            ]
        return [
            (name, u, None if r is None else self.answer_breach(esc, c, name, u, r), r or 0)
            for name, u, r in zip(esc.names, at, esc.answers, strict=True)
        ]

    def answer_breach(self, esc: EscPlan, c: Cycle, name: str, reached: int, r: int) -> int | None:
        """When level ``name``, reached at ``reached``, breaches its answer time ``r``: the
        first instant its count since ``reached`` (on the chain's clock, leaving out the
        cycle's fulfilled gaps) exceeds ``r``; ``None`` if an ``escalation_answered`` event
        naming it came at or after ``reached`` and before that instant."""
        if esc.business:
            add = self.engine.add[c.cal]
            el = self.engine.el[c.cal]
        else:
            add, el = _wall_add, _wall_el
        gaps = c.gaps
        late = (
            add(reached, r + 1) if gaps is None else _past_gaps(None, gaps, reached, r + 1, add, el)
        )
        for at in self.answered.get(name, ()):
            if reached <= at:
                return None if at < late else late
        return late


_ESC_ANSWERED: Final = EventKind.ESCALATION_ANSWERED
_ATTRIBUTE_CHANGED: Final = EventKind.ATTRIBUTE_CHANGED

#: lifecycle events that change no attribute and need no reopen check of their own
_LIFECYCLE: Final = frozenset(
    {EventKind.STATUS_CHANGED, EventKind.RESOLVED, EventKind.VERIFIED, EventKind.CLOSED}
)
_PLAIN: Final = frozenset(
    {
        EventKind.AGENT_REPLY,
        EventKind.CUSTOMER_REPLY,
        EventKind.INTERNAL_NOTE,
        EventKind.WORKAROUND_GIVEN,
        EventKind.ROOT_CAUSE_PLAN,
        EventKind.CUSTOM,
    }
)


def due_at(add: Elapsed, a: int, ea: int, t: int) -> int:
    """The due-time formula: where the count, ``ea`` at ``a`` and running from there on the
    calendar whose ``add_us`` is ``add``, reaches ``t`` (``a`` itself if it already has)."""
    return add(a, t - ea) if t > ea else a


def breach_at(add: Elapsed, a: int, ea: int, t: int) -> int:
    """The breach formula: where that count first exceeds ``t``, by one microsecond."""
    return due_at(add, a, ea, t + 1)


def _wall_add(t: int, d: int) -> int:
    return t + d


def _wall_el(a: int, b: int) -> int:
    return b - a


def _past_gaps(
    notify: BusinessCalendar | None,
    gaps: list[tuple[int, int]],
    start: int,
    off: int,
    add: Elapsed,
    el: Elapsed,
) -> int:
    """The instant ``off`` after ``start`` (counted with ``add``/``el``) when the time in
    ``gaps`` (the closed intervals ``[stop, reopen)`` of a resumed cycle) does not count; an
    instant in a gap, or held to the notify calendar into one, moves to the gap's end."""
    u = start
    rem = off
    for g0, g1 in gaps:
        if g1 <= u:
            continue
        if g0 > u:
            reach = add(u, rem)
            if reach < g0:
                u, rem = reach, 0
                break
            rem -= el(u, g0)
        u = g1
    else:
        u = add(u, rem)
    held = _held(notify, u)
    while True:
        for g0, g1 in gaps:
            if g0 <= held < g1:
                held = _held(notify, g1)
                break
        else:
            return held


def _warn_instant(w: WarnPlan, add: Elapsed, a: int, ea: int, t: int) -> int:
    """When warning ``w`` is reached on a segment running from ``a`` with ``ea`` counted."""
    if w.mode == WALL_LEAD:
        return max(a, due_at(add, a, ea, t) - w.lead)
    th = -(-w.num * t // w.den) if w.mode == SHARE else max(0, t - w.lead)
    return due_at(add, a, ea, th)


# ---------------------------------------------------------------------- snapshots
#: the format and version a snapshot of a run is written in
SNAPSHOT_FORMAT: Final = "sla_engine.ticket_clock"
SNAPSHOT_VERSION: Final = 1
_SNAP_CYCLE_INTS: Final = (
    "no",
    "start",
    "rule",
    "mark",
    "done",
    "carried",
)
_SNAP_CYCLE_OPTIONAL: Final = ("target", "stop", "seg", "due_at", "due_stop", "breached_at")


def _cal_ref(eng: Engine, cal: int) -> list[str | None]:
    return [eng.cal_names[cal], eng.cal_zone[cal]]


def _cal_index(eng: Engine, ref: Any) -> int:
    name, zone = ref
    base = eng.cal_names.index(name)
    if zone is None:
        return base
    if not isinstance(zone, str):
        raise TypeError(f"zone {zone!r}")
    return eng.zoned(base, zone)


def dump_run(run: Run) -> dict[str, Any]:
    """The state of ``run`` as plain JSON data (see :func:`load_run`)."""
    eng = run.engine
    metrics = []
    for plan in eng.plans:
        cycles = []
        for c in run.cycles[plan.index]:
            cycle: dict[str, Any] = {k: getattr(c, k) for k in _SNAP_CYCLE_INTS}
            cycle.update({k: getattr(c, k) for k in _SNAP_CYCLE_OPTIONAL})
            cycle["cal"] = _cal_ref(eng, c.cal)
            cycle["outcome"] = c.outcome
            cycle["by_terminal"] = c.by_terminal
            cycle["segs"] = None if c.segs is None else [list(s) for s in c.segs]
            cycle["folds"] = (
                None
                if c.folds is None
                else [[*_cal_ref(eng, k), n, acc] for k, (n, acc) in sorted(c.folds.items())]
            )
            cycle["gaps"] = None if c.gaps is None else [list(g) for g in c.gaps]
            cycle["warn"] = list(c.warn)
            cycle["chain"] = c.chain
            log = []
            for at, what, index, detail in c.log:
                if what == "target":
                    rule, attrs, cal, target = detail
                    detail = [rule, list(attrs), _cal_ref(eng, cal), target]
                log.append([at, what, index, detail])
            cycle["log"] = log
            cycles.append(cycle)
        metrics.append(
            {
                "name": plan.name,
                "open": run.open[plan.index] is not None,
                "paused_by_event": run.evp[plan.index],
                "paused_by_state": run.stp[plan.index],
                "cycles": cycles,
            }
        )
    return {
        "ticket_id": run.ticket_id,
        "attributes": dict(zip(eng.attr_names, run.attrs, strict=True)),
        "timezone": run.zone,
        "events_fed": run.count,
        "last_event_us": None if run.last == NEVER else run.last,
        "state": None if run.state < 0 else eng.lifecycle.states[run.state].name,
        "seen": sorted(k.value for k in run.seen),
        "answered": {name: list(ats) for name, ats in sorted(run.answered.items())},
        "metrics": metrics,
    }


def load_run(eng: Engine, data: Any) -> Run:
    """A run in the state ``data`` (from :func:`dump_run` on the same SLA) describes.

    Raises ``KeyError``, ``TypeError``, ``ValueError`` or ``IndexError`` on malformed data
    (the caller turns them into one clear error)."""
    attrs_raw = data["attributes"]
    attrs: Attrs = tuple(attrs_raw[k] for k in eng.attr_names)
    for value in (*attrs, data["timezone"]):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"attribute {value!r}")
    run = Run(eng, str(data["ticket_id"]), attrs, data["timezone"])
    run.count = _int(data["events_fed"])
    last = data["last_event_us"]
    run.last = NEVER if last is None else _int(last)
    state = data["state"]
    run.state = -1 if state is None else eng.states[state]
    run.seen = {EventKind(k) for k in data["seen"]}
    answered = data.get("answered", {})
    run.answered = {str(name): [_int(at) for at in ats] for name, ats in answered.items()}
    if run.count:
        sels = eng.check_attrs(attrs)
        if isinstance(sels, str):
            raise ValueError(sels)
        run.sels = sels
    metrics = data["metrics"]
    if [m["name"] for m in metrics] != [p.name for p in eng.plans]:
        raise ValueError("the metrics are not the SLA's")
    for plan, m in zip(eng.plans, metrics, strict=True):
        mi = plan.index
        run.evp[mi] = bool(m["paused_by_event"])
        run.stp[mi] = bool(m["paused_by_state"])
        cycles: list[Cycle] = []
        for raw in m["cycles"]:
            c = Cycle(0, 0, 0, None, 0, 0)
            for k in _SNAP_CYCLE_INTS:
                setattr(c, k, _int(raw[k]))
            for k in _SNAP_CYCLE_OPTIONAL:
                setattr(c, k, None if raw[k] is None else _int(raw[k]))
            c.cal = _cal_index(eng, raw["cal"])
            if not 0 <= c.rule < len(plan.rules):
                raise IndexError(f"rule {c.rule}")
            c.outcome = raw["outcome"]
            if c.outcome not in (None, "met", "breached", "cancelled"):
                raise ValueError(f"outcome {c.outcome!r}")
            c.by_terminal = bool(raw["by_terminal"])
            c.chain = _int(raw["chain"])
            if not -1 <= c.chain < len(plan.escs):
                raise IndexError(f"chain {c.chain}")
            c.segs = None if raw["segs"] is None else [(_int(a), _int(b)) for a, b in raw["segs"]]
            if raw["folds"] is not None:
                c.folds = {
                    _cal_index(eng, [name, zone]): (_int(n), _int(acc))
                    for name, zone, n, acc in raw["folds"]
                }
            if raw["gaps"] is not None:
                c.gaps = [(_int(a), _int(b)) for a, b in raw["gaps"]]
            warn = [None if w is None else _int(w) for w in raw["warn"]]
            if warn:
                if len(warn) != len(plan.warns):
                    raise ValueError("warnings are not the SLA's")
                c.warn = warn
            log: list[tuple[int, str, int, Any]] = []
            for at, what, index, detail in raw["log"]:
                if what == "target":
                    rule, attrs_list, cal, target = detail
                    detail = (rule, tuple(attrs_list), _cal_index(eng, cal), target)
                log.append((_int(at), str(what), _int(index), detail))
            c.log = log
            cycles.append(c)
        if cycles:
            run.cycles[mi] = cycles
        if m["open"]:
            if not cycles:
                raise ValueError(f"metric {plan.name!r} is open without a cycle")
            run.open[mi] = cycles[-1]
    return run


def _int(value: Any) -> int:
    if value.__class__ is not int:
        raise TypeError(f"expected an integer, got {value!r}")
    return int(value)
