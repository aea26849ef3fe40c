"""Inputs that must not be misread: the period's cycle, the fee's currency and basis, named
periods, credits-only policies and one unit for error rates and affected shares."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sla_engine import load_policy
from sla_engine.credits import (
    Band,
    BillingCycle,
    BillingPeriod,
    CreditSchedule,
    DowntimeBands,
    Fee,
    Incident,
    compute_credit,
)
from sla_engine.errors import CreditError, PolicyError

CREDITS_ONLY = """\
format_version: 1
name: cdn
version: "1"
effective_from: 2026-01-01
currency: USD
credits:
  basis: period
  fee_basis: month
  min_error_rate: {rate}
  rule:
    kind: downtime_bands
    bands:
      - {{range: "[1h, 4h)", credit: 10%}}
      - {{range: "[4h, inf)", credit: 25%}}
  billing: {{every: quarter, timezone: UTC}}
"""


def policy_file(tmp_path: Path, rate: str = "'5%'") -> Path:
    path = tmp_path / "cdn.yaml"
    path.write_text(CREDITS_ONLY.format(rate=rate), encoding="utf-8")
    return path


def outage(rate: str = "0.5") -> list[Incident]:
    return [
        Incident(
            id="A",
            start=datetime(2026, 2, 3, 10, tzinfo=UTC),
            end=datetime(2026, 2, 3, 12, tzinfo=UTC),
            error_rate=Decimal(rate),
        )
    ]


MONTHLY_USD = Fee(amount=Decimal("100.00"), currency="USD", per="month")


def test_credits_only_policy_needs_no_calendars_section(tmp_path: Path) -> None:
    """A policy with credits and nothing on a calendar loads without a `calendars:` section."""
    policy = load_policy(policy_file(tmp_path))
    assert policy.credit_schedule is not None and policy.sla is None
    assert policy.timezone == "UTC"
    assert policy.in_force_at(datetime(2026, 3, 1, tzinfo=UTC))


def test_a_policy_with_tiers_still_needs_calendars(tmp_path: Path) -> None:
    """Only credits-only policies may leave calendars out; the old message stays otherwise."""
    path = tmp_path / "p.yaml"
    text = CREDITS_ONLY.format(rate="'5%'") + "tiers: {basic: {}}\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match="the required key 'calendars' is missing"):
        load_policy(path)


def test_monthly_period_on_quarterly_policy_is_refused(tmp_path: Path) -> None:
    """A monthly period on a quarterly policy is an error naming both cycles."""
    policy = load_policy(policy_file(tmp_path))
    with pytest.raises(CreditError, match="is a period of a cycle monthly in UTC") as exc:
        compute_credit(policy, outage(), period=BillingPeriod.month(2026, 2), fee=MONTHLY_USD)
    assert "the policy bills quarterly in UTC" in str(exc.value)


def test_period_of_the_policys_cycle_is_accepted(tmp_path: Path) -> None:
    """A quarter of the policy's cycle, however its anchor is written, is accepted."""
    policy = load_policy(policy_file(tmp_path))
    assert policy.billing_cycle is not None
    moved = BillingCycle(timezone="UTC", months=3, anchor=date(2026, 4, 1))
    february = datetime(2026, 2, 1, tzinfo=UTC)
    for period in (BillingPeriod.quarter(2026, 1), moved.containing(february)):
        d = compute_credit(policy, outage(), period=period, fee=MONTHLY_USD)
        assert d.amount == Decimal("30.00")  # 10 % of three months of 100.00


def test_period_in_another_zone_is_refused(tmp_path: Path) -> None:
    """The same quarter in another zone is another cycle."""
    policy = load_policy(policy_file(tmp_path))
    berlin = BillingPeriod.quarter(2026, 1, timezone="Europe/Berlin")
    with pytest.raises(CreditError, match="Europe/Berlin"):
        compute_credit(policy, outage(), period=berlin, fee=MONTHLY_USD)


def test_jpy_fee_on_usd_policy_is_refused(tmp_path: Path) -> None:
    """A JPY fee on a USD policy is an error (the $1 minimum is never applied as ¥1)."""
    policy = load_policy(policy_file(tmp_path))
    yen = Fee(amount=Decimal("10000"), currency="JPY", per="month")
    paid_in = "the fee is in JPY but the policy's credits are paid in USD"
    with pytest.raises(CreditError, match=paid_in):
        compute_credit(policy, outage(), period=BillingPeriod.quarter(2026, 1), fee=yen)


