"""load_policy: models at the edge, every problem at once with positions, and round trips."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import tomli_w
import yaml
from hypothesis import given, settings

from sla_engine._time import BusinessDays
from sla_engine.calendar import BusinessCalendar
from sla_engine.errors import PolicyError, SLAEngineWarning
from sla_engine.policy import Policy, PolicySet, load_policy, load_policy_set, validate_policy
from sla_engine.policy.schema import PolicySpec
from strategies import policy_mappings

GOOD = """\
format_version: 1
name: spark-drive
version: 2026.1
effective_from: 2026-01-01
currency: USD
calendars:
  business:
    timezone: America/New_York
    hours: {mon-fri: ["09:00-17:00"]}
    holidays: {country: US, subdivision: NY}
    closed: ["2026-12-24", {rrule: "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=3", name: Summer day}]
  always: {timezone: UTC, hours: 24x7}
  both:
    union: [business, {timezone: Asia/Tehran, hours: {sat-wed: ["08:00-16:00"]}}]
severities: [sev1, {name: sev2, label: Major}]
channels:
  phone: {label: Phone, calendar: always}
tiers:
  enterprise:
    price: {amount: "2000", per: month}
    calendar: always
    channels: [phone]
    targets:
      first_response: {sev1: 2h, sev2: 4h30m}
      background_check: {sev2: 7bd}
metrics:
  first_response: {default: 24h}
  background_check:
    start: ["custom:background_check_started"]
    stop: ["custom:background_check_done"]
    default: none
"""


def _load(text: str, **kwargs: Any) -> Policy:
    return load_policy(text=text, source_name="policy.yaml", **kwargs)


def _messages(text: str) -> list[str]:
    validation = validate_policy(text=text, source_name="policy.yaml")
    return [str(p) for p in validation.problems]


def test_load_compiles_calendars_and_reads_values() -> None:
    """A good policy loads: calendars compiled, durations, dates and money exact."""
    policy = _load(GOOD)
    assert policy.name == "spark-drive"
    assert policy.version == "2026.1"
    assert policy.effective_from == date(2026, 1, 1)
    assert isinstance(policy.calendar("business"), BusinessCalendar)
    assert policy.calendar("business").timezone == "America/New_York"
    assert policy.calendar("both").kind == "union"
    tier = policy.tier("enterprise")
    assert tier.price is not None and tier.price.amount == Decimal("2000")
    assert tier.targets is not None
    first, check = tier.targets["first_response"], tier.targets["background_check"]
    assert isinstance(first, dict) and isinstance(check, dict)
    assert first["sev2"] == timedelta(hours=4, minutes=30)
    assert check["sev2"] == BusinessDays(days=7)
    assert policy.spec.severity_names() == ["sev1", "sev2"]


def test_calendar_compiled_equals_core_from_mapping() -> None:
    """The compiled calendar equals the core's own reading of the same mapping."""
    policy = _load(GOOD)
    core = BusinessCalendar.from_mapping({"timezone": "UTC", "hours": "24x7", "name": "always"})
    assert policy.calendar("always") == core


def test_same_policy_from_yaml_json_toml() -> None:
    """YAML, JSON and TOML spellings of a policy give equal policies."""
    policy = _load(GOOD)
    mapping = policy.to_mapping()
    from_json = load_policy(text=json.dumps(mapping), format="json")
    from_toml = load_policy(text=tomli_w.dumps(mapping), format="toml")
    assert from_json == policy
    assert from_toml == policy


def test_load_from_path(tmp_path: Path) -> None:
    """A path loads with its name in messages; the format comes from the suffix."""
    file = tmp_path / "p.yaml"
    file.write_text(GOOD.replace("sev1: 2h", "sev1: 2 hours"), encoding="utf-8")
    with pytest.raises(PolicyError) as exc:
        load_policy(file)
    (problem,) = exc.value.problems
    assert problem.source == str(file)
    assert (problem.line, problem.column) == (24, 30)
    assert problem.path == "tiers.enterprise.targets.first_response.sev1"
    with pytest.raises(PolicyError, match="cannot tell the format"):
        load_policy(tmp_path / "p.txt")


def test_brief_example_message() -> None:
    """The message reads file:line:col: path: what is wrong (what was expected)."""
    assert _messages(GOOD.replace("sev1: 2h", "sev1: 2 hours")) == [
        "policy.yaml:24:30: tiers.enterprise.targets.first_response.sev1: '2 hours' is not a "
        "duration (expected e.g. '30s', '2h', '1h30m', '1bd' or ISO 8601 'PT2H')"
    ]


def test_bare_day_refused_with_hint() -> None:
    """A bare '1d' is refused with the hint to write '24h' or '1bd'."""
    (message,) = _messages(GOOD.replace("sev1: 2h", "sev1: 1d"))
    assert "write '24h' for 24 hours of business time or '1bd'" in message


