"""A quarter of made-up Spark Drive tickets, for the report and replay examples.

Prints JSON Lines (one ticket a line) to stdout; the bundled ``quarter.jsonl`` is its output::

    python examples/data/make_quarter.py > examples/data/quarter.jsonl

Deterministic (a seeded generator): tickets created from 2026-01-05 to 2026-03-31 in the
support centre's zone, with replies, lifecycle moves, waits on the customer, escalations,
resolutions and a few major incidents with status-page updates. The figures are invented to
give every chart of the report something to show; none is the customer's.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/Los_Angeles")
FIRST = date(2026, 1, 5)
DAYS = 86
TIERS = {  # tier: (share of tickets, channels)
    "basic": (30, ["email"]),
    "standard": (35, ["chat", "email"]),
    "premium": (25, ["phone", "chat", "priority_email", "email"]),
    "enterprise": (10, ["phone", "chat", "priority_email", "email"]),
}
SEVERITIES = (["sev1", "sev2", "sev3", "sev4"], [5, 20, 45, 30])
CLASSES = (["tier1", "tier2", "tier3"], [50, 38, 12])
REPLY_MINUTES = {"phone": 0.4, "chat": 1.5, "priority_email": 40.0, "email": 600.0}


def _at(t: datetime) -> str:
    return t.astimezone(ZONE).isoformat()


def ticket(rng: random.Random, number: int) -> dict[str, object]:
    """One ticket with its event log."""
    tier = rng.choices(list(TIERS), [w for w, _ in TIERS.values()])[0]
    channel = rng.choice(TIERS[tier][1])
    severity = rng.choices(*SEVERITIES)[0]
    issue_class = rng.choices(*CLASSES)[0]
    # busier on weekdays and in working hours; a slow drift upwards through the quarter
    day = FIRST + timedelta(days=int(DAYS * rng.random() ** 0.9))
    if day.weekday() >= 5 and rng.random() < 0.6:
        day += timedelta(days=7 - day.weekday())
    hour = rng.choice([*range(7, 19)] * 3 + [*range(24)])
    # a local wall time on that date; then every step is added in UTC, never to a local time
    created = datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=ZONE)
    events: list[dict[str, object]] = [{"kind": "created", "at": _at(created)}]
    t = created.astimezone(UTC)

    def add(kind: str, minutes: float, value: str | None = None) -> None:
        nonlocal t
        t = t + timedelta(seconds=int(minutes * 60) + 1)
        event: dict[str, object] = {"kind": kind, "at": _at(t)}
        if value is not None:
            event["value"] = value
        events.append(event)

    add("agent_reply", rng.expovariate(1 / REPLY_MINUTES[channel]))
    add("status_changed", rng.expovariate(1 / 30), "Triaged")
    add("status_changed", rng.expovariate(1 / 120), "In Progress")
    if tier == "enterprise" and severity == "sev1" and rng.random() < 0.5:
        add("custom", 5, "major_incident")
        for _ in range(rng.randrange(1, 6)):
            add("custom", rng.uniform(15, 40), "status_page_update")
        add("custom", rng.uniform(10, 60), "incident_resolved")
    if tier == "enterprise" and severity in ("sev1", "sev2"):
        add("workaround_given", rng.expovariate(1 / 300))
    if rng.random() < 0.35:
        add("status_changed", rng.expovariate(1 / 600), "Waiting on Customer")
        add("customer_reply", rng.expovariate(1 / 1500))
        add("status_changed", 5, "In Progress")
    if rng.random() < 0.12:
        add("status_changed", rng.expovariate(1 / 400), "Escalated")
        add("agent_reply", rng.expovariate(1 / 100))
        add("status_changed", 10, "In Progress")
    scale = {"tier1": 600, "tier2": 2400, "tier3": 3600}[issue_class]
    add("resolved", rng.expovariate(1 / scale))
    if rng.random() < 0.6:
        add("closed", rng.expovariate(1 / 2880))
    return {
        "id": f"SD-{number:05d}",
        "tier": tier,
        "severity": severity,
        "channel": channel,
        "issue_class": issue_class,
        "events": events,
    }


def main() -> None:
    rng = random.Random(20260331)
    for number in range(1, 901):
        print(json.dumps(ticket(rng, number), separators=(",", ":")))


if __name__ == "__main__":
    main()
