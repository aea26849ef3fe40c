"""diff_policies: what got stricter or looser between two versions of a policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla_engine.credits import Band
from sla_engine.diff import Change, PolicyDiff, _bands, diff_policies
from sla_engine.policy import Policy, load_policy
from strategies import cli_desk, cli_target_minutes, cli_write


def _load(directory: Path, mapping: dict[str, Any], name: str) -> Policy:
    return load_policy(cli_write(directory, mapping, name))


def _diff(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> PolicyDiff:
    old = cli_desk()
    new = cli_desk()
    new["version"] = "2026.2"
    change(new)
    return diff_policies(_load(tmp_path, old, "old.yaml"), _load(tmp_path, new, "new.yaml"))


def _only(result: PolicyDiff) -> Change:
    (change,) = result.changes
    return change


def test_same_policy_has_no_changes(tmp_path: Path) -> None:
    """A policy compared with itself (a new version label only) has no changes."""
    result = _diff(tmp_path, lambda p: None)
    assert result.changes == ()
    assert result.to_text() == "desk 2026.1 -> desk 2026.2\nno changes\n0 changes\n"


def test_tightened_target_is_stricter(tmp_path: Path) -> None:
    """A shorter tier target is reported as stricter, at its rule, with both values."""

    def tighten(p: dict[str, Any]) -> None:
        p["tiers"]["premium"]["targets"]["first_response"]["sev1"] = "1h"

    change = _only(_diff(tmp_path, tighten))
    assert change == Change(
        path="targets.first_response[tier premium, severity sev1]",
        kind="stricter",
        old="2h",
        new="1h",
    )


def test_loosened_rule_target_is_looser(tmp_path: Path) -> None:
    """A longer rule target is looser; a target that stops applying is looser too."""

    def loosen(p: dict[str, Any]) -> None:
        p["rules"]["first_response"][0]["target"] = "60s"
        p["tiers"]["standard"]["targets"]["resolution"]["tier1"] = "none"

    kinds = {(c.path, c.kind) for c in _diff(tmp_path, loosen).changes}
    assert kinds == {
        ("targets.first_response[phone]", "looser"),
        ("targets.resolution[tier standard, issue class tier1]", "looser"),
    }


def test_price_changes_are_higher_or_lower(tmp_path: Path) -> None:
    """Prices going up and down are 'higher' and 'lower'; a new tier is 'added'."""

    def reprice(p: dict[str, Any]) -> None:
        p["tiers"]["premium"]["price"]["amount"] = "2400.00"
        p["tiers"]["standard"]["price"]["amount"] = "4.50"
        p["tiers"]["basic"] = {"label": "Basic", "calendar": "business"}

    changes = {c.path: c for c in _diff(tmp_path, reprice).changes}
    assert changes["tiers.premium.price"].kind == "higher"
    assert changes["tiers.premium.price"].new == "2400.00 USD per month"
    assert changes["tiers.standard.price"].kind == "lower"
    assert changes["tiers.basic"].kind == "added"


def test_fewer_hours_are_looser_and_more_are_stricter(tmp_path: Path) -> None:
    """Shorter opening hours on a day are looser; a new open day is stricter."""

    def hours(p: dict[str, Any]) -> None:
        p["calendars"]["business"]["hours"] = {
            "mon-thu": ["09:00-17:00"],
            "fri": ["09:00-13:00"],
            "sat": ["10:00-12:00"],
        }

    changes = {c.path: c for c in _diff(tmp_path, hours).changes}
    assert changes["calendars.business.hours.fri"].kind == "looser"
    assert changes["calendars.business.hours.fri"].detail == "open 8h -> 4h"
    assert changes["calendars.business.hours.sat"].kind == "stricter"
    assert set(changes) == {"calendars.business.hours.fri", "calendars.business.hours.sat"}


def test_credit_changes(tmp_path: Path) -> None:
    """Bands, exclusions and the claim window are compared in the customer's terms."""

    def credits(p: dict[str, Any]) -> None:
        c = p["credits"]
        c["rule"]["bands"][0] = {"range": "[2h, 4h)", "credit": "10%"}
        c["rule"]["bands"][2] = {"range": "[12h, inf)", "credit": "60%"}
        c["exclusions"] = ["third_party", "scheduled_maintenance", "force_majeure"]
        c["claim"] = {"days": 60, "anchor": "incident_end"}

    changes = [(c.path, c.kind, c.old, c.new) for c in _diff(tmp_path, credits).changes]
    assert changes == [
        ("credits.rule.bands[[1h, 2h)]", "looser", "10%", "0%"),
        ("credits.rule.bands[[12h, inf)]", "stricter", "50%", "60%"),
        ("credits.exclusions", "looser", None, "force_majeure"),
        ("credits.exclusions", "stricter", "customer_misconfiguration", None),
        (
            "credits.claim",
            "stricter",
            "30 days after the incident's end",
            "60 days after the incident's end",
        ),
    ]


def test_escalation_and_removed_credits(tmp_path: Path) -> None:
    """A later escalation level is looser; dropping the credits section is looser."""

    def change(p: dict[str, Any]) -> None:
        p["escalation"]["levels"][1]["after"] = "2h"
        del p["credits"]

    kinds = [(c.path, c.kind) for c in _diff(tmp_path, change).changes]
    assert kinds == [
        ("escalation.levels[Engineering Manager]", "looser"),
        ("credits", "looser"),
    ]


