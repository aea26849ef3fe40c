"""sla-engine evaluate: one JSON line per ticket, all input checked before anything is printed."""

from __future__ import annotations

import errno
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sla_engine.cli import main
from sla_engine.clocks import Ticket, evaluate, next_deadlines
from sla_engine.policy import load_policy
from strategies import cli_desk, cli_write

AS_OF = "2026-03-09T12:00:00-07:00"
TICKETS: list[dict[str, Any]] = [
    {
        "id": "T-1",
        "tier": "premium",
        "severity": "sev1",
        "channel": "email",
        "events": [{"kind": "created", "at": "2026-03-09T09:00:00-07:00"}],
    },
    {
        "id": "T-2",
        "tier": "standard",
        "severity": "sev1",
        "channel": "email",
        "events": [
            {"kind": "created", "at": "2026-03-06T16:30:00-08:00"},
            {"kind": "agent_reply", "at": "2026-03-09T10:00:00-07:00"},
        ],
    },
]


def _json_says(text: str) -> str:
    """The json module's own words for why ``text`` is not JSON (they vary by release)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.msg
    raise AssertionError(f"{text!r} is JSON")


def _jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    return cli_write(tmp_path, cli_desk())


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_evaluate_prints_one_line_per_ticket(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each ticket gives one JSON object with its cycles, events and next deadlines, and the
    values agree with the library's evaluate and next_deadlines."""
    tickets = _jsonl(tmp_path / "t.jsonl", TICKETS)
    code, out, err = _run(
        ["evaluate", "--policy", str(desk), "--tickets", str(tickets), "--as-of", AS_OF], capsys
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 2
    docs = [json.loads(line) for line in lines]
    assert [d["id"] for d in docs] == ["T-1", "T-2"]
    policy = load_policy(desk)
    assert policy.sla is not None
    as_of = datetime.fromisoformat(AS_OF)
    for raw, doc in zip(TICKETS, docs, strict=True):
        result = evaluate(policy.sla, Ticket.from_mapping(raw), as_of=as_of)
        upcoming = next_deadlines(policy.sla, Ticket.from_mapping(raw), as_of=as_of)
        assert doc["as_of"] == "2026-03-09T19:00:00Z"
        assert doc["policy"] == "desk 2026.1"
        assert [c["metric"] for c in doc["cycles"]] == [c.metric for c in result.cycles]
        for c, status in zip(doc["cycles"], result.cycles, strict=True):
            assert c["state"] == status.state.value
            due = None if status.due is None else datetime.fromisoformat(c["due"])
            assert due == status.due
        assert len(doc["next_deadlines"]) == len(upcoming)
        assert "trace" not in doc
    first = docs[0]["cycles"][0]
    assert first | {"due": "", "breached_at": ""} == {
        "metric": "first_response",
        "cycle": 1,
        "state": "breached",
        "start": "2026-03-09T16:00:00Z",
        "stop": None,
        "due": "",
        "breached_at": "",
        "target": "2h",
        "calendar": "always",
        "rule": "tier premium, severity sev1",
        "elapsed": "3h",
        "remaining": "0s",
        "wall_until_due": "-1h",
        "share_used": "3/2",
    }


def test_explain_adds_the_trace(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--explain adds each ticket's explanation trace."""
    tickets = _jsonl(tmp_path / "t.jsonl", TICKETS[:1])
    argv = ["evaluate", "--policy", str(desk), "--tickets", str(tickets), "--as-of", AS_OF]
    code, out, _ = _run([*argv, "--explain"], capsys)
    assert code == 0
    trace = json.loads(out)["trace"]
    assert any("rule 'tier premium, severity sev1' matched" in line for line in trace)


def test_bad_lines_print_nothing_and_name_every_line(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad lines exit 1 with each line number and nothing on stdout, even after good lines."""
    path = tmp_path / "t.jsonl"
    lines = [
        json.dumps(TICKETS[0]),
        "",
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"id": "T-9", "events": [{"kind": "created", "at": "2026-03-09T09:00:00"}]}),
        json.dumps(TICKETS[0]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = _run(
        ["evaluate", "--policy", str(desk), "--tickets", str(path), "--as-of", AS_OF], capsys
    )
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"error: 4 bad lines in {path}; nothing was evaluated",
        f"  {path}:3: not JSON: {_json_says('{not json')} (column 2)",
        f'  {path}:4: a ticket is a JSON object such as {{"id": "T-1", "tier": "premium", '
        '"events": [{"kind": "created", "at": "2026-03-09T09:00:00Z"}]}, got list',
        f"  {path}:5: events[0].at: ticket 'T-9', event 0: event created: at=2026-03-09T09:00:00 "
        "has no time zone; attach one, e.g. at.replace(tzinfo=timezone.utc) or "
        "ZoneInfo('America/New_York')",
        f"  {path}:6: ticket id 'T-1' is already used on line 1; give each ticket its own id",
    ]


def test_evaluation_errors_print_nothing(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ticket the clocks refuse (a state the lifecycle lacks) exits 1 with nothing printed."""
    bad = {
        "id": "T-3",
        "events": [
            {"kind": "created", "at": "2026-03-09T09:00:00Z"},
            {"kind": "status_changed", "at": "2026-03-09T09:05:00Z", "value": "Nowhere"},
        ],
    }
    path = _jsonl(tmp_path / "t.jsonl", [TICKETS[0], bad])
    code, out, err = _run(
        ["evaluate", "--policy", str(desk), "--tickets", str(path), "--as-of", AS_OF], capsys
    )
    assert (code, out) == (1, "")
    assert err.startswith(f"error: 1 ticket in {path} could not be evaluated; nothing was printed")
    assert f"{path}:2: " in err and "Nowhere" in err


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2026-03-09T12:00:00", "has no time zone; add an offset, e.g. 2026-03-09T12:00:00Z"),
        ("yesterday", "is not an ISO 8601 instant"),
    ],
)
def test_bad_as_of(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], as_of: str, message: str
) -> None:
    """A naive or unreadable --as-of exits 1 with a hint."""
    path = _jsonl(tmp_path / "t.jsonl", TICKETS)
    code, out, err = _run(
        ["evaluate", "--policy", str(desk), "--tickets", str(path), "--as-of", as_of], capsys
    )
    assert (code, out) == (1, "")
    assert err.startswith("error: --as-of ") and message in err


