"""Where every clock of a ticket stands at a moment, what happens next, and why.

- :func:`evaluate` ``(sla, ticket, *, as_of)`` returns an :class:`Evaluation`: per metric and
  cycle a :class:`CycleStatus`, the event stream (activated, paused, resumed, warned, breached,
  escalated, fulfilled ... each with its instant) and an explanation trace.
- :func:`next_deadlines` lists every later instant at which something changes if no event comes
  (a warning, a breach, an escalation), so a service can set timers instead of polling.
- :class:`TicketClock` is the incremental form: feed events one at a time (cost per event bounded
  by the number of metrics, not the length of the log) and ask at any moment; its answers are the
  batch answers, since :func:`evaluate` is a ``TicketClock`` fed the whole log.

Events later than ``as_of`` are not yet known and are ignored, so a log can be replayed at any
moment. All instants returned are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from sla_engine._time import format_duration, from_us, to_us, us_to_td
from sla_engine.clocks._engine import NEVER, Cycle, MetricPlan, Run, attrs_of
from sla_engine.clocks.events import VALUE_REQUIRED, Event, EventKind, Ticket
from sla_engine.clocks.sla import SLA
from sla_engine.errors import TicketError

__all__ = [
    "ClockEvent",
    "CycleState",
    "CycleStatus",
    "Evaluation",
    "StreamKind",
    "TicketClock",
    "evaluate",
    "next_deadlines",
]


class CycleState(StrEnum):
    """Where a metric cycle stands."""

    PENDING = "pending"  # the metric applies but no cycle has started
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"  # stopped with business elapsed <= target
    BREACHED = "breached"  # elapsed passed the target (open or stopped)
    CANCELLED = "cancelled"


class StreamKind(StrEnum):
    """Kinds of entries in the event stream."""

    ACTIVATED = "activated"
    PAUSED = "paused"
    RESUMED = "resumed"
    WARNED = "warned"
    BREACHED = "breached"
    ESCALATED = "escalated"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    RESET = "reset"
    REOPENED = "reopened"


@dataclass(frozen=True, slots=True, kw_only=True)
class CycleStatus:
    """One cycle of one metric at ``as_of``.

    ``due`` is projected (the instant business elapsed reaches the target if nothing pauses it);
    ``None`` while paused before reaching it. ``wall_until_due`` is negative when overdue.
    ``share_used`` is exact: elapsed / target as a ``Fraction``; a breach is decided on the
    integer microseconds, never on a rounded share.
    """

    metric: str
    cycle: int
    state: CycleState
    start: datetime | None
    stop: datetime | None
    due: datetime | None
    breached_at: datetime | None
    target: timedelta | None
    calendar: str | None
    rule: str | None
    business_elapsed: timedelta
    business_remaining: timedelta | None
    wall_until_due: timedelta | None
    share_used: Fraction

    def __post_init__(self) -> None:
        if not isinstance(self.state, CycleState):
            raise TicketError(f"state must be a CycleState, got {self.state!r}")
        if not isinstance(self.share_used, Fraction):
            raise TicketError(f"share_used must be a Fraction, got {self.share_used!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockEvent:
    """Something that happened (or, from :func:`next_deadlines`, will happen) to a cycle."""

    at: datetime
    kind: StreamKind
    metric: str
    cycle: int
    detail: str

    def __post_init__(self) -> None:
        if not isinstance(self.kind, StreamKind):
            raise TicketError(f"kind must be a StreamKind, got {self.kind!r}")

    def __str__(self) -> str:
        return (
            f"{self.at.isoformat()}  {self.metric} #{self.cycle} {self.kind.value}: {self.detail}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    """A ticket's clocks at ``as_of``: statuses, the event stream and the explanation trace."""

    ticket_id: str
    as_of: datetime
    state: str | None
    cycles: tuple[CycleStatus, ...]
    events: tuple[ClockEvent, ...]
    trace: tuple[str, ...]

    def of(self, metric: str) -> tuple[CycleStatus, ...]:
        """The cycles of ``metric`` (empty if it does not apply to this ticket)."""
        return tuple(c for c in self.cycles if c.metric == metric)

    def current(self, metric: str) -> CycleStatus | None:
        """The latest cycle of ``metric``, or ``None`` if it does not apply."""
        found = self.of(metric)
        return found[-1] if found else None


