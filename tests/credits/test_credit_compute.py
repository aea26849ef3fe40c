"""compute_credit: named edge cases from the issue, errors, and the decision's output."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sla_engine.calendar import BusinessCalendar
from sla_engine.credits import (
    Band,
    BillingPeriod,
    Cap,
    ClaimWindow,
    CreditRun,
    CreditSchedule,
    DowntimeBands,
    Fee,
    FlatStep,
    HourlyStep,
    Incident,
    LostTime,
    MaintenanceWindow,
    MinimumPayout,
    UptimeBands,
    compute_credit,
)
from sla_engine.errors import CreditError, NaiveDatetimeError

MARCH = BillingPeriod.month(2026, 3)
FEE = Fee(amount=Decimal("2000.00"), currency="USD", per="month")


def t(day: int, hour: int = 0, minute: int = 0, month: int = 3, us: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) + timedelta(microseconds=us)


def seed(**kw: object) -> CreditSchedule:
    """The seed's schedule: 10/25/50 % for [1h,4h), [4h,12h), [12h,inf); 30-day claims."""
    base: dict[str, object] = {
        "rule": DowntimeBands(
            bands=(
                Band.parse("[1h, 4h)", "10%"),
                Band.parse("[4h, 12h)", "25%"),
                Band.parse("[12h, inf)", "50%"),
            )
        ),
        "basis": "period",
        "claim": ClaimWindow(anchor="incident_end", days=30),
    }
    base.update(kw)
    return CreditSchedule(**base)  # type: ignore[arg-type]


def inc(ident: str, start: datetime, end: datetime, cause: str = "covered") -> Incident:
    return Incident(id=ident, start=start, end=end, cause=cause)


@pytest.mark.parametrize(
    ("length", "amount"),
    [
        (timedelta(hours=1) - timedelta(microseconds=1), "0.00"),
        (timedelta(hours=1), "200.00"),
        (timedelta(hours=4) - timedelta(microseconds=1), "200.00"),
        (timedelta(hours=4), "500.00"),
        (timedelta(hours=12) - timedelta(microseconds=1), "500.00"),
        (timedelta(hours=12), "1000.00"),
    ],
    ids=[
        "just-under-1h",
        "exactly-1h",
        "just-under-4h",
        "exactly-4h",
        "just-under-12h",
        "exactly-12h",
    ],
)
def test_seed_schedule_at_exact_band_edges(length: timedelta, amount: str) -> None:
    """Exactly 1 h gives 10 %, exactly 4 h 25 %, exactly 12 h 50 % of a 2000.00 fee."""
    d = compute_credit(
        seed(), [inc("A", t(2, 10), t(2, 10) + length)], period=MARCH, fee=FEE, claim_filed_at=t(10)
    )
    assert d.amount == Decimal(amount)


def test_claim_filed_at_the_last_instant_is_in_time() -> None:
    """A claim filed one microsecond before 30 days after the incident's end is accepted."""
    d = compute_credit(
        seed(),
        [inc("A", t(2, 10), t(2, 15))],
        period=MARCH,
        fee=FEE,
        claim_filed_at=t(1, 15, month=4, us=-1),
    )
    assert d.claim_accepted and d.amount == Decimal("500.00")


def test_claim_filed_exactly_at_the_deadline_is_late_with_the_reason() -> None:
    """The window is half-open: a claim exactly 30 days after the incident's end gives 0.00."""
    d = compute_credit(
        seed(),
        [inc("A", t(2, 10), t(2, 15))],
        period=MARCH,
        fee=FEE,
        claim_filed_at=t(1, 15, month=4),
    )
    assert not d.claim_accepted
    assert d.amount == Decimal("0.00")
    assert "too late" in d.claim_reason and "A" in d.claim_reason
    assert dict(d.incidents[0].excluded) == {"claim_late": timedelta(hours=5)}
    assert d.incidents[0].claim_deadline == t(1, 15, month=4)


