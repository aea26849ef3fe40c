"""Run every example: the CLI on the bundled policies, then every script under examples/.

This is what `make demo` runs: each example with the first lines of what it prints (all of it
with `--full`). It stops with a non-zero exit at the first failing example, showing its output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPARK = "examples/policies/spark-drive.yaml"
CLI_RUNS: list[list[str]] = [
    [
        "validate",
        SPARK,
        "examples/policies/spark-driver-support.yaml",
        "examples/policies/tehran-contact-centre.yaml",
    ],
    ["render", SPARK, "--format", "markdown"],
    [
        "evaluate",
        "--policy",
        SPARK,
        "--tickets",
        "examples/data/tickets.jsonl",
        "--as-of",
        "2026-03-09T12:00:00-07:00",
    ],
    [
        "credit",
        "--policy",
        SPARK,
        "--incidents",
        "examples/data/incidents.json",
        "--customer",
        "acme",
        "--period",
        "2026-03",
        "--fee",
        "2000.00",
        "--claim-filed-at",
        "2026-03-20T10:00:00-07:00",
    ],
    [
        "report",
        "--policy",
        SPARK,
        "--tickets",
        "examples/data/quarter.jsonl",
        "--as-of",
        "2026-03-31T17:00:00-07:00",
    ],
    [
        "replay",
        SPARK,
        "examples/proposals/spark-drive-next.yaml",
        "--tickets",
        "examples/data/quarter.jsonl",
        "--as-of",
        "2026-03-31T17:00:00-07:00",
    ],
]


def scripts() -> list[Path]:
    """Every example script, in a stable order: the tour first, then by path."""
    found = sorted(p for p in HERE.rglob("*.py") if p.name != "run_all.py" and p.name[0] != "_")
    return sorted(found, key=lambda p: (p.name != "calendar_tour.py", str(p)))


SHOWN = 4  # lines of each example's output, without --full


def _run(title: str, command: list[str], full: bool) -> bool:
    """Run one example; print its title and (the start of) its output; True when it passed."""
    done = subprocess.run(command, check=False, cwd=HERE.parent, capture_output=True, text=True)
    lines = done.stdout.splitlines()
    ok = done.returncode == 0
    print(f"{'ok  ' if ok else 'FAIL'} {title}", flush=True)
    shown = lines if full or not ok else lines[:SHOWN]
    for line in shown:
        print(f"     {line[:110]}")
    if len(lines) > len(shown):
        print(f"     ... {len(lines) - len(shown)} more lines (python examples/run_all.py --full)")
    if not ok:
        print(done.stderr, file=sys.stderr)
    return ok


def main(argv: list[str]) -> int:
    full = "--full" in argv
    for args in CLI_RUNS:
        if not _run(
            f"sla-engine {' '.join(args)}", [sys.executable, "-m", "sla_engine", *args], full
        ):
            return 1
    for script in scripts():
        if not _run(str(script.relative_to(HERE.parent)), [sys.executable, str(script)], full):
            return 1
    print(f"all {len(CLI_RUNS) + len(scripts())} examples ran")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