_LOG_KIND = {
    "activated": StreamKind.ACTIVATED,
    "paused": StreamKind.PAUSED,
    "resumed": StreamKind.RESUMED,
    "fulfilled": StreamKind.FULFILLED,
    "cancelled": StreamKind.CANCELLED,
    "reset": StreamKind.RESET,
    "reopened": StreamKind.REOPENED,
}

# a raw status row: (plan, cycle, state, elapsed, due, breach, warn instants, escalation instants)
_Row = tuple[
    MetricPlan, Cycle | None, CycleState, int, int | None, int | None, list[int | None], list[int]
]


def _require_as_of(ticket_id: str, as_of: object) -> int:
    if not isinstance(as_of, datetime) or as_of.utcoffset() is None:
        shown = as_of.isoformat() if isinstance(as_of, datetime) else repr(as_of)
        raise TicketError(
            f"ticket {ticket_id!r}: as_of={shown} has no time zone; pass an aware datetime, e.g. "
            "datetime(2026, 3, 9, 9, 0, tzinfo=timezone.utc)",
            path=("as_of",),
        )
    return to_us(as_of)


class TicketClock:
    """One ticket's clocks, fed one event at a time::

        clock = TicketClock(sla, ticket_id="T-1", tier="enterprise", channel="email")
        clock.feed(Event(kind=EventKind.CREATED, at=t0))
        clock.evaluate(as_of=t1)

    A refused event changes nothing. ``feed_us`` and ``rows_us`` are the integer fast paths.
    """

    __slots__ = ("_run", "sla")

    def __init__(
        self,
        sla: SLA,
        *,
        ticket_id: str,
        tier: str | None = None,
        severity: str | None = None,
        channel: str | None = None,
        issue_class: str | None = None,
    ) -> None:
        if not isinstance(sla, SLA):
            raise TicketError(f"expected an SLA, got {type(sla).__name__}")
        self.sla = sla
        attrs = attrs_of(
            {"tier": tier, "severity": severity, "channel": channel, "issue_class": issue_class}
        )
        for name, value in zip(("tier", "severity", "channel", "issue_class"), attrs, strict=True):
            if value is not None and (not isinstance(value, str) or not value):
                raise TicketError(
                    f"ticket {ticket_id!r}: {name} must be a non-empty string or None, got "
                    f"{value!r}",
                    path=(name,),
                )
        self._run = Run(sla.engine, ticket_id, attrs)

    @classmethod
    def for_ticket(cls, sla: SLA, ticket: Ticket) -> TicketClock:
        """A clock with ``ticket``'s id and attributes and no events fed yet."""
        return cls(
            sla,
            ticket_id=ticket.id,
            tier=ticket.tier,
            severity=ticket.severity,
            channel=ticket.channel,
            issue_class=ticket.issue_class,
        )

    @property
    def ticket_id(self) -> str:
        """The ticket's id."""
        return self._run.ticket_id

    @property
    def events_fed(self) -> int:
        """How many events have been applied."""
        return self._run.count

    def feed(self, event: Event) -> None:
        """Apply the next event; on error nothing changes and the message names the event."""
        if not isinstance(event, Event):
            raise TicketError(
                f"ticket {self._run.ticket_id!r}: expected an Event, got {type(event).__name__}"
            )
        self._run.feed(event.at_us, event.kind, event.value)

    def feed_us(self, at_us: int, kind: EventKind, value: str | None = None) -> None:
        """:meth:`feed` on the integer fast path: ``at_us`` is µs since the epoch (UTC)."""
        if not isinstance(kind, EventKind):
            raise TicketError(
                f"ticket {self._run.ticket_id!r}, event {self._run.count}: unknown event kind "
                f"{kind!r}; expected one of {', '.join(k.value for k in EventKind)}",
                path=("events", self._run.count, "kind"),
            )
        if kind in VALUE_REQUIRED and not value:
            raise TicketError(
                f"ticket {self._run.ticket_id!r}, event {self._run.count} ({kind.value}): needs "
                f"value= {VALUE_REQUIRED[kind]}",
                path=("events", self._run.count, "value"),
            )
        self._run.feed(at_us, kind, value)

    # ------------------------------------------------------------------ answers
    def _as_of(self, as_of: datetime) -> int:
        t = _require_as_of(self._run.ticket_id, as_of)
        if t < self._run.last:
            raise TicketError(
                f"ticket {self._run.ticket_id!r}: as_of={as_of.isoformat()} is before event "
                f"{self._run.count - 1} at {from_us(self._run.last).isoformat()}; ask a clock at "
                "or after its last event, or use evaluate(sla, ticket, as_of=...) to replay",
                path=("as_of",),
            )
        return t

    def rows_us(
        self, as_of_us: int
    ) -> list[tuple[str, int, str, int | None, int | None, int, int | None]]:
        """The integer fast path of :meth:`evaluate`: per applicable cycle
        ``(metric, cycle, state, due_us, breached_at_us, elapsed_us, remaining_us)``.

        ``as_of_us`` must not be before the last event fed.
        """
        run = self._run
        eng = run.engine
        cals = eng.cals
        out: list[tuple[str, int, str, int | None, int | None, int, int | None]] = []
        for plan, mr in zip(eng.plans, run.mruns, strict=True):
            if not mr.cycles:
                if run.count:
                    sel = eng.select(plan, run.attrs)
                    if not isinstance(sel, str) and sel[1] is not None:
                        out.append((plan.name, 0, "pending", None, None, 0, sel[1]))
                continue
            for c in mr.cycles:
                t = c.target
                if t is None:
                    continue
                elapsed = c.elapsed()
                due = c.due_at
                breach = c.breached_at
                a = c.seg
                if c.stop is not None:
                    state = c.outcome
                    assert state is not None
                    if due is None:
                        due = cals[c.cal].add_us(c.stop, t - elapsed)
                elif a is None:
                    state = "breached" if breach is not None else "paused"
                else:
                    cal = cals[c.cal]
                    if due is None:
                        due = cal.add_us(a, t - elapsed) if t > elapsed else a
                    if breach is None:
                        breach = cal.add_us(a, t + 1 - elapsed) if t + 1 > elapsed else a
                    elapsed += cal.elapsed_us(a, as_of_us)
                    state = "breached" if breach <= as_of_us else "running"
                out.append(
                    (
                        plan.name,
                        c.no,
                        state,
                        due,
                        breach if breach is not None and breach <= as_of_us else None,
                        elapsed,
                        max(0, t - elapsed),
                    )
                )
        return out

    def evaluate(self, *, as_of: datetime) -> Evaluation:
        """Where every clock stands at ``as_of`` (not before the last event fed)."""
        return _evaluation(self._run, self._as_of(as_of), as_of)

    def next_deadlines(self, *, as_of: datetime) -> tuple[ClockEvent, ...]:
        """Every instant after ``as_of`` at which something changes if no event comes."""
        return _deadlines(self._run, self._as_of(as_of))


