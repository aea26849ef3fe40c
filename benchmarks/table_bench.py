"""evaluate_table against rows_many_us on synthetic tickets, in one and in two worker processes.

The tickets are those of ``clock_bench.py`` (about 10 events and 4 metrics each; half on a
9-to-5 calendar with US holidays, half 24x7), generated a chunk at a time and not timed. For
each size it prints, per path, the seconds spent evaluating, tickets per second and the peak
resident memory of the process that ran it (``ru_maxrss``, input generation included, so the
figures compare like with like):

- ``rows_many_us``: the clocks' integer fast path (positional tuples, 7 fields a cycle);
- ``evaluate_table``: Arrow tables in (events ``at`` as ``timestamp[us, UTC]``), an Arrow table
  of 13 columns plus the ticket's out, a chunk of ``--chunk`` tickets per call;
- ``evaluate_table x2``: the same tickets split between two worker processes that start
  together (wall time of the slower one), the speed-up over one process and tickets per second
  per core.

    python benchmarks/table_bench.py                         # 100,000 and 1,000,000 tickets
    python benchmarks/table_bench.py --tickets 20000 --chunk 5000
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import resource
import time
from datetime import UTC, datetime
from typing import Any

from clock_bench import POLICY, synthetic

from sla_engine._time import US_PER_HOUR, from_us, to_us
from sla_engine.clocks import SLA, rows_many_us

T0 = to_us(datetime(2026, 1, 1, tzinfo=UTC))
AS_OF = T0 + 400 * 24 * US_PER_HOUR


def _chunks(first: int, count: int, chunk: int, seed: int) -> Any:
    """Chunks of tickets ``first`` .. ``first + count`` as (id, attrs, integer events); ticket
    ``i`` is the same whichever process makes it."""
    done = 0
    while done < count:
        batch = []
        for i in range(first + done, first + min(count, done + chunk)):
            attrs, events = synthetic(random.Random(seed * 10**10 + i), T0)
            batch.append((str(i), attrs, events))
        done += len(batch)
        yield batch


def _arrow(batch: list[Any]) -> tuple[Any, Any]:
    import pyarrow as pa

    names = ("tier", "severity", "channel", "issue_class")
    tickets = pa.table(
        {
            "ticket_id": [t[0] for t in batch],
            **{n: [t[1][n] for t in batch] for n in names},
        }
    )
    events = pa.table(
        {
            "ticket_id": [t[0] for t in batch for _ in t[2]],
            "at": pa.array([e[0] for t in batch for e in t[2]], pa.timestamp("us", tz="UTC")),
            "kind": [e[1].value for t in batch for e in t[2]],
            "value": pa.array([e[2] for t in batch for e in t[2]], pa.string()),
        }
    )
    return tickets, events


def _run(path: str, first: int, count: int, chunk: int, seed: int, barrier: Any) -> Any:
    """In a fresh process: evaluate the tickets by ``path``; (seconds, rows, peak RSS KiB)."""
    sla = SLA.from_mapping(POLICY)
    warm = next(_chunks(10**9, 2000, 2000, seed + 1))
    list(rows_many_us(sla, warm, as_of_us=AS_OF))  # the calendars' segment caches
    spent = 0.0
    rows = 0
    if path == "rows_many_us":
        chunks = list(_chunks(first, count, 5000, seed)) if barrier is not None else None
        if barrier is not None:
            barrier.wait()
        for batch in chunks or _chunks(first, count, 5000, seed):
            started = time.perf_counter()
            for found in rows_many_us(sla, batch, as_of_us=AS_OF):
                rows += len(found)
            spent += time.perf_counter() - started
    else:
        from sla_engine.tables import evaluate_table

        as_of = from_us(AS_OF)
        evaluate_table(sla, *_arrow(warm), as_of=as_of)
        if barrier is not None:
            barrier.wait()
        for batch in _chunks(first, count, chunk, seed):
            tickets, events = _arrow(batch)
            started = time.perf_counter()
            rows += evaluate_table(sla, tickets, events, as_of=as_of).num_rows
            spent += time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return spent, rows, peak


def _in_process(pool_args: tuple[Any, ...]) -> Any:
    return _run(*pool_args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--chunk", type=int, default=100_000, help="tickets per evaluate_table")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    print(
        f"{'tickets':>10}  {'path':<20} {'seconds':>8} {'tickets/s':>10} {'rows':>10} "
        f"{'peak RSS':>10}  note"
    )
    for n in args.tickets:
        one: dict[str, float] = {}
        for path in ("rows_many_us", "evaluate_table"):
            with ctx.Pool(1) as pool:
                spent, rows, peak = pool.apply(_run, (path, 0, n, args.chunk, args.seed, None))
            one[path] = spent
            print(
                f"{n:>10,}  {path:<20} {spent:>8.2f} {n / spent:>10,.0f} {rows:>10,} "
                f"{peak / 1024:>7,.0f} MB"
            )
        ratio = one["evaluate_table"] / one["rows_many_us"]
        print(f"{'':>10}  evaluate_table takes {ratio:.2f}x the time of rows_many_us")
        with ctx.Manager() as manager:
            barrier = manager.Barrier(2)
            half = n // 2
            jobs = [
                ("evaluate_table", 0, half, args.chunk, args.seed, barrier),
                ("evaluate_table", half, n - half, args.chunk, args.seed, barrier),
            ]
            with ctx.Pool(2) as pool:
                results = pool.map(_in_process, jobs)
        wall = max(r[0] for r in results)
        rows = sum(r[1] for r in results)
        peak = max(r[2] for r in results)
        speedup = one["evaluate_table"] / wall
        print(
            f"{n:>10,}  {'evaluate_table x2':<20} {wall:>8.2f} {n / wall:>10,.0f} {rows:>10,} "
            f"{peak / 1024:>7,.0f} MB  speed-up {speedup:.2f}x from 1 to 2 processes, "
            f"{n / wall / 2:,.0f} tickets/s per core"
        )


if __name__ == "__main__":
    main()
