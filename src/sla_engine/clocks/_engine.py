"""Private: the compiled clock engine, in integer microseconds.

An :class:`Engine` is built once per SLA. A :class:`Run` is one ticket's state; ``Run.feed`` applies
one event in time bounded by the number of metrics (never by the length of the log): each open
cycle keeps a running total of business time per calendar it may be counted on, so a target
change re-reads a total instead of re-walking the history. Instants reached between events
(warnings, the due time, a breach) are found with the calendar's ``add_us`` when a running
segment closes; at evaluation they are projected the same way from the open segment, so batch
and incremental answers agree by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from sla_engine._time import from_us, td_to_us
from sla_engine.clocks.escalation import Clock
from sla_engine.clocks.events import ATTRIBUTE_OF, ATTRIBUTES, EventKind
from sla_engine.clocks.lifecycle import Lifecycle
from sla_engine.clocks.metrics import MetricKind, Trigger
from sla_engine.clocks.strategies import Reopen, SeverityChange
from sla_engine.errors import TicketError

if TYPE_CHECKING:
    from sla_engine.calendar import BusinessCalendar
    from sla_engine.clocks.sla import SLA

START: Final = 0
STOP: Final = 1
PAUSE: Final = 2
RESUME: Final = 3
RESET: Final = 4
CANCEL: Final = 5
_ACTION_FIELDS: Final = ("start", "stop", "pause", "resume", "reset", "cancel")

# warning modes
SHARE: Final = 0
BUSINESS_LEAD: Final = 1
WALL_LEAD: Final = 2

Selection = tuple[int, int | None, int]  # (rule position, target µs or None, calendar index)
Attrs = tuple[str | None, str | None, str | None, str | None]


class WarnPlan:
    __slots__ = ("den", "lead", "mode", "name", "notify", "num")

    def __init__(
        self, name: str, mode: int, num: int, den: int, lead: int, notify: BusinessCalendar | None
    ) -> None:
        self.name = name
        self.mode = mode
        self.num = num
        self.den = den
        self.lead = lead
        self.notify = notify


class EscPlan:
    __slots__ = ("business", "names", "notify", "offsets")

    def __init__(
        self,
        names: tuple[str, ...],
        offsets: tuple[int, ...],
        business: bool,
        notify: BusinessCalendar | None,
    ) -> None:
        self.names = names
        self.offsets = offsets
        self.business = business
        self.notify = notify


class Rule:
    __slots__ = ("calendar", "conds", "name", "target", "text")

    def __init__(
        self,
        name: str,
        conds: tuple[frozenset[str] | None, ...],
        target: int | None,
        calendar: int,
        text: str,
    ) -> None:
        self.name = name
        self.conds = conds
        self.target = target
        self.calendar = calendar
        self.text = text


class MetricPlan:
    __slots__ = (
        "cals",
        "esc",
        "index",
        "kind",
        "memo",
        "name",
        "once",
        "pos",
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
        self.pos: dict[int, int] = {}
        self.once = False
        self.repeat = False
        self.stop_on_terminal = True
        self.warns: tuple[WarnPlan, ...] = ()
        self.esc: EscPlan | None = None
        self.memo: dict[Attrs, Selection | str] = {}


def _matches(conds: tuple[frozenset[str] | None, ...], attrs: Attrs) -> bool:
    for wanted, value in zip(conds, attrs, strict=True):
        if wanted is not None and value not in wanted:
            return False
    return True


class Engine:
    """An SLA compiled for fast evaluation. Built by ``SLA``; not for direct use."""

    def __init__(self, sla: SLA) -> None:
        self.sla = sla
        self.cal_names: tuple[str, ...] = tuple(sla.calendars)
        self.cals: tuple[BusinessCalendar, ...] = tuple(sla.calendars.values())
        cal_index = {name: i for i, name in enumerate(self.cal_names)}
        lifecycle = sla.lifecycle
        self.lifecycle = lifecycle
        self.states: dict[str, int] = {s.name: i for i, s in enumerate(lifecycle.states)}
        self.terminal: tuple[bool, ...] = tuple(s.terminal for s in lifecycle.states)
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
        self.cal_rules: list[tuple[str, tuple[frozenset[str] | None, ...], int, str]] = []
        for i, crule in enumerate(sla.calendar_rules):
            if crule.calendar not in cal_index:
                raise TicketError(
                    f"calendar rule {crule.name!r} names calendar {crule.calendar!r}, which is "
                    f"not defined (calendars: {', '.join(self.cal_names)})",
                    path=("calendar_rules", i, "calendar"),
                )
            self.cal_rules.append(
                (crule.name, crule.when.conditions(), cal_index[crule.calendar], str(crule.when))
            )
        for key in sla.targets:
            if key not in metric_names:
                raise TicketError(
                    f"targets are given for {key!r}, which is not a metric of this SLA "
                    f"(metrics: {', '.join(metric_names)})",
                    path=("targets", key),
                )
        self.plans: list[MetricPlan] = []
        # dispatch tables: trigger -> [(metric index, action, after-guard)]
        self.on_event: dict[EventKind, list[tuple[int, int, EventKind | None]]] = {}
        self.on_custom: dict[str, list[tuple[int, int, EventKind | None]]] = {}
        self.on_enter: dict[str, list[tuple[int, int, EventKind | None]]] = {}
        self.on_leave: dict[str, list[tuple[int, int, EventKind | None]]] = {}
        honours_pause: list[bool] = []
        for mi, metric in enumerate(sla.metrics):
            plan = MetricPlan(mi, metric.name, metric.kind)
            plan.once = metric.once
            plan.repeat = metric.repeat
            plan.stop_on_terminal = metric.stop_on_terminal
            rules = sla.targets.get(metric.name)
            if not rules:
                raise TicketError(
                    f"metric {metric.name!r} has no target rules; add at least a catch-all rule "
                    "(target null if the metric should not apply)",
                    path=("targets", metric.name),
                )
            used: set[int] = set()
            for ri, rule in enumerate(rules):
                if rule.calendar is None:
                    cal = -1
                    used.update(c for _, _, c, _ in self.cal_rules)
                elif rule.calendar in cal_index:
                    cal = cal_index[rule.calendar]
                    used.add(cal)
                else:
                    raise TicketError(
                        f"rule {rule.name!r} of {metric.name!r} names calendar "
                        f"{rule.calendar!r}, which is not defined (calendars: "
                        f"{', '.join(self.cal_names)})",
                        path=("targets", metric.name, ri, "calendar"),
                    )
                target = None if rule.target is None else td_to_us(rule.target)
                plan.rules.append(
                    Rule(rule.name, rule.when.conditions(), target, cal, str(rule.when))
                )
            plan.cals = tuple(sorted(used)) or (0,)
            plan.pos = {c: j for j, c in enumerate(plan.cals)}
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
            plan.warns = tuple(warns)
            chain = sla.escalation
            if chain is not None and chain.applies_to(metric.name):
                plan.esc = EscPlan(
                    tuple(lv.name for lv in chain.levels),
                    tuple(td_to_us(o) for o in chain.offsets()),
                    chain.clock is Clock.BUSINESS,
                    self._notify(chain.notify_calendar, ("escalation",)),
                )
            for action, field_name in enumerate(_ACTION_FIELDS):
                for ti, trig in enumerate(getattr(metric, field_name)):
                    self._register(mi, action, trig, ("metrics", mi, field_name, ti))
            if metric.state is not None and metric.state not in self.states:
                raise TicketError(
                    f"metric {metric.name!r} measures state {metric.state!r}, which is not in "
                    f"the lifecycle ({', '.join(self.states)})",
                    path=("metrics", mi, "state"),
                )
            honours_pause.append(
                metric.kind is not MetricKind.FIRST_RESPONSE or sla.strategies.first_response_pauses
            )
            self.plans.append(plan)
        for where, names in (
            ("warnings", [w.metrics for w in sla.warnings]),
            ("escalation", [sla.escalation.metrics] if sla.escalation else []),
        ):
            for i, scope in enumerate(names):
                for name in sorted((scope or frozenset()) - set(metric_names)):
                    raise TicketError(
                        f"{where} name metric {name!r}, which is not a metric of this SLA",
                        path=(where, i, "metrics") if where == "warnings" else (where, "metrics"),
                    )
        # per state: which metrics it pauses (as a tuple of bools by metric index)
        self.state_pauses: tuple[tuple[bool, ...], ...] = tuple(
            tuple(honours_pause[mi] and m.name in s.pauses for mi, m in enumerate(sla.metrics))
            for s in lifecycle.states
        )
        self.pause_reason: tuple[str, ...] = tuple(s.name for s in lifecycle.states)
        strategies = sla.strategies
        self.change: SeverityChange = strategies.severity_change
        self.reopen: Reopen = strategies.reopen
        self.retroactive: bool = strategies.retroactive_start

    def _notify(self, name: str | None, path: tuple[str | int, ...]) -> BusinessCalendar | None:
        if name is None:
            return None
        if name not in self.cal_names:
            raise TicketError(
                f"notify_calendar {name!r} is not defined (calendars: {', '.join(self.cal_names)})",
                path=(*path, "notify_calendar"),
            )
        return self.cals[self.cal_names.index(name)]

    def _register(self, mi: int, action: int, trig: Trigger, path: tuple[str | int, ...]) -> None:
        entry = (mi, action, trig.after)
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

    # ------------------------------------------------------------------ target selection
    def select(self, plan: MetricPlan, attrs: Attrs) -> Selection | str:
        """The first matching rule's (position, target, calendar), or why none matched."""
        hit = plan.memo.get(attrs)
        if hit is not None:
            return hit
        result: Selection | str
        for pos, rule in enumerate(plan.rules):
            if _matches(rule.conds, attrs):
                cal = rule.calendar
                if rule.target is not None and cal < 0:
                    for _, conds, cal_i, _ in self.cal_rules:
                        if _matches(conds, attrs):
                            cal = cal_i
                            break
                    else:
                        result = (
                            f"rule {rule.name!r} of {plan.name!r} names no calendar and no "
                            f"calendar rule matches {_show(attrs)}; add a catch-all calendar rule "
                            "or name a calendar on the target rule"
                        )
                        break
                result = (pos, rule.target, max(cal, plan.cals[0]) if cal < 0 else cal)
                break
        else:
            result = (
                f"no target rule of {plan.name!r} matches {_show(attrs)}; add a catch-all rule "
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
            for name, wanted, value in zip(ATTRIBUTES, rule.conds, attrs, strict=True):
                if wanted is not None and value not in wanted:
                    out.append(
                        f"rule {rule.name!r} did not match: {name} is {value!r}, "
                        f"it wants {' or '.join(sorted(wanted))}"
                    )
                    break
        return out


def _show(attrs: Attrs) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in zip(ATTRIBUTES, attrs, strict=True))


