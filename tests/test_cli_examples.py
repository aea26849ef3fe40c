"""The CLI on the customer's three example policies and the example data files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from holiday_data import holiday_name
from sla_engine.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
POLICIES = EXAMPLES / "policies"
SPARK = POLICIES / "spark-drive.yaml"
TEHRAN = POLICIES / "tehran-contact-centre.yaml"


def _out(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 0, capsys.readouterr().err
    return capsys.readouterr().out


@pytest.mark.parametrize("policy", sorted(POLICIES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_policy_renders(policy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each example policy renders as Markdown and as HTML, the same bytes each time."""
    for fmt in ("markdown", "html"):
        first = _out(["render", str(policy), "--format", fmt], capsys)
        assert first == _out(["render", str(policy), "--format", fmt], capsys)


def test_spark_drive_table_has_the_playbook_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """The public table shows the playbook's prices, channel targets, Sev 1 commitments and
    credit schedule."""
    text = _out(["render", str(SPARK)], capsys)
    for expected in (
        "| Standard | USD 5.00 per user per month |",
        "| Premium | USD 49.00 per user per month |",
        "| Enterprise | USD 2,000.00 per month |",
        "| Phone | +1-800-555-0123; hold under 60 s, abandonment under 5 % | 24x7 | 30 seconds",
        "| Live chat | Staffed 24x7 with automated routing | 24x7 | 2 minutes (24x7) |",
        "| tier: Enterprise; severity: Sev 1 | 2 hours | 24x7 |",
        "| Sev 1 | 8 hours |",
        "| Sev 1 | 72 hours |",
        "| at least 1 hour and less than 4 hours | 10% |",
        "| at least 12 hours | 50% |",
        "- Claim window: file a claim within 30 days after the incident's end.",
        "- Third-party services and integrations",
        f"| 2026-11-26 | Thursday | {holiday_name('US', date(2026, 11, 26), subdivision='CA')} |",
    ):
        assert expected in text, expected


def test_tehran_holidays_in_persian(capsys: pytest.CaptureFixture[str]) -> None:
    """The Tehran centre's page names Nowruz in Persian, marked as Persian in HTML."""
    page = _out(["render", str(TEHRAN), "--format", "html", "--year", "2027"], capsys)
    nowruz = holiday_name("IR", date(2027, 3, 22), language="fa_IR")
    assert f'<td lang="fa-IR" dir="auto">{nowruz}</td>' in page


def test_diff_of_an_example_against_a_tightened_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tightening Spark Drive's enterprise Sev 1 response from 2 h to 1 h shows as stricter."""
    text = SPARK.read_text(encoding="utf-8")
    assert "first_response: {sev1: 2h}" in text
    newer = tmp_path / "spark-drive-2026.2.yaml"
    newer.write_text(
        text.replace('version: "2026.1"', 'version: "2026.2"').replace(
            "first_response: {sev1: 2h}", "first_response: {sev1: 1h}"
        ),
        encoding="utf-8",
    )
    doc = json.loads(_out(["diff", str(SPARK), str(newer), "--format", "json"], capsys))
    assert doc["changes"] == [
        {
            "path": "targets.first_response[tier enterprise, severity sev1]",
            "kind": "stricter",
            "old": "2h",
            "new": "1h",
            "detail": "",
        }
    ]


def test_evaluate_example_tickets(capsys: pytest.CaptureFixture[str]) -> None:
    """The example tickets evaluate to one JSON line each, in file order."""
    tickets = EXAMPLES / "data" / "tickets.jsonl"
    argv = ["evaluate", "--policy", str(SPARK), "--tickets", str(tickets)]
    out = _out([*argv, "--as-of", "2026-03-09T12:00:00-07:00"], capsys)
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert ids == ["ENT-1001", "STD-2002", "PRM-3003", "ENT-1004"]
    chat = json.loads(out.splitlines()[2])
    first = next(c for c in chat["cycles"] if c["metric"] == "first_response")
    assert (first["state"], first["target"], first["rule"]) == ("breached", "2m", "Live chat")


def test_credit_example_customer(capsys: pytest.CaptureFixture[str]) -> None:
    """A customer of the example incidents file gets its decision, in the policy's billing
    cycle (calendar months in Palo Alto time)."""
    incidents = EXAMPLES / "data" / "incidents.json"
    argv = ["credit", "--policy", str(SPARK), "--incidents", str(incidents), "--customer"]
    out = _out(
        [
            *argv,
            *("acme", "--period", "2026-03", "--fee", "2000.00", "--fee-per", "month"),
            *("--claim-filed-at", "2026-03-20T10:00:00-07:00"),
        ],
        capsys,
    )
    doc = json.loads(out)
    assert doc["period"]["label"] == "2026-03 (America/Los_Angeles)"
    assert doc["period"]["start"] == "2026-03-01T08:00:00Z"
    assert doc["amount"] == "1500.00"
    assert [s["band"] for s in doc["stretches"]] == ["[4h, 12h)", "[12h, inf)"]
