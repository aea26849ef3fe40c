"""A helpdesk under the Spark Drive support playbook (seeds/001): due times, warnings, escalations.

The playbook, written as the plain data a policy file would hold:

- first response: phone 30 s, chat 120 s, priority e-mail 1 h, e-mail 24 h; Enterprise Sev 1 2 h;
- Enterprise Sev 1 also: workaround 8 h, root-cause plan 72 h, all on 24×7;
- Premium and Enterprise are counted 24×7, Standard and Basic on business hours, read in the
  customer's own time zone when the ticket gives one (else Palo Alto's);
- resolution by issue class: Tier 1 24 h (chat Tier 1: 20 min), Tier 2 72 h, Tier 3 72 h;
- time in In Progress at most 48 h; Waiting on Customer pauses resolution;
- the status page is updated every 30 min during a major incident;
- a driver's background check takes 1-7 business days: a "7bd" target, fixed when the check
  starts (the office time to the same hour seven working days on);
- escalation chain L1 Support → Secondary Specialist → Engineering On-Call → Engineering Manager
  (within 1 h of the breach) → Director of Support (within 2 h).

Run: ``python examples/helpdesk.py``. The output is the same on every run (a fixed ``as_of``).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sla_engine.clocks import SLA, Ticket, TicketClock, evaluate, next_deadlines

PLAYBOOK = {
    "name": "spark-drive-support",
    "calendars": {
        "24x7": "24x7",
        "business": {
            "timezone": "America/Los_Angeles",
            "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": {"country": "US", "subdivision": "CA"},
        },
    },
    "calendar_rules": [
        {
            "name": "around the clock",
            "when": {"tier": ["premium", "enterprise"]},
            "calendar": "24x7",
        },
        {"name": "business hours", "calendar": "business", "customer_zone": True},
    ],
    "metrics": [
        {"name": "first_response", "kind": "first_response"},
        {"name": "next_response", "kind": "next_response"},
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
        {
            "name": "background_check",
            "kind": "custom",
            "start": ["custom:background_check_started"],
            "stop": ["custom:background_check_done"],
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
            {"name": "e-mail and portal", "target": "24h"},
        ],
        "next_response": [
            {
                "name": "enterprise sev1",
                "when": {"tier": "enterprise", "severity": "sev1"},
                "target": "2h",
            },
            {"name": "others", "target": "24h"},
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
            {
                "name": "chat tier 1",
                "when": {"channel": "chat", "issue_class": "tier1"},
                "target": "20m",
            },
            {"name": "tier 1", "when": {"issue_class": "tier1"}, "target": "24h"},
            {"name": "tier 2", "when": {"issue_class": "tier2"}, "target": "72h"},
            {"name": "tier 3", "when": {"issue_class": "tier3"}, "target": "72h"},
            {"name": "unclassified", "target": None},
        ],
        "time_in_progress": [{"name": "in progress", "target": "48h"}],
        "status_page": [{"name": "major incident", "target": "30m", "calendar": "24x7"}],
        "background_check": [{"name": "checkr", "target": "7bd"}],
    },
    "warnings": [
        {"name": "75% used", "share": "75%"},
        {
            "name": "team-lead digest",
            "share": "50%",
            "metrics": ["resolution"],
            "notify_calendar": "business",
        },
    ],
    "escalation": {
        "levels": [
            {"name": "L1 Support", "after": "0s"},
            {"name": "Secondary Specialist", "after": "15m"},
            {"name": "Engineering On-Call", "after": "15m"},
            {"name": "Engineering Manager", "after": "30m"},
            {"name": "Director of Support", "after": "1h"},
        ],
        "clock": "wall",
    },
}

PT = ZoneInfo("America/Los_Angeles")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> str:
    """An instant in March 2026, Palo Alto time, as ISO text."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=PT).isoformat()