class Cycle:
    """One cycle of one metric (mutable while the ticket is fed)."""

    __slots__ = (
        "acc",
        "base",
        "breached_at",
        "by_terminal",
        "cal",
        "carried",
        "due_at",
        "log",
        "no",
        "outcome",
        "pos",
        "rule",
        "seg",
        "start",
        "stop",
        "target",
        "warn",
    )

    def __init__(self, no: int, start: int, ncals: int, nwarn: int) -> None:
        self.no = no
        self.start = start
        self.stop: int | None = None
        self.outcome: str | None = None
        self.by_terminal = False
        self.seg: int | None = None
        self.acc = [0] * ncals
        self.base = [0] * ncals
        self.carried = 0
        self.rule = 0
        self.target: int | None = None
        self.cal = 0
        self.pos = 0
        self.due_at: int | None = None
        self.breached_at: int | None = None
        # per warning: None = not reached; an instant = notified then; NEVER = skipped
        self.warn: list[int | None] = [None] * nwarn
        self.log: list[tuple[int, str, int, Any]] = []

    def elapsed(self) -> int:
        """Business µs counted up to the start of the open segment (or the stop)."""
        return self.carried + self.acc[self.pos] - self.base[self.pos]


NEVER: Final = -(1 << 62)


def _held(cal: BusinessCalendar | None, t: int) -> int:
    if cal is None or cal.is_open_us(t):
        return t
    return cal.next_open_us(t)


