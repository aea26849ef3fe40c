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
    "metrics": {"first_response": {"default": "8h"}},
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
    assert len(RULES) == 18


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


def test_subdivision_alias_suggests_the_code() -> None:
    """A subdivision written as a name the holidays package knows as an alias suggests its code;
    the expectation is read from the installed package, whose aliases vary by release."""
    import holidays

    cls = type(holidays.country_holidays("US"))
    aliases = getattr(cls, "subdivisions_aliases", {}) or {}
    cal = {"timezone": "UTC", "hours": "24x7"}
    found = _problems(
        _with(calendars__business=cal | {"holidays": {"country": "US", "subdivision": "New York"}})
    )
    assert [p for _, p, _ in found] == ["calendars.business.holidays.subdivision"]
    hint = f"(did you mean {aliases['New York']!r}?)" if "New York" in aliases else None
    if hint is not None:
        assert hint in found[0][2]


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
    """A looser target for a more severe level is an error; so is a repeated severity."""
    targets = {"first_response": {"sev1": "5h", "sev2": "4h"}}
    found = _problems(_with(tiers__premium__targets=targets))
    assert found == [
        (
            "error",
            "tiers.premium.targets.first_response.sev1",
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


# ------------------------------------------------------------------------- round two: targets


def _targets(**changes: Any) -> dict[str, Any]:
    """BASE with a resolution metric, issue classes and a second channel."""
    out = _with(**changes)
    out.setdefault("issue_classes", {"tier1": {"label": "Tier 1"}})
    out["channels"] = out["channels"] | {"chat": {"label": "Chat"}}
    out["metrics"] = {"first_response": {"default": "8h"}, "resolution": {"default": "72h"}} | (
        changes.get("metrics") or {}
    )
    return out


def test_lint_shadowed_rule() -> None:
    """A rule an earlier one covers can never apply: an error at the hidden rule."""
    rules = {
        "first_response": [
            {
                "name": "all sev1",
                "when": {"severity": ["sev1", "sev2"], "channel": ["phone", "chat"]},
                "target": "1h",
            },
            {"name": "sev1 chat", "when": {"severity": "sev1", "channel": "chat"}, "target": "5m"},
        ]
    }
    found = _problems(_targets(rules=rules))
    assert found == [
        (
            "error",
            "rules.first_response[1]",
            "this target can never apply: the earlier rule 'all sev1' (rules.first_response[0]) "
            "matches every ticket it would (severity sev1 and channel chat); remove it or make "
            "the earlier rule narrower",
        )
    ]


def test_lint_rule_catch_all_hides_tier_targets() -> None:
    """An explicit catch-all rule hides the tier targets and the default after it."""
    rules = {"first_response": [{"name": "everyone", "target": "2h"}]}
    paths = [p for _, p, _ in _problems(_targets(rules=rules))]
    assert sorted(paths) == [
        "metrics.first_response.default",
        "tiers.premium.targets.first_response.sev1",
        "tiers.premium.targets.first_response.sev2",
    ]


def test_lint_no_catch_all() -> None:
    """A metric with no default and no rule without conditions is an error at the metric."""
    found = _problems(_targets(metrics={"resolution": {"label": "Resolution"}}))
    assert [(s, p) for s, p, _ in found] == [("error", "metrics.resolution")]
    assert found[0][2].startswith("no catch-all target for 'resolution'")
    assert "'default: none' if the metric does not apply" in found[0][2]


def test_lint_response_longer_than_resolution() -> None:
    """A first response due after the resolution of the same tickets is an error."""
    rules = {"resolution": [{"when": {"issue_class": "tier1"}, "target": "2h"}]}
    found = sorted(_problems(_targets(rules=rules)), key=lambda p: p[1], reverse=True)
    assert found == [
        (
            "error",
            "tiers.premium.targets.first_response.sev2",
            "the first_response target 4h is longer than the resolution target 2h "
            "(rules.resolution[0]) for tickets with tier premium and severity sev2 and issue "
            "class tier1; a response cannot be due after the resolution: shorten the "
            "first_response target or lengthen the resolution one",
        ),
        (
            "error",
            "metrics.first_response.default",
            "the first_response target 8h is longer than the resolution target 2h "
            "(rules.resolution[0]) for tickets with tier premium and issue class tier1; a "
            "response cannot be due after the resolution: shorten the first_response target or "
            "lengthen the resolution one",
        ),
    ]


def test_lint_response_on_another_calendar_is_not_compared() -> None:
    """Targets on different calendars are not compared (their hours are not alike)."""
    rules = {
        "resolution": [{"when": {"issue_class": "tier1"}, "target": "2h", "calendar": "always"}]
    }
    mapping = _targets(rules=rules)
    mapping["calendars"]["always"] = {"timezone": "UTC", "hours": "24x7"}
    assert _problems(mapping) == []


def test_lint_more_severe_level_looser_by_rule() -> None:
    """A looser target for a more severe level is found across rules and tier targets."""
    rules = {"first_response": [{"when": {"severity": "sev1", "channel": "chat"}, "target": "6h"}]}
    found = _problems(_targets(rules=rules))
    assert found == [
        (
            "error",
            "rules.first_response[0]",
            "sev1 (6h) is looser than the less severe sev2 (4h); a more severe level should "
            "not wait longer",
        )
    ]


def test_lint_business_days_compare_with_business_days_only() -> None:
    """1bd and 8h are not compared; 2bd against 1bd is."""
    targets = {"first_response": {"sev1": "1bd", "sev2": "2h"}}
    assert _problems(_with(tiers__premium__targets=targets)) == []
    targets = {"first_response": {"sev1": "2bd", "sev2": "1bd"}}
    found = _problems(_with(tiers__premium__targets=targets))
    assert [p for _, p, _ in found] == ["tiers.premium.targets.first_response.sev1"]


def test_lint_unknown_metric_state_tier_and_calendar() -> None:
    """References to undefined metrics, states, tiers and calendars are located errors."""
    mapping = _targets(
        rules={"first_response": [{"when": {"tier": "enterprise"}, "target": "1h"}]},
        states=[
            "New",
            {"name": "Waiting", "pauses": ["resolutoin"]},
            {"name": "Done", "terminal": True},
        ],
        warnings=[{"at": "75%", "metrics": ["workaround"], "notify_calendar": "night"}],
    )
    mapping["metrics"]["in_new"] = {"kind": "time_in_state", "state": "Neu", "default": "1h"}
    found = [(p, m.split(";")[0]) for _, p, m in _problems(mapping)]
    assert sorted(found) == sorted(
        [
            ("rules.first_response[0].when.tier", "unknown tier 'enterprise'"),
            ("states[1].pauses[0]", "unknown metric 'resolutoin' (did you mean 'resolution'?)"),
            ("warnings[0].metrics[0]", "unknown metric 'workaround'"),
            ("warnings[0].notify_calendar", "unknown calendar 'night'"),
            ("metrics.in_new.state", "unknown state 'Neu' (did you mean 'New'?)"),
        ]
    )


def test_lint_name_used_twice_across_attributes() -> None:
    """A name that is both a severity and a channel is refused: tier keys would be ambiguous."""
    found = _problems(_with(channels={"sev1": {"label": "Sev 1 hotline"}}))
    assert ("error", "channels.sev1") in [(s, p) for s, p, _ in found]


def test_lint_lifecycle_needs_a_terminal_state() -> None:
    """A policy's own states must include a terminal one."""
    found = _problems(_with(states=["New", "Open"]))
    assert [(s, p) for s, p, _ in found] == [("error", "states")]


# ------------------------------------------------------------------------- round two: credits

CREDITS: dict[str, Any] = {
    "basis": "period",
    "rule": {
        "kind": "downtime_bands",
        "bands": [
            {"range": "[1h, 4h)", "credit": "10%"},
            {"range": "[4h, 12h)", "credit": "25%"},
            {"range": "[12h, inf)", "credit": "50%"},
        ],
    },
    "claim": {"days": 30, "anchor": "incident_end"},
}


def _bands(*pairs: tuple[str, str], **extra: Any) -> dict[str, Any]:
    rule = {"kind": "downtime_bands", "bands": [{"range": r, "credit": c} for r, c in pairs]}
    return _with(credits=CREDITS | {"rule": rule} | extra)


def test_lint_seed_credit_schedule_is_clean() -> None:
    """The seed's 10/25/50 % schedule passes and compiles to the core's schedule."""
    mapping = _with(credits=CREDITS)
    assert _problems(mapping) == []
    schedule = load_policy(mapping).credit_schedule
    assert schedule is not None and schedule.monotone


def test_lint_credit_band_gap() -> None:
    """Bands that leave a gap are an error at the later band."""
    found = _problems(_bands(("[1h, 4h)", "10%"), ("[5h, inf)", "25%")))
    assert found == [
        (
            "error",
            "credits.rule.bands[1].range",
            "the bands [1h, 4h) and [5h, inf) leave a gap from 4h to 5h; make the second start "
            "where the first ends, e.g. '[1h, 4h)' then '[4h, 12h)'",
        )
    ]


def test_lint_credit_band_overlap_and_shared_bound() -> None:
    """Overlapping bands, and bands that both include their shared bound, are errors."""
    found = _problems(_bands(("[1h, 4h]", "10%"), ("[4h, 12h)", "25%"), ("[8h, inf)", "50%")))
    assert [(p, m.split(";")[0]) for _, p, m in found] == [
        ("credits.rule.bands[1].range", "the bands [1h, 4h] and [4h, 12h) both include 4h"),
        ("credits.rule.bands[2].range", "the bands [4h, 12h) and [8h, inf) overlap"),
    ]


def test_lint_credit_band_both_exclude() -> None:
    """Bands that both exclude their shared bound leave it uncovered."""
    found = _problems(_bands(("[1h, 4h)", "10%"), ("(4h, inf)", "25%")))
    assert [p for _, p, _ in found] == ["credits.rule.bands[1].range"]
    assert "both exclude 4h, leaving it uncovered" in found[0][2]


def test_lint_credit_falling() -> None:
    """A longer outage earning a smaller credit is an error at the smaller credit."""
    found = _problems(_bands(("[1h, 4h)", "25%"), ("[4h, inf)", "10%")))
    assert found == [
        (
            "error",
            "credits.rule.bands[1].credit",
            "the credit falls from 25% ([1h, 4h)) to 10% ([4h, inf)): more downtime would earn "
            "a smaller credit; make each band's credit at least the one before it",
        )
    ]


def test_lint_uptime_credit_falling() -> None:
    """For uptime bands, less uptime must not earn less: the order is reversed."""
    rule = {
        "kind": "uptime_bands",
        "bands": [
            {"range": "[0%, 99%)", "credit": "10%"},
            {"range": "[99%, 99.9%)", "credit": "25%"},
        ],
    }
    found = _problems(_with(credits=CREDITS | {"rule": rule}))
    assert [(p, m.split(":")[0]) for _, p, m in found] == [
        (
            "credits.rule.bands[0].credit",
            "the credit falls from 25% ([99%, 99.9%)) to 10% ([0%, 99%))",
        )
    ]


def test_lint_cap_below_band() -> None:
    """A percentage cap below the highest band credit is an error at the cap."""
    found = _problems(_with(credits=CREDITS | {"cap_per_period": "30%"}))
    assert found == [
        (
            "error",
            "credits.cap_per_period",
            "the cap 30% is below the band [12h, inf) (50%), which could never be paid in full; "
            "raise the cap to at least 50% or lower the credit",
        )
    ]
    assert _problems(_with(credits=CREDITS | {"cap_per_period": {"amount": "10.00"}})) == []


def test_lint_credit_errors_from_the_core_are_located() -> None:
    """A problem only the credits core finds is reported at its policy path."""
    found = _problems(_with(credits=CREDITS | {"basis": "incident", "cap_per_incident": "60%"}))
    assert found == []
    found = _problems(_with(credits=CREDITS | {"cap_per_incident": "60%"}))
    assert [(p, m) for _, p, m in found] == [
        (
            "credits.cap_per_incident",
            "cap_per_incident needs basis 'incident'; with basis 'period' use cap_per_period",
        )
    ]


def test_lint_every_problem_at_once_with_a_malformed_section() -> None:
    """A malformed section is reported and the well-formed ones are still linted."""
    mapping = _with(warnings=[{"at": "150%"}], credits=CREDITS | {"rounding": "nearest"})
    mapping["tiers"]["premium"]["price"] = {"amount": "lots"}
    found = {(s, p) for s, p, _ in _problems(mapping)}
    assert found == {
        ("error", "tiers.premium.price.amount"),
        ("error", "credits.rounding"),
        ("error", "warnings[0].at"),
    }
