"""sla-engine report: the report of a policy's tickets as Markdown, JSON or HTML."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyarrow", reason="the report extra (pyarrow) is not installed")
pytest.importorskip("matplotlib", reason="the report extra (matplotlib) is not installed")

from sla_engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPARK = str(ROOT / "examples" / "policies" / "spark-drive.yaml")
TICKETS = str(ROOT / "examples" / "data" / "tickets.jsonl")
QUARTER = ROOT / "examples" / "data" / "quarter.jsonl"
AS_OF = "2026-03-12T09:00:00-07:00"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_report_markdown_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """The default format is Markdown with the headline first."""
    code, out, err = _run(
        ["report", "--policy", SPARK, "--tickets", TICKETS, "--as-of", AS_OF], capsys
    )
    assert (code, err) == (0, "")
    assert out.startswith("# SLA report: spark-drive 2026.1\n")
    assert "## Attainment against target, last 7, 30 and 90 days" in out


def test_report_json_and_html_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints every table; --format html -o writes one page and prints nothing;
    --tables writes Parquet files."""
    code, out, _ = _run(
        ["report", "--policy", SPARK, "--tickets", TICKETS, "--as-of", AS_OF, "--format", "json"],
        capsys,
    )
    assert code == 0
    doc = json.loads(out)
    first = {r["metric"]: r for r in doc["tables"]["headline"]}["first_response"]
    assert (first["met_7d"], first["breached_7d"]) == (3, 1)  # PRM-3003's chat reply was late
    page = tmp_path / "report.html"
    code, out, err = _run(
        [
            "report", "--policy", SPARK, "--tickets", TICKETS, "--as-of", AS_OF,
            "--format", "html", "-o", str(page), "--tables", str(tmp_path / "tables"),
            "--heatmap-by", "tier",
        ],
        capsys,
    )  # fmt: skip
    assert (code, out, err) == (0, "", "")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "Breaches per tier and week" in page.read_text(encoding="utf-8")
    assert (tmp_path / "tables" / "results.parquet").is_file()


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--as-of", "2026-03-12T09:00:00"], 1, "has no time zone"),
        (["--as-of", AS_OF, "--days", "2"], 1, "days=2 is too short"),
        (["--as-of", AS_OF, "--timezone", "Mars/Base"], 1, "not an IANA time zone"),
        (["--as-of", AS_OF, "--tickets", "/nonexistent.jsonl"], 2, "cannot read tickets file"),
    ],
)
def test_report_errors_are_one_line(
    extra: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input exits 1 (2 for a file that cannot be read) with an error line, no traceback."""
    argv = ["report", "--policy", SPARK, "--tickets", TICKETS, *extra]
    got, out, err = _run(argv, capsys)
    assert (got, out) == (code, "")
    assert err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err


def test_bundled_quarter_is_the_generator_output() -> None:
    """examples/data/quarter.jsonl is exactly what make_quarter.py prints."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "data" / "make_quarter.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout == QUARTER.read_text(encoding="utf-8")


def test_since_keeps_the_tickets_created_from_then(capsys: pytest.CaptureFixture[str]) -> None:
    """--since drops the tickets created before it: from 2026-03-09 on, two of the four
    example tickets are left (PRM-3003 and ENT-1004), in report and replay alike."""
    since = ["--since", "2026-03-09T00:00:00-07:00"]
    base = ["--tickets", TICKETS, "--as-of", AS_OF, "--format", "json"]
    assert main(["report", "--policy", SPARK, *base, *since]) == 0
    doc = json.loads(capsys.readouterr().out)
    first = {r["metric"]: r for r in doc["tables"]["headline"]}["first_response"]
    assert (first["met_90d"], first["breached_90d"]) == (1, 1)
    proposal = str(ROOT / "examples" / "proposals" / "spark-drive-next.yaml")
    assert main(["replay", SPARK, proposal, *base, *since]) == 0
    outcomes = json.loads(capsys.readouterr().out)["tables"]["outcomes"]
    assert {r["ticket_id"] for r in outcomes} == {"PRM-3003", "ENT-1004"}