class MetricRun:
    __slots__ = ("cycles", "ev_paused", "open", "st_paused")

    def __init__(self) -> None:
        self.cycles: list[Cycle] = []
        self.open: Cycle | None = None
        self.ev_paused = False
        self.st_paused = False


class Run:
    """One ticket being fed events in order."""

    __slots__ = ("attrs", "count", "engine", "last", "mruns", "seen", "state", "ticket_id")

    def __init__(self, engine: Engine, ticket_id: str, attrs: Attrs) -> None:
        self.engine = engine
        self.ticket_id = ticket_id
        self.attrs = attrs
        self.state = -1
        self.seen: set[EventKind] = set()
        self.count = 0
        self.last = NEVER
        self.mruns = [MetricRun() for _ in engine.plans]

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

    def feed(self, at: int, kind: EventKind, value: str | None) -> None:
        """Apply one event; every check is made before anything changes."""
        eng = self.engine
        index = self.count
        if index == 0 and kind is not EventKind.CREATED:
            raise self._fail(index, kind, value, at, "the log must start with a 'created' event")
        if index and kind is EventKind.CREATED:
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
        if kind in _PLAIN and index:
            self.count = index + 1
            self.last = at
            table = eng.on_custom.get(value or "") if kind is EventKind.CUSTOM else None
            if table is None:
                table = eng.on_event.get(kind)
            if table:
                self._fire(
                    table, at, index, kind.value if value is None else f"{kind.value} {value!r}"
                )
            self.seen.add(kind)
            return
        # the new state
        old = self.state
        new = old
        lifecycle = eng.lifecycle
        if kind is EventKind.CREATED:
            new = eng.states[lifecycle.initial]
        elif kind is EventKind.STATUS_CHANGED:
            assert value is not None
            if value not in eng.states:
                raise self._fail(
                    index,
                    kind,
                    value,
                    at,
                    f"unknown state {value!r}; expected one of {', '.join(eng.states)}",
                )
            new = eng.states[value]
        elif kind is EventKind.RESOLVED:
            new = eng.states[lifecycle.resolved]
        elif kind is EventKind.VERIFIED:
            new = eng.states[lifecycle.verified]
        elif kind is EventKind.CLOSED:
            new = eng.states[lifecycle.closed]
        elif kind is EventKind.REOPENED:
            if not eng.terminal[old]:
                raise self._fail(
                    index,
                    kind,
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
                    kind,
                    value,
                    at,
                    f"cannot reopen into {target_state!r}; name a non-terminal state of "
                    f"{', '.join(eng.states)}",
                )
            new = eng.states[target_state]
        if (
            old >= 0
            and eng.terminal[old]
            and not eng.terminal[new]
            and kind is not EventKind.REOPENED
        ):
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
        attr_name = ATTRIBUTE_OF.get(kind)
        if attr_name is not None:
            i = ATTRIBUTES.index(attr_name)
            attrs = (*attrs[:i], value, *attrs[i + 1 :])  # type: ignore[assignment]
        if kind is EventKind.CREATED or attrs != self.attrs:
            for plan in eng.plans:
                sel = eng.select(plan, attrs)
                if isinstance(sel, str):
                    raise self._fail(index, kind, value, at, sel)
        # -- apply (nothing below can fail on valid input) -----------------------------------
        self.count = index + 1
        self.last = at
        if attrs != self.attrs:
            self.attrs = attrs
            for plan, mr in zip(eng.plans, self.mruns, strict=True):
                if mr.open is not None:
                    self._reselect(plan, mr.open, at, index)
        if new != old:
            self._change_state(old, new, at, index)
        table = eng.on_custom.get(value or "") if kind is EventKind.CUSTOM else None
        if table is None:
            table = eng.on_event.get(kind)
        if table:
            self._fire(table, at, index, kind.value if value is None else f"{kind.value} {value!r}")
        self.seen.add(kind)

    # ------------------------------------------------------------------ state changes
    def _change_state(self, old: int, new: int, at: int, index: int) -> None:
        eng = self.engine
        names = eng.lifecycle.states
        if old >= 0:
            table = eng.on_leave.get(names[old].name)
            if table:
                self._fire(table, at, index, f"left {names[old].name!r}")
        self.state = new
        if old >= 0 and not eng.terminal[old] and eng.terminal[new]:
            for plan, mr in zip(eng.plans, self.mruns, strict=True):
                if mr.open is not None and plan.stop_on_terminal:
                    self._close(plan, mr, at, index, "terminal", f"entered {names[new].name!r}")
        elif old >= 0 and eng.terminal[old] and not eng.terminal[new]:
            for plan, mr in zip(eng.plans, self.mruns, strict=True):
                last = mr.cycles[-1] if mr.cycles else None
                if last is None or not last.by_terminal or mr.open is not None:
                    continue
                last.by_terminal = False
                if eng.reopen is Reopen.RESUME:
                    last.stop = None
                    last.outcome = None
                    mr.open = last
                    last.log.append((at, "reopened", index, "resumed the same cycle"))
                    if not (mr.st_paused or mr.ev_paused):
                        last.seg = at
                else:
                    self._open(plan, mr, at, index, "reopened: a new cycle")
        pauses = eng.state_pauses[new]
        reason = f"{names[new].name!r} (event {index})"
        for plan, mr in zip(eng.plans, self.mruns, strict=True):
            paused = pauses[plan.index]
            if paused != mr.st_paused:
                self._set_pause(plan, mr, at, index, state=paused, reason=reason)
        table = eng.on_enter.get(names[new].name)
        if table:
            self._fire(table, at, index, f"entered {names[new].name!r}")

    def _fire(
        self, table: list[tuple[int, int, EventKind | None]], at: int, index: int, why: str
    ) -> None:
        eng = self.engine
        seen = self.seen
        for mi, action, after in table:
            if after is not None and after not in seen:
                continue
            plan = eng.plans[mi]
            mr = self.mruns[mi]
            if action == START:
                if mr.open is not None:
                    continue
                if plan.once and mr.cycles:
                    continue
                if plan.stop_on_terminal and eng.terminal[self.state]:
                    continue
                self._open(plan, mr, at, index, why)
            elif action == STOP:
                if mr.open is not None:
                    self._close(plan, mr, at, index, "stop", why)
                    if plan.repeat and not (plan.stop_on_terminal and eng.terminal[self.state]):
                        self._open(plan, mr, at, index, f"{why}: the next cycle")
            elif action == PAUSE:
                if not mr.ev_paused:
                    self._set_pause(
                        plan, mr, at, index, event=True, reason=f"{why} (event {index})"
                    )
            elif action == RESUME:
                if mr.ev_paused:
                    self._set_pause(
                        plan, mr, at, index, event=False, reason=f"{why} (event {index})"
                    )
            elif action == RESET:
                if mr.open is not None:
                    self._close(plan, mr, at, index, "reset", why)
                self._open(plan, mr, at, index, f"{why}: reset")
            elif mr.open is not None:  # CANCEL
                self._close(plan, mr, at, index, "cancel", why)

    # ------------------------------------------------------------------ cycles
    def _open(self, plan: MetricPlan, mr: MetricRun, at: int, index: int, why: str) -> None:
        c = Cycle(len(mr.cycles) + 1, at, len(plan.cals), len(plan.warns))
        sel = self.engine.select(plan, self.attrs)
        assert not isinstance(sel, str)  # checked when the attributes were set
        c.rule, c.target, c.cal = sel
        c.pos = plan.pos[c.cal]
        mr.cycles.append(c)
        mr.open = c
        c.log.append((at, "activated", index, why))
        c.log.append((at, "target", index, (c.rule, self.attrs)))
        if mr.st_paused or mr.ev_paused:
            c.log.append((at, "paused", index, "already paused on opening"))
        else:
            c.seg = at

    def _close(
        self, plan: MetricPlan, mr: MetricRun, at: int, index: int, how: str, why: str
    ) -> None:
        c = mr.open
        assert c is not None
        if c.seg is not None:
            self._measure(plan, c, at)
        breached = c.breached_at is not None and c.target is not None
        if how in ("stop", "terminal"):
            c.outcome = "breached" if breached else "met"
            kind = "fulfilled"
        else:
            c.outcome = "breached" if breached else "cancelled"
            kind = "cancelled" if how == "cancel" else "reset"
        c.stop = at
        c.by_terminal = how == "terminal"
        mr.open = None
        c.log.append((at, kind, index, why))

    def _set_pause(
        self,
        plan: MetricPlan,
        mr: MetricRun,
        at: int,
        index: int,
        *,
        state: bool | None = None,
        event: bool | None = None,
        reason: str,
    ) -> None:
        was = mr.st_paused or mr.ev_paused
        if state is not None:
            mr.st_paused = state
        if event is not None:
            mr.ev_paused = event
        now = mr.st_paused or mr.ev_paused
        c = mr.open
        if c is None or was == now:
            return
        if now:
            if c.seg is not None:
                self._measure(plan, c, at)
            c.log.append((at, "paused", index, f"paused by {reason}"))
        else:
            c.seg = at
            c.log.append((at, "resumed", index, f"resumed by {reason}"))

    def _measure(self, plan: MetricPlan, c: Cycle, b: int) -> None:
        """Close the running segment ``[c.seg, b)``: add its business time, record crossings."""
        a = c.seg
        assert a is not None
        c.seg = None
        ea = c.elapsed()
        if b > a:
            cals = self.engine.cals
            acc = c.acc
            for j, ci in enumerate(plan.cals):
                acc[j] += cals[ci].elapsed_us(a, b)
        if c.target is None:
            return
        eb = c.elapsed()
        t = c.target
        cal = self.engine.cals[c.cal]
        if c.due_at is None and eb >= t:
            c.due_at = cal.add_us(a, t - ea) if t > ea else a
        if c.breached_at is None and eb > t:
            c.breached_at = cal.add_us(a, t + 1 - ea) if t + 1 > ea else a
        if plan.warns:
            warn = c.warn
            for k, w in enumerate(plan.warns):
                if warn[k] is None:
                    if w.mode == SHARE:
                        if eb < -(-w.num * t // w.den):
                            continue
                    elif w.mode == BUSINESS_LEAD and eb < t - w.lead:
                        continue
                    u = _warn_instant(w, cal, a, ea, t)
                    if u < b:
                        warn[k] = (
                            NEVER
                            if c.breached_at is not None and c.breached_at <= u
                            else _held(w.notify, u)
                        )

    def _reselect(self, plan: MetricPlan, c: Cycle, at: int, index: int) -> None:
        sel = self.engine.select(plan, self.attrs)
        assert not isinstance(sel, str)
        if sel == (c.rule, c.target, c.cal):
            return
        running = c.seg is not None
        if running:
            self._measure(plan, c, at)
        e_old = c.elapsed()
        old_target = c.target
        c.rule, c.target, c.cal = sel
        c.pos = plan.pos[c.cal]
        eng = self.engine
        if old_target is None:
            if not eng.retroactive:
                c.base = list(c.acc)
                c.carried = 0
        elif eng.change is SeverityChange.RESTART:
            c.base = list(c.acc)
            c.carried = 0
        elif eng.change is SeverityChange.CARRY:
            c.base = list(c.acc)
            c.carried = e_old
        c.log.append((at, "target", index, (c.rule, self.attrs)))
        t = c.target
        if t is not None:
            e_new = c.elapsed()
            if e_new < t:
                c.due_at = None
            elif c.due_at is None or old_target != t:
                c.due_at = at
            if c.breached_at is None and e_new > t:
                c.breached_at = at
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
        warn = list(c.warn)
        t = c.target
        a = c.seg
        if t is None or a is None:
            return due, breach, warn
        ea = c.elapsed()
        cal = self.engine.cals[c.cal]
        if due is None:
            due = cal.add_us(a, t - ea) if t > ea else a
        if breach is None:
            breach = cal.add_us(a, t + 1 - ea) if t + 1 > ea else a
        for k, w in enumerate(plan.warns):
            if warn[k] is None:
                u = _warn_instant(w, cal, a, ea, t)
                warn[k] = NEVER if breach <= u else _held(w.notify, u)
        return due, breach, warn

    def escalations(self, plan: MetricPlan, c: Cycle, breach: int | None) -> list[int]:
        """Instants each escalation level is notified (empty without a breach)."""
        esc = plan.esc
        if esc is None or breach is None or c.target is None:
            return []
        if esc.business:
            cal = self.engine.cals[c.cal]
            return [_held(esc.notify, cal.add_us(breach, off)) for off in esc.offsets]
        return [_held(esc.notify, breach + off) for off in esc.offsets]


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


def _warn_instant(w: WarnPlan, cal: BusinessCalendar, a: int, ea: int, t: int) -> int:
    """When warning ``w`` is reached on a segment running from ``a`` with ``ea`` counted."""
    if w.mode == WALL_LEAD:
        due = cal.add_us(a, t - ea) if t > ea else a
        return max(a, due - w.lead)
    th = -(-w.num * t // w.den) if w.mode == SHARE else max(0, t - w.lead)
    return cal.add_us(a, th - ea) if th > ea else a


def attrs_of(values: Mapping[str, str | None]) -> Attrs:
    """The attribute tuple in :data:`ATTRIBUTES` order."""
    return (
        values.get("tier"),
        values.get("severity"),
        values.get("channel"),
        values.get("issue_class"),
    )
