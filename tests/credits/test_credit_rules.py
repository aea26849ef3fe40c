"""Rule kinds real SLAs use: named edge cases at each bound, and the weighting laws."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings

from sla_engine.credits import (
    Band,
    BillingPeriod,
    CreditSchedule,
    DowntimeBands,
    Fee,
    HourlyStep,
    Incident,
    LostTime,
    MaintenanceWindow,
    UptimeBands,
    compute_credit,
)
from sla_engine.errors import CreditError
from strategies import credit_rated_incidents

MARCH = BillingPeriod.month(2026, 3)
FEE = Fee(amount=Decimal("1000.00"), currency="USD", per="month")
US = timedelta(microseconds=1)


def t(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def inc(ident: str, start: datetime, end: datetime, **kw: object) -> Incident:
    return Incident(id=ident, start=start, end=end, **kw)  # type: ignore[arg-type]


SEED = DowntimeBands(
    bands=(
        Band.parse("[1h, 4h)", "10%"),
        Band.parse("[4h, 12h)", "25%"),
        Band.parse("[12h, inf)", "50%"),
    )
)


def schedule(**kw: object) -> CreditSchedule:
    base: dict[str, object] = {"rule": SEED, "basis": "period"}
    base.update(kw)
    return CreditSchedule(**base)  # type: ignore[arg-type]


def credit(s: CreditSchedule, incidents: list[Incident], **kw: object):  # type: ignore[no-untyped-def]
    return compute_credit(s, incidents, period=MARCH, fee=FEE, **kw)  # type: ignore[arg-type]


def roundtrip(s: CreditSchedule) -> CreditSchedule:
    back = CreditSchedule.from_mapping(s.to_mapping())
    assert back == s
    return back


# -- strict thresholds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "strict", "counted"),
    [
        ("0.0499", False, False),
        ("0.05", False, True),
        ("0.05", True, False),
        ("0.0501", True, True),
    ],
    ids=["below-inclusive", "at-bound-inclusive", "at-bound-strict", "above-strict"],
)
def test_error_rate_greater_than_5_percent(rate: str, strict: bool, counted: bool) -> None:
    """'Error rate greater than 5 %': with strict the bound itself is not an outage."""
    s = roundtrip(
        schedule(
            min_error_rate=Decimal("0.05"),
            strict=frozenset({"min_error_rate"}) if strict else frozenset(),
        )
    )
    d = credit(s, [inc("A", t(2, 10), t(2, 12), error_rate=Decimal(rate))])
    assert (d.downtime == timedelta(hours=2)) is counted
    assert (d.amount == Decimal("100.00")) is counted
    if not counted:
        assert dict(d.excluded) == {"below_error_rate": timedelta(hours=2)}


@pytest.mark.parametrize(
    ("share", "counted"), [("0.1", False), ("0.1001", True)], ids=["at-bound", "above"]
)
def test_affected_share_strict(share: str, counted: bool) -> None:
    """'More than 10 % of users affected' excludes exactly 10 %."""
    s = schedule(min_affected_share=Decimal("0.1"), strict=frozenset({"min_affected_share"}))
    d = credit(s, [inc("A", t(2, 10), t(2, 12), affected_share=Decimal(share))])
    assert (d.downtime > timedelta(0)) is counted


@pytest.mark.parametrize(
    ("length", "strict", "counted"),
    [
        (timedelta(minutes=3) - US, False, False),
        (timedelta(minutes=3), False, True),
        (timedelta(minutes=3), True, False),
        (timedelta(minutes=3) + US, True, True),
    ],
    ids=["under-inclusive", "exactly-inclusive", "exactly-strict", "over-strict"],
)
def test_more_than_three_consecutive_minutes(
    length: timedelta, strict: bool, counted: bool
) -> None:
    """'More than 3 consecutive minutes': strict drops a stretch of exactly 3 minutes."""
    s = schedule(
        rule=LostTime(rate="prorated"),
        minimum_downtime=timedelta(minutes=3),
        strict=frozenset({"minimum_downtime"}) if strict else frozenset(),
    )
    d = credit(s, [inc("A", t(2, 10), t(2, 10) + length)])
    assert (d.downtime == length) is counted
    if not counted:
        assert d.downtime == timedelta(0) and d.amount == Decimal("0.00")


def test_strict_names_only_known_thresholds() -> None:
    """strict lists thresholds by name; another name is refused."""
    with pytest.raises(CreditError, match="strict: expected a frozenset of some of"):
        schedule(strict=frozenset({"max_error_rate"}))


# -- weighted downtime ------------------------------------------------------------------------


def test_weighted_by_error_rate_counts_half_an_outage_at_fifty_percent() -> None:
    """Two hours at a 50 % error rate count one hour; the rest is a partial outage."""
    s = roundtrip(schedule(weight="error_rate"))
    d = credit(s, [inc("A", t(2, 10), t(2, 12), error_rate=Decimal("0.5"))])
    assert d.downtime == timedelta(hours=1) and d.amount == Decimal("100.00")
    assert dict(d.incidents[0].excluded) == {"partial_outage": timedelta(hours=1)}


def test_weighted_overlap_counts_the_highest_rate() -> None:
    """Where incidents overlap, the highest rate there counts, once."""
    s = schedule(weight="affected_share", rule=LostTime(rate="prorated"))
    d = credit(
        s,
        [
            inc("A", t(2, 10), t(2, 12), affected_share=Decimal("0.2")),
            inc("B", t(2, 11), t(2, 13), affected_share=Decimal("0.8")),
        ],
    )
    # A alone 10:00-11:00 at 20 % (12 min), B 11:00-13:00 at 80 % (96 min)
    assert d.downtime == timedelta(minutes=108)
    lines = {line.id: line for line in d.incidents}
    assert lines["A"].counted == timedelta(minutes=12)
    assert dict(lines["A"].excluded)["overlap"] == timedelta(hours=1)
    assert lines["B"].counted == timedelta(minutes=96)


def test_uptime_is_100_percent_minus_mean_error_rate_of_5_minute_intervals() -> None:
    """Uptime bands on error-rate-weighted downtime: 100 % minus the mean error rate over the
    month's 5-minute intervals."""
    rates = [Decimal("0.5"), Decimal("0.25"), Decimal("1"), Decimal("0.1")] * 30
    start = t(4, 8)
    intervals = [
        inc(
            f"i{k}",
            start + k * timedelta(minutes=5),
            start + (k + 1) * timedelta(minutes=5),
            error_rate=rate,
        )
        for k, rate in enumerate(rates)
    ]
    s = schedule(
        weight="error_rate",
        rule=UptimeBands(
            bands=(Band.parse("[0%, 99%)", "25%"), Band.parse("[99%, 99.95%)", "10%"))
        ),
    )
    d = credit(s, intervals)
    slots = 31 * 24 * 12
    mean = Fraction(sum(rates, Decimal(0))) / slots
    assert d.uptime_share == 1 - mean
    assert d.percent == Decimal("10")


