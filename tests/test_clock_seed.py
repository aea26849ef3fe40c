"""The seed playbook's support desk (seeds/001) on ticket clocks, with hand-worked due times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla_engine.clocks import SLA, CycleState, StreamKind, Ticket, evaluate, next_deadlines

PLAYBOOK = {
    "calendars": {
        "24x7": "24x7",
        "business": {
            "timezone": "America/Los_Angeles",
            "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": {"country": "US", "subdivision": "CA"},
        },
    },
    "calendar_rules": [
        {"name": "24x7 tiers", "when": {"tier": ["premium", "enterprise"]}, "calendar": "24x7"},
        {"name": "business hours", "calendar": "business"},
    ],
    "metrics": [
        {"name": "first_response", "kind": "first_response"},
        {"name": "workaround", "kind": "workaround"},
        {"name": "root_cause_plan", "kind": "root_cause_plan"},
        {"name": "resolution", "kind": "resolution"},
        {"name": "time_in_progress", "kind": "time_in_state", "state": "In Progress"},
        {
            "name": "status_page",
            "kind": "periodic_update",
            "start": ["custom:major_incident"],
            "stop": ["custom:status_page_update"],
            "cancel": ["custom:incident_resolved"],
        },
    ],
    "targets": {
        "first_response": [
            {"name": "phone", "when": {"channel": "phone"}, "target": "30s"},
            {"name": "chat", "when": {"channel": "chat"}, "target": "120s"},
            {
                "name": "enterprise sev1",
                "when": {"tier": "enterprise", "severity": "sev1"},
                "target": "2h",
                "calendar": "24x7",
            },
            {"name": "priority e-mail", "when": {"channel": "priority_email"}, "target": "1h"},
            {"name": "e-mail", "target": "24h"},
        ],
        "workaround": [
            {
                "name": "enterprise sev1",
                "when": {"tier": "enterprise", "severity": "sev1"},
                "target": "8h",
                "calendar": "24x7",
            },
            {"name": "others", "target": None},
        ],
        "root_cause_plan": [
            {
                "name": "enterprise sev1",
                "when": {"tier": "enterprise", "severity": "sev1"},
                "target": "72h",
                "calendar": "24x7",
            },
            {"name": "others", "target": None},
        ],
        "resolution": [
            {"name": "tier 1", "when": {"issue_class": "tier1"}, "target": "24h"},
            {"name": "tier 2", "when": {"issue_class": "tier2"}, "target": "72h"},
            {"name": "tier 3", "when": {"issue_class": "tier3"}, "target": "72h"},
            {"name": "unclassified", "target": None},
        ],
        "time_in_progress": [{"name": "in progress", "target": "48h"}],
        "status_page": [{"name": "major incident", "target": "30m", "calendar": "24x7"}],
    },
    "escalation": {
        "levels": [
            {"name": "L1 Support"},
            {"name": "Secondary Specialist", "after": "15m"},
            {"name": "Engineering On-Call", "after": "15m"},
            {"name": "Engineering Manager", "after": "30m"},
            {"name": "Director of Support", "after": "1h"},
        ]
    },
}
SLA_ = SLA.from_mapping(PLAYBOOK)
PT = ZoneInfo("America/Los_Angeles")
# a Saturday night before the DST change; in UTC so that ``T0 + timedelta`` is elapsed time
T0 = datetime(2026, 3, 7, 23, 10, tzinfo=PT).astimezone(UTC)
US = timedelta(microseconds=1)


def ticket(events: list[tuple[timedelta, str, str | None]], **attrs: str) -> Ticket:
    return Ticket.from_mapping(
        {
            "id": "SEED",
            **attrs,
            "events": [
                {"kind": k, "at": (T0 + off).isoformat(), **({"value": v} if v else {})}
                for off, k, v in [(timedelta(0), "created", None), *events]
            ],
        }
    )


def current(result: object, metric: str) -> object:
    found = result.current(metric)  # type: ignore[attr-defined]
    assert found is not None, metric
    return found


@pytest.mark.parametrize(
    ("channel", "target"),
    [
        ("phone", timedelta(seconds=30)),
        ("chat", timedelta(seconds=120)),
        ("priority_email", timedelta(hours=1)),
        ("email", timedelta(hours=24)),
    ],
)
def test_first_response_by_channel(channel: str, target: timedelta) -> None:
    """Premium first response: phone 30 s, chat 120 s, priority e-mail 1 h, e-mail 24 h, 24×7;
    a reply at the due instant is met, one microsecond later breached."""
    t = ticket([], tier="premium", severity="sev3", channel=channel)
    c = current(evaluate(SLA_, t, as_of=T0), "first_response")
    assert c.due == T0 + target  # type: ignore[attr-defined]
    on_time = ticket([(target, "agent_reply", None)], tier="premium", channel=channel)
    late = ticket([(target + US, "agent_reply", None)], tier="premium", channel=channel)
    as_of = T0 + target + timedelta(seconds=1)
    assert current(evaluate(SLA_, on_time, as_of=as_of), "first_response").state is CycleState.MET  # type: ignore[attr-defined]
    late_c = current(evaluate(SLA_, late, as_of=as_of), "first_response")
    assert late_c.state is CycleState.BREACHED  # type: ignore[attr-defined]
    assert late_c.breached_at == T0 + target + US  # type: ignore[attr-defined]


def test_enterprise_sev1_targets_on_24x7() -> None:
    """Enterprise Sev 1 by e-mail: 2 h response, 8 h workaround, 72 h root-cause plan, 24×7."""
    t = ticket([], tier="enterprise", severity="sev1", channel="email", issue_class="tier3")
    result = evaluate(SLA_, t, as_of=T0)
    assert current(result, "first_response").due == T0 + timedelta(hours=2)  # type: ignore[attr-defined]
    assert current(result, "workaround").due == T0 + timedelta(hours=8)  # type: ignore[attr-defined]
    assert current(result, "root_cause_plan").due == T0 + timedelta(hours=72)  # type: ignore[attr-defined]
    assert current(result, "resolution").due == T0 + timedelta(hours=72)  # type: ignore[attr-defined]


def test_standard_counts_business_hours() -> None:
    """Standard e-mail from Friday 16:30 PT: 24 business hours end Wednesday 16:30 PDT."""
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=PT)
    t = Ticket.from_mapping(
        {
            "id": "STD",
            "tier": "standard",
            "channel": "email",
            "events": [{"kind": "created", "at": friday.isoformat()}],
        }
    )
    c = current(evaluate(SLA_, t, as_of=friday), "first_response")
    # Fri 0.5 h + Mon 8 h + Tue 8 h + Wed 7.5 h (from 09:00) = 24 h
    assert c.due == datetime(2026, 3, 11, 16, 30, tzinfo=PT)  # type: ignore[attr-defined]
    assert c.calendar == "business"  # type: ignore[attr-defined]
    assert "workaround" not in {x.metric for x in evaluate(SLA_, t, as_of=friday).cycles}


@pytest.mark.parametrize(("issue_class", "hours"), [("tier1", 24), ("tier2", 72), ("tier3", 72)])
def test_resolution_by_issue_class(issue_class: str, hours: int) -> None:
    """Tier 1/2/3 resolution 24/72/72 h (Premium, 24×7)."""
    t = ticket([], tier="premium", issue_class=issue_class)
    c = current(evaluate(SLA_, t, as_of=T0), "resolution")
    assert c.due == T0 + timedelta(hours=hours)  # type: ignore[attr-defined]


def test_waiting_on_customer_pauses_resolution_not_first_response() -> None:
    """Four hours Waiting on Customer push resolution due four hours; first response not."""
    t = ticket(
        [
            (timedelta(hours=1), "status_changed", "Waiting on Customer"),
            (timedelta(hours=5), "status_changed", "In Progress"),
        ],
        tier="premium",
        channel="email",
        issue_class="tier1",
    )
    result = evaluate(SLA_, t, as_of=T0 + timedelta(hours=6))
    assert current(result, "resolution").due == T0 + timedelta(hours=28)  # type: ignore[attr-defined]
    assert current(result, "first_response").due == T0 + timedelta(hours=24)  # type: ignore[attr-defined]
    kinds = [e.kind for e in result.events if e.metric == "resolution"]
    assert kinds == [StreamKind.ACTIVATED, StreamKind.PAUSED, StreamKind.RESUMED]


def test_in_progress_at_most_48h() -> None:
    """Time in In Progress: due 48 h after entering it; leaving it ends the cycle."""
    t = ticket(
        [(timedelta(hours=2), "status_changed", "In Progress")], tier="premium", issue_class="tier2"
    )
    c = current(evaluate(SLA_, t, as_of=T0 + timedelta(hours=3)), "time_in_progress")
    assert c.due == T0 + timedelta(hours=50)  # type: ignore[attr-defined]


def test_escalation_chain_after_a_missed_chat_reply() -> None:
    """A chat left unanswered breaches at 120 s and escalates L1 at once, then Secondary
    Specialist +15 min, Engineering On-Call +30, Engineering Manager +1 h, Director +2 h."""
    t = ticket([], tier="premium", channel="chat")
    breach = T0 + timedelta(seconds=120) + US
    timers = [
        (d.at, d.kind, d.detail)
        for d in next_deadlines(SLA_, t, as_of=T0)
        if d.metric == "first_response"
    ]
    assert timers == [
        (breach, StreamKind.BREACHED, "target 2m passed"),
        (breach, StreamKind.ESCALATED, "to L1 Support"),
        (breach + timedelta(minutes=15), StreamKind.ESCALATED, "to Secondary Specialist"),
        (breach + timedelta(minutes=30), StreamKind.ESCALATED, "to Engineering On-Call"),
        (breach + timedelta(hours=1), StreamKind.ESCALATED, "to Engineering Manager"),
        (breach + timedelta(hours=2), StreamKind.ESCALATED, "to Director of Support"),
    ]
    # answered 40 minutes late: the levels after the answer are never notified
    answered = ticket(
        [(timedelta(minutes=42), "agent_reply", None)], tier="premium", channel="chat"
    )
    result = evaluate(SLA_, answered, as_of=T0 + timedelta(hours=5))
    notified = [e.detail for e in result.events if e.kind is StreamKind.ESCALATED]
    assert notified == ["to L1 Support", "to Secondary Specialist", "to Engineering On-Call"]


def test_status_page_every_30_minutes_during_major_incident() -> None:
    """Each status-page update must follow the last within 30 min until the incident ends."""
    t = ticket(
        [
            (timedelta(minutes=5), "custom", "major_incident"),
            (timedelta(minutes=25), "custom", "status_page_update"),
            (timedelta(minutes=55), "custom", "status_page_update"),  # exactly 30 min: met
            (timedelta(minutes=95), "custom", "status_page_update"),  # 40 min: breached
            (timedelta(minutes=100), "custom", "incident_resolved"),
        ],
        tier="enterprise",
        severity="sev1",
    )
    result = evaluate(SLA_, t, as_of=T0 + timedelta(hours=3))
    states = [c.state for c in result.of("status_page")]
    assert states == [CycleState.MET, CycleState.MET, CycleState.BREACHED, CycleState.CANCELLED]
    assert result.of("status_page")[2].breached_at == T0 + timedelta(minutes=85) + US


def test_sla_round_trips_through_plain_data() -> None:
    """SLA.from_mapping(sla.to_mapping()) rebuilds an equal SLA."""
    assert SLA.from_mapping(SLA_.to_mapping()) == SLA_


def test_ticket_round_trips_through_plain_data() -> None:
    """Ticket.from_mapping(ticket.to_mapping()) rebuilds an equal ticket."""
    t = ticket([(timedelta(minutes=5), "custom", "major_incident")], tier="premium")
    assert Ticket.from_mapping(t.to_mapping()) == t
