"""The explanation trace's cost: ``evaluate`` with and without ``explain`` on a weeks-old ticket
(200 status changes over 25 days, on the business-hours calendar), as ``sla-engine evaluate``
runs it without and with ``--explain``. Prints ms per evaluation; nothing is asserted.

    .venv/bin/python benchmarks/explain_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sla_engine.clocks import Ticket, evaluate
from sla_engine.policy import load_policy
from strategies import cli_desk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    policy = load_policy(cli_desk())
    assert policy.sla is not None
    start = datetime(2026, 1, 5, 10, tzinfo=UTC)
    events = [{"kind": "created", "at": "2026-01-05T09:00:00Z"}]
    states = ["Waiting on Customer", "In Progress"]
    for i in range(200):
        at = (start + timedelta(hours=3 * i)).isoformat()
        events.append({"kind": "status_changed", "at": at, "value": states[i % 2]})
    ticket = Ticket.from_mapping(
        {"id": "T", "tier": "standard", "severity": "sev1", "events": events}
    )
    as_of = datetime(2026, 3, 1, tzinfo=UTC)
    print(f"evaluate a ticket of {len(events)} events, {args.runs} runs each")
    for explain in (True, False):
        begin = time.perf_counter()
        for _ in range(args.runs):
            result = evaluate(policy.sla, ticket, as_of=as_of, explain=explain)
        took = (time.perf_counter() - begin) / args.runs
        print(f"  explain={explain!s:5}: {took * 1e3:.2f} ms, {len(result.trace)} trace lines")


if __name__ == "__main__":
    main()
