"""The integer fast paths (rows_us, rows_many_us, evaluate_many) give evaluate's answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine._time import td_to_us, to_us
from sla_engine.calendar import BusinessCalendar
from sla_engine.clocks import (
    SLA,
    Evaluation,
    Event,
    EventKind,
    Ticket,
    TicketClock,
    evaluate,
    evaluate_many,
    rows_many_us,
)
from sla_engine.errors import SLAEngineError
from strategies import CLOCK_ZONES, clock_rich_logs

POLICY = {
    "calendars": {
        "24x7": "24x7",
        "business": {
            "timezone": "America/New_York",
            "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": {"country": "US"},
        },
    },
    "calendar_rules": [
        {
            "name": "around the clock",
            "when": {"tier": ["enterprise", "premium"]},
            "calendar": "24x7",
        },
        {"name": "office", "calendar": "business", "customer_zone": True},
    ],
    "metrics": [
        {"name": "first_response", "kind": "first_response"},
        {"name": "next_response", "kind": "next_response"},
        {"name": "workaround", "kind": "workaround"},
        {"name": "resolution", "kind": "resolution"},
        {"name": "time_in_progress", "kind": "time_in_state", "state": "In Progress"},
        {
            "name": "status_page",
            "kind": "periodic_update",
            "start": ["custom:major_incident"],
            "stop": ["custom:status_page_update"],
            "cancel": ["custom:incident_resolved"],
            "pause": ["custom:hold"],
            "resume": ["custom:unhold"],
        },
    ],
    "targets": {
        "first_response": [
            {"name": "phone", "when": {"channel": "phone"}, "target": "30s"},
            {"name": "chat", "when": {"channel": "chat"}, "target": "2m"},
            {"name": "e-mail", "target": "4h"},
        ],
        "next_response": [{"name": "all", "target": "2h"}],
        "workaround": [
            {"name": "sev1", "when": {"severity": "sev1"}, "target": "8h", "calendar": "24x7"},
            {"name": "others", "target": None},
        ],
        "resolution": [
            {"name": "background check", "when": {"issue_class": "bg_check"}, "target": "3bd"},
            {"name": "tier 1", "when": {"issue_class": "tier1"}, "target": "24h"},
            {"name": "others", "target": "72h"},
        ],
        "time_in_progress": [{"name": "all", "target": "48h"}],
        "status_page": [{"name": "all", "target": "30m", "calendar": "24x7"}],
    },
    "warnings": [
        {"name": "75%", "share": "75%"},
        {"name": "wall", "lead": "30m", "clock": "wall", "notify_calendar": "business"},
    ],
    "escalation": {"levels": [{"name": "L1"}, {"name": "Manager", "after": "1h"}]},
}
SLAS = {
    change: SLA.from_mapping({**POLICY, "strategies": {"severity_change": change}})
    for change in ("recompute", "restart", "carry")
}
Row = tuple[str, int, str, int | None, int | None, int, int | None]


def rows_of(result: Evaluation) -> list[Row]:
    """evaluate's answers in the shape of a fast-path row, computed from the CycleStatus."""
    return [
        (
            c.metric,
            c.cycle,
            c.state.value,
            None if c.due is None else to_us(c.due),
            None if c.breached_at is None else to_us(c.breached_at),
            td_to_us(c.business_elapsed),
            None if c.business_remaining is None else td_to_us(c.business_remaining),
        )
        for c in result.cycles
    ]


def build(log: tuple[datetime, list[tuple[timedelta, str, str | None]]], attrs: dict) -> Ticket:
    start, steps = log
    events = [Event(kind=EventKind.CREATED, at=start)]
    events += [Event(kind=EventKind(k), at=start + off, value=v) for off, k, v in steps]
    return Ticket(id="F-1", events=tuple(events), **attrs)


def outcome(call: object) -> object:
    """The value of ``call()``, or the error it raised (type and message)."""
    try:
        return call()  # type: ignore[operator]
    except SLAEngineError as exc:
        return (type(exc).__name__, str(exc))


attributes = st.fixed_dictionaries(
    {
        "tier": st.sampled_from(["enterprise", "premium", "standard"]),
        "severity": st.sampled_from(["sev1", "sev2"]),
        "channel": st.sampled_from(["phone", "chat", "email"]),
        "issue_class": st.sampled_from(["tier1", "tier2", "bg_check"]),
    },
    optional={"timezone": st.sampled_from(CLOCK_ZONES)},
)


