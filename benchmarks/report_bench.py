"""Reports at volume: the weekly report and a what-if replay of N made-up Spark Drive tickets.

Tickets come from the generator of ``examples/data/make_quarter.py`` (not timed). Timed apart:
the evaluation into the result table (the stand-in for the table layer's ``evaluate_table``),
every KPI table of the report, the HTML page with its charts, and a replay under the draft
proposal (two evaluations and the comparison). Prints seconds and tickets per second.

    python benchmarks/report_bench.py                # 20,000 tickets
    python benchmarks/report_bench.py --tickets 2000
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sla_engine.clocks import Ticket
from sla_engine.policy import load_policy
from sla_engine.report import build_report, replay
from sla_engine.report._source import result_table

ROOT = Path(__file__).resolve().parent.parent
AS_OF = datetime(2026, 3, 31, 17, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


def _tickets(count: int) -> list[Ticket]:
    spec = importlib.util.spec_from_file_location(
        "make_quarter", ROOT / "examples" / "data" / "make_quarter.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = random.Random(7)
    return [Ticket.from_mapping(module.ticket(rng, n)) for n in range(1, count + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    count = parser.parse_args().tickets
    policy = load_policy(ROOT / "examples" / "policies" / "spark-drive.yaml")
    proposal = load_policy(ROOT / "examples" / "proposals" / "spark-drive-next.yaml")
    assert policy.sla is not None
    tickets = _tickets(count)

    start = time.perf_counter()
    results = result_table(policy.sla, tickets, as_of=AS_OF)
    evaluated = time.perf_counter() - start
    start = time.perf_counter()
    report = build_report(policy, tickets, as_of=AS_OF)
    built = time.perf_counter() - start
    start = time.perf_counter()
    page = report.to_html()
    drawn = time.perf_counter() - start
    start = time.perf_counter()
    replay(policy, proposal, tickets, as_of=AS_OF)
    replayed = time.perf_counter() - start

    print(f"tickets: {count:,}; result rows: {results.num_rows:,}")
    print(f"evaluate to a result table: {evaluated:8.2f} s ({count / evaluated:,.0f} tickets/s)")
    print(f"build_report (evaluation + every KPI table): {built:8.2f} s")
    print(f"  of which KPI tables: {built - evaluated:8.2f} s (approximately)")
    print(f"to_html (charts and tables, {len(page) / 1e6:.1f} MB): {drawn:8.2f} s")
    print(
        f"replay under the proposal: {replayed:8.2f} s ({replayed / evaluated:.1f}x one evaluation)"
    )


if __name__ == "__main__":
    main()