def test_weighting_needs_the_rate() -> None:
    """A weighted schedule refuses an incident without the rate, naming it."""
    with pytest.raises(
        CreditError, match=r"incidents\[0\] \('A'\).*weights downtime by error_rate"
    ):
        credit(schedule(weight="error_rate"), [inc("A", t(2, 10), t(2, 12))])


@settings(max_examples=60, deadline=None)
@given(credit_rated_incidents(rate=Decimal(1)))
def test_law_weighted_at_rate_one_equals_unweighted(incidents: list[Incident]) -> None:
    """Downtime weighted at rate 1 is exactly the unweighted downtime, and so is the credit."""
    for weight in ("error_rate", "affected_share"):
        plain = credit(schedule(rule=LostTime(rate="prorated")), incidents)
        weighted = credit(schedule(rule=LostTime(rate="prorated"), weight=weight), incidents)
        assert weighted.downtime == plain.downtime
        assert weighted.amount == plain.amount


@settings(max_examples=80, deadline=None)
@given(credit_rated_incidents())
def test_law_weighting_never_adds_downtime(incidents: list[Incident]) -> None:
    """Weighted downtime is never more than unweighted downtime, for each incident too."""
    plain = credit(schedule(rule=LostTime(rate="prorated")), incidents)
    for weight in ("error_rate", "affected_share"):
        weighted = credit(schedule(rule=LostTime(rate="prorated"), weight=weight), incidents)
        assert weighted.downtime <= plain.downtime
        assert weighted.amount <= plain.amount
        assert sum((line.counted for line in weighted.incidents), timedelta(0)) == (
            weighted.downtime
        )


# -- a credit gated on the commitment ---------------------------------------------------------

