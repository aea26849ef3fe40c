"""customer_zone in the policy format: a tier's or a rule's calendar read in the ticket's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sla_engine import Event, EventKind, PolicyError, Ticket, evaluate, load_policy

POLICY = """\
format_version: 1
name: desk
version: "1"
effective_from: 2026-01-01
calendars:
  office: {timezone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}}
severities: [sev1, sev2]
tiers:
  standard:
    calendar: office
    customer_zone: true
    targets:
      first_response: 4h
  basic:
    calendar: office
metrics:
  first_response: {default: 8h}
  resolution:
    default: 12h
rules:
  resolution:
    - {when: {severity: sev1}, target: 9h, calendar: office, customer_zone: true}
"""

MON = datetime(2026, 3, 9, tzinfo=UTC)


def ticket(tier: str, zone: str | None, severity: str = "sev2") -> Ticket:
    return Ticket(
        id="Z-1",
        tier=tier,
        severity=severity,
        timezone=zone,
        events=(Event(kind=EventKind.CREATED, at=MON + timedelta(hours=1)),),  # 01:00Z Monday
    )


def test_tier_customer_zone_reads_the_tier_calendar_in_the_ticket_zone() -> None:
    """A standard ticket from Tokyo: 09:00-17:00 Tokyo time (00:00-08:00Z); created 01:00Z,
    4 h are due at 05:00Z. Without a zone, or on a tier without the flag, New York hours."""
    policy = load_policy(text=POLICY, source_name="desk.yaml")
    as_of = MON + timedelta(hours=2)
    tokyo = evaluate(policy.sla, ticket("standard", "Asia/Tokyo"), as_of=as_of)
    c = tokyo.current("first_response")
    assert c is not None and c.due == MON + timedelta(hours=5) and c.zone == "Asia/Tokyo"
    # New York 09:00 EDT = 13:00Z on Monday 9 March 2026: 4 h later is 17:00Z
    plain = evaluate(policy.sla, ticket("standard", None), as_of=as_of).current("first_response")
    assert plain is not None and plain.due == MON + timedelta(hours=17) and plain.zone is None
    basic = evaluate(policy.sla, ticket("basic", "Asia/Tokyo"), as_of=as_of)
    c = basic.current("first_response")
    assert c is not None and c.zone is None and c.due == MON + timedelta(hours=21)


def test_rule_customer_zone() -> None:
    """A sev1 rule with customer_zone reads office hours in the ticket's zone: 7 h on Monday
    (01:00-08:00Z), 2 h on Tuesday from 00:00Z."""
    policy = load_policy(text=POLICY, source_name="desk.yaml")
    t = ticket("basic", "Asia/Tokyo", severity="sev1")
    c = evaluate(policy.sla, t, as_of=MON + timedelta(hours=2)).current("resolution")
    assert c is not None and c.zone == "Asia/Tokyo" and c.due == MON + timedelta(hours=26)


def test_customer_zone_round_trips_and_is_checked() -> None:
    """The flag survives the canonical mapping; a non-boolean is a policy error at its line."""
    policy = load_policy(text=POLICY, source_name="desk.yaml")
    again = load_policy(policy.to_mapping())
    assert again.sla == policy.sla
    bad = POLICY.replace("    customer_zone: true\n", "    customer_zone: maybe\n")
    with pytest.raises(PolicyError) as err:
        load_policy(text=bad, source_name="desk.yaml")
    assert "desk.yaml:11:20: tiers.standard.customer_zone: expected true or false" in str(err.value)