def _clock_for(sla: SLA, ticket: Ticket, as_of: datetime) -> tuple[TicketClock, int]:
    if not isinstance(ticket, Ticket):
        raise TicketError(f"expected a Ticket, got {type(ticket).__name__}")
    t = _require_as_of(ticket.id, as_of)
    clock = TicketClock.for_ticket(sla, ticket)
    run = clock._run
    for event in ticket.events:
        if event.at_us > t:
            break
        run.feed(event.at_us, event.kind, event.value)
    return clock, t


def evaluate(sla: SLA, ticket: Ticket, *, as_of: datetime) -> Evaluation:
    """Where every clock of ``ticket`` stands at ``as_of`` (later events are ignored)."""
    clock, t = _clock_for(sla, ticket, as_of)
    return _evaluation(clock._run, t, as_of)


def next_deadlines(sla: SLA, ticket: Ticket, *, as_of: datetime) -> tuple[ClockEvent, ...]:
    """Every instant after ``as_of`` at which a warning, breach or escalation falls due,
    assuming no further event; sorted by time."""
    clock, t = _clock_for(sla, ticket, as_of)
    return _deadlines(clock._run, t)


# ---------------------------------------------------------------------- internals
def _rows(run: Run, as_of: int) -> list[_Row]:
    eng = run.engine
    rows: list[_Row] = []
    for plan, mr in zip(eng.plans, run.mruns, strict=True):
        if not mr.cycles:
            if run.count:
                sel = eng.select(plan, run.attrs)
                if not isinstance(sel, str) and sel[1] is not None:
                    rows.append((plan, None, CycleState.PENDING, 0, None, None, [], []))
            continue
        for c in mr.cycles:
            t = c.target
            if t is None:
                continue
            due, breach, warn = run.project(plan, c)
            if c.stop is not None:
                elapsed = c.elapsed()
                assert c.outcome is not None
                state = CycleState(c.outcome)
            else:
                if c.seg is not None:
                    elapsed = c.elapsed() + eng.cals[c.cal].elapsed_us(c.seg, as_of)
                else:
                    elapsed = c.elapsed()
                if breach is not None and breach <= as_of:
                    state = CycleState.BREACHED
                elif c.seg is not None:
                    state = CycleState.RUNNING
                else:
                    state = CycleState.PAUSED
            rows.append(
                (plan, c, state, elapsed, due, breach, warn, run.escalations(plan, c, breach))
            )
    return rows


