"""The credit examples print their decisions, identically on every run."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "credits"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def test_there_are_credit_examples() -> None:
    """At least the five policy shapes of issue 4 have an example."""
    assert len(SCRIPTS) >= 5


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_credit_example_is_deterministic(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Running an example twice prints the same non-empty text, ending in a credit."""
    runpy.run_path(str(script), run_name="__main__")
    first = capsys.readouterr().out
    runpy.run_path(str(script), run_name="__main__")
    second = capsys.readouterr().out
    assert first.strip() and first == second
    assert "credit" in first
