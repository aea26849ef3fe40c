"""The report document: its tables, its views (JSON, Markdown, HTML) and the HTML's charts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the report extra (pyarrow) is not installed")
pytest.importorskip("matplotlib", reason="the report extra (matplotlib) is not installed")

from sla_engine.clocks import Ticket
from sla_engine.errors import ReportError
from sla_engine.policy import load_policy
from sla_engine.report import SECTIONS, Report, attainment, build_report

ROOT = Path(__file__).resolve().parent.parent
POLICY = load_policy(ROOT / "examples" / "policies" / "spark-drive.yaml")
AS_OF = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)


def _quarter(count: int = 250) -> list[Ticket]:
    lines = (ROOT / "examples" / "data" / "quarter.jsonl").read_text(encoding="utf-8")
    return [Ticket.from_mapping(json.loads(line)) for line in lines.splitlines()[:count]]


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(POLICY, _quarter(), as_of=AS_OF)


@pytest.fixture(scope="module")
def page(report: Report) -> str:
    return report.to_html()


def test_report_has_every_section(report: Report) -> None:
    """The tables are the sections, in order, each an Arrow table."""
    assert list(report.tables) == list(SECTIONS)
    assert all(hasattr(t, "schema") for t in report.tables.values())
    assert report.timezone == "America/Los_Angeles"  # the policy's default calendar


def test_headline_is_attainment_since_each_window(report: Report) -> None:
    """The headline's N-day figures equal attainment counted since local midnight N-1 days
    before the report's day."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(report.timezone)
    day = AS_OF.astimezone(zone).date()
    for window in (7, 30, 90):
        first = day - timedelta(days=window - 1)
        since = datetime(first.year, first.month, first.day, tzinfo=zone)
        total = attainment(
            report.results, as_of=AS_OF, period="all", by=(), since=since, timezone=report.timezone
        )
        expected = {r["metric"]: (r["met"], r["breached"]) for r in total.to_pylist()}
        got = {
            r["metric"]: (r[f"met_{window}d"], r[f"breached_{window}d"])
            for r in report.tables["headline"].to_pylist()
            if r[f"met_{window}d"] or r[f"breached_{window}d"]
        }
        assert got == {m: mb for m, mb in expected.items() if sum(mb)}


def test_json_holds_every_table_row_for_row(report: Report) -> None:
    """The JSON view has each table's rows; percentages are exact strings."""
    doc = json.loads(report.to_json())
    assert set(doc["tables"]) == set(SECTIONS)
    for name, table in report.tables.items():
        assert len(doc["tables"][name]) == table.num_rows
    first = report.tables["weekly"].to_pylist()[0]
    assert doc["tables"]["weekly"][0]["attainment"] == str(first["attainment"])
    assert doc["data_versions"]["holidays"]


def test_markdown_has_each_section_title(report: Report) -> None:
    """Every section but the trend series and the per-attribute table (too long for an
    e-mail) appears under its title."""
    text = report.to_markdown()
    for name in SECTIONS:
        assert (f"## {report.title(name)}" in text) is (name not in ("trend", "attainment"))


