"""Calendar memory and worst cases: what a calendar holds and how long bad input takes.

Run from the repository root::

    .venv/bin/python benchmarks/calendar_memory_bench.py [--quick]

Each scenario runs on a fresh calendar under ``tracemalloc`` and prints the peak memory while it
ran, the memory still held after it (the calendar's cache), and the wall time. Scenarios:

* M1: one calendar with 24 half-hour windows a day, asked about 1900 and then 2199 (the
  issue's case: 2.6 million segments and 919 MB before the cache was bounded);
* M2: the same calendar asked random questions spread over 1900-2199 (each compiles a year
  or two afresh: this one measures memory, not speed);
* M3: the same calendar asked the business time from 1900 to 2199 (1999 with ``--quick``) in
  one question;
* M4: a Mon-Fri 09:00-17:00 calendar with US holidays compiled over the whole horizon;
* M5: 200 copies of the closed range 1900-01-01..2199-12-31 loaded and asked next_open;
* M6: a New York day calendar intersected with a London night calendar (never open after
  2007) asked next_open from 2026: a walk to the horizon's end.

The target is a peak well under 100 MB for each. The script prints figures; it never fails.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sla_engine.calendar import MAX_CACHED_SEGMENTS, BusinessCalendar
from sla_engine.errors import HorizonError

TARGET_MB = 100
DENSE_HOURS = {"daily": [f"{h:02d}:00-{h:02d}:30" for h in range(24)]}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def dense() -> BusinessCalendar:
    return BusinessCalendar(timezone="America/New_York", hours=DENSE_HOURS)


def measure(label: str, run: Callable[[], object]) -> tuple[float, float]:
    """Run ``run`` under tracemalloc; print and return (peak MiB, held MiB after)."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    kept = run()
    elapsed = time.perf_counter() - start
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    peak_mb, held_mb = peak / 2**20, held / 2**20
    mark = "met" if peak_mb < TARGET_MB else "NOT MET"
    print(
        f"  {label:<62} peak {peak_mb:7.1f} MiB  held {held_mb:6.1f} MiB  "
        f"{elapsed:7.2f} s  (< {TARGET_MB} MB: {mark})"
    )
    return peak_mb, held_mb


def m1() -> object:
    cal = dense()
    cal.is_open(utc(1900, 6, 1))
    cal.add(utc(2199, 6, 1), timedelta(hours=30))
    return cal


def m2(n: int) -> Callable[[], object]:
    def run() -> object:
        rng = random.Random(20261129)
        cal = dense()
        lo, hi = utc(1900, 1, 2), utc(2199, 12, 1)
        span = int((hi - lo).total_seconds())
        for _ in range(n):
            t = lo + timedelta(seconds=rng.randrange(span))
            cal.add(t, timedelta(hours=rng.randrange(1, 100)))
            cal.elapsed(t, t + timedelta(days=rng.randrange(1, 60)))
        return cal

    return run


def m3(last_year: int) -> Callable[[], object]:
    def run() -> object:
        cal = dense()
        cal.elapsed(utc(1900, 1, 2), utc(last_year, 12, 30))
        return cal

    return run


def m4() -> object:
    cal = BusinessCalendar(
        timezone="America/New_York", hours={"mon-fri": ["09:00-17:00"]}, holidays="US"
    )
    cal.elapsed(utc(1900, 1, 2), utc(2199, 12, 30))
    return cal


def m5() -> object:
    cal = BusinessCalendar(timezone="UTC", hours="24x7", closed=["1900-01-01..2199-12-31"] * 200)
    with contextlib.suppress(HorizonError):
        cal.next_open(utc(2026, 1, 1))
    return cal


def m6() -> object:
    new_york = BusinessCalendar(timezone="America/New_York", hours={"mon-fri": ["09:00-17:00"]})
    london = BusinessCalendar(timezone="Europe/London", hours={"daily": ["22:00-06:00"]})
    cal = new_york & london
    with contextlib.suppress(HorizonError):
        cal.next_open(utc(2026, 1, 1))
    return cal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer questions in M2, M3")
    args = parser.parse_args()
    n = 10 if args.quick else 40
    print(
        f"sla_engine calendar memory (tracemalloc; a calendar caches at most "
        f"{MAX_CACHED_SEGMENTS:,} segments)"
    )
    measure("M1 24 half-hour windows a day: 1900, then 2199", m1)
    measure(f"M2 same calendar, {n:,} random add+elapsed over 1900-2199", m2(n))
    last = 1999 if args.quick else 2199
    measure(f"M3 same calendar, elapsed(1900-01-02, {last}-12-30)", m3(last))
    measure("M4 Mon-Fri 09-17 + US holidays, elapsed over the horizon", m4)
    measure("M5 200 x closed 1900-01-01..2199-12-31, next_open", m5)
    measure("M6 New York day & London night, next_open(2026) -> none", m6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