def test_json_form(tmp_path: Path) -> None:
    """to_json gives the summary with every kind and each change's fields."""

    def tighten(p: dict[str, Any]) -> None:
        p["tiers"]["premium"]["targets"]["first_response"]["sev2"] = "3h"

    doc = json.loads(_diff(tmp_path, tighten).to_json())
    assert doc["old"] == "desk 2026.1" and doc["new"] == "desk 2026.2"
    assert doc["summary"]["stricter"] == 1 and sum(doc["summary"].values()) == 1
    assert doc["changes"][0]["kind"] == "stricter"


def test_change_kind_is_checked() -> None:
    """A Change of an unknown kind is refused."""
    with pytest.raises(ValueError, match="kind"):
        Change(path="x", kind="better", old=None, new=None)  # type: ignore[arg-type]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(old=cli_target_minutes, new=cli_target_minutes)
def test_target_direction_follows_length(tmp_path: Path, old: int, new: int) -> None:
    """Law: a target changed from a to b is stricter iff b < a, looser iff b > a, else absent."""

    def make(minutes: int) -> dict[str, Any]:
        p = cli_desk()
        p["tiers"]["premium"]["targets"]["first_response"]["sev1"] = f"{minutes}m"
        p["tiers"]["premium"]["targets"]["first_response"]["sev2"] = "72h"
        return p

    result = diff_policies(
        _load(tmp_path, make(old), "a.yaml"), _load(tmp_path, make(new), "b.yaml")
    )
    kinds = [c.kind for c in result.changes]
    assert kinds == ([] if old == new else ["stricter" if new < old else "looser"])


_percents = st.integers(min_value=0, max_value=100).map(Decimal)
_hours = st.integers(min_value=0, max_value=48)


@st.composite
def _band_lists(draw: st.DrawFn) -> list[Band]:
    cuts = sorted(draw(st.sets(_hours, min_size=1, max_size=4)))
    bands = []
    for low, high in zip(cuts, [*cuts[1:], None], strict=True):
        bands.append(
            Band(
                lower=timedelta(hours=low),
                upper=None if high is None else timedelta(hours=high),
                lower_inclusive=True,
                upper_inclusive=False,
                percent=draw(_percents),
            )
        )
    return bands


def _percent_at(bands: list[Band], hours: Decimal) -> Decimal:
    for band in bands:
        assert isinstance(band.lower, timedelta)
        low = Decimal(band.lower // timedelta(minutes=1)) / 60
        high = (
            None if band.upper is None else Decimal(band.upper // timedelta(minutes=1)) / 60  # type: ignore[operator]
        )
        if low <= hours and (high is None or hours < high):
            return band.percent
    return Decimal(0)


@settings(max_examples=60, deadline=None)
@given(old=_band_lists(), new=_band_lists(), probe=st.integers(0, 200))
def test_band_diff_reports_exactly_where_credit_differs(
    old: list[Band], new: list[Band], probe: int
) -> None:
    """Law: a downtime lies in a reported range iff the two schedules credit it differently,
    and the kind says which is larger; reversing the diff swaps stricter and looser."""
    hours = Decimal(probe) / 4
    a, b = _percent_at(old, hours), _percent_at(new, hours)
    changes = _bands("bands", old, new, uptime=False)
    covering = [c for c in changes if _covers(c.path, hours)]
    if a == b:
        assert covering == []
    else:
        (change,) = covering
        assert (change.old, change.new) == (f"{a}%", f"{b}%")
        assert change.kind == ("stricter" if b > a else "looser")
    back = _bands("bands", new, old, uptime=False)
    swap = {"stricter": "looser", "looser": "stricter"}
    assert [(c.path, swap[c.kind]) for c in back] == [(c.path, c.kind) for c in changes]


def _covers(path: str, hours: Decimal) -> bool:
    inner = path[len("bands[") : -1]
    lo_in, hi_in = inner[0] == "[", inner[-1] == "]"
    low_text, high_text = inner[1:-1].split(", ")

    def value(text: str) -> Decimal | None:
        if text == "inf":
            return None
        td = timedelta(0)
        number = ""
        for ch in text:
            if ch.isdigit():
                number += ch
            else:
                td += {"h": timedelta(hours=1), "m": timedelta(minutes=1), "s": timedelta(0)}[
                    ch
                ] * int(number or 0)
                number = ""
        return Decimal(td // timedelta(minutes=1)) / 60

    low, high = value(low_text), value(high_text)
    above = low is None or hours > low or (lo_in and hours == low)
    below = high is None or hours < high or (hi_in and hours == high)
    return above and below


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [(None, "99%", "stricter"), ("99%", "90%", "looser"), ("95%", None, "changed")],
)
def test_compliance_target_changes_are_reported(
    tmp_path: Path, old: str | None, new: str | None, kind: str
) -> None:
    """A metric's compliance target going up is stricter, down looser; given or dropped at
    the 95 % the reports assume is a change without direction."""
    before, after = cli_desk(), cli_desk()
    after["version"] = "2026.2"
    for mapping, value in ((before, old), (after, new)):
        if value is not None:
            mapping["metrics"]["first_response"]["compliance"] = value
    result = diff_policies(_load(tmp_path, before, "old.yaml"), _load(tmp_path, after, "new.yaml"))
    change = _only(result)
    assert (change.path, change.kind) == ("metrics.first_response.compliance", kind)
    assert (change.old, change.new) == (old or "not given", new or "not given")