def test_claim_at_first_instant_after_second_billing_cycle_is_late() -> None:
    """ "By the end of the second billing cycle after" March: 31 May 23:59:59.999999 is in time,
    1 June 00:00 (the first instant of the following cycle) is late."""
    s = seed(claim=ClaimWindow(anchor="period_end", cycles=2))
    incidents = [inc("A", t(2, 10), t(2, 15))]
    ok = compute_credit(s, incidents, period=MARCH, fee=FEE, claim_filed_at=t(1, month=6, us=-1))
    late = compute_credit(s, incidents, period=MARCH, fee=FEE, claim_filed_at=t(1, month=6))
    assert ok.amount == Decimal("500.00") and ok.claim_accepted
    assert late.amount == Decimal("0.00") and not late.claim_accepted
    assert "after the deadline 2026-06-01T00:00:00Z" in late.claim_reason


def test_claim_at_first_instant_after_second_cycle_from_incident_is_late() -> None:
    """Cycles counted from the incident: a March incident's claim is due before 1 June."""
    s = seed(claim=ClaimWindow(anchor="incident_end", cycles=2))
    incidents = [inc("A", t(2, 10), t(2, 15))]
    ok = compute_credit(s, incidents, period=MARCH, fee=FEE, claim_filed_at=t(1, month=6, us=-1))
    late = compute_credit(s, incidents, period=MARCH, fee=FEE, claim_filed_at=t(1, month=6))
    assert ok.amount == Decimal("500.00")
    assert late.amount == Decimal("0.00") and "too late" in late.claim_reason


def test_claim_fifteen_days_after_end_of_june_is_late_at_16_july_midnight() -> None:
    """ "15 days after the end of June": 16 July 00:00 is late, the microsecond before is not."""
    s = seed(claim=ClaimWindow(anchor="period_end", days=15))
    june = BillingPeriod.month(2026, 6)
    incidents = [inc("A", t(2, 10, month=6), t(2, 15, month=6))]
    ok = compute_credit(s, incidents, period=june, fee=FEE, claim_filed_at=t(16, month=7, us=-1))
    late = compute_credit(s, incidents, period=june, fee=FEE, claim_filed_at=t(16, month=7))
    assert ok.amount == Decimal("500.00") and ok.claim_accepted
    assert late.amount == Decimal("0.00") and not late.claim_accepted


def test_bulk_amount_agrees_with_decision_at_the_claim_deadline() -> None:
    """CreditRun.amount_us treats the deadline instant as late, like decide()."""
    s = seed(claim=ClaimWindow(anchor="period_end", days=15))
    run = CreditRun(s, period=MARCH)
    a = inc("A", t(2, 10), t(2, 15))
    spans = [(a.start_us, a.end_us, "covered")]
    deadline = inc("x", t(16, month=4), t(16, month=4)).start_us
    assert run.amount_us(spans, fee=FEE, claim_filed_us=deadline) == Decimal("0.00")
    assert run.amount_us(spans, fee=FEE, claim_filed_us=deadline - 1) == Decimal("500.00")


def test_no_claim_filed_gives_zero_when_a_claim_is_required() -> None:
    """Without a claim the credit is zero and the reason says a claim is required."""
    d = compute_credit(seed(), [inc("A", t(2, 10), t(2, 15))], period=MARCH, fee=FEE)
    assert d.amount == Decimal("0.00") and "no claim filed" in d.claim_reason


def test_incident_spanning_two_periods_is_split_at_the_period_end() -> None:
    """An incident 31 Mar 22:00 to 1 Apr 03:00 counts 2 h in March and 3 h in April."""
    s = seed(claim=None)
    incidents = [inc("A", t(31, 22), t(1, 3, month=4))]
    march = compute_credit(s, incidents, period=MARCH, fee=FEE)
    april = compute_credit(s, incidents, period=BillingPeriod.month(2026, 4), fee=FEE)
    assert march.downtime == timedelta(hours=2) and april.downtime == timedelta(hours=3)
    assert march.amount == april.amount == Decimal("200.00")
    assert dict(march.incidents[0].excluded) == {"outside_period": timedelta(hours=3)}


