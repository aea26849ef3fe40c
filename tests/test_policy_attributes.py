"""A policy file's rules match any ticket attribute it declares (attributes: [region, plan]);
the ticket JSON Lines of sla-engine evaluate carry them under "attributes"."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sla_engine import Ticket, evaluate, load_policy, validate_policy
from sla_engine.cli import main
from sla_engine.render import render_policy

POLICY = """\
format_version: 1
name: regional
version: "1"
effective_from: 2026-01-01
attributes: [region, plan]
calendars:
  always: {timezone: UTC, hours: 24x7}
metrics:
  first_response: {default: 8h}
rules:
  first_response:
    - name: emea gold
      when: {region: emea, plan: [gold, platinum]}
      target: 1h
    - name: apac
      when: {region: apac}
      target: 2h
"""
T0 = "2026-03-09T09:00:00+00:00"


def _ticket(**attributes: str) -> dict[str, object]:
    data: dict[str, object] = {"id": "R-1", "events": [{"kind": "created", "at": T0}]}
    if attributes:
        data["attributes"] = attributes
    return data


@pytest.mark.parametrize(
    ("attributes", "rule", "hours"),
    [
        ({"region": "emea", "plan": "platinum"}, "emea gold", 1),
        ({"region": "emea", "plan": "silver"}, "default", 8),
        ({"region": "apac", "customer": "acme"}, "apac", 2),
        ({}, "default", 8),
    ],
)
def test_policy_rules_match_declared_attributes(
    attributes: dict[str, str], rule: str, hours: int
) -> None:
    """The first rule whose region and plan conditions hold sets the target; attributes no
    rule names (customer) are carried and ignored."""
    policy = load_policy(text=POLICY)
    assert policy.sla is not None
    status = evaluate(
        policy.sla, Ticket.from_mapping(_ticket(**attributes)), as_of=datetime.fromisoformat(T0)
    ).current("first_response")
    assert status is not None and status.rule == rule
    assert status.due == datetime(2026, 3, 9, 9, tzinfo=UTC) + timedelta(hours=hours)


def test_an_undeclared_attribute_is_a_lint_error() -> None:
    """A rule naming an attribute the policy does not declare is refused at its key."""
    text = POLICY.replace("attributes: [region, plan]\n", "attributes: [region]\n")
    validation = validate_policy(text=text, source_name="p.yaml")
    assert validation.policy is None
    (problem,) = validation.problems
    assert problem.path == "rules.first_response[0].when.plan"
    assert "unknown ticket attribute 'plan'" in problem.message
    assert "'attributes' list" in problem.message
    bare = POLICY.replace("attributes: [region, plan]\n", "")
    assert len(validate_policy(text=bare).problems) == 3  # region, plan; region


def test_evaluate_reads_attributes_from_ticket_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sla-engine evaluate: a ticket line's "attributes" pick the rule; a bad one names its
    line and prints nothing."""
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    tickets = tmp_path / "t.jsonl"
    rows = [_ticket(region="emea", plan="gold"), {**_ticket(region="apac"), "id": "R-2"}]
    tickets.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    argv = ["evaluate", "--policy", str(policy), "--tickets", str(tickets)]
    code = main([*argv, "--as-of", "2026-03-09T09:30:00Z"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert [json.loads(line)["cycles"][0]["rule"] for line in out.splitlines()] == [
        "emea gold",
        "apac",
    ]
    tickets.write_text(json.dumps({**_ticket(), "attributes": {"region": 1}}) + "\n")
    code = main([*argv, "--as-of", "2026-03-09T09:30:00Z"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert f"{tickets}:1: attributes.region:" in err


def test_render_lists_conditions_on_other_attributes() -> None:
    """The public page shows the region and plan a rule applies to."""
    page = render_policy(load_policy(text=POLICY))
    assert "region: Emea" in page and "plan: Gold or Platinum" in page
