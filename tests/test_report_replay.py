"""What-if replay: outcomes under two policies, flips, due-time changes, attainment before/after."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from strategies import report_instants, report_tickets

pytest.importorskip("pyarrow", reason="the report extra (pyarrow) is not installed")
pytest.importorskip("matplotlib", reason="the report extra (matplotlib) is not installed")

from sla_engine.cli import main
from sla_engine.clocks import Ticket
from sla_engine.errors import ReportError
from sla_engine.policy import Policy, load_policy
from sla_engine.report import DUE_BUCKETS, attainment, replay
from sla_engine.report._source import result_table

ROOT = Path(__file__).resolve().parent.parent
SPARK_PATH = ROOT / "examples" / "policies" / "spark-drive.yaml"
NEXT_PATH = ROOT / "examples" / "proposals" / "spark-drive-next.yaml"
OLD = load_policy(SPARK_PATH)
NEW = load_policy(NEXT_PATH)
TEXT = SPARK_PATH.read_text(encoding="utf-8")
AS_OF = datetime(2026, 4, 1, tzinfo=UTC)


def _variant(*swaps: tuple[str, str]) -> Policy:
    text = TEXT
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new)
    return load_policy(text=text)


#: Only shorter targets on the same calendars: nothing can get better.
STRICTER = _variant(
    ("target: 120s, calendar: always}", "target: 60s, calendar: always}"),
    ("target: 30s, calendar: always}", "target: 20s, calendar: always}"),
    ("{issue_class: tier2}, target: 72h}", "{issue_class: tier2}, target: 48h}"),
)


def _quarter(count: int = 200) -> list[Ticket]:
    lines = (ROOT / "examples" / "data" / "quarter.jsonl").read_text(encoding="utf-8")
    return [Ticket.from_mapping(json.loads(line)) for line in lines.splitlines()[:count]]


@pytest.fixture(scope="module")
def quarter_replay() -> Any:
    return replay(OLD, NEW, _quarter(), as_of=AS_OF)


def test_replay_starts_with_the_semantic_diff(quarter_replay: Any) -> None:
    """The diff of the two policies comes first, in every view."""
    paths = [c.path for c in quarter_replay.diff.changes]
    assert "targets.first_response[Live chat]" in paths
    text = quarter_replay.to_markdown()
    assert text.index("What changed in the policy") < text.index("before and after")
    assert "stricter targets.first_response[Live chat]: 2m -> 1m" in text
    page = quarter_replay.to_html()
    assert page.index('id="diff"') < page.index('id="attainment"')
    assert json.loads(quarter_replay.to_json())["diff"]["summary"]["stricter"] == 1


def test_named_flips_of_the_example_change(quarter_replay: Any) -> None:
    """A chat reply after 90 s is met under 120 s and breached under 60 s; a Tier 2 ticket
    resolved 80 business hours in is breached under 72 h and met under 96 h."""
    flips = quarter_replay.tables["flips"].to_pylist()
    chat = [f for f in flips if f["metric"] == "first_response"]
    tier2 = [f for f in flips if f["metric"] == "resolution"]
    assert chat and all(f["flip"] == "met → breached" and f["channel"] == "chat" for f in chat)
    assert all(f["old_target"] - f["new_target"] == timedelta(seconds=60) for f in chat)
    assert tier2 and all(f["flip"] == "breached → met" for f in tier2)
    assert all(f["issue_class"] == "tier2" for f in tier2)


def test_before_and_after_equal_each_policys_own_attainment(quarter_replay: Any) -> None:
    """The before and after counts are those of attainment() under each policy alone."""
    tickets = _quarter()
    for side, policy in (("old", OLD), ("new", NEW)):
        assert policy.sla is not None
        alone = attainment(
            result_table(policy.sla, tickets, as_of=AS_OF), as_of=AS_OF, period="all", by=()
        )
        expected = {
            r["metric"]: (r["met"], r["breached"], r["attainment"]) for r in alone.to_pylist()
        }
        got = {
            r["metric"]: (r[f"{side}_met"], r[f"{side}_breached"], r[f"{side}_attainment"])
            for r in quarter_replay.tables["attainment"].to_pylist()
        }
        assert {m: v for m, v in got.items() if v[0] + v[1]} == {
            m: v for m, v in expected.items() if v[0] + v[1]
        }


def test_replay_html_is_self_contained_with_charts(quarter_replay: Any) -> None:
    """The replay page loads nothing and draws its two charts as inline SVG."""
    page = quarter_replay.to_html()
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    charts = dict(re.findall(r'<div class="chart" data-chart="(\w+)">(.*?)</div>', page, re.S))
    assert set(charts) == {"attainment", "due_changes"}
    assert all(body.startswith("<svg") and body.count("<path") >= 5 for body in charts.values())


def test_replay_refuses_a_policy_without_clocks() -> None:
    """Both policies need metrics."""
    with pytest.raises(ReportError, match="new policy must be a checked policy with metrics"):
        replay(OLD, "spark-drive.yaml", [], as_of=AS_OF)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- laws

_LAWS = settings(max_examples=30, deadline=None)


@_LAWS
@given(report_tickets(), report_instants())
def test_law_replay_under_the_same_policy_changes_nothing(
    tickets: list[Ticket], as_of: datetime
) -> None:
    """Old = new: no flip, every due unchanged, attainment identical."""
    result = replay(OLD, OLD, tickets, as_of=as_of)
    assert result.tables["flips"].num_rows == 0
    for row in result.tables["outcomes"].to_pylist():
        assert row["old_outcome"] == row["new_outcome"]
        assert row["due_change"] in (None, timedelta(0))
    for row in result.tables["attainment"].to_pylist():
        assert row["old_attainment"] == row["new_attainment"]
        assert row["outcome_changed"] == 0


@_LAWS
@given(report_tickets(), report_instants())
def test_law_stricter_targets_only_flip_towards_breach(
    tickets: list[Ticket], as_of: datetime
) -> None:
    """With only shorter targets on the same calendars, no cycle goes breached → met, no due
    instant moves later, and attainment never rises."""
    result = replay(OLD, STRICTER, tickets, as_of=as_of)
    assert {r["flip"] for r in result.tables["flips"].to_pylist()} <= {"met → breached"}
    for row in result.tables["outcomes"].to_pylist():
        assert row["due_change"] is None or row["due_change"] <= timedelta(0)
    for row in result.tables["attainment"].to_pylist():
        if row["change"] is not None:
            assert row["change"] <= 0


@_LAWS
@given(report_tickets(), report_instants())
def test_law_flips_and_buckets_account_for_every_cycle(
    tickets: list[Ticket], as_of: datetime
) -> None:
    """Flips per metric are the attainment table's flip counts; the due buckets hold each cycle
    with a due instant under both policies exactly once, each in its range."""
    result = replay(OLD, NEW, tickets, as_of=as_of)
    flips = Counter((r["metric"], r["flip"]) for r in result.tables["flips"].to_pylist())
    for row in result.tables["attainment"].to_pylist():
        assert flips[(row["metric"], "met → breached")] == row["met_to_breached"]
        assert flips[(row["metric"], "breached → met")] == row["breached_to_met"]
    with_due = Counter(
        r["metric"] for r in result.tables["outcomes"].to_pylist() if r["due_change"] is not None
    )
    buckets = Counter()
    ranges = {name: (low, high) for name, low, high in DUE_BUCKETS}
    for row in result.tables["due_changes"].to_pylist():
        buckets[row["metric"]] += row["cycles"]
        low, high = ranges[row["bucket"]]
        assert low is None or row["min"] >= low
        assert high is None or row["max"] < high
        assert row["min"] <= row["p50"] <= row["max"]
    assert buckets == with_due


# --------------------------------------------------------------------------- the command


def test_replay_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """sla-engine replay OLD NEW prints Markdown, JSON or writes an HTML file."""
    tickets = str(ROOT / "examples" / "data" / "tickets.jsonl")
    argv = ["replay", str(SPARK_PATH), str(NEXT_PATH), "--tickets", tickets, "--as-of",
            "2026-03-12T09:00:00-07:00"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("# What-if replay: spark-drive 2026.1 → spark-drive 2026.2\n")
    assert main([*argv, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    resolution = {r["metric"]: r for r in doc["tables"]["attainment"]}["resolution"]
    # ENT-1004's Tier 2 resolution is breached under 72 h, still running under 96 h
    assert (resolution["old_breached"], resolution["new_breached"]) == (3, 2)
    assert resolution["outcome_changed"] == 1
    page = tmp_path / "replay.html"
    assert main([*argv, "--format", "html", "-o", str(page)]) == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main([*argv[:-1], "yesterday"]) == 1
    assert "not an ISO 8601 instant" in capsys.readouterr().err