def test_overlapping_incidents_are_counted_once() -> None:
    """Two incidents 10:00-13:00 and 12:00-15:00 are 5 h of downtime, not 6 h."""
    d = compute_credit(
        seed(claim=None),
        [inc("A", t(2, 10), t(2, 13)), inc("B", t(2, 12), t(2, 15))],
        period=MARCH,
        fee=FEE,
    )
    assert d.downtime == timedelta(hours=5)
    assert d.amount == Decimal("500.00")
    assert dict(d.incidents[1].excluded) == {"overlap": timedelta(hours=1)}
    assert len(d.stretches) == 1 and d.stretches[0].incident_ids == ("A", "B")


def test_maintenance_overlapping_an_incident_is_excluded() -> None:
    """An incident 10:00-15:00 with noticed maintenance 13:00-14:00 counts 4 h."""
    mw = MaintenanceWindow(id="M", start=t(2, 13), end=t(2, 14), announced_at=t(1))
    d = compute_credit(
        seed(claim=None), [inc("A", t(2, 10), t(2, 15))], period=MARCH, fee=FEE, maintenance=[mw]
    )
    assert d.downtime == timedelta(hours=4)
    assert dict(d.excluded) == {"scheduled_maintenance": timedelta(hours=1)}
    assert d.amount == Decimal("500.00")


def test_maintenance_without_enough_notice_counts() -> None:
    """A window announced 1 h ahead when 72 h are required does not excuse downtime."""
    mw = MaintenanceWindow(id="M", start=t(2, 13), end=t(2, 14), announced_at=t(2, 12))
    s = seed(claim=None, maintenance_notice=timedelta(hours=72))
    d = compute_credit(s, [inc("A", t(2, 10), t(2, 15))], period=MARCH, fee=FEE, maintenance=[mw])
    assert d.downtime == timedelta(hours=5)
    assert any("announced only 1h ahead" in line for line in d.trace)


def test_excluded_causes_are_reported_by_reason() -> None:
    """Third-party and misconfiguration time is dropped and reported under its cause."""
    d = compute_credit(
        seed(claim=None),
        [
            inc("A", t(2, 10), t(2, 12)),
            inc("B", t(3, 10), t(3, 20), "third_party"),
            inc("C", t(4, 10), t(4, 11), "customer_misconfiguration"),
        ],
        period=MARCH,
        fee=FEE,
    )
    assert d.downtime == timedelta(hours=2)
    assert dict(d.excluded) == {
        "customer_misconfiguration": timedelta(hours=1),
        "third_party": timedelta(hours=10),
    }


def test_jpy_has_no_decimals() -> None:
    """10 % of 12345 JPY prorated... rounds to whole yen: 1234.5 -> 1234 (half-even)."""
    s = seed(
        claim=None, rule=FlatStep(threshold=timedelta(hours=1), inclusive=True, percent=Decimal(10))
    )
    d = compute_credit(
        s,
        [inc("A", t(2, 10), t(2, 12))],
        period=MARCH,
        fee=Fee(amount=Decimal("12345"), currency="JPY"),
    )
    assert d.amount == Decimal("1234") and str(d.amount) == "1234"
    assert json.loads(d.to_json())["amount"] == "1234"


def test_rounding_half_even_and_the_named_mode() -> None:
    """10 % of 1.25 is 0.125: 0.12 half-even by default, 0.13 when the policy says half_up."""
    rule = FlatStep(threshold=timedelta(hours=1), inclusive=True, percent=Decimal(10))
    fee = Fee(amount=Decimal("1.25"), currency="USD")
    incidents = [inc("A", t(2, 10), t(2, 12))]
    even = compute_credit(seed(claim=None, rule=rule), incidents, period=MARCH, fee=fee)
    up = compute_credit(
        seed(claim=None, rule=rule, rounding="half_up"), incidents, period=MARCH, fee=fee
    )
    assert (even.amount, up.amount) == (Decimal("0.12"), Decimal("0.13"))


