"""A helpdesk driven by the Spark Drive policy file: due times, warnings, escalations, timers.

The policy (examples/policies/spark-drive.yaml) is the one file the contract team writes; the
tickets (examples/data/tickets.jsonl) are what a ticketing system would send, one JSON object a
line, exactly as ``sla-engine evaluate`` reads them. For each ticket this prints every clock's
state and due time, the warnings, breaches and escalations so far, and the timers to set next;
then one clock's explanation trace.

Run: ``python examples/policy_helpdesk.py``. The output is the same on every run: ``AS_OF`` is
fixed, and the library never reads the system clock.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sla_engine.clocks import Ticket, evaluate, next_deadlines
from sla_engine.policy import load_policy

HERE = Path(__file__).resolve().parent
PACIFIC = ZoneInfo("America/Los_Angeles")
AS_OF = datetime(2026, 3, 9, 12, 0, tzinfo=PACIFIC)  # a Monday, noon in Palo Alto


def local(at: datetime | None) -> str:
    """An instant in Palo Alto time, for reading."""
    return "-" if at is None else at.astimezone(PACIFIC).strftime("%a %d %b %H:%M:%S")


def hours(length: timedelta | None) -> str:
    """A length as ``2h 05m``, or ``1m 30s`` under an hour (``-`` when there is none)."""
    if length is None:
        return "-"
    sign = "-" if length < timedelta(0) else ""
    seconds = abs(length) // timedelta(seconds=1)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h}h {m:02d}m" if h else f"{sign}{m}m {s:02d}s"


def main() -> None:
    policy = load_policy(HERE / "policies" / "spark-drive.yaml")
    sla = policy.sla
    assert sla is not None, "the policy defines ticket clocks"
    lines = (HERE / "data" / "tickets.jsonl").read_text(encoding="utf-8").splitlines()
    tickets = [Ticket.from_mapping(json.loads(line)) for line in lines if line.strip()]
    print(f"Policy {policy.name} {policy.version}; clocks as of {local(AS_OF)} (Pacific)\n")

    for ticket in tickets:
        result = evaluate(sla, ticket, as_of=AS_OF)
        print(
            f"== {ticket.id}: {ticket.tier}, {ticket.severity}, {ticket.channel}, "
            f"{ticket.issue_class}; state {result.state}"
        )
        for c in result.cycles:
            late = f"  BREACHED {local(c.breached_at)}" if c.breached_at else ""
            print(
                f"   {c.metric:<20} #{c.cycle} {c.state.value:<9} target {hours(c.target):>8} "
                f"left {hours(c.business_remaining):>8}  due {local(c.due)}{late}"
            )
        notices = [e for e in result.events if e.kind.value in ("warned", "escalated")]
        for event in notices:
            print(f"   {local(event.at)}  {event.kind.value:<9} {event.metric}: {event.detail}")
        for event in next_deadlines(sla, ticket, as_of=AS_OF)[:3]:
            what = f"{event.kind.value} {event.metric}: {event.detail}"
            print(f"   next timer {local(event.at)}  {what}")
        print()

    ticket = tickets[2]
    result = evaluate(sla, ticket, as_of=AS_OF)
    print(f"Why did {ticket.id} miss its first response?")
    inside = False
    for line in result.trace:
        if not line.startswith(" "):
            inside = line.startswith("first_response")
        if inside:
            print("   " + line)


if __name__ == "__main__":
    main()