def test_fee_of_another_basis_is_refused_naming_both(tmp_path: Path) -> None:
    """The policy says the fee is monthly; a period fee or an hourly rate is refused."""
    policy = load_policy(policy_file(tmp_path))
    q1 = BillingPeriod.quarter(2026, 1)
    for per, words in (("period", "the period's charges"), ("hour", "an hourly rate")):
        fee = Fee(amount=Decimal("300.00"), currency="USD", per=per)  # type: ignore[arg-type]
        with pytest.raises(CreditError) as exc:
            compute_credit(policy, outage(), period=q1, fee=fee)
        assert "a monthly fee (fee_basis 'month')" in str(exc.value)
        assert f"{words} (per={per!r})" in str(exc.value)


def test_fee_basis_is_checked_for_a_plain_schedule_too() -> None:
    """CreditSchedule(fee_basis=...) checks the fee without a policy."""
    schedule = CreditSchedule(
        rule=DowntimeBands(bands=(Band.parse("[1h, inf)", "10%"),)),
        basis="period",
        fee_basis="period",
    )
    with pytest.raises(CreditError, match="fee_basis 'period'"):
        compute_credit(schedule, outage(), period=BillingPeriod.month(2026, 2), fee=MONTHLY_USD)
    with pytest.raises(CreditError, match="fee_basis: 'weekly' is not one of"):
        CreditSchedule(
            rule=DowntimeBands(bands=(Band.parse("[1h, inf)", "10%"),)),
            basis="period",
            fee_basis="weekly",
        )


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2025-04", "2025-04 (UTC)"),
        ("2024-Q2", "2024-Q2 (UTC)"),
        ("2024-q4", "2024-Q4 (UTC)"),
        ("2026-03-15", "2026-03 (UTC)"),
    ],
)
def test_billing_period_parse_names_months_quarters_and_days(text: str, label: str) -> None:
    """BillingPeriod.parse reads a month, a quarter or a day."""
    assert BillingPeriod.parse(text).label() == label


def test_billing_period_parse_on_a_cycle() -> None:
    """With a cycle: a quarter of a quarterly cycle; a month there is refused; a day picks."""
    quarterly = BillingCycle.quarterly(timezone="Europe/Berlin")
    assert BillingPeriod.parse("2024-Q2", cycle=quarterly).label() == "2024-Q2 (Europe/Berlin)"
    assert BillingPeriod.parse("2024-05-20", cycle=quarterly).label() == "2024-Q2 (Europe/Berlin)"
    month_on_quarters = "'2024-05' names a month, but the billing cycle is quarterly"
    with pytest.raises(CreditError, match=month_on_quarters):
        BillingPeriod.parse("2024-05", cycle=quarterly)
    with pytest.raises(CreditError, match="names a quarter, but the billing cycle is monthly"):
        BillingPeriod.parse("2024-Q2", cycle=BillingCycle.monthly())
    fifteenth = BillingCycle(months=1, anchor=date(2026, 1, 15))
    with pytest.raises(CreditError, match="its periods start on 2024-04-15"):
        BillingPeriod.parse("2024-05", cycle=fifteenth)
    assert BillingPeriod.parse("2024-05-01", cycle=fifteenth).first_day == date(2024, 4, 15)


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "March", "2025-02-30", ""])
def test_billing_period_parse_refuses_other_text(text: str) -> None:
    """Text that names no period is refused with the forms that work."""
    with pytest.raises(CreditError, match="write a month as 2025-04, a quarter as 2024-Q2"):
        BillingPeriod.parse(text)


@pytest.mark.parametrize("rate", ["'5%'", "0.05", "'0.05'"])
def test_error_rate_threshold_reads_as_share_or_percent(tmp_path: Path, rate: str) -> None:
    """`min_error_rate` is 0.05 or '5%' in the file and Decimal('0.05') in the API."""
    policy = load_policy(policy_file(tmp_path, rate))
    assert policy.credit_schedule is not None
    assert policy.credit_schedule.min_error_rate == Decimal("0.05")


def test_error_rate_threshold_above_one_is_refused(tmp_path: Path) -> None:
    """A bare 5 is not 5 %: it is refused, not read as 500 % or 0.05 %."""
    with pytest.raises(PolicyError, match="not a share between 0 and 1"):
        load_policy(policy_file(tmp_path, "5"))


@pytest.mark.parametrize("raw", ["5%", "0.05", Decimal("0.05")])
def test_incident_error_rate_reads_the_same_way(raw: object) -> None:
    """Incidents read error_rate like the policy: 0.05 or '5%'."""
    data = {"id": "A", "start": "2026-03-01T00:00:00Z", "end": "2026-03-01T01:00:00Z"}
    assert Incident.from_mapping({**data, "error_rate": raw}).error_rate == Decimal("0.05")
    with pytest.raises(CreditError, match="not a share between 0 and 1"):
        Incident.from_mapping({**data, "error_rate": "5"})
