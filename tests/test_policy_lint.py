"""Lint rules: each finds its problem at the right place, and stays quiet on good policies."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sla_engine.errors import SLAEngineWarning
from sla_engine.policy import load_policy, validate_policy
from sla_engine.policy.lint import RULES, _gaps

BASE: dict[str, Any] = {
    "format_version": 1,
    "name": "desk",
    "version": "1",
    "effective_from": "2026-01-01",
    "currency": "USD",
    "calendars": {"business": {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["09:00-17:00"]}}},
    "severities": ["sev1", "sev2"],
    "channels": {"phone": {"calendar": "business"}},
    "tiers": {
        "premium": {
            "calendar": "business",
            "channels": ["phone"],
            "targets": {"first_response": {"sev1": "1h", "sev2": "4h"}},
        }
    },
}


def _with(**changes: Any) -> dict[str, Any]:
    import copy

    out = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        keys = dotted.split("__")
        node = out
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return out


def _problems(mapping: dict[str, Any]) -> list[tuple[str, str, str]]:
    validation = validate_policy(mapping)
    return [(p.severity, p.path, p.message) for p in validation.problems]


def test_base_policy_is_clean() -> None:
    """The reference policy passes every rule without a problem."""
    assert _problems(BASE) == []
    assert len(RULES) == 11


def test_unknown_references() -> None:
    """Unknown calendars, channels and severities are errors with suggestions."""
    found = _problems(
        _with(
            channels__phone__calendar="buisness",
            tiers__premium__channels=["phnoe"],
            tiers__premium__targets={"first_response": {"sev3": "1h"}},
        )
    )
    assert [(s, p) for s, p, _ in found] == [
        ("error", "channels.phone.calendar"),
        ("error", "tiers.premium.channels[0]"),
        ("error", "tiers.premium.targets.first_response.sev3"),
    ]
    assert "(did you mean 'business'?)" in found[0][2]
    assert "(did you mean 'phone'?)" in found[1][2]


def test_composed_calendars_and_cycles() -> None:
    """Composition refers to calendars by name; unknown names and cycles are errors."""
    good = _with(calendars__both={"union": ["business", {"timezone": "UTC", "hours": "24x7"}]})
    assert _problems(good) == []
    assert load_policy(good).calendar("both").kind == "union"
    bad = _with(calendars__both={"difference": ["business", "nope"]})
    assert [p for _, p, _ in _problems(bad)] == ["calendars.both.difference[1]"]
    loop = _with(calendars__a={"union": ["a", "business"]})
    assert _problems(loop) == [
        ("error", "calendars.a", "the calendar is composed of itself: a -> a")
    ]


def test_holiday_checks() -> None:
    """Unknown country, subdivision, language and category are each located."""
    cal = {"timezone": "UTC", "hours": "24x7"}
    cases = {
        "country": ({"country": "Germany"}, "'Germany' is not a country"),
        "subdivision": ({"country": "DE", "subdivision": "ZZ"}, "'ZZ' is not a subdivision of DE"),
        "language": ({"country": "IR", "language": "de"}, "no 'de' names for IR"),
        "categories[0]": ({"country": "IR", "categories": ["bank"]}, "'bank' is not a holiday"),
    }
    for key, (holidays, message) in cases.items():
        found = _problems(_with(calendars__business=cal | {"holidays": holidays}))
        assert len(found) == 1, found
        assert found[0][1] == f"calendars.business.holidays.{key}"
        assert message in found[0][2]


def test_persian_holidays_accepted() -> None:
    """Iranian holidays with Persian names are a valid calendar."""
    cal = {
        "timezone": "Asia/Tehran",
        "hours": {"sat-wed": ["08:00-16:00"]},
        "holidays": {"country": "IR", "language": "fa_IR"},
    }
    assert _problems(_with(calendars__business=cal)) == []


def test_never_open_and_bad_zone() -> None:
    """A calendar with no window and an unknown zone are errors."""
    found = _problems(
        _with(calendars__business={"timezone": "Mars/Olympus", "hours": {"mon-fri": []}})
    )
    assert sorted(p for _, p, _ in found) == [
        "calendars.business.hours",
        "calendars.business.timezone",
    ]


@pytest.mark.parametrize(
    ("zone", "window", "warned"),
    [
        ("Europe/Berlin", "02:30-06:00", True),
        ("Europe/Berlin", "03:00-06:00", False),
        ("America/New_York", "01:00-02:15", True),
        ("Australia/Lord_Howe", "02:00-02:15", True),
        ("Asia/Tehran", "00:00-01:00", False),
        ("UTC", "02:30-06:00", False),
    ],
)
def test_dst_gap_windows_warn(zone: str, window: str, warned: bool) -> None:
    """A window that opens or closes in a skipped wall time warns; others do not."""
    mapping = _with(calendars__business={"timezone": zone, "hours": {"sun": [window]}})
    found = _problems(mapping)
    assert [s for s, _, _ in found] == (["warning"] if warned else [])
    if warned:
        assert found[0][1] == "calendars.business.hours.sun[0]"
        with pytest.warns(SLAEngineWarning, match="skips on"):
            load_policy(mapping)


def test_gaps_found_exactly() -> None:
    """The skipped wall times of a zone's spring-forward days are found to the second."""
    gaps = _gaps(ZoneInfo("Europe/Berlin"), 2026, 2026)
    assert [(str(d), lo, hi) for d, lo, hi in gaps] == [("2026-03-29", 7200, 10800)]
    lord_howe = _gaps(ZoneInfo("Australia/Lord_Howe"), 2026, 2026)
    assert [(hi - lo) for _, lo, hi in lord_howe] == [1800]


def test_warnings_at_or_past_100_percent() -> None:
    """A warning at 100 % or more is an error; below is fine."""
    assert _problems(_with(warnings=[{"at": "99.5%"}])) == []
    found = _problems(_with(warnings=[{"at": "100%"}, {"at": "150%"}]))
    assert [p for _, p, _ in found] == ["warnings[0].at", "warnings[1].at"]


def test_severity_order_and_duplicates() -> None:
    """A looser target for a more severe level warns; a repeated severity is an error."""
    found = _problems(_with(tiers__premium__targets={"r": {"sev1": "5h", "sev2": "4h"}}))
    assert found == [
        (
            "warning",
            "tiers.premium.targets.r.sev1",
            "sev1 (5h) is looser than the less severe sev2 (4h); a more severe level should "
            "not wait longer",
        )
    ]
    found = _problems(_with(severities=["sev1", "sev2", "sev1"]))
    assert [(s, p) for s, p, _ in found] == [("error", "severities[2]")]


def test_effective_range_and_currency() -> None:
    """effective_until before effective_from, and a price without currency, are errors."""
    found = _problems(_with(effective_until="2025-06-30"))
    assert [p for _, p, _ in found] == ["effective_until"]
    mapping = _with(tiers__premium__price={"amount": "49"})
    del mapping["currency"]
    assert [p for _, p, _ in _problems(mapping)] == ["tiers.premium.price"]
