"""sla-engine render and diff: output, options, exit codes and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sla_engine.cli import main
from strategies import cli_desk, cli_write


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    return cli_write(tmp_path, cli_desk())


def test_render_markdown_to_stdout(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """render prints Markdown with the tiers' prices and exits 0."""
    assert main(["render", str(desk)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# desk: support, pricing and service levels\n")
    assert "| Premium | USD 2,000.00 per month |" in captured.out
    assert captured.err == ""


def test_render_html_to_a_file(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """render --format html -o FILE writes a whole HTML page and prints nothing."""
    target = tmp_path / "sla.html"
    assert main(["render", str(desk), "--format", "html", "--year", "2027", "-o", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert '<td dir="auto">2027-11-25</td>' in page
    assert capsys.readouterr().out == ""


def test_render_errors(desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file exits 2, an invalid policy 1, a bad option 2; one error line, no trace."""
    assert main(["render", str(tmp_path / "nope.yaml")]) == 2
    assert (
        capsys.readouterr().err
        == f"error: cannot read policy {tmp_path / 'nope.yaml'}: No such file or directory\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("format_version: 1\nname: x\n", encoding="utf-8")
    assert main(["render", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: 3 errors in {bad}\n")
    assert "version: the required key 'version' is missing" in err
    assert main(["render", str(desk), "--format", "pdf"]) == 2
    assert main(["render", str(desk), "--year", "soon"]) == 2
    assert main(["render", str(desk), "--year", "0"]) == 1
    assert main(["render", str(desk), "-o", str(tmp_path / "no" / "dir.md")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_diff_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """diff prints each change and a summary (text or JSON) and exits 0 whatever changed."""
    old = cli_write(tmp_path, cli_desk(), "old.yaml")
    newer = cli_desk()
    newer["version"] = "2026.2"
    newer["tiers"]["premium"]["targets"]["first_response"]["sev1"] = "1h"
    new = cli_write(tmp_path, newer, "new.yaml")
    assert main(["diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "desk 2026.1 -> desk 2026.2",
        "stricter targets.first_response[tier premium, severity sev1]: 2h -> 1h",
        "1 stricter",
    ]
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["stricter"] == 1


def test_diff_reports_every_invalid_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """diff exits 1 when either policy is invalid, naming the problems of both; 2 if unreadable."""
    good = cli_write(tmp_path, cli_desk(), "good.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format_version: 2\n", encoding="utf-8")
    assert main(["diff", str(bad), str(good)]) == 1
    assert main(["diff", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count(f"error in {bad}") + captured.err.count(f"errors in {bad}") == 2
    assert main(["diff", str(good), str(tmp_path / "missing.yaml")]) == 2
    assert main(["diff", str(good)]) == 2
