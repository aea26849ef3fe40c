"""KPI tables of sla_engine.report: definitions, laws and an independent reference."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report_reference import reference_counts, reference_share
from strategies import report_instants, report_tickets

pa = pytest.importorskip("pyarrow", reason="the report extra (pyarrow) is not installed")

from sla_engine.clocks import Ticket, evaluate  # noqa: E402
from sla_engine.errors import ReportError, SLAEngineError  # noqa: E402
from sla_engine.policy import load_policy  # noqa: E402
from sla_engine.report import (  # noqa: E402
    DEFAULT_COMPLIANCE,
    attainment,
    backlog,
    breaches,
    compliance_targets,
    first_contact_resolution,
    month_over_month,
    response_times,
    time_in_state,
    trend,
)
from sla_engine.report._source import result_table, stay_table, ticket_table  # noqa: E402
from sla_engine.report.kpis import percentile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
POLICY = load_policy(ROOT / "examples" / "policies" / "spark-drive.yaml")
SLA = POLICY.sla
assert SLA is not None
AS_OF = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
PERIODS = ("day", "week", "month", "all")
GROUPINGS = ((), ("tier",), ("severity", "channel"), ("tier", "severity", "channel", "issue_class"))


@pytest.fixture(scope="module")
def quarter() -> list[Ticket]:
    lines = (ROOT / "examples" / "data" / "quarter.jsonl").read_text(encoding="utf-8")
    return [Ticket.from_mapping(json.loads(line)) for line in lines.splitlines()[:300]]


@pytest.fixture(scope="module")
def results(quarter: list[Ticket]) -> Any:
    return result_table(SLA, quarter, as_of=AS_OF)


def _t(day: int, hour: int = 0, minute: int = 0) -> str:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC).isoformat()


def _ticket(ident: str, *events: tuple[str, str, str | None], **attrs: str) -> Ticket:
    return Ticket.from_mapping(
        {
            "id": ident,
            "tier": "premium",
            "severity": "sev2",
            "channel": "phone",
            "issue_class": "tier2",
            **attrs,
            "events": [{"kind": k, "at": at, **({"value": v} if v else {})} for k, at, v in events],
        }
    )


def _rows(table: Any, **match: object) -> list[dict[str, Any]]:
    return [r for r in table.to_pylist() if all(r[k] == v for k, v in match.items())]


def _sum(table: Any, column: str, **match: object) -> int:
    return sum(r[column] for r in _rows(table, **match))


# --------------------------------------------------------------------------- definitions


def test_breach_counts_in_the_week_it_breached_not_the_week_it_stopped() -> None:
    """A first response due on Friday and given on Monday counts as breached in Friday's week."""
    late = _ticket(
        "LATE",
        ("created", _t(6, 23, 59), None),  # Friday; phone: 30 s on the 24x7 calendar
        ("agent_reply", _t(9, 9), None),  # Monday
    )
    table = result_table(SLA, [late], as_of=AS_OF)
    weekly = attainment(table, as_of=AS_OF, period="week", by=())
    row = _rows(weekly, metric="first_response")
    assert [(r["period_start"], r["breached"], r["met"]) for r in row] == [(date(2026, 3, 2), 1, 0)]


def test_met_at_exact_equality_and_counted_where_it_stopped() -> None:
    """A reply exactly at the target is met, in the day of the reply."""
    exact = _ticket(
        "EXACT",
        (
            "created",
            _t(
                10,
                23,
                59,
            ),
            None,
        ),
        ("agent_reply", "2026-03-10T23:59:30+00:00", None),
    )
    daily = attainment(result_table(SLA, [exact], as_of=AS_OF), as_of=AS_OF, period="day", by=())
    (row,) = _rows(daily, metric="first_response")
    assert (row["period_start"], row["met"], row["breached"]) == (date(2026, 3, 10), 1, 0)
    assert row["attainment"] == Decimal("100.0000")


