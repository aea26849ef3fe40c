"""Policy loading: the Spark Drive policy loaded and validated warm, and ``sla-engine validate``
run cold in a fresh process.

Prints loads/s and the median and best time of a warm load (target: under 50 ms), peak memory of
one load (tracemalloc), and the median and best wall time of ``sla-engine validate`` in a new
interpreter (target: under 0.5 s); then the time to report every problem of a policy with
10,000, 30,000 and 90,000 unknown keys (linear: the time per key stays flat). Nothing is
asserted.

    .venv/bin/python benchmarks/policy_bench.py [--warm N] [--cold N] [--policy PATH]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "examples" / "policies" / "spark-drive.yaml"
WARM_TARGET_S = 0.050
COLD_TARGET_S = 0.5


def warm(path: Path, runs: int) -> None:
    """Load and validate ``path`` ``runs`` times in this process, after one untimed load."""
    from sla_engine.policy import load_policy

    policy = load_policy(path)  # imports and first-use caches: not timed
    assert policy.sla is not None
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        load_policy(path)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    verdict = "met" if median < WARM_TARGET_S else "MISSED"
    print(f"warm load_policy({path.name}): {runs} runs")
    print(
        f"  median {median * 1000:.1f} ms, best {min(times) * 1000:.1f} ms, "
        f"{1 / median:,.0f} loads/s"
    )
    print(f"  target < {WARM_TARGET_S * 1000:.0f} ms: {verdict}")
    tracemalloc.start()
    load_policy(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak memory of one load: {peak / 1024:,.0f} KiB")


def cold(path: Path, runs: int) -> None:
    """Run ``sla-engine validate`` on ``path`` in a fresh interpreter ``runs`` times."""
    command = [sys.executable, "-m", "sla_engine", "validate", str(path)]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            print(done.stdout, done.stderr, sep="\n")
            raise SystemExit(f"sla-engine validate exited {done.returncode}")
    median = statistics.median(times)
    verdict = "met" if median < COLD_TARGET_S else "MISSED"
    print(f"cold `sla-engine validate {path.name}` in a new process: {runs} runs")
    print(f"  median {median:.3f} s, best {min(times):.3f} s")
    print(f"  target < {COLD_TARGET_S} s: {verdict}")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    print(f"  (a bare interpreter starts in {time.perf_counter() - start:.3f} s)")


def unknown_keys(path: Path) -> None:
    from sla_engine.policy import validate_policy

    base = path.read_text(encoding="utf-8")
    print("every problem of a policy with N unknown keys (validate_policy)")
    for n in (10_000, 30_000, 90_000):
        text = base + "".join(f"unknown_{i}: {i}\n" for i in range(n))
        start = time.perf_counter()
        found = len(validate_policy(text=text).problems)
        took = time.perf_counter() - start
        print(f"  N={n:>6,}: {found:,} problems in {took:.2f} s ({took / n * 1e6:.0f} us per key)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warm", type=int, default=200, help="warm loads to time")
    parser.add_argument("--cold", type=int, default=10, help="cold processes to time")
    parser.add_argument("--policy", type=Path, default=POLICY, help="the policy file")
    args = parser.parse_args()
    warm(args.policy, args.warm)
    cold(args.policy, args.cold)
    unknown_keys(args.policy)


if __name__ == "__main__":
    main()