@settings(max_examples=60, deadline=None)
@given(
    log=clock_rich_logs(),
    attrs=attributes,
    change=st.sampled_from(sorted(SLAS)),
    later=st.integers(0, 10**12),
    cut=st.integers(0, 12),
)
def test_rows_many_us_equals_evaluate(log, attrs, change, later, cut) -> None:
    """rows_many_us gives, per ticket, the state, due, breach, elapsed and remaining of evaluate."""
    sla = SLAS[change]
    ticket = build(log, attrs)
    events = ticket.events
    as_of = events[min(cut, len(events) - 1)].at + timedelta(microseconds=later)
    integer = [(e.at_us, e.kind, e.value) for e in events]
    fast = outcome(
        lambda: list(rows_many_us(sla, [("F-1", attrs, integer)], as_of_us=to_us(as_of)))
    )
    slow = outcome(lambda: [rows_of(evaluate(sla, ticket, as_of=as_of))])
    assert fast == slow


@settings(max_examples=40, deadline=None)
@given(log=clock_rich_logs(), attrs=attributes, later=st.integers(0, 10**11))
def test_ticket_clock_rows_us_and_evaluate_many_equal_evaluate(log, attrs, later) -> None:
    """A clock fed one event at a time and evaluate_many answer with evaluate's rows."""
    sla = SLAS["recompute"]
    ticket = build(log, attrs)
    as_of = ticket.events[-1].at + timedelta(microseconds=later)
    slow = outcome(lambda: rows_of(evaluate(sla, ticket, as_of=as_of)))

    def incremental() -> list[Row]:
        clock = TicketClock.for_ticket(sla, ticket)
        for e in ticket.events:
            clock.feed_us(e.at_us, e.kind, e.value)
        return clock.rows_us(to_us(as_of))

    assert outcome(incremental) == slow
    assert outcome(lambda: next(evaluate_many(sla, [ticket], as_of=as_of))[1]) == slow


def test_rows_many_us_refuses_bad_input_like_the_clock() -> None:
    """A bad kind, a missing value or a bad attribute raises the clock's error with the id."""
    sla = SLAS["recompute"]
    t0 = to_us(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    bad_kind = [(t0, EventKind.CREATED, None), (t0, "agent_reply", None)]
    no_value = [(t0, EventKind.CREATED, None), (t0, EventKind.STATUS_CHANGED, None)]
    for events, needle in ((bad_kind, "unknown event kind"), (no_value, "needs value")):
        text = outcome(lambda e=events: list(rows_many_us(sla, [("B-1", {}, e)], as_of_us=t0)))
        assert isinstance(text, tuple) and "'B-1'" in text[1] and needle in text[1]
    text = outcome(lambda: list(rows_many_us(sla, [("B-2", {"tier": ""}, [])], as_of_us=t0)))
    assert isinstance(text, tuple) and "'B-2'" in text[1] and "tier" in text[1]


@settings(max_examples=60, deadline=None)
@given(
    a=st.integers(0, 4 * 366 * 24 * 60),
    b=st.integers(0, 4 * 366 * 24 * 60),
    zone=st.sampled_from(CLOCK_ZONES),
)
def test_always_open_calendar_arithmetic_equals_the_calendar(a, b, zone) -> None:
    """The engine's integer arithmetic for a 24x7 calendar equals the calendar, across DST."""
    cal = BusinessCalendar.always(timezone=zone)
    sla = SLA.from_mapping(
        {
            "calendars": {"always": cal.to_mapping()},
            "metrics": [{"name": "resolution", "kind": "resolution"}],
            "targets": {"resolution": [{"name": "all", "target": "1h", "calendar": "always"}]},
        }
    )
    base = to_us(datetime(2025, 1, 1, tzinfo=ZoneInfo("UTC")))
    x, y = base + a * 60_000_000 + 17, base + b * 60_000_000
    el, add = sla.engine.el[0], sla.engine.add[0]
    assert el(x, y) == cal.elapsed_us(x, y)
    assert add(x, y - base) == cal.add_us(x, y - base)
    assert add(x, base - y) == cal.add_us(x, base - y)