def test_paused_cycle_is_running_not_a_breach() -> None:
    """A resolution clock paused (waiting on the customer) before its target counts as running,
    outside the attainment, in the period of the report's instant."""
    waiting = _ticket(
        "WAIT",
        ("created", _t(2, 10), None),
        ("agent_reply", _t(2, 10), None),
        ("status_changed", _t(2, 11), "Waiting on Customer"),
        issue_class="tier3",
    )
    table = result_table(SLA, [waiting], as_of=AS_OF)
    assert "paused" in table.column("state").to_pylist()
    monthly = attainment(table, as_of=AS_OF, period="month", by=())
    (row,) = _rows(monthly, metric="resolution")
    assert (row["period_start"], row["running"], row["breached"], row["met"]) == (
        date(2026, 4, 1),
        1,
        0,
        0,
    )
    assert row["attainment"] is None
    assert row["meets_target"] is None


def test_cancelled_cycle_counts_nowhere_but_its_own_column() -> None:
    """A status-page cycle cancelled by the incident's end is neither met nor breached."""
    incident = _ticket(
        "INC",
        ("created", _t(3, 1), None),
        ("agent_reply", _t(3, 1), None),
        ("custom", _t(3, 2), "major_incident"),
        ("custom", _t(3, 2, 10), "incident_resolved"),
        tier="enterprise",
        severity="sev1",
    )
    monthly = attainment(result_table(SLA, [incident], as_of=AS_OF), as_of=AS_OF, period="month")
    (row,) = _rows(monthly, metric="status_page")
    assert (row["cancelled"], row["met"], row["breached"], row["running"]) == (1, 0, 0, 0)
    assert row["attainment"] is None


def test_compliance_target_comes_from_the_policy() -> None:
    """The example names 95 % for first response; a metric without one gets the default."""
    targets = compliance_targets(POLICY)
    assert targets["first_response"] == Decimal(95)
    assert targets["workaround"] == DEFAULT_COMPLIANCE
    text = (ROOT / "examples" / "policies" / "spark-drive.yaml").read_text(encoding="utf-8")
    stricter = load_policy(text=text.replace("compliance: 95%", "compliance: 99.5%", 1))
    assert compliance_targets(stricter)["first_response"] == Decimal("99.5")


def test_meets_target_compares_the_exact_share(results: Any) -> None:
    """19 met of 20 is exactly 95 %: it meets a 95 % target and misses 95.0001 %."""
    rows = [
        {
            "metric": "m",
            "state": "met" if i < 19 else "breached",
            "start": AS_OF,
            "stop": AS_OF - timedelta(hours=1) if i < 19 else None,
            "breached_at": None if i < 19 else AS_OF - timedelta(hours=1),
        }
        for i in range(20)
    ]
    table = pa.Table.from_pylist(rows)
    for goal, meets in ((Decimal(95), True), (Decimal("95.0001"), False)):
        (row,) = attainment(
            table, as_of=AS_OF, period="all", by=(), targets={"m": goal}
        ).to_pylist()
        assert row["attainment"] == Decimal("95.0000")
        assert row["meets_target"] is meets


def test_percentile_is_nearest_rank() -> None:
    """p50 of 1..4 is 2, p90 is 4, p100 the largest, p0 the smallest."""
    assert [percentile([1, 2, 3, 4], p) for p in (0, 50, 90, 100)] == [1, 2, 4, 4]
    assert percentile([7], 50) == 7


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: attainment(t, as_of=AS_OF, period="year"), "period 'year'"),
        (lambda t: attainment(t, as_of=AS_OF, by=("region",)), "cannot group by 'region'"),
        (lambda t: attainment(t, as_of=datetime(2026, 4, 1)), "aware datetime"),
        (lambda t: attainment(t, as_of=AS_OF, timezone="Mars/Base"), "not an IANA"),
        (lambda t: attainment(t.drop_columns(["stop"]), as_of=AS_OF), "no column 'stop'"),
        (lambda t: trend(t, as_of=AS_OF, windows=(0,)), "at least 1"),
    ],
)
def test_bad_arguments_are_report_errors(results: Any, call: Any, message: str) -> None:
    """A wrong period, grouping, instant, zone or table is a ReportError that says which."""
    with pytest.raises(ReportError, match=message) as caught:
        call(results)
    assert isinstance(caught.value, SLAEngineError)
    assert isinstance(caught.value, ValueError)