def _visible(at: int | None, c: Cycle, breach: int | None) -> bool:
    return (
        at is not None
        and at != NEVER
        and (c.stop is None or at < c.stop)
        and (breach is None or at < breach)
    )


def _timed(
    plan: MetricPlan, c: Cycle, breach: int | None, warn: list[int | None], esc: list[int]
) -> list[tuple[int, StreamKind, str]]:
    """(instant, kind, detail) of the time-driven entries of a cycle, reached or not."""
    out: list[tuple[int, StreamKind, str]] = []
    for w, at in zip(plan.warns, warn, strict=True):
        if _visible(at, c, breach):
            assert at is not None
            out.append((at, StreamKind.WARNED, f"{w.name}"))
    if breach is not None and (c.stop is None or breach <= c.stop):
        assert c.target is not None
        out.append(
            (breach, StreamKind.BREACHED, f"target {format_duration(us_to_td(c.target))} passed")
        )
    if plan.esc is not None and esc:
        for name, at2 in zip(plan.esc.names, esc, strict=True):
            if _visible(at2, c, None):
                out.append((at2, StreamKind.ESCALATED, f"to {name}"))
    return out


def _deadlines(run: Run, as_of: int) -> tuple[ClockEvent, ...]:
    found: list[tuple[int, int, int, int, ClockEvent]] = []
    for plan, c, _, _, _, breach, warn, esc in _rows(run, as_of):
        if c is None or c.stop is not None:
            continue
        for seq, (at, kind, detail) in enumerate(_timed(plan, c, breach, warn, esc)):
            if at > as_of:
                event = ClockEvent(
                    at=from_us(at), kind=kind, metric=plan.name, cycle=c.no, detail=detail
                )
                found.append((at, plan.index, c.no, seq, event))
    found.sort(key=lambda x: x[:4])
    return tuple(x[4] for x in found)


def _evaluation(run: Run, as_of: int, as_of_dt: datetime) -> Evaluation:
    eng = run.engine
    statuses: list[CycleStatus] = []
    stream: list[tuple[int, int, int, int, ClockEvent]] = []
    trace: list[str] = []
    if not run.count:
        trace.append(f"ticket {run.ticket_id!r} is not yet created at {from_us(as_of).isoformat()}")
    for plan, c, state, elapsed, due, breach, warn, esc in _rows(run, as_of):
        if c is None:
            sel = eng.select(plan, run.attrs)
            assert not isinstance(sel, str)
            rule = plan.rules[sel[0]]
            statuses.append(
                CycleStatus(
                    metric=plan.name,
                    cycle=0,
                    state=CycleState.PENDING,
                    start=None,
                    stop=None,
                    due=None,
                    breached_at=None,
                    target=us_to_td(rule.target) if rule.target is not None else None,
                    calendar=eng.cal_names[sel[2]],
                    rule=rule.name,
                    business_elapsed=timedelta(0),
                    business_remaining=us_to_td(rule.target) if rule.target is not None else None,
                    wall_until_due=None,
                    share_used=Fraction(0),
                )
            )
            trace.append(f"{plan.name}: pending (no cycle has started)")
            continue
        t = c.target
        assert t is not None
        running = c.stop is None and c.seg is not None
        shown_due = due if running else c.due_at
        if shown_due is None and c.stop is not None:
            # a stopped cycle's due: where the target would have run out had it gone on
            shown_due = eng.cals[c.cal].add_us(c.stop, t - elapsed)
        statuses.append(
            CycleStatus(
                metric=plan.name,
                cycle=c.no,
                state=state,
                start=from_us(c.start),
                stop=None if c.stop is None else from_us(c.stop),
                due=None if shown_due is None else from_us(shown_due),
                breached_at=from_us(breach) if breach is not None and breach <= as_of else None,
                target=us_to_td(t),
                calendar=eng.cal_names[c.cal],
                rule=plan.rules[c.rule].name,
                business_elapsed=us_to_td(elapsed),
                business_remaining=us_to_td(max(0, t - elapsed)),
                wall_until_due=us_to_td(shown_due - as_of)
                if running and shown_due is not None
                else None,
                share_used=Fraction(elapsed, t),
            )
        )
        seq = 0
        for at, what, _, detail in c.log:
            kind = _LOG_KIND.get(what)
            if kind is None:
                continue
            text = detail if isinstance(detail, str) else what
            stream.append(
                (
                    at,
                    plan.index,
                    c.no,
                    seq,
                    ClockEvent(
                        at=from_us(at), kind=kind, metric=plan.name, cycle=c.no, detail=text
                    ),
                )
            )
            seq += 1
        for at, kind, text in _timed(plan, c, breach, warn, esc):
            if at <= as_of:
                stream.append(
                    (
                        at,
                        plan.index,
                        c.no,
                        1000 + seq,
                        ClockEvent(
                            at=from_us(at), kind=kind, metric=plan.name, cycle=c.no, detail=text
                        ),
                    )
                )
                seq += 1
        trace.extend(_explain_cycle(run, plan, c, state, elapsed, as_of))
    stream.sort(key=lambda x: x[:4])
    state_name = eng.lifecycle.states[run.state].name if run.state >= 0 else None
    return Evaluation(
        ticket_id=run.ticket_id,
        as_of=from_us(as_of),
        state=state_name,
        cycles=tuple(statuses),
        events=tuple(x[4] for x in stream),
        trace=tuple(trace),
    )