# March: 44,640 minutes; 99.9 % of it leaves 44.64 minutes = 44 min 38.4 s of downtime.
AT_COMMITMENT = timedelta(minutes=44, seconds=38, milliseconds=400)


@pytest.mark.parametrize(
    ("downtime", "owed"),
    [(AT_COMMITMENT, False), (AT_COMMITMENT + US, True)],
    ids=["uptime-exactly-at-commitment", "one-microsecond-below"],
)
def test_lost_time_owed_only_below_the_commitment(downtime: timedelta, owed: bool) -> None:
    """Lost-time credit is owed only when uptime is below 99.9 %; exactly 99.9 % owes none."""
    s = roundtrip(
        schedule(rule=LostTime(rate="prorated", multiple=Decimal(10)), commitment=Decimal("99.9"))
    )
    d = credit(s, [inc("A", t(9, 3), t(9, 3) + downtime)])
    assert (d.amount > 0) is owed
    assert any(("no credit owed" in line) is not owed for line in d.trace if "commitment" in line)
    if owed:
        assert d.amount == Decimal("10.00")  # 10 × 1000.00 × 44.64/44640, rounded


# -- gaps between bands -----------------------------------------------------------------------

GAPPED = DowntimeBands(
    bands=(Band.parse("[1h, 4h)", "10%"), Band.parse("[5h, inf)", "25%")), gaps=True
)


@pytest.mark.parametrize(
    ("length", "amount"),
    [
        (timedelta(hours=4) - US, "100.00"),
        (timedelta(hours=4), "0.00"),
        (timedelta(hours=5) - US, "0.00"),
        (timedelta(hours=5), "250.00"),
    ],
    ids=["top-of-first-band", "start-of-gap", "end-of-gap", "start-of-second-band"],
)
def test_gaps_allowed_pay_nothing_in_the_gap(length: timedelta, amount: str) -> None:
    """With gaps: allowed, downtime in the gap earns nothing; each band keeps its bounds."""
    s = roundtrip(schedule(rule=GAPPED))
    assert credit(s, [inc("A", t(2, 0), t(2, 0) + length)]).amount == Decimal(amount)


def test_gaps_are_still_refused_by_default() -> None:
    """Without gaps: allowed, a gap is an error that names the way out."""
    with pytest.raises(CreditError, match=r"leave a gap.*gaps: allowed"):
        DowntimeBands(bands=(Band.parse("[1h, 4h)", "10%"), Band.parse("[5h, inf)", "25%")))
    with pytest.raises(CreditError, match="overlap"):
        DowntimeBands(
            bands=(Band.parse("[1h, 4h)", "10%"), Band.parse("[3h, inf)", "25%")), gaps=True
        )


# -- downtime from the customer's report ------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "counted"),
    [
        (t(2, 9), timedelta(hours=4)),
        (t(2, 10), timedelta(hours=4)),
        (t(2, 11), timedelta(hours=3)),
        (t(2, 14) - US, US),
        (t(2, 14), timedelta(0)),
    ],
    ids=["before-start", "at-start", "an-hour-in", "last-microsecond", "at-end"],
)
def test_downtime_counts_from_the_report(reported: datetime, counted: timedelta) -> None:
    """With count_from=reported_at, downtime before the customer's report does not count."""
    s = roundtrip(schedule(rule=LostTime(rate="prorated"), count_from="reported_at"))
    d = credit(s, [inc("A", t(2, 10), t(2, 14), reported_at=reported)])
    assert d.downtime == counted
    before = timedelta(hours=4) - counted
    assert dict(d.incidents[0].excluded).get("before_report", timedelta(0)) == before


def test_count_from_report_needs_reported_at() -> None:
    """An incident without reported_at is refused when the schedule counts from the report."""
    with pytest.raises(CreditError, match="give the incident's reported_at"):
        credit(schedule(count_from="reported_at"), [inc("A", t(2, 10), t(2, 14))])


# -- allowances as a share of the period ------------------------------------------------------

# 0.5 % of March's 744 h is 3 h 43 min 12 s.
ALLOWANCE = timedelta(hours=3, minutes=43, seconds=12)


