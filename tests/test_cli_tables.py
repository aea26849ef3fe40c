"""sla-engine evaluate --output-format jsonl|csv|parquet: rows per ticket, metric and cycle,
in batches, equal to evaluate_table; a bad line names file and line and writes nothing."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sla_engine.cli import main
from sla_engine.policy import load_policy

pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402

from sla_engine.tables import evaluate_table  # noqa: E402

POLICY = "examples/policies/spark-drive.yaml"
TICKETS = "examples/data/tickets.jsonl"
AS_OF = "2026-03-20T00:00:00Z"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _expected() -> Any:
    """evaluate_table on the example tickets, split into the two tables by hand."""
    lines = [json.loads(x) for x in Path(TICKETS).read_text(encoding="utf-8").splitlines()]
    names = ("tier", "severity", "channel", "issue_class", "timezone")
    tickets = pa.table(
        {
            "ticket_id": [x["id"] for x in lines],
            **{n: pa.array([x.get(n) for x in lines], type=pa.string()) for n in names},
        }
    )
    events = pa.table(
        {
            "ticket_id": [x["id"] for x in lines for _ in x["events"]],
            "at": [e["at"] for x in lines for e in x["events"]],
            "kind": [e["kind"] for x in lines for e in x["events"]],
            "value": pa.array([e.get("value") for x in lines for e in x["events"]], pa.string()),
        }
    )
    policy = load_policy(POLICY)
    return evaluate_table(policy, tickets, events, as_of=datetime(2026, 3, 20, tzinfo=UTC))


def test_parquet_output_is_evaluate_table_in_any_batch_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Parquet file holds evaluate_table's rows and types, however the tickets are batched."""
    want = _expected()
    for size in ("1", "2", "10000"):
        target = tmp_path / f"rows-{size}.parquet"
        argv = ["evaluate", "--policy", POLICY, "--tickets", TICKETS, "--as-of", AS_OF]
        code, out, err = _run(
            [*argv, "--output-format", "parquet", "-o", str(target), "--batch-size", size], capsys
        )
        assert (code, out, err) == (0, "", "")
        assert pq.read_table(target).equals(want)


def test_jsonl_and_csv_rows_carry_the_same_values(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON Lines and CSV rows are the table's rows, instants in UTC text, durations as text."""
    want = _expected().to_pylist()
    argv = ["evaluate", "--policy", POLICY, "--tickets", TICKETS, "--as-of", AS_OF]
    code, out, _ = _run([*argv, "--output-format", "jsonl", "--batch-size", "2"], capsys)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(want)
    for got, row in zip(rows, want, strict=True):
        assert (got["ticket_id"], got["metric"], got["cycle"], got["state"]) == (
            row["ticket_id"],
            row["metric"],
            row["cycle"],
            row["state"],
        )
        start = row["start"]
        assert got["start"] == (None if start is None else start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    code, out, _ = _run([*argv, "--output-format", "csv"], capsys)
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["metric"] for r in table] == [r["metric"] for r in want]
    assert [r["business_elapsed"] for r in table] == [r["business_elapsed"] for r in rows]


def test_stdin_in_and_stdout_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """'-' reads the tickets from standard input."""
    text = Path(TICKETS).read_text(encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    argv = ["evaluate", "--policy", POLICY, "--tickets", "-", "--as-of", AS_OF]
    code, out, _ = _run([*argv, "--output-format", "jsonl"], capsys)
    assert code == 0 and len(out.splitlines()) == _expected().num_rows


def test_a_bad_line_names_file_and_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown event kind on line 3: exit 1, the message names the line; no file is left."""
    lines = Path(TICKETS).read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[2])
    broken["events"][1]["kind"] = "agent_replied"
    lines[2] = json.dumps(broken)
    source = tmp_path / "tickets.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "rows.parquet"
    code, out, err = _run(
        [
            "evaluate",
            *("--policy", POLICY, "--tickets", str(source), "--as-of", AS_OF),
            *("--output-format", "parquet", "-o", str(target), "--batch-size", "1"),
        ],
        capsys,
    )
    assert code == 1 and out == ""
    assert err.startswith(f"error: {source}:3: ticket {broken['id']!r}, events[].kind: ")
    assert "'agent_replied'" in err and "nothing was written" in err
    assert list(tmp_path.iterdir()) == [source]


def test_ticket_and_event_tables_with_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--events reads a tickets table and an events table (here CSV and Parquet)."""
    want = _expected()
    lines = [json.loads(x) for x in Path(TICKETS).read_text(encoding="utf-8").splitlines()]
    with open(tmp_path / "tickets.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["ticket_id", "tier", "severity", "channel", "issue_class"])
        for x in lines:
            writer.writerow([x["id"], x["tier"], x["severity"], x["channel"], x["issue_class"]])
    events = pa.table(
        {
            "ticket_id": [x["id"] for x in lines for _ in x["events"]],
            "at": [e["at"] for x in lines for e in x["events"]],
            "kind": [e["kind"] for x in lines for e in x["events"]],
            "value": pa.array([e.get("value") for x in lines for e in x["events"]], pa.string()),
        }
    )
    pq.write_table(events, tmp_path / "events.parquet")
    target = tmp_path / "rows.parquet"
    code, _, err = _run(
        [
            "evaluate",
            *("--policy", POLICY, "--tickets", str(tmp_path / "tickets.csv")),
            *("--events", str(tmp_path / "events.parquet"), "--as-of", AS_OF),
            *("--output-format", "parquet", "-o", str(target)),
        ],
        capsys,
    )
    assert (code, err) == (0, "")
    got = pq.read_table(target)
    assert got.equals(want.drop_columns(["timezone"]))


def test_usage_mistakes(capsys: pytest.CaptureFixture[str]) -> None:
    """--events or --output without a row format, two policies with one, a zero batch size."""
    argv = ["evaluate", "--policy", POLICY, "--tickets", TICKETS, "--as-of", AS_OF]
    code, _, err = _run([*argv, "--events", "e.csv"], capsys)
    assert code == 2 and "--output-format" in err
    code, _, err = _run([*argv, "--policy", POLICY, "--output-format", "csv"], capsys)
    assert code == 2 and "one --policy" in err
    code, _, err = _run([*argv, "--output-format", "csv", "--batch-size", "0"], capsys)
    assert code == 2 and "--batch-size" in err


def test_progress_goes_to_a_terminal_only(tmp_path: Path) -> None:
    """On a terminal stderr gets a progress line per batch; elsewhere it stays silent."""
    import contextlib

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    argv = ["evaluate", "--policy", POLICY, "--tickets", TICKETS, "--as-of", AS_OF]
    argv += ["--output-format", "parquet", "-o", str(tmp_path / "rows.parquet")]
    for err, shown in ((Terminal(), True), (io.StringIO(), False)):
        with contextlib.redirect_stderr(err):
            assert main([*argv, "--batch-size", "2"]) == 0
        assert ("tickets," in err.getvalue()) is shown