def _explain_cycle(
    run: Run, plan: MetricPlan, c: Cycle, state: CycleState, elapsed: int, as_of: int
) -> list[str]:
    eng = run.engine
    head = f"{plan.name} #{c.no}"
    lines = []
    cal = eng.cals[c.cal]
    running_from: int | None = None
    paused_from: tuple[int, str] | None = None

    def counted(a: int, b: int) -> None:
        if b <= a:
            return
        for span in cal.explain(from_us(a), from_us(b)):
            mark = "counted" if span.counted else "not counted"
            lines.append(
                f"  {span.start.isoformat()} .. {span.end.isoformat()}  {mark}: {span.reason}"
            )

    for at, what, index, detail in c.log:
        if what == "target":
            rule_pos, attrs = detail
            rule = plan.rules[rule_pos]
            for reason in eng.why_not(plan, attrs, rule_pos):
                lines.append(f"  {reason}")
            if rule.target is None:
                lines.append(
                    f"  rule {rule.name!r} matched ({rule.text}): the metric does not apply"
                )
            else:
                sel = eng.select(plan, attrs)
                cal_name = eng.cal_names[sel[2]] if not isinstance(sel, str) else "?"
                lines.append(
                    f"  rule {rule.name!r} matched ({rule.text}) at event {index}: target "
                    f"{format_duration(us_to_td(rule.target))} on calendar {cal_name!r}"
                )
            continue
        if what in ("activated", "resumed", "reopened"):
            if what == "activated":
                lines.append(
                    f"{head}: activated at {from_us(at).isoformat()} by {detail} (event {index})"
                )
            if paused_from is not None:
                lines.append(
                    f"  {from_us(paused_from[0]).isoformat()} .. {from_us(at).isoformat()}  "
                    f"not counted: {paused_from[1]}"
                )
                paused_from = None
            running_from = at
        elif what == "paused":
            if running_from is not None:
                counted(running_from, at)
            running_from = None
            paused_from = (at, str(detail))
        elif what in ("fulfilled", "cancelled", "reset"):
            if running_from is not None:
                counted(running_from, at)
            running_from = None
            paused_from = None
            lines.append(f"  {what} at {from_us(at).isoformat()} by {detail} (event {index})")
    if c.stop is None:
        if c.seg is not None:
            counted(c.seg, as_of)
        elif paused_from is not None:
            lines.append(
                f"  {from_us(paused_from[0]).isoformat()} .. {from_us(as_of).isoformat()}  "
                f"not counted: {paused_from[1]} (still paused)"
            )
    assert c.target is not None
    lines.append(
        f"  {state.value}: {format_duration(us_to_td(elapsed))} of "
        f"{format_duration(us_to_td(c.target))} used"
    )
    return lines
