"""Credit schedules: bands, rules, caps, claim windows and their plain-data form."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from sla_engine.credits import (
    Band,
    Cap,
    ClaimWindow,
    CreditSchedule,
    DowntimeBands,
    FlatStep,
    HourlyStep,
    LostTime,
    MinimumPayout,
    UptimeBands,
)
from sla_engine.errors import CreditError

H = 3_600_000_000


def seed_bands() -> DowntimeBands:
    return DowntimeBands(
        bands=(
            Band.parse("[1h, 4h)", "10%"),
            Band.parse("[4h, 12h)", "25%"),
            Band.parse("[12h, inf)", "50%"),
        )
    )


def test_band_notation_states_inclusivity() -> None:
    """'[1h, 4h)' includes 1 h and excludes 4 h; '(12h, inf)' excludes 12 h."""
    band = Band.parse("[1h, 4h)", "10%")
    assert (band.lower, band.upper) == (timedelta(hours=1), timedelta(hours=4))
    assert band.lower_inclusive and not band.upper_inclusive
    top = Band.parse("(12h, inf)", "50%")
    assert top.upper is None and not top.lower_inclusive


@pytest.mark.parametrize(
    ("hours_us", "percent"),
    [
        (H - 1, Decimal(0)),
        (H, Decimal(10)),
        (4 * H - 1, Decimal(10)),
        (4 * H, Decimal(25)),
        (12 * H, Decimal(50)),
    ],
)
def test_seed_bands_at_their_edges(hours_us: int, percent: Decimal) -> None:
    """The seed reads 1 h <= d < 4 h -> 10 %, 4 h <= d < 12 h -> 25 %, d >= 12 h -> 50 %."""
    assert seed_bands().evaluate(hours_us, 744 * H).percent == percent


def test_uptime_bands_use_the_exact_share() -> None:
    """99.9 % uptime exactly sits in '[99%, 99.9%]', one microsecond less in the band below."""
    rule = UptimeBands(
        bands=(
            Band.parse("[0%, 95%)", "100%"),
            Band.parse("[95%, 99%)", "25%"),
            Band.parse("[99%, 99.9%]", "10%"),
            Band.parse("(99.9%, 100%]", "0%"),
        )
    )
    period = 1000 * H
    assert rule.evaluate(H, period).percent == Decimal(10)  # exactly 99.9 %
    assert rule.evaluate(H - 1, period).percent == Decimal(0)
    assert rule.evaluate(10 * H + 1, period).percent == Decimal(25)
    assert rule.monotone


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        (["[1h, 4h)", "[3h, 12h)"], "overlap"),
        (["[1h, 4h)", "[5h, 12h)"], "leave a gap"),
        (["[1h, 4h]", "[4h, 12h)"], "both include the shared bound"),
        (["[1h, 4h)", "(4h, 12h)"], "both exclude the shared bound"),
        (["[4h, 12h)", "[1h, 4h)"], "out of order"),
    ],
)
def test_bands_that_overlap_or_leave_gaps_are_refused(ranges: list[str], message: str) -> None:
    """Overlapping, gapped or unordered bands raise CreditError naming both bands."""
    with pytest.raises(CreditError, match=message) as info:
        DowntimeBands(bands=tuple(Band.parse(r, "10%") for r in ranges))
    assert info.value.path == ("bands", 1, "range")


def test_band_mapping_errors_carry_their_path() -> None:
    """A bad band in plain data names its place: rule.bands.1.range."""
    data = {
        "basis": "period",
        "rule": {
            "kind": "downtime_bands",
            "bands": [
                {"range": "[1h, 4h)", "credit": "10%"},
                {"range": "[4 hours, 12h)", "credit": "25%"},
            ],
        },
    }
    with pytest.raises(CreditError, match="not a duration") as info:
        CreditSchedule.from_mapping(data, path=("credits",))
    assert info.value.path == ("credits", "rule", "bands", 1, "range")


def test_mapping_overlap_error_carries_the_schedule_path() -> None:
    """Bands that overlap in plain data are refused with the rule's path in front."""
    data = {
        "basis": "period",
        "rule": {
            "kind": "downtime_bands",
            "bands": [
                {"range": "[1h, 4h)", "credit": "10%"},
                {"range": "[2h, 12h)", "credit": "25%"},
            ],
        },
    }
    with pytest.raises(CreditError, match="overlap") as info:
        CreditSchedule.from_mapping(data)
    assert info.value.path == ("rule", "bands", 1, "range")


def test_percent_must_be_written_with_percent_sign_and_never_float() -> None:
    """'10' is not a percentage in plain data; 0.1 (float) is refused."""
    with pytest.raises(CreditError, match="percentage string"):
        Band.from_mapping({"range": "[1h, 4h)", "credit": "10"})
    with pytest.raises(CreditError, match="float"):
        Band.from_mapping({"range": "[1h, 4h)", "credit": 0.1})
    with pytest.raises(CreditError, match="Decimal in percent units"):
        FlatStep(threshold=timedelta(hours=1), inclusive=True, percent=10.0)  # type: ignore[arg-type]


