"""Run every example: the scripts under examples/ and, when present, the policy checks.

This is what `make demo` runs. It stops with a non-zero exit at the first failing example.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts() -> list[Path]:
    """Every example script, in a stable order: the tour first, then by path."""
    found = sorted(p for p in HERE.rglob("*.py") if p.name != "run_all.py" and p.name[0] != "_")
    return sorted(found, key=lambda p: (p.name != "calendar_tour.py", str(p)))


def main() -> int:
    policies = sorted((HERE / "policies").glob("*.yaml")) if (HERE / "policies").is_dir() else []
    if policies:
        print(f"==> sla-engine validate {' '.join(p.name for p in policies)}", flush=True)
        command = [sys.executable, "-m", "sla_engine", "validate", *map(str, policies)]
        if subprocess.run(command, check=False).returncode != 0:
            return 1
    for script in scripts():
        print(f"\n==> {script.relative_to(HERE.parent)}", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
            print(f"example failed: {script.relative_to(HERE.parent)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