def test_missing_inputs_and_usage(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing tickets file exits 2; a policy without metrics 1; missing options 2."""
    missing = tmp_path / "none.jsonl"
    argv = ["evaluate", "--policy", str(desk), "--tickets", str(missing), "--as-of", AS_OF]
    code, _, err = _run(argv, capsys)
    assert (code, err) == (
        2,
        f"error: cannot read tickets file {missing}: {os.strerror(errno.ENOENT)}\n",
    )
    bare = cli_write(
        tmp_path,
        {
            "format_version": 1,
            "name": "bare",
            "version": "1",
            "effective_from": "2026-01-01",
            "calendars": {"a": {"timezone": "UTC", "hours": "24x7"}},
        },
        "bare.yaml",
    )
    path = _jsonl(tmp_path / "t.jsonl", TICKETS)
    code, _, err = _run(
        ["evaluate", "--policy", str(bare), "--tickets", str(path), "--as-of", AS_OF], capsys
    )
    assert code == 1 and "has no ticket clocks" in err
    code, _, err = _run(["evaluate", "--policy", str(desk)], capsys)
    # argparse's usage error, in its own words: only the missing options are ours to check
    assert code == 2 and "--tickets" in err.splitlines()[-1] and "--as-of" in err.splitlines()[-1]
    binary = tmp_path / "b.jsonl"
    binary.write_bytes(b'{"id": "\xff"}\n')
    code, _, err = _run(
        ["evaluate", "--policy", str(desk), "--tickets", str(binary), "--as-of", AS_OF], capsys
    )
    assert (code, err) == (
        1,
        f"error: {binary}:1: the tickets file is not UTF-8 text; save it as UTF-8\n",
    )


def test_each_ticket_uses_the_version_in_force_when_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --policy given twice, a ticket is evaluated under the version in force when it was
    created; overlapping versions are refused."""
    first = cli_desk()
    first["effective_until"] = "2026-06-30"
    second = cli_desk()
    second["version"] = "2026.2"
    second["effective_from"] = "2026-07-01"
    second["tiers"]["premium"]["targets"]["first_response"]["sev1"] = "1h"
    old = cli_write(tmp_path, first, "v1.yaml")
    new = cli_write(tmp_path, second, "v2.yaml")
    later = dict(TICKETS[0], id="T-7")
    later["events"] = [{"kind": "created", "at": "2026-08-03T09:00:00-07:00"}]
    tickets = _jsonl(tmp_path / "t.jsonl", [TICKETS[0], later])
    argv = ["evaluate", "--policy", str(old), "--policy", str(new), "--tickets", str(tickets)]
    code, out, err = _run([*argv, "--as-of", "2026-08-03T12:00:00-07:00"], capsys)
    assert (code, err) == (0, "")
    docs = [json.loads(line) for line in out.splitlines()]
    assert [(d["policy"], d["cycles"][0]["target"]) for d in docs] == [
        ("desk 2026.1", "2h"),
        ("desk 2026.2", "1h"),
    ]
    overlapping = cli_write(tmp_path, cli_desk(), "v1b.yaml")
    code, out, err = _run(
        [
            *("evaluate", "--policy", str(old), "--policy", str(overlapping)),
            *("--tickets", str(tickets), "--as-of", AS_OF),
        ],
        capsys,
    )
    assert (code, out) == (1, "")
    assert err.startswith(f"error: 1 error in {old}, {overlapping}\n")
    assert f"{overlapping}:5:17: effective_from: " in err and "while version 2026.1" in err
