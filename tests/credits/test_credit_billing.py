"""The billing run: every customer of a period at once, equal to one compute_credit each."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine._time import from_us
from sla_engine.calendar import BusinessCalendar
from sla_engine.credits import (
    Band,
    BillingCycle,
    BillingPeriod,
    Cap,
    ClaimWindow,
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
    billing_run,
    compute_credit,
)
from sla_engine.errors import CreditError
from strategies import credit_spans

MARCH = BillingPeriod.month(2026, 3)
H = 3_600_000_000
SEED = DowntimeBands(
    bands=(
        Band.parse("[1h, 4h)", "10%"),
        Band.parse("[4h, 12h)", "25%"),
        Band.parse("[12h, inf)", "50%"),
    )
)
MAINTENANCE = [
    MaintenanceWindow(
        id="M",
        start=from_us(MARCH.start_us + 100 * H),
        end=from_us(MARCH.start_us + 104 * H),
        announced_at=from_us(MARCH.start_us),
    )
]
SCHEDULES = [
    CreditSchedule(
        rule=SEED,
        basis="period",
        whole=timedelta(minutes=1),
        minimum_payout=MinimumPayout(amount=Decimal(1)),
        claim=ClaimWindow(anchor="period_end", days=30),
    ),
    CreditSchedule(
        rule=UptimeBands(
            bands=(
                Band.parse("[0%, 95%)", "100%"),
                Band.parse("[95%, 99%]", "25%"),
                Band.parse("(99%, 99.9%]", "10%"),
            )
        ),
        basis="period",
        claim=ClaimWindow(anchor="incident_end", days=30),
        cap_per_period=Cap(percent=Decimal(50)),
        commitment=Decimal("99.5"),
    ),
    CreditSchedule(
        rule=FlatStep(threshold=timedelta(hours=2), inclusive=False, percent=Decimal(15)),
        basis="period",
        minimum_downtime=timedelta(minutes=5),
        strict=frozenset({"minimum_downtime"}),
        claim=ClaimWindow(anchor="incident_end", cycles=1),
    ),
    CreditSchedule(
        rule=HourlyStep(
            allowance=timedelta(hours=1), percent_per_step=Decimal(5), max_percent=Decimal(30)
        ),
        basis="period",
        exclusions=frozenset({"third_party"}),
    ),
    CreditSchedule(
        rule=LostTime(rate="prorated", multiple=Decimal(10)),
        basis="period",
        cap_per_period=Cap(days_of_service=Decimal(3)),
        rounding="half_up",
    ),
    CreditSchedule(
        rule=DowntimeBands(
            bands=(Band.parse("[30m, 2h)", "5%"), Band.parse("(3h, inf)", "20%")), gaps=True
        ),
        basis="period",
        planned_downtime="out_of_period",
        maintenance_notice=None,
    ),
    CreditSchedule(rule=SEED, basis="incident", claim=ClaimWindow(anchor="period_end", days=5)),
    CreditSchedule(
        rule=HourlyStep(allowance=Decimal("0.5"), percent_per_step=Decimal(5)),
        basis="period",
        minutes="touched",
    ),
    CreditSchedule(rule=SEED, basis="period", claim=ClaimWindow(anchor="incident_start", cycles=1)),
    CreditSchedule(rule=SEED, basis="period", claim=ClaimWindow(anchor="incident_end", months=1)),
    CreditSchedule(rule=SEED, basis="period", claim=ClaimWindow(anchor="incident_start", days=3)),
]
FEES = [
    Fee(amount=Decimal("49.00"), currency="USD", per="month"),
    Fee(amount=Decimal("2000.00"), currency="USD", per="month"),
    Fee(amount=Decimal("10000"), currency="JPY", per="period"),
    Fee(amount=Decimal("0.00"), currency="USD", per="month"),
]
CAUSES = ("covered", "covered", "third_party", "scheduled_maintenance")
_MARCH_H = 744
BOUND_LENGTHS = st.one_of(
    st.sampled_from(
        [
            m * 60_000_000
            for m in (5, 30, 60, 120, 180, 240, 720)  # the schedules' duration bounds
        ]
        + [
            # uptime 95 %, 99 %, 99.5 %, 99.9 % of March (and of March less 4 h)
            _MARCH_H * H // per + delta
            for per in (20, 100, 200, 1000)
            for delta in (-1, 0, 1)
        ]
        + [(_MARCH_H - 4) * H // per for per in (20, 100, 200, 1000)]
    ),
    st.integers(0, 20 * H),
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    n = draw(st.integers(0, 6))
    customers: list[dict[str, object]] = []
    incidents: list[dict[str, object]] = []
    for k in range(n):
        fee = draw(st.sampled_from(FEES))
        filed = draw(
            st.one_of(
                st.none(),
                st.integers(MARCH.start_us, MARCH.end_us + 70 * 24 * H).map(from_us),
            )
        )
        customers.append(
            {
                "customer": f"c{k}",
                "fee": fee.amount,
                "currency": fee.currency,
                "fee_per": fee.per,
                "claim_filed_at": filed,
            }
        )
        if draw(st.booleans()):  # exactly one covered incident of a bound's length
            s = MARCH.start_us + draw(st.integers(0, 20 * 48)) * H // 2
            e = s + draw(BOUND_LENGTHS)
            incidents.append(
                {"customer": f"c{k}", "start": from_us(s), "end": from_us(e), "cause": "covered"}
            )
            continue
        spans = draw(credit_spans(max_incidents=4, causes=CAUSES))
        for _ in range(draw(st.integers(0, 3))):  # on a grid, at the rules' bounds: touching
            s = MARCH.start_us + draw(st.integers(-4, 31 * 48)) * H // 2
            e = s + draw(BOUND_LENGTHS)
            spans.append((s, e, draw(st.sampled_from(CAUSES))))
            if draw(st.booleans()):  # one that starts where it ends
                spans.append((e, e + draw(BOUND_LENGTHS), draw(st.sampled_from(CAUSES))))
        for s, e, cause in spans:
            incidents.append(
                {"customer": f"c{k}", "start": from_us(s), "end": from_us(e), "cause": cause}
            )
    draw(st.randoms()).shuffle(incidents)
    return customers, incidents


def one_by_one(
    schedule: CreditSchedule,
    customers: list[dict[str, object]],
    incidents: list[dict[str, object]],
    **kw: object,
) -> list[object]:
    out = []
    for c in customers:
        mine = [
            Incident(
                id=f"{c['customer']}#{k + 1}", start=i["start"], end=i["end"], cause=i["cause"]
            )  # type: ignore[arg-type]
            for k, i in enumerate(x for x in incidents if x["customer"] == c["customer"])
        ]
        fee = Fee(amount=c["fee"], currency=c["currency"], per=c["fee_per"])  # type: ignore[arg-type]
        out.append(
            compute_credit(
                schedule,
                mine,
                period=MARCH,
                fee=fee,
                claim_filed_at=c["claim_filed_at"],
                **kw,  # type: ignore[arg-type]
            )
        )
    return out


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(range(len(SCHEDULES))), tables(), st.booleans(), st.booleans())
def test_law_billing_run_equals_one_compute_credit_per_customer(
    which: int,
    data: tuple[list[dict[str, object]], list[dict[str, object]]],
    with_maintenance: bool,
    office_hours: bool,
) -> None:
    """Every row of the billing run equals compute_credit for that customer alone, on the bulk
    path and on the decided path."""
    schedule = SCHEDULES[which]
    customers, incidents = data
    kw: dict[str, object] = {}
    if with_maintenance:
        kw["maintenance"] = MAINTENANCE
    if office_hours:
        kw["service_calendar"] = BusinessCalendar(
            timezone="Europe/Berlin", hours={"mon-fri": ["08:00-18:00"]}
        )
    expected = one_by_one(schedule, customers, incidents, **kw)
    for trace in (False, True):
        table = billing_run(
            schedule,
            customers=customers,
            incidents=incidents,
            period=MARCH,
            trace=trace,
            **kw,  # type: ignore[arg-type]
        )
        assert len(table) == len(customers)
        for row, d in zip(table.rows(), expected, strict=True):
            assert row.amount == d.amount  # type: ignore[attr-defined]
            assert row.currency == d.currency  # type: ignore[attr-defined]
            assert row.downtime == d.downtime  # type: ignore[attr-defined]
            assert row.excluded == sum((v for _, v in d.excluded), timedelta(0))  # type: ignore[attr-defined]
            assert row.uptime_share == d.uptime_share  # type: ignore[attr-defined]
            assert (row.band, row.percent) == (d.band, d.percent)  # type: ignore[attr-defined]
            assert row.claim_accepted == d.claim_accepted  # type: ignore[attr-defined]
            assert (row.trace is not None) is trace
            if trace:
                assert row.trace == d.trace  # type: ignore[attr-defined]


def test_bulk_path_is_taken_for_the_seed_schedule() -> None:
    """The seed's schedule is credited on columns (when numpy is there)."""
    from sla_engine.credits import CreditRun

    assert CreditRun(SCHEDULES[0], period=MARCH).bulk_ready()
    assert not CreditRun(SCHEDULES[6], period=MARCH).bulk_ready()  # per incident