def test_every_problem_at_once_sorted_by_position() -> None:
    """Several shape problems are all reported, in file order, counted in the headline."""
    text = (
        GOOD.replace("version: 2026.1", "version: [1]")
        .replace("sev1: 2h", "sev1: 2")
        .replace("  always: {timezone: UTC, hours: 24x7}", "  always: {timezone: UTC, hour: 24x7}")
    )
    with pytest.raises(PolicyError) as exc:
        _load(text)
    lines = str(exc.value).splitlines()
    assert lines[0] == "4 errors in policy.yaml"
    assert [p.line for p in exc.value.problems] == [3, 12, 12, 24]
    assert "unknown key 'hour' (did you mean 'hours'?)" in lines[3]
    assert "the required key 'hours' is missing" in lines[2]


def test_mapping_input_has_no_positions_but_paths() -> None:
    """A mapping loads the same way; problems carry the path and no line."""
    mapping = _load(GOOD).to_mapping()
    mapping["tiers"]["enterprise"]["calendar"] = "nowhere"
    with pytest.raises(PolicyError) as exc:
        load_policy(mapping)
    (problem,) = exc.value.problems
    assert problem.line is None
    assert problem.path == "tiers.enterprise.calendar"
    assert problem.message.startswith("unknown calendar 'nowhere'")


def test_floats_refused_in_mappings() -> None:
    """A float in a mapping is refused where a duration or amount is expected."""
    mapping = _load(GOOD).to_mapping()
    mapping["tiers"]["enterprise"]["price"]["amount"] = 49.5
    mapping["tiers"]["enterprise"]["targets"]["first_response"]["sev1"] = 2.0
    with pytest.raises(PolicyError) as exc:
        load_policy(mapping)
    assert len(exc.value.problems) == 2


def test_calendar_error_from_core_is_located() -> None:
    """A problem the core calendar finds is reported at its place in the file."""
    text = GOOD.replace('hours: {mon-fri: ["09:00-17:00"]}', 'hours: {mon-fri: ["9-17"]}')
    (message,) = _messages(text)
    assert message.startswith("policy.yaml:9:23: calendars.business.hours.mon-fri[0]: '9-17'")


def test_warnings_are_issued_and_strict_refuses_them() -> None:
    """Risky input warns (SLAEngineWarning) and is kept; strict=True makes it an error."""
    text = GOOD.replace('hours: {mon-fri: ["09:00-17:00"]}', 'hours: {sun: ["02:30-06:00"]}')
    with pytest.warns(SLAEngineWarning, match="skips on 2026-03-08"):
        policy = _load(text)
    assert [p.severity for p in policy.warnings] == ["warning"]
    with pytest.raises(PolicyError, match="skips on"):
        _load(text, strict=True)


def test_policy_lookups_fail_clearly() -> None:
    """Unknown calendar and tier names raise PolicyError naming what exists."""
    policy = _load(GOOD)
    with pytest.raises(PolicyError, match="no calendar 'x'; the policy has business"):
        policy.calendar("x")
    with pytest.raises(PolicyError, match="no tier 'x'; the policy has enterprise"):
        policy.tier("x")


def test_to_mapping_is_canonical_plain_data() -> None:
    """to_mapping gives text for durations, dates and money, and YAML-dumpable data."""
    mapping = _load(GOOD).to_mapping()
    assert mapping["effective_from"] == "2026-01-01"
    targets = mapping["tiers"]["enterprise"]["targets"]
    assert targets["first_response"] == {"sev1": "2h", "sev2": "4h30m"}
    assert targets["background_check"] == {"sev2": "7bd"}
    assert yaml.safe_load(yaml.safe_dump(mapping)) == mapping


@settings(max_examples=40, deadline=None)
@given(policy_mappings())
def test_law_load_of_to_mapping_is_identity(mapping: dict[str, Any]) -> None:
    """Law: load_policy(p.to_mapping()) == p, and via YAML and JSON text too."""
    policy = load_policy(mapping)
    again = policy.to_mapping()
    assert load_policy(again) == policy
    assert load_policy(text=yaml.safe_dump(again)) == policy
    assert load_policy(text=json.dumps(again), format="json") == policy


@settings(max_examples=20, deadline=None)
@given(policy_mappings())
def test_law_to_mapping_is_a_fixed_point(mapping: dict[str, Any]) -> None:
    """Law: the canonical mapping of a loaded canonical mapping is itself."""
    once = load_policy(mapping).to_mapping()
    assert load_policy(once).to_mapping() == once


def test_json_schema_is_complete() -> None:
    """The JSON Schema names every top-level key and forbids others; calendars are required
    unless the policy has credits and nothing that runs on a calendar."""
    schema = PolicySpec.model_json_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"format_version", "name", "version", "effective_from"}
    calendars, credits_only = schema["anyOf"]
    assert calendars == {"required": ["calendars"]}
    assert credits_only["required"] == ["credits"]
    assert {"required": ["tiers"]} in credits_only["not"]["anyOf"]
    assert "tiers" in schema["properties"]


def _version(text: str, version: str, start: str, until: str | None) -> str:
    out = text.replace("version: 2026.1", f"version: {version}")
    out = out.replace("effective_from: 2026-01-01", f"effective_from: {start}")
    if until:
        out = out.replace("currency: USD", f"effective_until: {until}\ncurrency: USD")
    return out


