"""Reopen and severity-change strategies chosen per metric, in Python and in a policy file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sla_engine import Event, EventKind, PolicyError, Ticket, evaluate, load_policy
from sla_engine.clocks import SLA, Metric, Reopen, SeverityChange

H = timedelta(hours=1)
T0 = datetime(2026, 3, 9, 8, tzinfo=UTC)

POLICY = """\
format_version: 1
name: desk
version: "1"
effective_from: 2026-01-01
calendars:
  always: {timezone: UTC, hours: 24x7}
severities: [sev1, sev2]
metrics:
  resolution: {default: 8h, reopen: new_cycle, severity_change: restart}
  workaround: {default: 10h}
rules:
  resolution:
    - {when: {severity: sev1}, target: 4h}
  workaround:
    - {when: {severity: sev1}, target: 6h}
strategies: {reopen: resume, severity_change: recompute}
"""


def test_per_metric_strategies_in_a_policy_file() -> None:
    """Resolution opens a new cycle on reopen and restarts on a severity change; workaround
    follows the policy's resume and recompute."""
    policy = load_policy(text=POLICY, source_name="desk.yaml")
    t = Ticket(
        id="M-1",
        severity="sev2",
        events=(
            Event(kind=EventKind.CREATED, at=T0),
            Event(kind=EventKind.SEVERITY_CHANGED, at=T0 + 2 * H, value="sev1"),
            Event(kind=EventKind.RESOLVED, at=T0 + 3 * H),
            Event(kind=EventKind.REOPENED, at=T0 + 5 * H),
        ),
    )
    result = evaluate(policy.sla, t, as_of=T0 + 6 * H)
    resolution = result.of("resolution")
    # restart: 4 h from the change at +2 h, met at +3 h; new cycle of 4 h from the reopen
    assert [c.state.value for c in resolution] == ["met", "running"]
    assert resolution[0].due == T0 + 6 * H and resolution[1].due == T0 + 9 * H
    workaround = result.of("workaround")
    # recompute: 6 h from the start; resume: 3 h used before the resolve, 3 h left from +5 h
    assert len(workaround) == 1 and workaround[0].due == T0 + 8 * H


def test_metric_strategies_round_trip_and_are_checked() -> None:
    """Metric.from_mapping reads them, to_mapping writes them; a wrong word is an error."""
    m = Metric.from_mapping({"name": "resolution", "kind": "resolution", "reopen": "new_cycle"})
    assert m.reopen is Reopen.NEW_CYCLE and m.severity_change is None
    assert Metric.from_mapping(m.to_mapping()) == m
    policy = load_policy(text=POLICY, source_name="desk.yaml")
    assert SLA.from_mapping(policy.sla.to_mapping()) == policy.sla
    assert policy.sla.metric("resolution").severity_change is SeverityChange.RESTART
    with pytest.raises(PolicyError) as err:
        load_policy(text=POLICY.replace("reopen: new_cycle", "reopen: forget"), source_name="d")
    assert "metrics.resolution.reopen" in str(err.value)
