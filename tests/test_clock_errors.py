"""Bad input to ticket clocks: each a clear TicketError naming the ticket, the event and the fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sla_engine.calendar import BusinessCalendar
from sla_engine.clocks import (
    SLA,
    CalendarRule,
    Event,
    EventKind,
    Match,
    Metric,
    TargetRule,
    Ticket,
    TicketClock,
    evaluate,
)
from sla_engine.errors import NaiveDatetimeError, TicketError

T0 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
SLA_ = SLA(
    calendars={"24x7": BusinessCalendar.always()},
    metrics=(Metric.first_response(), Metric.resolution()),
    targets={
        "first_response": (TargetRule(name="all", target=timedelta(hours=1)),),
        "resolution": (
            TargetRule(
                name="sev1", target=timedelta(hours=8), when=Match(severity=frozenset({"sev1"}))
            ),
        ),
    },
    calendar_rules=(CalendarRule(name="all", calendar="24x7"),),
)


def ev(kind: str, minutes: int, value: str | None = None) -> Event:
    return Event(kind=EventKind(kind), at=T0 + timedelta(minutes=minutes), value=value)


def test_naive_event_time_names_ticket_event_and_fix() -> None:
    """A naive event time read from data is refused naming the ticket, the event and a fix."""
    with pytest.raises(TicketError) as err:
        Ticket.from_mapping(
            {
                "id": "T-9",
                "events": [
                    {"kind": "created", "at": "2026-03-09T09:00:00+00:00"},
                    {"kind": "agent_reply", "at": "2026-03-09T10:00:00"},
                ],
            }
        )
    text = str(err.value)
    assert "'T-9'" in text and "event 1" in text and "agent_reply" in text
    assert "tzinfo" in text or "time zone" in text
    assert err.value.path == ("events", 1, "at")


def test_naive_event_object_is_refused() -> None:
    """Building an Event from a naive datetime raises NaiveDatetimeError with a fix."""
    with pytest.raises(NaiveDatetimeError, match="time zone"):
        Event(kind=EventKind.CREATED, at=datetime(2026, 3, 9, 9, 0))


def test_naive_as_of_names_the_ticket() -> None:
    """A naive as_of is refused naming the ticket."""
    ticket = Ticket(id="T-1", severity="sev1", events=(ev("created", 0),))
    with pytest.raises(NaiveDatetimeError, match=r"'T-1'.*as_of.*time zone"):
        evaluate(SLA_, ticket, as_of=datetime(2026, 3, 9, 12, 0))


def test_unknown_state_names_ticket_event_and_states() -> None:
    """A status change to a state the lifecycle lacks names the ticket, the event, the states."""
    ticket = Ticket(
        id="T-2",
        severity="sev1",
        events=(ev("created", 0), ev("status_changed", 5, "On Hold")),
    )
    with pytest.raises(TicketError) as err:
        evaluate(SLA_, ticket, as_of=T0 + timedelta(hours=1))
    text = str(err.value)
    assert "'T-2'" in text and "event 1" in text and "'On Hold'" in text
    assert "Waiting on Customer" in text  # lists the states to choose from


def test_unknown_event_kind_names_the_event_and_kinds() -> None:
    """An unknown event kind names the ticket, the event and the known kinds."""
    with pytest.raises(TicketError) as err:
        Ticket.from_mapping(
            {
                "id": "T-3",
                "events": [
                    {"kind": "created", "at": "2026-03-09T09:00:00+00:00"},
                    {"kind": "escalate", "at": "2026-03-09T09:05:00+00:00"},
                ],
            }
        )
    text = str(err.value)
    assert "'T-3'" in text and "event 1" in text and "'escalate'" in text and "custom" in text


def test_transition_out_of_terminal_state_needs_reopen() -> None:
    """Leaving a terminal state without a reopen is refused, saying to add a 'reopened' event."""
    ticket = Ticket(
        id="T-4",
        severity="sev1",
        events=(
            ev("created", 0),
            ev("resolved", 10),
            ev("status_changed", 20, "In Progress"),
        ),
    )
    with pytest.raises(TicketError) as err:
        evaluate(SLA_, ticket, as_of=T0 + timedelta(hours=1))
    text = str(err.value)
    assert "'T-4'" in text and "event 2" in text and "'Resolved'" in text and "reopened" in text


def test_target_no_rule_matches_names_ticket_event_and_fix() -> None:
    """A ticket no target rule matches is refused naming the metric and suggesting a catch-all."""
    ticket = Ticket(id="T-5", severity="sev3", events=(ev("created", 0),))
    with pytest.raises(TicketError) as err:
        evaluate(SLA_, ticket, as_of=T0)
    text = str(err.value)
    assert "'T-5'" in text and "event 0" in text and "'resolution'" in text
    assert "catch-all" in text


def test_out_of_order_event_is_named() -> None:
    """An event earlier than the one before it is named with both instants and the fix."""
    with pytest.raises(TicketError) as err:
        Ticket(id="T-6", events=(ev("created", 0), ev("agent_reply", 30), ev("internal_note", 10)))
    text = str(err.value)
    assert "'T-6'" in text and "event 2" in text and "internal_note" in text and "sort" in text
    assert err.value.path == ("events", 2)


def test_incremental_error_changes_nothing() -> None:
    """A refused event leaves an incremental clock exactly as it was (nothing half-applied)."""
    clock = TicketClock(SLA_, ticket_id="T-7", severity="sev1")
    clock.feed(ev("created", 0))
    clock.feed(ev("agent_reply", 5))
    before = clock.evaluate(as_of=T0 + timedelta(minutes=30))
    with pytest.raises(TicketError, match="event 2"):
        clock.feed(ev("severity_changed", 10, "sev4"))  # no resolution rule matches sev4
    with pytest.raises(TicketError, match="earlier than event 1"):
        clock.feed(ev("internal_note", 1))
    assert clock.events_fed == 2
    assert clock.evaluate(as_of=T0 + timedelta(minutes=30)) == before


def test_reopen_of_open_ticket_is_refused() -> None:
    """A reopen while the ticket is not in a terminal state is refused with a fix."""
    ticket = Ticket(id="T-8", severity="sev1", events=(ev("created", 0), ev("reopened", 5)))
    with pytest.raises(TicketError, match=r"'T-8', event 1 .*not terminal"):
        evaluate(SLA_, ticket, as_of=T0 + timedelta(hours=1))


def test_bad_policy_values_carry_a_path() -> None:
    """Policy data errors name where they are: a bare day, an unknown strategy, a bad trigger."""
    base = {
        "calendars": {"24x7": "24x7"},
        "metrics": [{"name": "resolution", "kind": "resolution"}],
        "targets": {"resolution": [{"name": "all", "target": "8h", "calendar": "24x7"}]},
    }
    with pytest.raises(TicketError) as err:
        SLA.from_mapping({**base, "targets": {"resolution": [{"name": "a", "target": "1d"}]}})
    assert err.value.path == ("targets", "resolution", 0, "target")
    with pytest.raises(TicketError) as err:
        SLA.from_mapping({**base, "strategies": {"reopen": "forget"}})
    assert err.value.path == ("strategies", "reopen")
    with pytest.raises(TicketError) as err:
        SLA.from_mapping(
            {
                **base,
                "metrics": [{"name": "resolution", "kind": "custom", "start": ["enter:Nowhere"]}],
            }
        )
    assert "'Nowhere'" in str(err.value) and "lifecycle" in str(err.value)
    assert err.value.path == ("metrics", 0, "start", 0)