def test_rounding_happens_once_at_the_end() -> None:
    """Three stretches each worth 1/3 cent sum to 1 cent, not 0 cents rounded thrice."""
    # 10x prorated over a 744 h month: fee 0.744 USD... use an hourly rate of 0.01/h instead.
    s = CreditSchedule(rule=LostTime(rate="hourly"), basis="incident")
    fee = Fee(amount=Decimal("0.01"), currency="USD", per="hour")
    incidents = [inc(f"I{k}", t(2 + k, 10), t(2 + k, 10, 20)) for k in range(3)]
    d = compute_credit(s, incidents, period=MARCH, fee=fee)
    assert d.amount == Decimal("0.01")


def test_ten_times_prorated_fee() -> None:
    """10x the prorated fee: 7.44 h of a 744 h month at 2000.00 is 10 x 20.00 = 200.00."""
    s = CreditSchedule(rule=LostTime(rate="prorated", multiple=Decimal(10)), basis="period")
    d = compute_credit(
        s, [inc("A", t(2, 10), t(2, 17, 26) + timedelta(seconds=24))], period=MARCH, fee=FEE
    )
    assert d.amount == Decimal("200.00")


def test_uptime_bands_with_minimum_payout() -> None:
    """A 5 % credit on a 10.00 fee (0.50) is not paid when credits need to be > 1.00."""
    s = CreditSchedule(
        rule=UptimeBands(bands=(Band.parse("[0%, 99%)", "25%"), Band.parse("[99%, 99.9%)", "5%"))),
        basis="period",
        minimum_payout=MinimumPayout(amount=Decimal("1.00")),
    )
    incidents = [inc("A", t(2, 10), t(2, 12))]  # 2 h of 744 h: 99.73 % uptime
    small = compute_credit(
        s, incidents, period=MARCH, fee=Fee(amount=Decimal("10.00"), currency="USD")
    )
    big = compute_credit(
        s, incidents, period=MARCH, fee=Fee(amount=Decimal("100.00"), currency="USD")
    )
    assert small.amount == Decimal("0.00") and small.minimum_applied
    assert big.amount == Decimal("5.00") and not big.minimum_applied


def test_exactly_minimum_payout_with_strict_comparison_is_not_paid() -> None:
    """A credit of exactly 1.00 is not 'greater than 1.00'; with '>=' it is paid."""
    rule = FlatStep(threshold=timedelta(0), inclusive=False, percent=Decimal(10))
    fee = Fee(amount=Decimal("10.00"), currency="USD")
    incidents = [inc("A", t(2, 10), t(2, 11))]
    strict = CreditSchedule(
        rule=rule, basis="period", minimum_payout=MinimumPayout(amount=Decimal("1.00"))
    )
    loose = CreditSchedule(
        rule=rule,
        basis="period",
        minimum_payout=MinimumPayout(amount=Decimal("1.00"), comparison=">="),
    )
    assert compute_credit(strict, incidents, period=MARCH, fee=fee).amount == Decimal("0.00")
    assert compute_credit(loose, incidents, period=MARCH, fee=fee).amount == Decimal("1.00")


def test_quarterly_cap_in_days_of_service() -> None:
    """A quarter's credit capped at 9 days of service: 90 days' fee 900.00 -> cap 90.00."""
    s = CreditSchedule(
        rule=LostTime(rate="prorated", multiple=Decimal(100)),
        basis="period",
        cap_per_period=Cap(days_of_service=Decimal(9)),
    )
    q1 = BillingPeriod.quarter(2026, 1)
    d = compute_credit(
        s,
        [inc("A", t(2, 0), t(5, 0))],
        period=q1,
        fee=Fee(amount=Decimal("300.00"), currency="USD", per="month"),
    )
    assert d.amount == Decimal("90.00") and d.cap_applied == "period"


