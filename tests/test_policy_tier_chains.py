"""Warnings and escalation chains chosen per tier: a Basic ticket's breach never pages the
Director of Support."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sla_engine import Event, EventKind, PolicyError, StreamKind, Ticket, evaluate, load_policy

POLICY = """\
format_version: 1
name: desk
version: "1"
effective_from: 2026-01-01
calendars:
  always: {timezone: UTC, hours: 24x7}
tiers:
  basic:
    calendar: always
    escalation:
      levels: [{name: Level 1 Support}]
  enterprise:
    calendar: always
    warnings: [{name: account manager told, at: 50%}]
    escalation:
      levels:
        - {name: Engineering On-Call}
        - {name: Engineering Manager, after: 30m, responds_within: 1h}
        - {name: Director of Support}
metrics:
  resolution: {default: 4h}
warnings: [{at: 75%}]
escalation:
  levels: [{name: Level 1 Support}, {name: Director of Support, after: 1h}]
"""

T0 = datetime(2026, 3, 9, 9, tzinfo=UTC)
H = timedelta(hours=1)


def stream(tier: str | None, *later: Event) -> list[tuple[str, datetime, str]]:
    policy = load_policy(text=POLICY, source_name="desk.yaml")
    ticket = Ticket(id="E-1", tier=tier, events=(Event(kind=EventKind.CREATED, at=T0), *later))
    result = evaluate(policy.sla, ticket, as_of=T0 + 10 * H)
    return [
        (e.kind.value, e.at, e.detail)
        for e in result.events
        if e.kind in (StreamKind.WARNED, StreamKind.ESCALATED)
    ]


BREACH = T0 + 4 * H + timedelta(microseconds=1)


def test_basic_breach_never_pages_the_director() -> None:
    """Basic escalates through its own one-level chain; the policy's 75% warning applies."""
    assert stream("basic") == [
        ("warned", T0 + 3 * H, "75%"),
        ("escalated", BREACH, "to Level 1 Support"),
    ]


def test_enterprise_has_its_own_warning_and_chain() -> None:
    """Enterprise adds its 50% warning and escalates through on-call, the manager 30 min later
    and the director when the manager's hour to answer has passed."""
    assert stream("enterprise") == [
        ("warned", T0 + 2 * H, "account manager told"),
        ("warned", T0 + 3 * H, "75%"),
        ("escalated", BREACH, "to Engineering On-Call"),
        ("escalated", BREACH + timedelta(minutes=30), "to Engineering Manager"),
        ("escalated", BREACH + timedelta(minutes=90), "to Director of Support"),
    ]


def test_other_tickets_take_the_policy_chain() -> None:
    """A ticket with no tier escalates through the policy's chain."""
    assert stream(None)[-1] == ("escalated", BREACH + H, "to Director of Support")


def test_chain_is_chosen_at_the_breach() -> None:
    """A ticket moved from Basic to Enterprise after its breach keeps Basic's chain (a later
    change never rewrites the past); moved before the breach, it takes Enterprise's."""
    late = stream("basic", Event(kind=EventKind.TIER_CHANGED, at=T0 + 5 * H, value="enterprise"))
    assert [x for x in late if x[0] == "escalated"] == [("escalated", BREACH, "to Level 1 Support")]
    early = stream("basic", Event(kind=EventKind.TIER_CHANGED, at=T0 + H, value="enterprise"))
    assert [x[2] for x in early if x[0] == "escalated"] == [
        "to Engineering On-Call",
        "to Engineering Manager",
        "to Director of Support",
    ]
    # the enterprise-only warning: counted past 50% at the change? 1 h of 4: no; at 2 h: yes
    assert ("warned", T0 + 2 * H, "account manager told") in early


def test_tier_chain_names_are_checked() -> None:
    """A tier chain naming an unknown metric is reported at its place in the file."""
    bad = POLICY.replace(
        "      levels: [{name: Level 1 Support}]\n",
        "      levels: [{name: Level 1 Support}]\n      metrics: [resolutoin]\n",
        1,
    )
    with pytest.raises(PolicyError) as err:
        load_policy(text=bad, source_name="desk.yaml")
    assert "tiers.basic.escalation.metrics[0]" in str(err.value)


def test_public_page_shows_the_tier_chains() -> None:
    """The rendered page lists each tier's own chain and its scoped warning."""
    from sla_engine import render_policy

    page = str(render_policy(load_policy(text=POLICY, source_name="desk.yaml")))
    assert "tier in basic: Level 1 Support at the breach" in page
    assert "Director of Support 1 hour 30 minutes after the breach" in page
    assert "account manager told: at 50% of the target (tier in enterprise)" in page
