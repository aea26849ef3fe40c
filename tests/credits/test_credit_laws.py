"""The credit laws of issue 4, as named property tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine._time import from_us
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
from strategies import credit_fee_amounts, credit_spans

MARCH = BillingPeriod.month(2026, 3)
H = 3_600_000_000
MAINTENANCE = [
    MaintenanceWindow(
        id="M",
        start=from_us(MARCH.start_us + 100 * H),
        end=from_us(MARCH.start_us + 104 * H),
        announced_at=from_us(MARCH.start_us),
    )
]

MONOTONE_SCHEDULES = [
    CreditSchedule(
        rule=DowntimeBands(
            bands=(
                Band.parse("[1h, 4h)", "10%"),
                Band.parse("[4h, 12h)", "25%"),
                Band.parse("[12h, inf)", "50%"),
            )
        ),
        basis="period",
        whole=timedelta(minutes=1),
        minimum_payout=MinimumPayout(amount=Decimal(1)),
    ),
    CreditSchedule(
        rule=UptimeBands(
            bands=(
                Band.parse("[0%, 95%)", "100%"),
                Band.parse("[95%, 99%)", "25%"),
                Band.parse("[99%, 99.95%)", "10%"),
            )
        ),
        basis="period",
        cap_per_period=Cap(percent=Decimal(30)),
    ),
    CreditSchedule(
        rule=LostTime(rate="prorated", multiple=Decimal(10)),
        basis="period",
        cap_per_period=Cap(days_of_service=Decimal(5)),
        minimum_downtime=timedelta(minutes=10),
    ),
    CreditSchedule(
        rule=HourlyStep(
            allowance=timedelta(hours=2), percent_per_step=Decimal(3), max_percent=Decimal(40)
        ),
        basis="period",
    ),
    CreditSchedule(
        rule=FlatStep(threshold=timedelta(hours=3), inclusive=True, percent=Decimal(15)),
        basis="period",
    ),
    CreditSchedule(
        rule=LostTime(rate="prorated"),
        basis="incident",
        cap_per_incident=Cap(amount=Decimal("50.00")),
        cap_per_period=Cap(amount=Decimal("120.00")),
    ),
]
schedules = st.sampled_from(MONOTONE_SCHEDULES)
fees = credit_fee_amounts.map(lambda a: Fee(amount=a, currency="USD"))
EXCLUDED = ("third_party", "customer_misconfiguration", "force_majeure", "beta")


def _run(schedule: CreditSchedule) -> CreditRun:
    return CreditRun(schedule, period=MARCH, maintenance=MAINTENANCE)


def _incidents(spans: list[tuple[int, int, str]]) -> list[Incident]:
    return [
        Incident(id=f"I{k}", start=from_us(s), end=from_us(e), cause=c)
        for k, (s, e, c) in enumerate(spans)
    ]


@settings(max_examples=150)
@given(schedules, credit_spans(), credit_spans(max_incidents=3), fees)
def test_law_credit_never_decreases_as_covered_downtime_grows(
    schedule: CreditSchedule, spans: list, extra: list, fee: Fee
) -> None:
    """Law: adding covered downtime never lowers the credit (monotone schedules)."""
    if schedule.basis == "incident":  # merging stretches can lower per-incident band credits
        assert schedule.rule.monotone
    run = _run(schedule)
    assert run.amount_us(spans, fee=fee) <= run.amount_us(spans + extra, fee=fee)


@settings(max_examples=150)
@given(schedules, credit_spans(max_incidents=8), fees)
def test_law_credit_never_exceeds_the_cap(schedule: CreditSchedule, spans: list, fee: Fee) -> None:
    """Law: the credit is never above the period cap (and per-incident caps times stretches)."""
    run = _run(schedule)
    amount = run.amount_us(spans, fee=fee)
    if schedule.cap_per_period is not None:
        limit = schedule.cap_per_period.limit(run._period_fee(fee), MARCH.days)
        assert amount <= Decimal(limit.numerator) / Decimal(limit.denominator) + Decimal("0.005")
    assert amount <= fee.amount * 10  # no rule here pays more than ten fees


@settings(max_examples=150)
@given(schedules, credit_spans(), credit_spans(causes=EXCLUDED), fees)
def test_law_excluded_time_never_changes_the_credit(
    schedule: CreditSchedule, spans: list, excluded: list, fee: Fee
) -> None:
    """Law: adding incidents with excluded causes changes neither amount nor counted downtime."""
    run = _run(schedule)
    assert run.amount_us(spans, fee=fee) == run.amount_us(spans + excluded, fee=fee)
    before = run.decide(_incidents(spans), fee=fee)
    after = run.decide(_incidents(spans + excluded), fee=fee)
    assert (before.amount, before.downtime) == (after.amount, after.downtime)


@settings(max_examples=150)
@given(schedules, credit_spans(), st.data(), fees)
def test_law_splitting_into_touching_pieces_or_reordering_changes_nothing(
    schedule: CreditSchedule, spans: list, data: st.DataObject, fee: Fee
) -> None:
    """Law: splitting an incident where it touches itself, or reordering, keeps the credit."""
    run = _run(schedule)
    expected = run.amount_us(spans, fee=fee)
    pieces = []
    for s, e, c in spans:
        cut = data.draw(st.integers(s, e))
        pieces += [(s, cut, c), (cut, e, c)]
    shuffled = data.draw(st.permutations(pieces))
    assert run.amount_us(shuffled, fee=fee) == expected
    assert run.decide(_incidents(list(shuffled)), fee=fee).amount == expected


@settings(max_examples=100)
@given(schedules, credit_spans(spill=False), credit_spans(), fees)
def test_law_a_periods_credit_depends_only_on_that_period(
    schedule: CreditSchedule, inside: list, other: list, fee: Fee
) -> None:
    """Law: incidents outside the period, and the outside parts of spanning ones, change nothing."""
    run = _run(schedule)
    p0, p1 = MARCH.start_us, MARCH.end_us
    clipped = [(max(s, p0), min(e, p1), c) for s, e, c in other if min(e, p1) > max(s, p0)]
    outside = [(s, e, c) for s, e, c in other if e <= p0 or s >= p1]
    assert run.amount_us(inside + other, fee=fee) == run.amount_us(inside + clipped, fee=fee)
    assert run.amount_us(inside + outside, fee=fee) == run.amount_us(inside, fee=fee)


@settings(max_examples=100)
@given(
    schedules,
    credit_spans(causes=("covered", "third_party", "scheduled_maintenance")),
    fees,
    st.booleans(),
)
def test_law_fast_path_equals_full_decision(
    schedule: CreditSchedule, spans: list, fee: Fee, with_claim: bool
) -> None:
    """Law: CreditRun.amount_us gives exactly compute_credit(...).amount."""
    filed = MARCH.end_us + 20 * 24 * H
    if with_claim:
        schedule = CreditSchedule.from_mapping(
            {
                **schedule.to_mapping(),
                "claim": ClaimWindow(anchor="incident_end", days=30).to_mapping(),
            }
        )
    run = _run(schedule)
    full = compute_credit(
        schedule,
        _incidents(spans),
        period=MARCH,
        fee=fee,
        claim_filed_at=from_us(filed),
        maintenance=MAINTENANCE,
    )
    assert run.amount_us(spans, fee=fee, claim_filed_us=filed) == full.amount


@settings(max_examples=60)
@given(schedules, credit_spans(causes=("covered", "third_party")), fees)
def test_law_every_incident_microsecond_is_accounted_for(
    schedule: CreditSchedule, spans: list, fee: Fee
) -> None:
    """Law: each incident's counted time plus its excluded time is its whole length, and the
    counted times add up to the period's downtime."""
    d = _run(schedule).decide(_incidents(spans), fee=fee)
    for line in d.incidents:
        assert (
            line.counted + sum((v for _, v in line.excluded), timedelta(0)) == line.end - line.start
        )
    assert sum((line.counted for line in d.incidents), timedelta(0)) == d.downtime