CUSTOMERS_CSV = """\
customer,plan,fee,currency,fee_per,claim_filed_at
acme,enterprise,2000.00,USD,month,2026-04-10T09:00:00Z
globex,standard,49.00,USD,month,
initech,standard,49.00,USD,month,2026-05-20T00:00:00Z
"""
INCIDENTS_CSV = """\
customer,id,start,end,cause
acme,A1,2026-03-02T10:00:00Z,2026-03-02T15:00:00Z,covered
acme,A2,2026-03-09T08:00:00Z,2026-03-09T12:00:00Z,third_party
initech,I1,2026-03-20T00:00:00Z,2026-03-20T01:30:00Z,covered
"""


def test_billing_run_from_csv_text() -> None:
    """CSV rows (all text) credit as typed rows do; customers without incidents get a row."""
    table = billing_run(
        SCHEDULES[0],
        customers=csv.DictReader(io.StringIO(CUSTOMERS_CSV)),
        incidents=csv.DictReader(io.StringIO(INCIDENTS_CSV)),
        period=MARCH,
    )
    rows = {r.customer: r for r in table.rows()}
    assert rows["acme"].amount == Decimal("500.00") and rows["acme"].band == "[4h, 12h)"
    assert rows["acme"].excluded == timedelta(hours=4)
    assert rows["acme"].plan == "enterprise" and rows["acme"].claim == "filed in time"
    assert rows["globex"].amount == Decimal("0.00") and rows["globex"].claim == "no claim filed"
    assert rows["initech"].amount == Decimal("0.00")
    assert rows["initech"].claim == "filed after the deadline"
    assert table.totals() == {"USD": Decimal("500.00")}
    out = io.StringIO()
    table.write_csv(out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "customer,plan,period,downtime,excluded,uptime,band,percent,amount,currency,"
        "claim_accepted,claim"
    )
    assert lines[1] == (
        'acme,enterprise,2026-03 (UTC),5h,4h,99.327957,"[4h, 12h)",25,500.00,USD,true,filed in time'
    )


