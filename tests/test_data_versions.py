"""Every answer that depends on calendar data names the versions of that data."""

from __future__ import annotations

import json
import zoneinfo
from datetime import UTC, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path

import pytest

from sla_engine import DataVersions, data_versions
from sla_engine.cli import main
from sla_engine.clocks import Event, EventKind, Ticket, evaluate
from sla_engine.credits import BillingPeriod, Fee, Incident, compute_credit
from sla_engine.policy import load_policy
from sla_engine.render import render_policy
from strategies import cli_desk, cli_write

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_versions_are_the_installed_ones() -> None:
    """The holidays version is the installed distribution's; the zone database is named with
    the place zoneinfo reads it from."""
    versions = data_versions()
    assert versions.holidays == metadata.version("holidays")
    assert versions.tzdata_package == metadata.version("tzdata")
    assert versions.tzdb_source in ("system", "tzdata")
    if versions.tzdb_source == "system":
        assert versions.tzdb_path in zoneinfo.TZPATH
    assert versions.tzdb is None or versions.tzdb[:4].isdigit()


def test_without_a_system_database_the_tzdata_package_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no system zone files, the tzdata package's IANA release is recorded."""
    monkeypatch.setattr(zoneinfo, "TZPATH", ())
    data_versions.cache_clear()
    try:
        versions = data_versions()
    finally:
        data_versions.cache_clear()
    assert versions.tzdb_source == "tzdata"
    assert versions.tzdb is not None and versions.tzdb[:4].isdigit()


def test_evaluation_and_credit_decision_record_versions(tmp_path: Path) -> None:
    """Evaluation and CreditDecision objects carry the data versions, and the decision's JSON
    names them."""
    policy = load_policy(cli_write(tmp_path, cli_desk()))
    ticket = Ticket(
        id="T-1",
        tier="premium",
        severity="sev1",
        events=(Event(kind=EventKind.CREATED, at=datetime(2026, 3, 2, 9, tzinfo=UTC)),),
    )
    result = evaluate(policy.sla, ticket, as_of=datetime(2026, 3, 3, tzinfo=UTC))
    assert isinstance(result.data_versions, DataVersions)
    assert result.data_versions == data_versions()
    schedule = policy.credit_schedule
    assert schedule is not None
    decision = compute_credit(
        schedule,
        [
            Incident(
                id="A", start=datetime(2026, 3, 2, tzinfo=UTC), end=datetime(2026, 3, 3, tzinfo=UTC)
            )
        ],
        period=BillingPeriod.month(2026, 3),
        fee=Fee(amount=Decimal("100.00"), currency="USD"),
        claim_filed_at=datetime(2026, 3, 10, tzinfo=UTC),
    )
    assert decision.data_versions == data_versions()
    assert json.loads(decision.to_json())["data_versions"] == data_versions().to_mapping()


def test_cli_json_outputs_name_their_data(capsys: pytest.CaptureFixture[str]) -> None:
    """evaluate and validate --format json name the holidays and zone-database versions."""
    expected = data_versions().to_mapping()
    spark = str(EXAMPLES / "policies" / "spark-drive.yaml")
    argv = ["evaluate", "--policy", spark, "--tickets", str(EXAMPLES / "data" / "tickets.jsonl")]
    assert main([*argv, "--as-of", "2026-03-09T12:00:00Z"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(json.loads(line)["data_versions"] == expected for line in lines)
    assert main(["validate", "--format", "json", spark]) == 0
    assert json.loads(capsys.readouterr().out)["data_versions"] == expected


def test_render_names_the_holidays_release(tmp_path: Path) -> None:
    """The public page says which holidays release and zone database its dates come from."""
    page = render_policy(load_policy(cli_write(tmp_path, cli_desk())))
    assert f"holidays package {data_versions().holidays}" in page


def test_diff_json_names_its_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """diff --format json names the data versions too, like every JSON output."""
    old = cli_write(tmp_path, cli_desk(), "old.yaml")
    assert main(["diff", "--format", "json", str(old), str(old)]) == 0
    assert json.loads(capsys.readouterr().out)["data_versions"] == data_versions().to_mapping()
