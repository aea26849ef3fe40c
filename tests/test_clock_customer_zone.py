"""Calendars read in the customer's own time zone (customer_zone), with a documented fallback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sla_engine.clocks import SLA, Ticket, evaluate
from sla_engine.errors import TicketError

OFFICE = {"timezone": "America/New_York", "hours": {"mon-fri": ["09:00-17:00"]}}
T0 = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin, 03:00 in New York


def policy(*, on_rule: bool = True, on_calendar_rule: bool = False) -> dict:
    """First response: 1h of office hours, the office read in the customer's zone."""
    rule: dict = {"name": "all", "target": "1h"}
    if on_rule:
        rule["customer_zone"] = True
    out: dict = {
        "calendars": {"office": OFFICE, "union": {"union": [OFFICE, OFFICE]}},
        "calendar_rules": [
            {"name": "office", "calendar": "office", "customer_zone": on_calendar_rule}
        ],
        "metrics": [{"name": "first_response", "kind": "first_response"}],
        "targets": {"first_response": [rule]},
    }
    return out


def ticket(zone: str | None = None, id_: str = "Z-1") -> Ticket:
    data: dict = {"id": id_, "events": [{"kind": "created", "at": T0.isoformat()}]}
    if zone is not None:
        data["timezone"] = zone
    return Ticket.from_mapping(data)


def due(sla: SLA, t: Ticket) -> datetime | None:
    status = evaluate(sla, t, as_of=T0).current("first_response")
    assert status is not None
    return status.due


def test_customer_zone_reads_the_calendar_in_the_tickets_zone() -> None:
    """A Berlin customer's office hours open at 09:00 Berlin: due 10:00 Berlin (09:00 UTC)."""
    sla = SLA.from_mapping(policy())
    assert due(sla, ticket("Europe/Berlin")) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    status = evaluate(sla, ticket("Europe/Berlin"), as_of=T0).current("first_response")
    assert status is not None and status.zone == "Europe/Berlin" and status.calendar == "office"
    trace = evaluate(sla, ticket("Europe/Berlin"), as_of=T0).trace
    assert any("customer's zone Europe/Berlin" in line for line in trace)


def test_missing_ticket_zone_falls_back_to_the_calendars_zone() -> None:
    """Without a ticket zone the office is New York's: opens 09:00 EDT, due 14:00 UTC."""
    sla = SLA.from_mapping(policy())
    assert due(sla, ticket()) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    status = evaluate(sla, ticket(), as_of=T0).current("first_response")
    assert status is not None and status.zone is None


def test_customer_zone_on_a_calendar_rule() -> None:
    """A calendar rule with customer_zone reads its calendar in the ticket's zone: 16:00 Tokyo
    is open, due 17:00 Tokyo; read in New York the office opens at 13:00 UTC."""
    sla = SLA.from_mapping(policy(on_rule=False, on_calendar_rule=True))
    assert due(sla, ticket("Asia/Tokyo")) == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    plain = SLA.from_mapping(policy(on_rule=False))
    assert due(plain, ticket("Asia/Tokyo")) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


def test_zone_calendars_are_cached_per_sla_and_zone() -> None:
    """One calendar per (calendar, zone), built on the SLA that needs it and reused there."""
    sla, other = SLA.from_mapping(policy()), SLA.from_mapping(policy())
    before = len(sla.engine.cals)
    for i in range(3):
        evaluate(sla, ticket("Europe/Berlin", f"Z-{i}"), as_of=T0)
    evaluate(sla, ticket("Asia/Tokyo"), as_of=T0)
    assert len(sla.engine.cals) == before + 2
    assert len(other.engine.cals) == before
    berlin = sla.engine.zoned(0, "Europe/Berlin")
    assert sla.engine.cals[berlin].timezone == "Europe/Berlin"
    assert sla.engine.cals[berlin].to_mapping() == {**OFFICE, "timezone": "Europe/Berlin"}


def test_ticket_zone_is_checked_and_round_trips() -> None:
    """A ticket's zone must be an IANA name; it is written back to plain data."""
    assert Ticket.from_mapping(ticket("Europe/Berlin").to_mapping()).timezone == "Europe/Berlin"
    with pytest.raises(TicketError) as err:
        ticket("Mars/Olympus_Mons")
    assert "'Z-1'" in str(err.value) and "IANA" in str(err.value)
    assert err.value.path == ("timezone",)


def test_customer_zone_needs_a_calendar_with_its_own_zone() -> None:
    """A composed calendar has no zone to replace: customer_zone on it is refused."""
    data = policy()
    data["targets"]["first_response"][0]["calendar"] = "union"
    with pytest.raises(TicketError) as err:
        SLA.from_mapping(data)
    assert err.value.path == ("targets", "first_response", 0, "calendar")