@pytest.mark.parametrize(
    ("length", "percent"),
    [
        (ALLOWANCE + timedelta(hours=1) - US, Decimal("0")),
        (ALLOWANCE + timedelta(hours=1), Decimal("5")),
        (ALLOWANCE + timedelta(hours=2), Decimal("10")),
    ],
    ids=["just-under-one-step", "one-step", "two-steps"],
)
def test_allowance_as_a_share_of_the_month(length: timedelta, percent: Decimal) -> None:
    """'5 % per complete hour beyond 0.5 % of the month'."""
    rule = HourlyStep(allowance=Decimal("0.5"), percent_per_step=Decimal(5))
    s = roundtrip(schedule(rule=rule))
    assert credit(s, [inc("A", t(2, 0), t(2, 0) + length)]).percent == percent


# -- minutes on clock boundaries --------------------------------------------------------------


@pytest.mark.parametrize(
    ("spans", "touched", "full"),
    [
        ([((10, 0, 30), (10, 1, 10))], 2, 0),
        ([((10, 0, 0), (10, 2, 0))], 2, 2),
        ([((10, 0, 10), (10, 0, 20)), ((10, 0, 40), (10, 0, 50))], 1, 0),
        ([((10, 0, 30), (10, 1, 30)), ((10, 1, 30), (10, 3, 10))], 4, 2),
        ([((10, 0, 0), (10, 0, 0))], 0, 0),
    ],
    ids=[
        "40s-across-a-boundary",
        "two-whole-minutes",
        "two-blips-in-one-minute",
        "touching-incidents",
        "empty",
    ],
)
def test_minutes_touched_and_full(
    spans: list[tuple[tuple[int, int, int], tuple[int, int, int]]], touched: int, full: int
) -> None:
    """'Any minute touched counts' and 'only fully unavailable minutes', on clock minutes."""
    incidents = [inc(f"I{k}", t(2, *a), t(2, *b)) for k, (a, b) in enumerate(spans)]
    for mode, minutes in (("touched", touched), ("full", full)):
        s = roundtrip(schedule(rule=LostTime(rate="prorated"), minutes=mode))
        assert credit(s, incidents).downtime == timedelta(minutes=minutes), mode


def test_minutes_touched_stay_inside_the_period() -> None:
    """A minute touched at the period's edge is cut at the edge."""
    s = schedule(rule=LostTime(rate="prorated"), minutes="touched")
    edge = datetime(2026, 4, 1, tzinfo=UTC)
    d = credit(s, [inc("A", edge - timedelta(seconds=10), edge + timedelta(seconds=10))])
    assert d.downtime == timedelta(minutes=1)


def test_minutes_and_whole_are_not_both_given() -> None:
    """Two ways of rounding downtime are refused together."""
    with pytest.raises(CreditError, match="minutes and whole"):
        schedule(minutes="full", whole=timedelta(minutes=1))


# -- causes as open vocabulary ----------------------------------------------------------------


def test_declared_cause_is_excluded() -> None:
    """A policy may declare causes (customer software, suspension, quota) and exclude them."""
    s = roundtrip(
        schedule(
            causes=frozenset({"customer_software", "suspension", "quota"}),
            exclusions=frozenset({"quota", "suspension"}),
        )
    )
    d = credit(
        s,
        [
            inc("Q", t(2, 10), t(2, 12), cause="quota"),
            inc("C", t(3, 10), t(3, 12), cause="customer_software"),
        ],
    )
    assert d.downtime == timedelta(hours=2)  # customer_software is declared but not excluded
    assert dict(d.excluded) == {"quota": timedelta(hours=2)}


def test_undeclared_cause_is_refused_naming_it() -> None:
    """An incident whose cause the schedule does not declare is an error, not covered time."""
    with pytest.raises(CreditError, match="cause 'quota' is not declared by the schedule"):
        credit(schedule(), [inc("Q", t(2, 10), t(2, 12), cause="quota")])
    with pytest.raises(CreditError, match="exclusions: 'quota' not known"):
        schedule(exclusions=frozenset({"quota"}))


# -- maintenance ------------------------------------------------------------------------------


def late_window() -> MaintenanceWindow:
    return MaintenanceWindow(
        id="M",
        start=t(5, 2),
        end=t(5, 4),
        announced_at=t(5, 3),  # announced an hour in
    )


def test_maintenance_needs_no_notice_when_the_policy_says_so() -> None:
    """maintenance_notice=None excludes maintenance however late it was announced."""
    outage = [inc("A", t(5, 2), t(5, 4))]
    counted = credit(schedule(), outage, maintenance=[late_window()])
    free = credit(roundtrip(schedule(maintenance_notice=None)), outage, maintenance=[late_window()])
    assert counted.downtime == timedelta(hours=2)
    assert free.downtime == timedelta(0)