def test_policy_set_picks_version_in_force(tmp_path: Path) -> None:
    """A policy set gives the version in force on a day."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(_version(GOOD, "1", "2025-01-01", "2025-12-31"), encoding="utf-8")
    b.write_text(_version(GOOD, "2", "2026-01-01", None), encoding="utf-8")
    policies = load_policy_set([b, a])
    assert policies.in_force(date(2025, 6, 1)).version == "1"
    assert policies.in_force(date(2026, 1, 1)).version == "2"
    with pytest.raises(PolicyError, match="no version is in force on 2024-12-31"):
        policies.in_force(date(2024, 12, 31))


def test_policy_set_overlap_refused(tmp_path: Path) -> None:
    """Overlapping effective ranges are an error located at the later version's start."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(_version(GOOD, "1", "2025-01-01", "2026-03-31"), encoding="utf-8")
    b.write_text(_version(GOOD, "2", "2026-01-01", None), encoding="utf-8")
    with pytest.raises(PolicyError) as exc:
        load_policy_set([a, b])
    (problem,) = exc.value.problems
    assert (problem.source, problem.line) == (str(b), 4)
    assert "set effective_until: 2025-12-31 on version 1" in problem.message
    first = load_policy(a)
    with warnings.catch_warnings(), pytest.raises(PolicyError):
        PolicySet(versions=(first, load_policy(b)))


def test_policy_set_for_instant_reads_dates_in_the_policy_zone(tmp_path: Path) -> None:
    """for_instant picks the version in force at an instant, its date taken in the default
    calendar's zone: 2025-12-31 23:30 in New York is still version 1."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(_version(GOOD, "1", "2025-01-01", "2025-12-31"), encoding="utf-8")
    b.write_text(_version(GOOD, "2", "2026-01-01", None), encoding="utf-8")
    policies = load_policy_set([a, b])
    new_york = ZoneInfo("America/New_York")
    assert policies.for_instant(datetime(2025, 12, 31, 23, 30, tzinfo=new_york)).version == "1"
    assert policies.for_instant(datetime(2026, 1, 1, 0, 0, tzinfo=new_york)).version == "2"
    assert policies.for_instant(datetime(2026, 1, 1, 3, 0, tzinfo=UTC)).version == "1"
    with pytest.raises(PolicyError, match="no version is in force"):
        policies.for_instant(datetime(2024, 6, 1, tzinfo=UTC))


def test_policy_compiles_the_core_objects() -> None:
    """A loaded policy carries its SLA; built directly from its spec it compiles the same."""
    policy = _load(GOOD)
    assert policy.sla is not None
    assert [m.name for m in policy.sla.metrics] == ["first_response", "background_check"]
    assert policy.credit_schedule is None and policy.currency == "USD"
    again = Policy(spec=policy.spec, calendars=policy.calendars)
    assert again.sla == policy.sla


def test_policy_without_metrics_has_no_sla() -> None:
    """A policy that defines no metrics has no clocks: sla is None."""
    text = GOOD.split("metrics:")[0].replace(
        "    targets:\n      first_response: {sev1: 2h, sev2: 4h30m}\n"
        "      background_check: {sev2: 7bd}\n",
        "",
    )
    assert _load(text).sla is None


def test_fee_from_a_tier_price() -> None:
    """A monthly tier price is the fee credits are a share of; per user it is multiplied."""
    policy = _load(GOOD)
    fee = policy.fee("enterprise")
    assert (fee.amount, fee.currency, fee.per) == (Decimal("2000"), "USD", "month")
    per_user = _load(GOOD.replace("per: month", "per: user-month"))
    assert per_user.fee("enterprise", users=3).amount == Decimal("6000")
    with pytest.raises(PolicyError, match="credits need a monthly price"):
        _load(GOOD.replace("per: month", "per: year")).fee("enterprise")


def test_core_errors_are_located_in_the_file() -> None:
    """Problems only the clocks core finds are reported at their place in the file."""
    text = GOOD + "warnings:\n  - {name: Early, before: 1bd}\n"
    (message,) = _messages(text)
    assert message.startswith("policy.yaml:33:27: warnings[0].before: '1bd': ")
    text = GOOD.replace("first_response: {default: 24h}", "first_response: {default: 0s}")
    (message,) = _messages(text)
    assert message.startswith("policy.yaml:27:29: metrics.first_response.default: '0s' is not")
    text = GOOD.replace("{default: 24h}", "{kind: time_in_state, default: 24h}")
    (message,) = _messages(text)
    assert message == (
        "policy.yaml:27:19: metrics.first_response.state: metric 'first_response': time_in_state "
        "needs state=<the state measured>"
    )


def test_every_problem_at_once_across_sections() -> None:
    """A malformed tier does not hide a lint problem in the metrics or the warnings."""
    text = GOOD.replace('amount: "2000"', 'amount: "2,000"') + "warnings:\n  - {at: 100%}\n"
    text = text.replace("default: none\n", "label: Checks\n")
    found = [(p.line, p.path) for p in validate_policy(text=text).problems]
    assert found == [
        (20, "tiers.enterprise.price.amount"),
        (28, "metrics.background_check"),
        (33, "warnings[0].at"),
    ]