# --------------------------------------------------------------------------- the reference


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("by", GROUPINGS, ids=lambda b: "+".join(b) or "total")
def test_attainment_matches_the_independent_reference(
    quarter: list[Ticket], results: Any, period: str, by: tuple[str, ...]
) -> None:
    """Every count and percentage equals the slow reference built from evaluate() alone."""
    zone = "America/Los_Angeles"
    table = attainment(results, as_of=AS_OF, period=period, by=by, timezone=zone)  # type: ignore[arg-type]
    expected = reference_counts(SLA, quarter, as_of=AS_OF, period=period, by=by, zone=zone)
    got = {
        (r["metric"], *(r[name] for name in by), r["period_start"]): r for r in table.to_pylist()
    }
    assert set(got) == set(expected)
    for key, counts in expected.items():
        row = got[key]
        assert [row[k] for k in ("met", "breached", "running", "cancelled")] == [
            counts[k] for k in ("met", "breached", "running", "cancelled")
        ]
        share = reference_share(counts)
        if share is None:
            assert row["attainment"] is None
        else:
            assert abs(Fraction(row["attainment"]) - share * 100) <= Fraction(1, 20000)
            assert row["meets_target"] is (share * 100 >= 95)


# --------------------------------------------------------------------------- laws

_LAWS = settings(max_examples=40, deadline=None)


def _counts_by_state(table: Any) -> Counter[str]:
    return Counter(table.column("state").to_pylist())


@_LAWS
@given(report_tickets(), report_instants(), st.sampled_from(PERIODS), st.sampled_from(GROUPINGS))
def test_law_every_started_cycle_counts_once(
    tickets: list[Ticket], as_of: datetime, period: str, by: tuple[str, ...]
) -> None:
    """met + breached + running = the cycles neither cancelled nor pending; cancelled apart."""
    table = result_table(SLA, tickets, as_of=as_of)
    states = _counts_by_state(table)
    kpi = attainment(table, as_of=as_of, period=period, by=by)  # type: ignore[arg-type]
    assert _sum(kpi, "met") == states["met"]
    assert _sum(kpi, "breached") == states["breached"]
    assert _sum(kpi, "running") == states["running"] + states["paused"]
    assert _sum(kpi, "cancelled") == states["cancelled"]
    assert _sum(kpi, "met") + _sum(kpi, "breached") + _sum(kpi, "running") == (
        table.num_rows - states["cancelled"] - states["pending"]
    )


@_LAWS
@given(report_tickets(), report_instants(), st.sampled_from(PERIODS))
def test_law_attainment_per_attribute_sums_back_to_the_total(
    tickets: list[Ticket], as_of: datetime, period: str
) -> None:
    """Per metric and period, the counts per tier (or per any attribute) add up to the total,
    and the total's attainment is met / (met + breached) of those sums."""
    table = result_table(SLA, tickets, as_of=as_of)
    total = attainment(table, as_of=as_of, period=period, by=())  # type: ignore[arg-type]
    for name in ("tier", "severity", "channel", "issue_class"):
        split = attainment(table, as_of=as_of, period=period, by=(name,))  # type: ignore[arg-type]
        for row in total.to_pylist():
            key = {"metric": row["metric"], "period_start": row["period_start"]}
            for column in ("met", "breached", "running", "cancelled"):
                assert _sum(split, column, **key) == row[column]
            met, breached = _sum(split, "met", **key), _sum(split, "breached", **key)
            if met + breached:
                exact = Fraction(met * 100, met + breached)
                assert abs(Fraction(row["attainment"]) - exact) <= Fraction(1, 20000)


@_LAWS
@given(report_tickets(), report_instants())
def test_law_days_add_up_to_weeks_and_months(tickets: list[Ticket], as_of: datetime) -> None:
    """Each metric's counts over every day equal those over every week, month and all time."""
    table = result_table(SLA, tickets, as_of=as_of)
    totals: dict[str, Counter[tuple[str, str]]] = {period: Counter() for period in PERIODS}
    for period in PERIODS:
        for r in attainment(table, as_of=as_of, period=period, by=()).to_pylist():  # type: ignore[arg-type]
            for column in ("met", "breached", "running", "cancelled"):
                totals[period][(r["metric"], column)] += r[column]
    assert totals["day"] == totals["week"] == totals["month"] == totals["all"]