# March 744 h less 24 h of maintenance is 720 h; 1 % of it is 7 h 12 min.
def test_planned_downtime_out_of_the_period_is_checked_at_the_band_bound() -> None:
    """Scheduled availability: noticed maintenance leaves the period's length too."""
    bands = UptimeBands(bands=(Band.parse("[0%, 99%)", "25%"), Band.parse("[99%, 99.9%)", "10%")))
    window = MaintenanceWindow(id="M", start=t(20), end=t(21), announced_at=t(1))
    for length, shortened, plain in (
        (timedelta(hours=7, minutes=12), "10", "10"),
        (timedelta(hours=7, minutes=12) + US, "25", "10"),
    ):
        outage = [inc("A", t(3), t(3) + length)]
        out = credit(
            roundtrip(schedule(rule=bands, planned_downtime="out_of_period")),
            outage,
            maintenance=[window],
        )
        kept = credit(schedule(rule=bands), outage, maintenance=[window])
        assert out.period_length == timedelta(hours=720)
        assert kept.period_length == timedelta(hours=744)
        assert out.percent == Decimal(shortened) and kept.percent == Decimal(plain)


# -- several commitments, one per plan --------------------------------------------------------

PLANS = {
    "basis": "period",
    "fee_basis": "month",
    "commitment": "99.95%",
    "rule": {
        "kind": "uptime_bands",
        "bands": [
            {"range": "[0%, 99%)", "credit": "25%"},
            {"range": "[99%, 99.95%)", "credit": "10%"},
        ],
    },
    "plans": {
        "enterprise": {
            "commitment": "99.99%",
            "rule": {
                "kind": "uptime_bands",
                "bands": [
                    {"range": "[0%, 99.9%)", "credit": "30%"},
                    {"range": "[99.9%, 99.99%)", "credit": "10%"},
                ],
            },
        }
    },
}
# March is 44,640 minutes: 99.95 % leaves 22.32 min, 99.99 % leaves 4.464 min of downtime.


@pytest.mark.parametrize(
    ("plan", "seconds", "amount"),
    [
        (None, 1339, "0.00"),  # 22 min 19 s: above 99.95 %
        (None, 1340, "100.00"),  # 22 min 20 s: below it, in [99%, 99.95%)
        ("enterprise", 267, "0.00"),  # 4 min 27 s: above 99.99 %
        ("enterprise", 268, "100.00"),  # 4 min 28 s: below it
        ("enterprise", 2679, "300.00"),  # 44 min 39 s: below 99.9 %
    ],
    ids=[
        "standard-above",
        "standard-below",
        "enterprise-above",
        "enterprise-below",
        "enterprise-below-99.9",
    ],
)
def test_commitment_and_bands_by_plan(plan: str | None, seconds: int, amount: str) -> None:
    """99.95 % with its bands for the standard plan, 99.99 % with others for enterprise."""
    s = roundtrip(CreditSchedule.from_mapping(PLANS))
    outage = [inc("A", t(4, 2), t(4, 2) + timedelta(seconds=seconds))]
    assert credit(s, outage, plan=plan).amount == Decimal(amount)


def test_unknown_plan_is_refused_naming_the_plans() -> None:
    """A plan the schedule does not know is an error that lists the known ones."""
    s = CreditSchedule.from_mapping(PLANS)
    with pytest.raises(
        CreditError, match=r"'gold' is not a plan of this schedule \(plans: enterprise\)"
    ):
        credit(s, [], plan="gold")


def test_billing_run_credits_each_plan_with_its_schedule() -> None:
    """The billing run's plan column picks each customer's schedule; rows equal compute_credit."""
    from sla_engine.credits import billing_run

    s = CreditSchedule.from_mapping(PLANS)
    customers = [
        {"customer": "a", "fee": "1000.00", "currency": "USD"},
        {"customer": "b", "plan": "enterprise", "fee": "1000.00", "currency": "USD"},
        {"customer": "c", "plan": "", "fee": "1000.00", "currency": "USD"},
    ]
    start, end = t(4, 2), t(4, 2) + timedelta(seconds=1000)
    incidents = [{"customer": c["customer"], "start": start, "end": end} for c in customers]
    table = billing_run(s, customers=customers, incidents=incidents, period=MARCH)
    for row in table.rows():
        one = credit(s, [inc("x", start, end)], plan=row.plan)
        assert (row.amount, row.band, row.uptime_share) == (one.amount, one.band, one.uptime_share)
    assert [r.amount for r in table.rows()] == [Decimal("0.00"), Decimal("100.00"), Decimal("0.00")]
    with pytest.raises(CreditError, match="customer 'z': plan: 'gold' is not a plan"):
        billing_run(
            s,
            customers=[{"customer": "z", "plan": "gold", "fee": "1", "currency": "USD"}],
            incidents=[],
            period=MARCH,
        )


