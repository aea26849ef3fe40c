"""Run every example: the CLI on the bundled policies, then every script under examples/.

This is what `make demo` runs. It stops with a non-zero exit at the first failing example.
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
]


def scripts() -> list[Path]:
    """Every example script, in a stable order: the tour first, then by path."""
    found = sorted(p for p in HERE.rglob("*.py") if p.name != "run_all.py" and p.name[0] != "_")
    return sorted(found, key=lambda p: (p.name != "calendar_tour.py", str(p)))


def main() -> int:
    for args in CLI_RUNS:
        print(f"==> sla-engine {' '.join(args)}", flush=True)
        command = [sys.executable, "-m", "sla_engine", *args]
        if subprocess.run(command, check=False, cwd=HERE.parent).returncode != 0:
            print(f"example failed: sla-engine {' '.join(args)}", file=sys.stderr)
            return 1
    for script in scripts():
        print(f"\n==> {script.relative_to(HERE.parent)}", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
            print(f"example failed: {script.relative_to(HERE.parent)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