TICKETS = [
    {
        "id": "ENT-1001",
        "tier": "enterprise",
        "severity": "sev1",
        "channel": "phone",
        "issue_class": "tier3",
        "events": [
            {"kind": "created", "at": at(6, 22, 40)},  # a Friday night
            {"kind": "agent_reply", "at": at(6, 22, 40, 20)},
            {"kind": "status_changed", "at": at(6, 22, 45), "value": "In Progress"},
            {"kind": "custom", "at": at(6, 23, 0), "value": "major_incident"},
            {"kind": "custom", "at": at(6, 23, 25), "value": "status_page_update"},
            {"kind": "custom", "at": at(6, 23, 50), "value": "status_page_update"},
            {"kind": "custom", "at": at(7, 0, 30), "value": "status_page_update"},  # 40 min
            {"kind": "custom", "at": at(7, 0, 45), "value": "incident_resolved"},
            {"kind": "workaround_given", "at": at(7, 5, 30)},
            {"kind": "status_changed", "at": at(7, 6, 0), "value": "Waiting on Customer"},
            {"kind": "customer_reply", "at": at(7, 9, 0)},
            {"kind": "status_changed", "at": at(7, 9, 0), "value": "In Progress"},
            {"kind": "agent_reply", "at": at(7, 9, 40)},
        ],
    },
    {
        "id": "STD-2002",
        "tier": "standard",
        "severity": "sev3",
        "channel": "email",
        "issue_class": "tier2",
        "events": [
            {"kind": "created", "at": at(6, 16, 30)},  # Friday afternoon
            {"kind": "status_changed", "at": at(9, 10, 0), "value": "Triaged"},
            {"kind": "agent_reply", "at": at(9, 10, 5)},
            {"kind": "status_changed", "at": at(9, 10, 10), "value": "In Progress"},
        ],
    },
    {
        "id": "PRM-3003",
        "tier": "premium",
        "severity": "sev2",
        "channel": "chat",
        "issue_class": "tier1",
        "events": [
            {"kind": "created", "at": at(9, 8, 0)},
            {"kind": "agent_reply", "at": at(9, 8, 3)},  # 3 minutes: the 120 s target is missed
            {"kind": "status_changed", "at": at(9, 8, 4), "value": "In Progress"},
        ],
    },
    {
        "id": "STD-4004",  # a driver in Berlin: the office hours are read in their zone
        "tier": "standard",
        "severity": "sev3",
        "channel": "email",
        "issue_class": "tier1",
        "timezone": "Europe/Berlin",
        "events": [
            {"kind": "created", "at": at(9, 1, 0)},  # Monday 09:00 in Berlin
            {"kind": "custom", "at": at(9, 1, 5), "value": "background_check_started"},
        ],
    },
]

AS_OF = datetime(2026, 3, 9, 12, 0, tzinfo=PT)


def show_duration(td: object) -> str:
    """``1h 30m`` style, for reading."""
    from datetime import timedelta

    assert isinstance(td, timedelta)
    sign = "-" if td < timedelta(0) else ""
    seconds = abs(int(td.total_seconds()))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return sign + (f"{h}h {m:02d}m" if h else f"{m}m {s:02d}s")


def local(dt: datetime | None) -> str:
    """An instant shown in Palo Alto time."""
    return "-" if dt is None else dt.astimezone(PT).strftime("%a %d %b %H:%M:%S %Z")


def main() -> None:
    sla = SLA.from_mapping(PLAYBOOK)
    print(f"Policy {sla.name!r}; evaluated as of {local(AS_OF)}\n")
    for raw in TICKETS:
        ticket = Ticket.from_mapping(raw)
        result = evaluate(sla, ticket, as_of=AS_OF)
        where = f", customer in {ticket.timezone}" if ticket.timezone else ""
        print(
            f"== {ticket.id}  ({ticket.tier}, {ticket.severity}, {ticket.channel}, "
            f"{ticket.issue_class}{where})  state: {result.state}"
        )
        for c in result.cycles:
            target = show_duration(c.target) if c.target is not None else "-"
            used = f"{float(c.share_used) * 100:5.1f}%"  # display only; decisions use Fraction
            print(
                f"  {c.metric:<17} #{c.cycle} {c.state.value:<9} target {target:>8} on "
                f"{c.calendar:<8} used {used}  due {local(c.due)}"
                + (f"  breached {local(c.breached_at)}" if c.breached_at else "")
            )
        notices = [e for e in result.events if e.kind.value in ("warned", "breached", "escalated")]
        if notices:
            print("  notifications so far:")
            for e in notices:
                print(f"    {local(e.at)}  {e.metric}: {e.kind.value} {e.detail}")
        upcoming = next_deadlines(sla, ticket, as_of=AS_OF)
        if upcoming:
            print("  timers to set:")
            for e in upcoming[:6]:
                print(f"    {local(e.at)}  {e.metric}: {e.kind.value} {e.detail}")
        print()

    # Why: the explanation trace of one clock.
    ticket = Ticket.from_mapping(TICKETS[1])
    result = evaluate(sla, ticket, as_of=AS_OF)
    print(f"Why is {ticket.id}'s first response where it is?")
    inside = False
    for line in result.trace:
        if not line.startswith(" "):
            inside = line.startswith("first_response")
        if inside:
            print("  " + line)

    # The same answers from a clock fed one event at a time.
    clock = TicketClock.for_ticket(sla, ticket)
    for event in ticket.events:
        clock.feed(event)
    assert clock.evaluate(as_of=AS_OF) == result
    print("\nIncremental feeding gives the same answer as evaluating the whole log.")


if __name__ == "__main__":
    main()