def test_percent_per_complete_hour_beyond_allowance_with_cap() -> None:
    """5 % per complete hour beyond 1 h, capped at 25 %: 3h59m is 10 %, 30 h is 25 %."""
    s = CreditSchedule(
        rule=HourlyStep(
            allowance=timedelta(hours=1), percent_per_step=Decimal(5), max_percent=Decimal(25)
        ),
        basis="period",
    )
    short = compute_credit(s, [inc("A", t(2, 10), t(2, 13, 59))], period=MARCH, fee=FEE)
    long = compute_credit(s, [inc("A", t(2, 0), t(3, 6))], period=MARCH, fee=FEE)
    assert short.amount == Decimal("200.00") and long.amount == Decimal("500.00")


def test_per_incident_basis_with_per_incident_cap() -> None:
    """Per incident: two 5 h outages give 25 % each, capped at 20 % each: 800.00."""
    s = seed(claim=None, basis="incident", cap_per_incident=Cap(percent=Decimal(20)))
    d = compute_credit(
        s, [inc("A", t(2, 0), t(2, 5)), inc("B", t(9, 0), t(9, 5))], period=MARCH, fee=FEE
    )
    assert d.amount == Decimal("800.00") and d.cap_applied == "incident"
    assert [st.amount for st in d.stretches] == [Decimal("400.00"), Decimal("400.00")]


def test_minimum_length_and_whole_minutes() -> None:
    """Blips under 5 min are dropped; only whole minutes count."""
    s = CreditSchedule(
        rule=LostTime(rate="hourly"),
        basis="period",
        minimum_downtime=timedelta(minutes=5),
        whole=timedelta(minutes=1),
    )
    fee = Fee(amount=Decimal("60.00"), currency="USD", per="hour")  # 1.00 a minute
    d = compute_credit(
        s,
        [
            inc("A", t(2, 10), t(2, 10, 4) + timedelta(seconds=59)),
            inc("B", t(3, 10), t(3, 10, 7) + timedelta(seconds=30)),
        ],
        period=MARCH,
        fee=fee,
    )
    assert d.amount == Decimal("7.00")
    assert dict(d.excluded) == {
        "below_minimum_length": timedelta(minutes=4, seconds=59),
        "partial_unit": timedelta(seconds=30),
    }


def test_service_hours_calendar_counts_only_open_time() -> None:
    """With 09:00-17:00 weekday service hours an outage 16:00 Mon to 10:00 Tue counts 2 h."""
    cal = BusinessCalendar(timezone="UTC", hours={"mon-fri": ["09:00-17:00"]})
    s = seed(claim=None, rule=LostTime(rate="prorated"))
    d = compute_credit(
        s, [inc("A", t(2, 16), t(3, 10))], period=MARCH, fee=FEE, service_calendar=cal
    )
    assert d.downtime == timedelta(hours=2)
    assert d.period_length == timedelta(hours=22 * 8)  # 22 weekdays in March 2026
    assert d.amount == Decimal("22.73")  # 2000 * 2 / 176 = 22.7272...
    assert dict(d.excluded) == {"outside_service_hours": timedelta(hours=16)}


def test_services_and_error_rate_thresholds() -> None:
    """Incidents on other services or below the error-rate threshold do not count."""
    s = seed(claim=None, services=frozenset({"api"}), min_error_rate=Decimal("0.05"))
    incidents = [
        Incident(
            id="A",
            start=t(2, 0),
            end=t(2, 2),
            services=frozenset({"api"}),
            error_rate=Decimal("0.10"),
        ),
        Incident(
            id="B",
            start=t(3, 0),
            end=t(3, 9),
            services=frozenset({"billing"}),
            error_rate=Decimal("0.5"),
        ),
        Incident(id="C", start=t(4, 0), end=t(4, 9), error_rate=Decimal("0.01")),
    ]
    d = compute_credit(s, incidents, period=MARCH, fee=FEE)
    assert d.downtime == timedelta(hours=2)
    assert dict(d.excluded) == {
        "below_error_rate": timedelta(hours=9),
        "service_not_covered": timedelta(hours=9),
    }