@_LAWS
@given(report_tickets(), report_instants())
def test_law_breach_table_agrees_with_attainment(tickets: list[Ticket], as_of: datetime) -> None:
    """Breaches per metric and week equal attainment's breached; missed-by is never negative,
    p50 <= p90 and the mean lies between the smallest and largest."""
    table = result_table(SLA, tickets, as_of=as_of)
    kpi = attainment(table, as_of=as_of, period="week", by=())
    late = breaches(table, as_of=as_of, period="week", by=())
    for row in late.to_pylist():
        (match,) = _rows(kpi, metric=row["metric"], period_start=row["period_start"])
        assert row["breaches"] == match["breached"]
        assert row["open"] <= row["breaches"]
        for clock in ("business_missed", "wall_missed"):
            assert timedelta(0) <= row[f"{clock}_p50"] <= row[f"{clock}_p90"]
            assert row[f"{clock}_total"] >= row[f"{clock}_mean"] >= timedelta(0)
    assert _sum(late, "breaches") == _counts_by_state(table)["breached"]


@_LAWS
@given(report_tickets(), report_instants())
def test_law_response_times_cover_every_stopped_cycle(
    tickets: list[Ticket], as_of: datetime
) -> None:
    """MTTA counts each stopped first-response cycle once; business time <= wall time for a
    24x7 clock is not assumed, but p50 <= p90 and min <= mean <= max hold on both clocks."""
    table = result_table(SLA, tickets, as_of=as_of)
    stopped = [
        r
        for r in table.to_pylist()
        if r["metric"] == "first_response" and r["state"] in ("met", "breached") and r["stop"]
    ]
    times = response_times(table, as_of=as_of, by=())
    mtta = _rows(times, measure="MTTA")
    assert sum(r["cycles"] for r in mtta) == len(stopped)
    if stopped:
        (row,) = mtta
        business = sorted(r["business_elapsed"] for r in stopped)
        wall = sorted(r["stop"] - r["start"] for r in stopped)
        assert business[0] <= row["business_mean"] <= business[-1]
        assert wall[0] <= row["wall_mean"] <= wall[-1]
        assert (
            row["business_p50"] <= row["business_p90"] == business[-(-9 * len(business) // 10) - 1]
        )
        assert row["wall_p50"] <= row["wall_p90"]


@_LAWS
@given(report_tickets(), report_instants())
def test_law_backlog_is_the_open_tickets(tickets: list[Ticket], as_of: datetime) -> None:
    """Backlog by priority counts exactly the tickets whose state at as_of is not terminal."""
    open_ids = Counter()
    for ticket in tickets:
        result = evaluate(SLA, ticket, as_of=as_of)
        if ticket.events[0].at > as_of:
            continue
        if not SLA.lifecycle.state(result.state or "New").terminal:
            open_ids[ticket.severity] += 1
    tickets_table = ticket_table(SLA, tickets, as_of=as_of)
    assert tickets_table.column("state").to_pylist() == [
        evaluate(SLA, t, as_of=as_of).state for t in tickets if t.events[0].at <= as_of
    ]
    table = backlog(tickets_table, as_of=as_of)
    assert {r["severity"]: r["open"] for r in table.to_pylist()} == dict(open_ids)
    for row in table.to_pylist():
        assert row["age_p50"] <= row["age_p90"] <= as_of - row["oldest_created"]


@_LAWS
@given(report_tickets(), report_instants())
def test_law_time_in_state_counts_every_stay(tickets: list[Ticket], as_of: datetime) -> None:
    """Completed plus open stays are all stays up to as_of; each ticket has one open stay."""
    stays = stay_table(SLA, tickets, as_of=as_of)
    table = time_in_state(stays, as_of=as_of)
    assert _sum(table, "stays") + _sum(table, "open") == stays.num_rows
    assert _sum(table, "open") == sum(1 for t in tickets if t.events[0].at <= as_of)


@_LAWS
@given(report_tickets(), report_instants())
def test_law_trend_windows_are_sums_of_days(tickets: list[Ticket], as_of: datetime) -> None:
    """A one-day window is that day's attainment; the longest window on the last day equals
    attainment since its first day."""
    table = result_table(SLA, tickets, as_of=as_of)
    lines = trend(table, as_of=as_of, windows=(1, 7), days=7)
    daily = {
        (r["metric"], r["period_start"]): r
        for r in attainment(table, as_of=as_of, period="day", by=()).to_pylist()
    }
    for row in _rows(lines, window=1):
        day = daily.get((row["metric"], row["day"]))
        assert row["met"] == (day["met"] if day else 0)
        assert row["breached"] == (day["breached"] if day else 0)
    last = as_of.date()
    since = datetime(last.year, last.month, last.day, tzinfo=UTC) - timedelta(days=6)
    overall = attainment(table, as_of=as_of, period="all", by=(), since=since)
    for row in _rows(lines, window=7, day=last):
        match = _rows(overall, metric=row["metric"])
        assert row["met"] == (match[0]["met"] if match else 0)
        assert row["breached"] == (match[0]["breached"] if match else 0)


# --------------------------------------------------------------------------- first contact


def test_first_contact_resolution_examples() -> None:
    """One reply then resolved is first contact; a customer's follow-up, a second reply or a
    reopen is not; an open ticket is not counted at all."""
    one = _ticket(
        "ONE", ("created", _t(2, 9), None), ("agent_reply", _t(2, 9, 5), None),
        ("resolved", _t(2, 10), None),
    )  # fmt: skip
    follow_up = _ticket(
        "FOLLOW", ("created", _t(3, 9), None), ("agent_reply", _t(3, 9, 5), None),
        ("customer_reply", _t(3, 9, 30), None), ("resolved", _t(3, 10), None),
    )  # fmt: skip
    reopened = _ticket(
        "REOPEN", ("created", _t(4, 9), None), ("agent_reply", _t(4, 9, 5), None),
        ("resolved", _t(4, 10), None), ("reopened", _t(4, 11), None),
        ("resolved", _t(4, 12), None),
    )  # fmt: skip
    still_open = _ticket("OPEN", ("created", _t(5, 9), None), ("agent_reply", _t(5, 9, 5), None))
    tickets = ticket_table(SLA, [one, follow_up, reopened, still_open], as_of=AS_OF)
    (row,) = first_contact_resolution(tickets, as_of=AS_OF, period="all").to_pylist()
    assert (row["resolved"], row["first_contact"]) == (3, 1)
    assert row["share"] == Decimal("33.3333")


@_LAWS
@given(report_tickets(), report_instants(), st.sampled_from(PERIODS))
def test_law_first_contact_is_a_part_of_the_resolved(
    tickets: list[Ticket], as_of: datetime, period: str
) -> None:
    """First-contact ≤ resolved in every row; per-tier rows add up to the total; the resolved
    are the tickets whose state at as_of is terminal."""
    table = ticket_table(SLA, tickets, as_of=as_of)
    total = first_contact_resolution(table, as_of=as_of, period=period)  # type: ignore[arg-type]
    split = first_contact_resolution(table, as_of=as_of, period=period, by=("tier",))  # type: ignore[arg-type]
    for row in split.to_pylist():
        assert 0 <= row["first_contact"] <= row["resolved"]
    assert _sum(split, "resolved") == _sum(total, "resolved")
    assert _sum(split, "first_contact") == _sum(total, "first_contact")
    terminal = sum(
        1
        for t in tickets
        if t.events[0].at <= as_of
        and SLA.lifecycle.state(evaluate(SLA, t, as_of=as_of).state or "New").terminal
    )
    assert _sum(total, "resolved") == terminal


@_LAWS
@given(report_tickets(), report_instants())
def test_law_month_over_month_is_the_difference_of_consecutive_months(
    tickets: list[Ticket], as_of: datetime
) -> None:
    """The change is this month's attainment minus last month's, null after a month without
    rows or without decided cycles, and null for a metric's first month."""
    table = result_table(SLA, tickets, as_of=as_of)
    rows = month_over_month(table, as_of=as_of).to_pylist()
    seen: dict[str, dict[date, Any]] = {}
    for row in rows:
        seen.setdefault(row["metric"], {})[row["period_start"]] = row["attainment"]
    for row in rows:
        month = row["period_start"]
        previous = (month - timedelta(days=1)).replace(day=1)
        before = seen[row["metric"]].get(previous)
        if before is None or row["attainment"] is None:
            assert row["change"] is None
        else:
            assert row["change"] == row["attainment"] - before