# -- claim windows in months, business days, from the incident's start ----------------------


def _claimed(claim: object, incidents: list[Incident], filed: datetime, **kw: object):  # type: ignore[no-untyped-def]
    from sla_engine.credits import ClaimWindow

    assert isinstance(claim, ClaimWindow)
    s = roundtrip(schedule(claim=claim))
    return credit(s, incidents, claim_filed_at=filed, **kw)


def test_claim_within_a_calendar_month_clamps_to_the_months_end() -> None:
    """One month after 31 January 10:00 is 28 February 10:00; that instant is late."""
    from sla_engine.credits import ClaimWindow

    january = BillingPeriod.month(2026, 1)
    outage = [inc("A", datetime(2026, 1, 31, 8, tzinfo=UTC), datetime(2026, 1, 31, 10, tzinfo=UTC))]
    window = ClaimWindow(anchor="incident_end", months=1)
    deadline = datetime(2026, 2, 28, 10, tzinfo=UTC)
    s = roundtrip(schedule(claim=window))
    ok = compute_credit(s, outage, period=january, fee=FEE, claim_filed_at=deadline - US)
    late = compute_credit(s, outage, period=january, fee=FEE, claim_filed_at=deadline)
    assert ok.amount == Decimal("100.00") and late.amount == Decimal("0.00")
    assert ok.incidents[0].claim_deadline == deadline


def test_claim_two_months_after_the_period_end() -> None:
    """'Within two months of the end of the month': March's claims close at 1 June 00:00."""
    from sla_engine.credits import ClaimWindow

    window = ClaimWindow(anchor="period_end", months=2)
    outage = [inc("A", t(2, 10), t(2, 12))]
    june = datetime(2026, 6, 1, tzinfo=UTC)
    assert _claimed(window, outage, june - US).amount == Decimal("100.00")
    assert _claimed(window, outage, june).amount == Decimal("0.00")


def test_claim_within_business_days_counts_working_days_on_the_calendar() -> None:
    """Two business days after Friday 6 March: Monday and Tuesday; Tuesday is in time to its
    last microsecond (Europe/Berlin), Wednesday 00:00 is late."""
    from zoneinfo import ZoneInfo

    from sla_engine.calendar import BusinessCalendar
    from sla_engine.credits import ClaimWindow

    berlin = ZoneInfo("Europe/Berlin")
    office = BusinessCalendar(timezone="Europe/Berlin", hours={"mon-fri": ["09:00-17:00"]})
    window = ClaimWindow(anchor="incident_end", business_days=2, calendar="office")
    outage = [inc("A", t(6, 10), t(6, 12))]
    wednesday = datetime(2026, 3, 11, tzinfo=berlin)
    ok = _claimed(window, outage, wednesday - US, claim_calendar=office)
    late = _claimed(window, outage, wednesday, claim_calendar=office)
    assert ok.amount == Decimal("100.00") and late.amount == Decimal("0.00")
    with pytest.raises(CreditError, match="counts business days on the calendar 'office'"):
        _claimed(window, outage, wednesday)


def test_claim_counted_from_the_incident_start() -> None:
    """'Within 24 hours of the start of the incident': the end does not move the deadline."""
    from sla_engine.credits import ClaimWindow

    window = ClaimWindow(anchor="incident_start", days=1)
    outage = [inc("A", t(2, 10), t(2, 22))]
    assert _claimed(window, outage, t(3, 10) - US).amount == Decimal("500.00")  # 12 h: 50 %
    assert _claimed(window, outage, t(3, 10)).amount == Decimal("0.00")


def test_claim_window_lengths_are_exclusive() -> None:
    """Exactly one length; business_days and calendar go together."""
    from sla_engine.credits import ClaimWindow

    with pytest.raises(CreditError, match="exactly one of days, cycles, months or business"):
        ClaimWindow(anchor="incident_end", days=3, months=1)
    with pytest.raises(CreditError, match="business_days needs the calendar"):
        ClaimWindow(anchor="incident_end", business_days=3)


