"""Ticket clocks at volume: N synthetic tickets of about 10 events and 4 metrics each.

Tickets are generated a chunk at a time as integer logs (``(at_us, kind, value)``, not timed)
and evaluated with ``rows_many_us`` (timed): per metric cycle its state, due time, breach
instant, business time elapsed and remaining, the answers ``evaluate`` gives. Half the tickets
are counted on a 9-to-5 calendar with US holidays, half 24x7. Prints tickets/s, events/s, the
total seconds of evaluation (generation excluded) and the peak memory of evaluating a sample,
via tracemalloc.

    python benchmarks/clock_bench.py              # 1,000,000 tickets
    python benchmarks/clock_bench.py --tickets 20000
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from datetime import UTC, datetime

from sla_engine._time import US_PER_HOUR, US_PER_MINUTE, to_us
from sla_engine.clocks import SLA, EventKind, rows_many_us

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
        {"name": "premium", "when": {"tier": "premium"}, "calendar": "24x7"},
        {"name": "standard", "calendar": "business"},
    ],
    "metrics": [
        {"name": "first_response", "kind": "first_response"},
        {"name": "next_response", "kind": "next_response"},
        {"name": "resolution", "kind": "resolution"},
        {"name": "time_in_progress", "kind": "time_in_state", "state": "In Progress"},
    ],
    "targets": {
        "first_response": [
            {"name": "phone", "when": {"channel": "phone"}, "target": "30s"},
            {"name": "email", "target": "1h"},
        ],
        "next_response": [{"name": "all", "target": "4h"}],
        "resolution": [
            {"name": "tier1", "when": {"issue_class": "tier1"}, "target": "24h"},
            {"name": "others", "target": "72h"},
        ],
        "time_in_progress": [{"name": "all", "target": "48h"}],
    },
    "warnings": [{"name": "75%", "share": "75%"}],
    "escalation": {"levels": [{"name": "L1"}, {"name": "Manager", "after": "1h"}]},
}

E = EventKind
# (minutes after creation, kind, value): about 10 events, with a pause and a severity change
TEMPLATES = [
    [
        (0, E.CREATED, None),
        (20, E.STATUS_CHANGED, "Triaged"),
        (45, E.AGENT_REPLY, None),
        (50, E.STATUS_CHANGED, "In Progress"),
        (90, E.INTERNAL_NOTE, None),
        (120, E.STATUS_CHANGED, "Waiting on Customer"),
        (600, E.CUSTOMER_REPLY, None),
        (600, E.STATUS_CHANGED, "In Progress"),
        (700, E.AGENT_REPLY, None),
        (1500, E.RESOLVED, None),
    ],
    [
        (0, E.CREATED, None),
        (5, E.AGENT_REPLY, None),
        (10, E.STATUS_CHANGED, "In Progress"),
        (30, E.SEVERITY_CHANGED, "sev1"),
        (60, E.CUSTOMER_REPLY, None),
        (200, E.AGENT_REPLY, None),
        (300, E.STATUS_CHANGED, "Escalated"),
        (900, E.STATUS_CHANGED, "In Progress"),
        (2000, E.CUSTOMER_REPLY, None),
        (2100, E.AGENT_REPLY, None),
        (3000, E.RESOLVED, None),
    ],
    [
        (0, E.CREATED, None),
        (1, E.STATUS_CHANGED, "In Progress"),
        (2, E.AGENT_REPLY, None),
        (40, E.STATUS_CHANGED, "Waiting on Customer"),
        (4000, E.CUSTOMER_REPLY, None),
        (4000, E.STATUS_CHANGED, "In Progress"),
        (4100, E.INTERNAL_NOTE, None),
        (4200, E.AGENT_REPLY, None),
        (4300, E.CUSTOMER_REPLY, None),
    ],
]
TIERS = ("premium", "standard")
CHANNELS = ("phone", "email")
CLASSES = ("tier1", "tier2")


def synthetic(
    rng: random.Random, t0: int
) -> tuple[dict[str, str], list[tuple[int, EventKind, str | None]]]:
    """One ticket's attributes and events (integer µs instants)."""
    base = t0 + rng.randrange(0, 300 * 24 * US_PER_HOUR)
    template = TEMPLATES[rng.randrange(len(TEMPLATES))]
    jitter = rng.randrange(1, 4)
    events = [(base + m * jitter * US_PER_MINUTE, k, v) for m, k, v in template]
    attrs = {
        "tier": TIERS[rng.randrange(2)],
        "severity": "sev2",
        "channel": CHANNELS[rng.randrange(2)],
        "issue_class": CLASSES[rng.randrange(2)],
    }
    return attrs, events


def run(sla: SLA, tickets: int, seed: int, *, chunk: int = 5000) -> tuple[float, int, int]:
    """Evaluate ``tickets`` tickets; return (seconds spent evaluating, events, cycles).

    Tickets are generated a chunk at a time (not timed), then evaluated with ``rows_many_us``
    (timed): per cycle its state, due, breach, business elapsed and remaining.
    """
    rng = random.Random(seed)
    t0 = to_us(datetime(2026, 1, 1, tzinfo=UTC))
    as_of = t0 + 400 * 24 * US_PER_HOUR
    spent = 0.0
    n_events = 0
    n_rows = 0
    clock_ = time.perf_counter
    done = 0
    while done < tickets:
        batch = []
        for i in range(done, min(tickets, done + chunk)):
            attrs, events = synthetic(rng, t0)
            batch.append((str(i), attrs, events))
            n_events += len(events)
        done += len(batch)
        started = clock_()
        for rows in rows_many_us(sla, batch, as_of_us=as_of):
            n_rows += len(rows)
        spent += clock_() - started
    return spent, n_events, n_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sla = SLA.from_mapping(POLICY)
    run(sla, 2000, args.seed + 1)  # warm the calendars' segment caches
    spent, events, rows = run(sla, args.tickets, args.seed)
    print(f"tickets evaluated : {args.tickets:,} ({events:,} events, {rows:,} metric cycles)")
    print(f"total seconds     : {spent:.2f} (evaluation only, one core)")
    print(f"tickets per second: {args.tickets / spent:,.0f}")
    print(f"events per second : {events / spent:,.0f}")
    sample = min(args.tickets, 10_000)
    rng = random.Random(args.seed)
    t0 = to_us(datetime(2026, 1, 1, tzinfo=UTC))
    batch = [(str(i), *synthetic(rng, t0)) for i in range(sample)]
    tracemalloc.start()
    for _ in rows_many_us(sla, batch, as_of_us=t0 + 400 * 24 * US_PER_HOUR):
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory       : {peak / 1024:,.0f} KiB while evaluating a sample of {sample:,}")


if __name__ == "__main__":
    main()