def test_billing_run_refuses_incidents_of_unknown_customers() -> None:
    """An incident row naming no customer of the table is an error naming it and its row."""
    with pytest.raises(CreditError, match="no such customer") as exc:
        billing_run(
            SCHEDULES[0],
            customers=[{"customer": "acme", "fee": "10", "currency": "USD"}],
            incidents=[
                {
                    "customer": "acme",
                    "start": "2026-03-02T10:00:00Z",
                    "end": "2026-03-02T11:00:00Z",
                },
                {
                    "customer": "nobody",
                    "start": "2026-03-02T10:00:00Z",
                    "end": "2026-03-02T11:00:00Z",
                },
            ],
            period=MARCH,
        )
    assert exc.value.path == ("incidents", 1, "customer")


def test_billing_run_refuses_a_customer_twice_and_an_undeclared_cause() -> None:
    """A customer listed twice, or an incident with an undeclared cause, is refused."""
    with pytest.raises(CreditError, match="listed twice"):
        billing_run(
            SCHEDULES[0],
            customers=[{"customer": "a", "fee": "1", "currency": "USD"}] * 2,
            incidents=[],
            period=MARCH,
        )
    with pytest.raises(CreditError, match="cause 'quota' is not declared"):
        billing_run(
            SCHEDULES[0],
            customers=[{"customer": "a", "fee": "1", "currency": "USD"}],
            incidents=[
                {
                    "customer": "a",
                    "start": "2026-03-02T10:00:00Z",
                    "end": "2026-03-02T11:00:00Z",
                    "cause": "quota",
                }
            ],
            period=MARCH,
        )


def test_billing_run_on_a_policy_checks_currency_and_cycle(tmp_path: object) -> None:
    """A policy's currency is the default and a period of another cycle is refused."""
    from pathlib import Path

    from sla_engine import load_policy

    path = Path(str(tmp_path)) / "p.yaml"
    path.write_text(
        "format_version: 1\nname: p\nversion: '1'\neffective_from: 2026-01-01\ncurrency: EUR\n"
        "credits:\n  basis: period\n  fee_basis: month\n  rule:\n    kind: flat_step\n"
        "    threshold: 1h\n    inclusive: true\n    credit: 10%\n"
        "  billing: {every: quarter, timezone: UTC}\n",
        encoding="utf-8",
    )
    policy = load_policy(path)
    q1 = BillingPeriod.parse("2026-Q1", cycle=BillingCycle(months=3, anchor=date(2000, 1, 1)))
    table = billing_run(
        policy,
        customers=[{"customer": "a", "fee": "100.00"}],
        incidents=[
            {"customer": "a", "start": "2026-02-01T00:00:00Z", "end": "2026-02-01T01:00:00Z"}
        ],
        period=q1,
    )
    assert table.row(0).amount == Decimal("30.00") and table.row(0).currency == "EUR"
    with pytest.raises(CreditError, match="the policy bills quarterly"):
        billing_run(policy, customers=[], incidents=[], period=MARCH)
    when = datetime(2026, 2, 1, tzinfo=UTC)
    assert when in (MARCH.start, when)