# -- caps over 12 months, per invoice, of the customer's own charges --------------------------


def test_cap_over_twelve_months_leaves_only_the_room_left() -> None:
    """Credits of any 12 months never pass one month's fee: with 900.00 credited in the 11
    months before, a 250.00 credit pays 100.00; with 1000.00 or more, nothing."""
    from sla_engine.credits import Cap

    s = roundtrip(schedule(cap_per_12_months=Cap(percent=Decimal(100))))
    outage = [inc("A", t(2, 0), t(2, 5))]  # 5 h: 25 % of 1000.00
    for before, amount in (
        ("0.00", "250.00"),
        ("750.00", "250.00"),
        ("900.00", "100.00"),
        ("1000.00", "0.00"),
        ("1200.00", "0.00"),
    ):
        d = credit(s, outage, credited_before=Decimal(before))
        assert d.amount == Decimal(amount), before
    d = credit(s, outage, credited_before=Decimal("900.00"))
    assert d.cap_applied == "12_months" and any("over 12 months" in line for line in d.trace)
    with pytest.raises(CreditError, match="credited_before: the schedule caps"):
        credit(s, outage)


def test_cap_of_the_invoice_passed_with_the_call() -> None:
    """'Credits never exceed 50 % of the invoice': the invoice total comes with the call."""
    from sla_engine.credits import Cap

    s = roundtrip(schedule(cap_per_period=Cap(percent=Decimal(50), of="invoice")))
    outage = [inc("A", t(2, 0), t(3, 0))]  # 24 h: 50 % of 1000.00 = 500.00
    assert credit(s, outage, charges={"invoice": Decimal("1200.00")}).amount == Decimal("500.00")
    assert credit(s, outage, charges={"invoice": Decimal("800.00")}).amount == Decimal("400.00")
    with pytest.raises(CreditError, match="pass them with the call: charges=\\{'invoice'"):
        credit(s, outage)


def test_cap_of_the_previous_30_days_charges() -> None:
    """'Up to 10 % of the charges of the previous 30 days' for usage-billed customers."""
    from sla_engine.credits import Cap

    s = schedule(
        rule=LostTime(rate="prorated", multiple=Decimal(100)),
        cap_per_period=Cap(percent=Decimal(10), of="last_30_days"),
    )
    outage = [inc("A", t(2, 0), t(2, 3))]  # 100 × 1000.00 × 3/744 = 403.23
    assert credit(s, outage, charges={"last_30_days": Decimal("9000.00")}).amount == Decimal(
        "403.23"
    )
    assert credit(s, outage, charges={"last_30_days": Decimal("2500.00")}).amount == Decimal(
        "250.00"
    )


def test_billing_run_reads_credited_before_and_charges_columns() -> None:
    """The billing run passes each customer's credited_before and charges_<name>."""
    from sla_engine.credits import Cap, billing_run

    s = schedule(
        cap_per_12_months=Cap(percent=Decimal(100)),
        cap_per_period=Cap(percent=Decimal(20), of="invoice"),
    )
    customers = [
        {
            "customer": "a",
            "fee": "1000.00",
            "currency": "USD",
            "fee_per": "month",
            "credited_before": "900.00",
            "charges_invoice": "2000.00",
        },
        {
            "customer": "b",
            "fee": "1000.00",
            "currency": "USD",
            "fee_per": "month",
            "credited_before": "0",
            "charges_invoice": "500.00",
        },
    ]
    incidents = [
        {"customer": c, "start": "2026-03-02T00:00:00Z", "end": "2026-03-02T05:00:00Z"}
        for c in ("a", "b")
    ]
    table = billing_run(s, customers=customers, incidents=incidents, period=MARCH)
    assert [r.amount for r in table.rows()] == [Decimal("100.00"), Decimal("100.00")]


# -- proration by calendar month inside a quarter ---------------------------------------------

Q1 = BillingPeriod.quarter(2026, 1)
MONTHLY_900 = Fee(amount=Decimal("900.00"), currency="USD", per="month")


def _q1(rule: LostTime, start: datetime, end: datetime, **kw: object) -> Decimal:
    s = roundtrip(schedule(rule=rule, **kw))
    d = compute_credit(s, [inc("A", start, end)], period=Q1, fee=MONTHLY_900)
    return d.amount