def test_missing_error_rate_is_an_error_when_the_schedule_needs_it() -> None:
    """A threshold schedule refuses an incident without the figure, naming the incident."""
    s = seed(claim=None, min_error_rate=Decimal("0.05"))
    with pytest.raises(CreditError, match="give the incident's error_rate") as info:
        compute_credit(s, [inc("A", t(2, 0), t(2, 2))], period=MARCH, fee=FEE)
    assert info.value.path == ("incidents", 0, "error_rate")


def test_bad_input_is_refused_clearly() -> None:
    """Naive datetimes, end before start and duplicate ids are refused."""
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        Incident(id="A", start=datetime(2026, 3, 2), end=t(2, 1))
    with pytest.raises(CreditError, match="before start") as info:
        inc("A", t(2, 2), t(2, 1))
    assert info.value.path == ("end",)
    with pytest.raises(CreditError, match="used twice"):
        compute_credit(
            seed(), [inc("A", t(2, 0), t(2, 1)), inc("A", t(3, 0), t(3, 1))], period=MARCH, fee=FEE
        )
    with pytest.raises(NaiveDatetimeError):
        compute_credit(seed(), [], period=MARCH, fee=FEE, claim_filed_at=datetime(2026, 3, 2))


def test_hourly_rule_needs_an_hourly_fee() -> None:
    """lost_time at an hourly rate with a monthly fee is refused with the fix."""
    s = CreditSchedule(rule=LostTime(rate="hourly"), basis="period")
    with pytest.raises(CreditError, match="needs an hourly fee"):
        compute_credit(s, [inc("A", t(2, 0), t(2, 2))], period=MARCH, fee=FEE)


def test_json_is_byte_identical_and_amounts_are_strings() -> None:
    """The same input gives the same bytes; a schedule read from plain data gives the same."""
    incidents = [inc("B", t(2, 12), t(2, 15)), inc("A", t(2, 10), t(2, 13))]
    one = compute_credit(seed(), incidents, period=MARCH, fee=FEE, claim_filed_at=t(10))
    two = compute_credit(
        CreditSchedule.from_mapping(seed().to_mapping()),
        list(incidents),
        period=MARCH,
        fee=FEE,
        claim_filed_at=t(10),
    )
    assert one.to_json() == two.to_json()
    data = json.loads(one.to_json())
    assert data["amount"] == "500.00" and data["currency"] == "USD"
    assert data["uptime_share"] == "739/744"


def test_policy_object_with_a_credit_schedule_is_accepted() -> None:
    """compute_credit takes a policy exposing .credit_schedule as well as a schedule."""

    class Policy:
        credit_schedule = seed(claim=None)

    d = compute_credit(Policy(), [inc("A", t(2, 10), t(2, 15))], period=MARCH, fee=FEE)
    assert d.amount == Decimal("500.00")
    with pytest.raises(CreditError, match="expected a CreditSchedule"):
        compute_credit(object(), [], period=MARCH, fee=FEE)


def test_fee_must_be_a_fee_value() -> None:
    """A bare Decimal or a float for the fee is refused with how to build a Fee."""
    with pytest.raises(CreditError, match=r"expected a Fee"):
        compute_credit(seed(), [], period=MARCH, fee=Decimal("10"))  # type: ignore[arg-type]
    with pytest.raises(CreditError, match=r"expected a Fee"):
        compute_credit(seed(), [], period=MARCH, fee={"amount": "10"})  # type: ignore[arg-type]


def test_bulk_path_refuses_schedules_it_cannot_apply() -> None:
    """amount_us refuses a schedule that filters on services, pointing to decide()."""
    run = CreditRun(seed(claim=None, services=frozenset({"api"})), period=MARCH)
    with pytest.raises(CreditError, match="use decide"):
        run.amount_us([], fee=FEE)