def test_basis_must_be_stated() -> None:
    """A schedule without a basis is refused in plain data and in Python."""
    with pytest.raises(CreditError, match="missing required key 'basis'"):
        CreditSchedule.from_mapping({"rule": seed_bands().to_mapping()})
    with pytest.raises(CreditError, match="basis"):
        CreditSchedule(rule=seed_bands(), basis="monthly")  # type: ignore[arg-type]


def test_unknown_key_is_refused_with_its_path() -> None:
    """A misspelt key is named, with the keys that are allowed."""
    with pytest.raises(CreditError, match="unknown key 'rounding_mode'") as info:
        CreditSchedule.from_mapping(
            {"basis": "period", "rule": seed_bands().to_mapping(), "rounding_mode": "half_up"}
        )
    assert info.value.path == ("rounding_mode",)


SCHEDULES = [
    CreditSchedule(
        rule=seed_bands(),
        basis="period",
        claim=ClaimWindow(anchor="incident_end", days=30),
        exclusions=frozenset({"third_party", "customer_misconfiguration", "scheduled_maintenance"}),
    ),
    CreditSchedule(
        rule=UptimeBands(
            bands=(
                Band.parse("[0%, 95%)", "100%"),
                Band.parse("[95%, 99%)", "30%"),
                Band.parse("[99%, 99.99%)", "10%"),
            )
        ),
        basis="period",
        minimum_payout=MinimumPayout(amount=Decimal("1.00"), comparison=">"),
        claim=ClaimWindow(anchor="period_end", cycles=2),
        services=frozenset({"compute"}),
        min_error_rate=Decimal("0.05"),
        whole=timedelta(minutes=1),
    ),
    CreditSchedule(
        rule=LostTime(rate="prorated", multiple=Decimal("10")),
        basis="incident",
        cap_per_incident=Cap(percent=Decimal("100")),
        cap_per_period=Cap(days_of_service=Decimal("30")),
        minimum_downtime=timedelta(minutes=5),
        rounding="half_up",
    ),
    CreditSchedule(
        rule=HourlyStep(
            allowance=timedelta(hours=4), percent_per_step=Decimal("5"), max_percent=Decimal("50")
        ),
        basis="period",
        cap_per_period=Cap(amount=Decimal("500.00")),
        maintenance_notice=timedelta(hours=72),
    ),
    CreditSchedule(
        rule=FlatStep(threshold=timedelta(hours=1), inclusive=False, percent=Decimal("5")),
        basis="period",
        min_affected_share=Decimal("0.1"),
    ),
    CreditSchedule(rule=LostTime(rate="hourly"), basis="period"),
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: s.rule.kind)
def test_schedule_round_trips_through_plain_data(schedule: CreditSchedule) -> None:
    """Law: CreditSchedule.from_mapping(s.to_mapping()) == s for every rule kind."""
    assert CreditSchedule.from_mapping(schedule.to_mapping()) == schedule


def test_cap_needs_exactly_one_limit() -> None:
    """A cap with two limits, or none, is refused."""
    with pytest.raises(CreditError, match="exactly one"):
        Cap(percent=Decimal(50), amount=Decimal(10))
    with pytest.raises(CreditError, match="exactly one"):
        Cap.from_mapping({})


def test_claim_window_needs_days_or_cycles() -> None:
    """A claim window with both days and cycles is refused."""
    with pytest.raises(CreditError, match="exactly one of days, cycles"):
        ClaimWindow(anchor="period_end", days=30, cycles=1)


def test_per_incident_cap_needs_per_incident_basis() -> None:
    """A per-incident cap on a per-period schedule is refused with the fix."""
    with pytest.raises(CreditError, match="needs basis 'incident'"):
        CreditSchedule(rule=seed_bands(), basis="period", cap_per_incident=Cap(percent=Decimal(1)))


def test_unknown_exclusion_is_refused() -> None:
    """An exclusion that is not a known cause is refused, listing the known ones."""
    with pytest.raises(CreditError, match="'acts_of_god' not known"):
        CreditSchedule(rule=seed_bands(), basis="period", exclusions=frozenset({"acts_of_god"}))


def test_monotone_flag() -> None:
    """Bands whose credit falls as downtime grows are not monotone."""
    falling = DowntimeBands(bands=(Band.parse("[1h, 4h)", "20%"), Band.parse("[4h, inf)", "10%")))
    assert seed_bands().monotone
    assert not falling.monotone


def test_hourly_step_counts_complete_hours_only() -> None:
    """5 % per complete hour beyond 4 h: 6h59m gives 10 %, 20 h caps at 50 %."""
    rule = HourlyStep(
        allowance=timedelta(hours=4), percent_per_step=Decimal(5), max_percent=Decimal(50)
    )
    assert rule.evaluate(7 * H - 60_000_000, 744 * H).percent == Decimal(10)
    assert rule.evaluate(4 * H + H - 1, 744 * H).percent == Decimal(0)
    assert rule.evaluate(20 * H, 744 * H).percent == Decimal(50)