@pytest.mark.parametrize(
    ("start", "end", "by_month", "by_period"),
    [
        ((2, 10, 10), (2, 10, 11), "1.34", "1.25"),  # February: 900 / 672 h
        ((3, 10, 10), (3, 10, 11), "1.21", "1.25"),  # March: 900 / 744 h
        ((2, 28, 23), (3, 1, 1), "2.55", "2.50"),  # one hour in each
    ],
    ids=["an-hour-in-february", "an-hour-in-march", "across-the-month-boundary"],
)
def test_each_minute_at_the_fee_of_its_month(
    start: tuple[int, int, int], end: tuple[int, int, int], by_month: str, by_period: str
) -> None:
    """In a quarter, a February hour is worth 1/672 of the monthly fee, a March hour 1/744."""
    a = datetime(2026, *start, tzinfo=UTC)
    b = datetime(2026, *end, tzinfo=UTC)
    monthly = LostTime(rate="prorated", proration="calendar_month")
    assert _q1(monthly, a, b) == Decimal(by_month)
    assert _q1(LostTime(rate="prorated"), a, b) == Decimal(by_period)


def test_calendar_month_proration_trims_from_the_end() -> None:
    """With whole hours, 1 h 30 min across February's end keeps 30 min in each month."""
    a = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    b = datetime(2026, 3, 1, 1, tzinfo=UTC)
    monthly = LostTime(rate="prorated", proration="calendar_month")
    assert _q1(monthly, a, b, whole=timedelta(hours=1)) == Decimal("1.27")


def test_calendar_month_proration_needs_a_monthly_fee_and_whole_months() -> None:
    """A period fee, or a cycle anchored mid-month, is refused."""
    from datetime import date

    from sla_engine.credits import BillingCycle

    s = schedule(rule=LostTime(rate="prorated", proration="calendar_month"))
    a, b = datetime(2026, 2, 2, tzinfo=UTC), datetime(2026, 2, 2, 1, tzinfo=UTC)
    per_period = Fee(amount=Decimal("2700.00"), currency="USD", per="period")
    with pytest.raises(CreditError, match="pass a monthly fee"):
        compute_credit(s, [inc("A", a, b)], period=Q1, fee=per_period)
    mid = BillingCycle(months=3, anchor=date(2026, 1, 15)).containing(a)
    with pytest.raises(CreditError, match="whole calendar months"):
        compute_credit(s, [inc("A", a, b)], period=mid, fee=MONTHLY_900)
    with pytest.raises(CreditError, match="calendar_month needs rate 'prorated'"):
        LostTime(rate="hourly", proration="calendar_month")


BUSINESS_DAYS_POLICY = """\
format_version: 1
name: db
version: "1"
effective_from: 2026-01-01
currency: USD
calendars:
  office: {timezone: Europe/Berlin, hours: {mon-fri: ["09:00-17:00"]}}
credits:
  basis: period
  rule: {kind: flat_step, threshold: 1h, inclusive: true, credit: 10%}
  cap_per_period: {percent: 5%, of: invoice}
  claim: {business_days: 10, calendar: CAL, anchor: incident_end}
"""


def test_policy_claim_in_business_days_uses_the_policys_calendar(tmp_path: object) -> None:
    """A policy's claim window counts business days on its own calendar; a misspelt calendar
    is a validation error; a cap of the invoice is not linted against the fee's bands."""
    from pathlib import Path

    from sla_engine import load_policy
    from sla_engine.errors import PolicyError

    path = Path(str(tmp_path)) / "db.yaml"
    path.write_text(BUSINESS_DAYS_POLICY.replace("CAL", "ofice"), encoding="utf-8")
    with pytest.raises(PolicyError, match="unknown calendar 'ofice' \\(did you mean 'office'"):
        load_policy(path)
    path.write_text(BUSINESS_DAYS_POLICY.replace("CAL", "office"), encoding="utf-8")
    policy = load_policy(path)
    outage = [inc("A", t(6, 10), t(6, 12))]  # Friday 6 March
    fee = Fee(amount=Decimal("100.00"), currency="USD", per="period")
    d = compute_credit(
        policy,
        outage,
        period=MARCH,
        fee=fee,
        claim_filed_at=t(20, 12),
        charges={"invoice": Decimal("100.00")},
    )
    # ten working days end with Friday 20 March; Berlin midnight is 23:00 UTC
    assert d.incidents[0].claim_deadline == t(20, 23)
    assert d.amount == Decimal("5.00")  # 10 % capped at 5 % of the invoice