def _bound_downtimes(schedule: CreditSchedule, period_us: int) -> list[int]:
    """Downtimes at, just under and just over every bound of the schedule's rule."""
    from fractions import Fraction
    from math import ceil, floor

    rule = schedule.rule
    xs: list[Fraction] = []
    for band in getattr(rule, "bands", ()):
        for bound in (band.lower, band.upper):
            if isinstance(bound, timedelta):
                xs.append(Fraction(bound // timedelta(microseconds=1)))
            elif bound is not None:
                xs.append(period_us - Fraction(bound) * period_us / 100)
    for name in ("threshold", "allowance", "step"):
        value = getattr(rule, name, None)
        if isinstance(value, timedelta):
            xs += [Fraction(k * (value // timedelta(microseconds=1))) for k in range(1, 4)]
    if schedule.commitment is not None:
        xs.append(period_us - Fraction(schedule.commitment) * period_us / 100)
    out = {0, 1}
    for x in xs:
        for base in (floor(x), ceil(x)):
            out.update(base + d for d in (-1, 0, 1) if 0 <= base + d <= 20 * 24 * H)
    return sorted(out)


@pytest.mark.parametrize("which", range(len(SCHEDULES)), ids=lambda k: f"schedule-{k}")
def test_billing_run_at_every_bound_of_the_rule(which: int) -> None:
    """Many customers with one fee, each down exactly at, under or over a bound of the rule:
    every row equals compute_credit (customers that share a fee share settled amounts)."""
    from dataclasses import replace

    schedule = replace(SCHEDULES[which], claim=None)
    fee = FEES[1]
    lengths = _bound_downtimes(schedule, MARCH.end_us - MARCH.start_us)
    start = MARCH.start_us + 24 * H
    customers = [
        {"customer": f"c{k}", "fee": fee.amount, "currency": fee.currency, "fee_per": fee.per}
        for k in range(len(lengths))
    ]
    incidents = [
        {"customer": f"c{k}", "start": from_us(start), "end": from_us(start + d)}
        for k, d in enumerate(lengths)
    ]
    table = billing_run(schedule, customers=customers, incidents=incidents, period=MARCH)
    for k, (row, d) in enumerate(zip(table.rows(), lengths, strict=True)):
        one = [Incident(id="x", start=from_us(start), end=from_us(start + d))]
        expected = compute_credit(schedule, one, period=MARCH, fee=fee)
        assert (row.amount, row.band, row.percent, row.downtime) == (
            expected.amount,
            expected.band,
            expected.percent,
            expected.downtime,
        ), (k, d)


def test_bulk_in_slices_when_keys_would_overflow() -> None:
    """A century-long period over 3,000 customers is credited in slices of customers (the
    merge keys would overflow 64 bits at once) with the same answers."""
    from sla_engine.credits import CreditRun

    century = BillingCycle(months=1200, anchor=date(2000, 1, 1)).period(0)
    run = CreditRun(SCHEDULES[3], period=century)
    n = 3000
    assert (century.end_us - century.start_us + 1) * n > 2**63  # slicing is needed
    base = century.start_us + 10 * 24 * H
    starts = [base + k * H for k in range(n)]
    ends = [s + (k % 7) * H for k, s in enumerate(starts)]
    result = run.bulk(
        customer=list(range(n)),
        start_us=starts,
        end_us=ends,
        cause=[0] * n,
        cause_names=["covered"],
        customers=n,
        fee_index=[0] * n,
        fees=[FEES[1]],
        claim_filed_us=[None] * n,
    )
    for k in (0, 1, 2899, 2900, 2999):
        one = [Incident(id="x", start=from_us(starts[k]), end=from_us(ends[k]))]
        d = compute_credit(SCHEDULES[3], one, period=century, fee=FEES[1])
        assert (result.amount[k], result.downtime_us[k]) == (d.amount, (k % 7) * H)