def test_html_shows_at_most_rows_shown(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long table is cut on the page, with a note saying where the rest is."""
    from sla_engine.report import html

    monkeypatch.setattr(html, "ROWS_SHOWN", 3)
    page = report.to_html()
    trend_rows = report.tables["trend"].num_rows
    assert f"The first 3 rows of {trend_rows}" in page


def test_html_is_self_contained(page: str) -> None:
    """The page loads nothing: no script, no style sheet link, no remote image or font."""
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page, re.IGNORECASE)


def test_html_charts_are_inline_svg_with_content(page: str) -> None:
    """Each chart is an inline <svg> with drawn paths: headline, trend, heatmap, backlog."""
    charts = dict(re.findall(r'<div class="chart" data-chart="(\w+)">(.*?)</div>', page, re.S))
    assert set(charts) == {"headline", "trend", "heatmap", "backlog"}
    for name, body in charts.items():
        assert body.startswith("<svg"), name
        assert body.rstrip().endswith("</svg>"), name
        assert body.count("<path") >= 5, name


def test_html_is_reproducible(report: Report, page: str) -> None:
    """The same report gives the same bytes (no dates or random ids in the SVG)."""
    assert report.to_html() == page


def test_html_escapes_ticket_values() -> None:
    """A ticket attribute with markup is shown as text, never as markup."""
    evil = Ticket.from_mapping(
        {
            "id": "X-1",
            "tier": "premium",
            "severity": "<b>sev9</b>",
            "channel": "phone",
            "issue_class": "tier1",
            "events": [{"kind": "created", "at": "2026-03-30T10:00:00Z"}],
        }
    )
    html = build_report(POLICY, [evil], as_of=AS_OF).to_html()
    assert "<b>sev9</b>" not in html
    assert "&lt;b&gt;sev9&lt;/b&gt;" in html


def test_parquet_tables_read_back(report: Report, tmp_path: Path) -> None:
    """write_parquet writes each table and the results; they read back equal."""
    import pyarrow.parquet as pq

    paths = report.write_parquet(tmp_path / "out")
    assert {p.stem for p in paths} == {*SECTIONS, "results"}
    assert pq.read_table(tmp_path / "out" / "weekly.parquet").equals(report.tables["weekly"])
    assert pq.read_table(tmp_path / "out" / "results.parquet").equals(report.results)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 3}, "days=3 is too short"),
        ({"attribute": "region"}, "heatmap by 'region'"),
        ({"timezone": "Nowhere/City"}, "not an IANA time zone"),
    ],
)
def test_bad_report_arguments(kwargs: dict[str, Any], message: str) -> None:
    """Bad arguments are ReportErrors that say what to give instead."""
    with pytest.raises(ReportError, match=message):
        build_report(POLICY, _quarter(5), as_of=AS_OF, **kwargs)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    _chromium() is None, reason="headless Chromium is not installed (apt-get install chromium)"
)
def test_charts_render_in_a_real_browser(page: str, tmp_path: Path) -> None:
    """Headless Chromium renders the page and the screenshot shows the charts' own colours:
    the backlog bars, the trend lines and the heatmap's reds."""
    import numpy as np
    from PIL import Image

    source = tmp_path / "report.html"
    source.write_text(page, encoding="utf-8")
    shot = tmp_path / "report.png"
    chromium = _chromium()
    assert chromium is not None
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,4000",
            f"--screenshot={shot}",
            source.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    with Image.open(shot) as image:
        array = np.asarray(image.convert("RGB"))
    pixels = array.reshape(-1, 3).astype(np.int16)

    def near(colour: tuple[int, int, int]) -> int:
        return int((np.abs(pixels - np.array(colour)).max(axis=1) <= 12).sum())

    assert near((0x5C, 0x7C, 0xFA)) > 2000  # backlog bars
    assert near((0x31, 0x82, 0xBD)) > 200  # 30-day trend lines
    assert near((0x67, 0x00, 0x0D)) + near((0xA5, 0x0F, 0x15)) > 500  # the heatmap's darkest reds


def test_each_ticket_is_evaluated_under_the_version_in_force_at_its_creation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With two versions (chat 120 s until February, 60 s from March), January's chat replies
    are judged on 120 s and March's on 60 s; the targets are those in force at as_of."""
    from sla_engine.cli import main
    from sla_engine.policy import load_policy_set

    text = (ROOT / "examples" / "policies" / "spark-drive.yaml").read_text(encoding="utf-8")
    first = tmp_path / "v1.yaml"
    first.write_text(
        text.replace("currency: USD", "effective_until: 2026-02-28\ncurrency: USD"),
        encoding="utf-8",
    )
    second = tmp_path / "v2.yaml"
    second.write_text(
        text.replace('version: "2026.1"', 'version: "2026.2"')
        .replace("effective_from: 2026-01-01", "effective_from: 2026-03-01")
        .replace("target: 120s, calendar: always}", "target: 60s, calendar: always}")
        .replace("    compliance: 95%\n    default: 24h", "    compliance: 90%\n    default: 24h"),
        encoding="utf-8",
    )
    versions = load_policy_set([first, second])
    tickets = _quarter(400)
    report = build_report(versions, tickets, as_of=AS_OF)
    assert report.policy == "spark-drive 2026.1, 2026.2"
    assert report.targets["first_response"] == Decimal(90)
    chat = {
        r["ticket_id"]: r["target"]
        for r in report.results.to_pylist()
        if r["metric"] == "first_response" and r["rule"] == "Live chat"
    }
    created = {t.id: t.events[0].at for t in tickets}
    march = datetime(2026, 3, 1, 8, tzinfo=UTC)  # midnight in Los Angeles
    assert chat and set(chat.values()) == {timedelta(seconds=120), timedelta(seconds=60)}
    for ident, target in chat.items():
        assert target == timedelta(seconds=60 if created[ident] >= march else 120)
    quarter = str(ROOT / "examples" / "data" / "quarter.jsonl")
    argv = ["report", "--policy", str(first), "--policy", str(second), "--tickets", quarter,
            "--as-of", "2026-03-31T17:00:00-07:00"]  # fmt: skip
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("# SLA report: spark-drive 2026.1, 2026.2\n")
