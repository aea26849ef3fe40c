"""Laws of ticket clocks, as named property tests (sla_engine.clocks)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine.calendar import BusinessCalendar
from sla_engine.clocks import (
    SLA,
    CycleState,
    EscalationChain,
    EscalationLevel,
    Evaluation,
    Event,
    EventKind,
    Metric,
    TargetRule,
    Ticket,
    TicketClock,
    WarningRule,
    evaluate,
    next_deadlines,
    rows_many_us,
)
from strategies import clock_logs, clock_zone_names

CALENDARS = {
    "24x7": BusinessCalendar.always(timezone="UTC"),
    "nine-five": BusinessCalendar(
        timezone="America/New_York", hours={"mon-fri": ["09:00-17:00"]}, holidays={"country": "US"}
    ),
}
US = timedelta(microseconds=1)


def make_sla(calendar: str, resolution: timedelta, first: timedelta = timedelta(hours=1)) -> SLA:
    """Resolution (paused by Waiting on Customer) and first response on one calendar."""
    from fractions import Fraction

    return SLA(
        calendars={calendar: CALENDARS[calendar]},
        metrics=(Metric.first_response(), Metric.next_response(), Metric.resolution()),
        targets={
            "first_response": (TargetRule(name="all", target=first, calendar=calendar),),
            "next_response": (TargetRule(name="all", target=first, calendar=calendar),),
            "resolution": (TargetRule(name="all", target=resolution, calendar=calendar),),
        },
        warnings=(
            WarningRule(name="half", share=Fraction(1, 2)),
            WarningRule(name="lead", lead=timedelta(minutes=30)),
        ),
        escalation=EscalationChain(
            levels=(
                EscalationLevel(name="L1"),
                EscalationLevel(name="Manager", after=timedelta(hours=1)),
            )
        ),
    )


def make_ticket(start: datetime, steps: list[tuple[timedelta, str, str | None]]) -> Ticket:
    events = [Event(kind=EventKind.CREATED, at=start)]
    events += [Event(kind=EventKind(k), at=start + off, value=v) for off, k, v in steps]
    return Ticket(id="T-1", events=tuple(events))


def resumed(
    steps: list[tuple[timedelta, str, str | None]],
) -> list[tuple[timedelta, str, str | None]]:
    """The steps, ending In Progress so the resolution clock runs."""
    last = steps[-1][0] if steps else timedelta(0)
    return [*steps, (last, "status_changed", "In Progress")]


def resolution(result: Evaluation) -> object:
    found = result.current("resolution")
    assert found is not None
    return found


calendars = st.sampled_from(sorted(CALENDARS))
targets = st.integers(1, 60 * 100).map(lambda m: timedelta(minutes=m))


@settings(max_examples=60, deadline=None)
@given(log=clock_logs(), cal=calendars, target=targets, data=st.data())
def test_more_pause_never_makes_due_earlier(log, cal, target, data) -> None:
    """Adding a Waiting-on-Customer interval never moves the resolution due time earlier."""
    start, steps = log
    steps = resumed(steps)
    end = steps[-1][0]
    p = data.draw(st.integers(0, int(end.total_seconds() // 60) + 60))
    changes = [off for off, kind, _ in steps if kind == "status_changed"]
    later = [int(off.total_seconds() // 60) for off in changes if off > timedelta(minutes=p)]
    limit = min([*later, p + 60 * 48])
    q = data.draw(st.integers(p, max(p, limit)))
    # the ticket's pausing state at p, to restore at q
    state = "In Progress"
    for off, kind, value in steps:
        if off <= timedelta(minutes=p) and kind == "status_changed":
            assert value is not None
            state = value
    extra = [
        (timedelta(minutes=p), "status_changed", "Waiting on Customer"),
        (timedelta(minutes=q), "status_changed", state),
    ]
    # the pause starts after the log's events at p and ends before those at q
    keyed = [(off, 1, i, (off, k, v)) for i, (off, k, v) in enumerate(steps)]
    keyed += [(extra[0][0], 2, 0, extra[0]), (extra[1][0], 0, 0, extra[1])]
    more = [item[3] for item in sorted(keyed, key=lambda x: x[:3])]
    if more[-1][2] != "In Progress":
        more.append((more[-1][0], "status_changed", "In Progress"))
    sla = make_sla(cal, target)
    a, b = make_ticket(start, steps), make_ticket(start, more)
    as_of = max(a.events[-1].at, b.events[-1].at)
    due_a = resolution(evaluate(sla, a, as_of=as_of)).due  # type: ignore[attr-defined]
    due_b = resolution(evaluate(sla, b, as_of=as_of)).due  # type: ignore[attr-defined]
    assert due_a is not None and due_b is not None
    assert due_b >= due_a


@settings(max_examples=60, deadline=None)
@given(log=clock_logs(), cal=calendars, t1=targets, t2=targets)
def test_larger_target_never_makes_due_earlier(log, cal, t1, t2) -> None:
    """With the same log, a larger resolution target gives a due time no earlier."""
    small, large = sorted((t1, t2))
    ticket = make_ticket(log[0], resumed(log[1]))
    as_of = ticket.events[-1].at
    due_small = resolution(evaluate(make_sla(cal, small), ticket, as_of=as_of)).due  # type: ignore[attr-defined]
    due_large = resolution(evaluate(make_sla(cal, large), ticket, as_of=as_of)).due  # type: ignore[attr-defined]
    assert due_small <= due_large


@settings(max_examples=60, deadline=None)
@given(log=clock_logs(), cal=calendars, target=targets, later=st.integers(1, 10**12))
def test_met_cycle_stays_met_as_evaluation_moves_on(log, cal, target, later) -> None:
    """A cycle that is met once the log is complete is met, unchanged, at every later moment."""
    ticket = make_ticket(log[0], log[1])
    sla = make_sla(cal, target, first=target)
    t = ticket.events[-1].at
    now = evaluate(sla, ticket, as_of=t)
    after = evaluate(sla, ticket, as_of=t + timedelta(microseconds=later))
    for c in now.cycles:
        if c.state is CycleState.MET:
            same = [x for x in after.cycles if (x.metric, x.cycle) == (c.metric, c.cycle)]
            assert same == [c]


def oracle_elapsed(cal: BusinessCalendar, ticket: Ticket, until: datetime) -> timedelta:
    """Business time the resolution clock counts up to ``until``, computed from the log alone."""
    total = timedelta(0)
    running_from: datetime | None = ticket.events[0].at
    for event in ticket.events[1:]:
        if event.kind is not EventKind.STATUS_CHANGED:
            continue
        if event.value == "Waiting on Customer" and running_from is not None:
            if running_from < until:
                total += cal.elapsed(running_from, min(event.at, until))
            running_from = None
        elif event.value != "Waiting on Customer" and running_from is None:
            running_from = event.at
    if running_from is not None and running_from < until:
        total += cal.elapsed(running_from, until)
    return total


@settings(max_examples=60, deadline=None)
@given(log=clock_logs(), cal=calendars, target=targets)
def test_business_elapsed_at_due_equals_target(log, cal, target) -> None:
    """At the projected due time, the business time counted (with pauses) is the target."""
    ticket = make_ticket(log[0], resumed(log[1]))
    sla = make_sla(cal, target)
    last = ticket.events[-1].at
    due = resolution(evaluate(sla, ticket, as_of=last)).due  # type: ignore[attr-defined]
    assert due is not None
    if due >= last:
        at_due = resolution(evaluate(sla, ticket, as_of=due))
        assert at_due.business_elapsed == target  # type: ignore[attr-defined]
    assert oracle_elapsed(CALENDARS[cal], ticket, due) == target


@settings(max_examples=50, deadline=None)
@given(
    log=clock_logs(), cal=calendars, target=targets, zone=clock_zone_names(), z2=clock_zone_names()
)
def test_answers_do_not_depend_on_input_time_zones(log, cal, target, zone, z2) -> None:
    """Writing every instant (events and as_of) in another zone changes no answer."""
    ticket = make_ticket(log[0], log[1])
    moved = Ticket(
        id=ticket.id,
        events=tuple(
            Event(kind=e.kind, at=e.at.astimezone(ZoneInfo(zone)), value=e.value)
            for e in ticket.events
        ),
    )
    sla = make_sla(cal, target)
    as_of = ticket.events[-1].at + timedelta(hours=5)
    assert evaluate(sla, ticket, as_of=as_of) == evaluate(
        sla, moved, as_of=as_of.astimezone(ZoneInfo(z2))
    )
    assert next_deadlines(sla, ticket, as_of=as_of) == next_deadlines(sla, moved, as_of=as_of)


@settings(max_examples=50, deadline=None)
@given(log=clock_logs(), cal=calendars, target=targets)
def test_incremental_equals_batch(log, cal, target) -> None:
    """Feeding events one at a time, and asking between them, gives after each instant the
    answer of the batch path (rows_many_us applies a whole log at once, through its own
    compiled steps) and of a fresh replay (evaluate) at that instant."""
    ticket = make_ticket(log[0], log[1])
    sla = make_sla(cal, target)
    clock = TicketClock.for_ticket(sla, ticket)
    events = ticket.events
    log_us = [(e.at_us, e.kind, e.value) for e in events]
    for i, event in enumerate(events):
        clock.feed(event)
        if i + 1 < len(events) and events[i + 1].at == event.at:
            continue  # the batch at this instant also sees the events that share it
        (batch,) = rows_many_us(sla, [(ticket.id, {}, log_us)], as_of_us=event.at_us)
        assert clock.rows_us(event.at_us) == batch
        assert clock.evaluate(as_of=event.at) == evaluate(sla, ticket, as_of=event.at)
        assert clock.next_deadlines(as_of=event.at) == next_deadlines(sla, ticket, as_of=event.at)


def discrete(result: Evaluation) -> object:
    """What a timer service sees change: states, stops, due and breach times, the stream."""
    return (
        tuple((c.metric, c.cycle, c.state, c.stop, c.due, c.breached_at) for c in result.cycles),
        result.events,
    )


@settings(max_examples=40, deadline=None)
@given(log=clock_logs(max_steps=5), cal=calendars, target=targets, data=st.data())
def test_next_deadlines_show_every_change_and_nothing_between(log, cal, target, data) -> None:
    """The answer changes at each instant next_deadlines lists, and never strictly between."""
    ticket = make_ticket(log[0], log[1])
    sla = make_sla(cal, target, first=target)
    as_of = ticket.events[-1].at
    instants = sorted({d.at for d in next_deadlines(sla, ticket, as_of=as_of)})[:6]
    previous = as_of
    view = discrete(evaluate(sla, ticket, as_of=as_of))
    for at in instants:
        assert at > previous
        gap = int((at - previous) / US)
        if gap > 1:
            between = previous + US * data.draw(st.integers(1, gap - 1))
            assert discrete(evaluate(sla, ticket, as_of=between)) == view
        assert discrete(evaluate(sla, ticket, as_of=at - US)) == view
        changed = discrete(evaluate(sla, ticket, as_of=at))
        assert changed != view
        view, previous = changed, at
