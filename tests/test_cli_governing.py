"""sla-engine evaluate --governing: which version of a policy governs each ticket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sla_engine.cli import main
from strategies import cli_desk, cli_write

CREATED = "2026-03-09T09:00:00-07:00"  # under version 2026.1
REOPENED_AT = "2026-08-03T09:00:00-07:00"  # under version 2026.2
AS_OF = "2026-08-03T12:00:00-07:00"


def _ticket(ticket_id: str, *, reopen: bool) -> dict[str, Any]:
    events: list[dict[str, str]] = [{"kind": "created", "at": CREATED}]
    if reopen:
        events += [
            {"kind": "resolved", "at": "2026-03-09T10:00:00-07:00"},
            {"kind": "reopened", "at": REOPENED_AT},
        ]
    return {"id": ticket_id, "tier": "premium", "severity": "sev1", "events": events}


@pytest.mark.parametrize(
    ("governing", "expected"),
    [
        (None, ["desk 2026.1", "desk 2026.1"]),
        ("creation", ["desk 2026.1", "desk 2026.1"]),
        ("cycle-start", ["desk 2026.1", "desk 2026.2"]),
        ("latest", ["desk 2026.2", "desk 2026.2"]),
    ],
)
def test_governing_picks_the_version_per_ticket(
    governing: str | None,
    expected: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A ticket never reopened and one reopened under the later version: creation (the
    default) holds both to 2026.1, cycle-start the reopened one to 2026.2, latest both."""
    first = cli_desk()
    first["effective_until"] = "2026-06-30"
    second = cli_desk()
    second["version"] = "2026.2"
    second["effective_from"] = "2026-07-01"
    old = cli_write(tmp_path, first, "v1.yaml")
    new = cli_write(tmp_path, second, "v2.yaml")
    tickets = tmp_path / "t.jsonl"
    rows = [_ticket("T-1", reopen=False), _ticket("T-2", reopen=True)]
    tickets.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    argv = ["evaluate", "--policy", str(old), "--policy", str(new)]
    argv += ["--tickets", str(tickets), "--as-of", AS_OF]
    if governing is not None:
        argv += ["--governing", governing]
    code = main(argv)
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    assert [json.loads(line)["policy"] for line in captured.out.splitlines()] == expected


def test_unknown_governing_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A choice that is not creation, cycle-start or latest exits 2 without a traceback."""
    desk = cli_write(tmp_path, cli_desk())
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(json.dumps(_ticket("T-1", reopen=False)) + "\n", encoding="utf-8")
    argv = ["evaluate", "--policy", str(desk), "--tickets", str(tickets), "--as-of", AS_OF]
    code = main([*argv, "--governing", "cycle"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert "--governing" in captured.err and "Traceback" not in captured.err
