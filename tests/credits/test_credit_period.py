"""Billing periods and maintenance windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla_engine.credits import BillingCycle, BillingPeriod, MaintenanceWindow, RecurringMaintenance
from sla_engine.errors import CreditError, NaiveDatetimeError

NY = ZoneInfo("America/New_York")


def test_calendar_month_in_a_zone_starts_at_local_midnight() -> None:
    """March 2026 in New York runs from 05:00Z on Mar 1 to 04:00Z on Apr 1 (DST on Mar 8)."""
    p = BillingPeriod.month(2026, 3, timezone="America/New_York")
    assert p.start == datetime(2026, 3, 1, 5, tzinfo=UTC)
    assert p.end == datetime(2026, 4, 1, 4, tzinfo=UTC)
    assert p.days == 31


def test_quarter_has_its_days() -> None:
    """Q1 2026 is Jan 1 to Apr 1 and has 90 days."""
    p = BillingPeriod.quarter(2026, 1)
    assert (p.start, p.end) == (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    assert p.days == 90
    assert p.label() == "2026-Q1 (UTC)"


def test_cycle_anchored_on_the_31st_does_not_drift() -> None:
    """A cycle anchored on Jan 31 starts Feb 28 and then Mar 31 again."""
    cycle = BillingCycle(months=1, anchor=date(2026, 1, 31))
    assert [cycle.start_date(i) for i in range(3)] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]


@pytest.mark.parametrize(
    ("instant", "start"),
    [
        (datetime(2026, 2, 28, tzinfo=UTC), date(2026, 2, 28)),
        (datetime(2026, 3, 30, 23, 59, tzinfo=UTC), date(2026, 2, 28)),
        (datetime(2026, 3, 31, tzinfo=UTC) - timedelta(microseconds=1), date(2026, 2, 28)),
        (datetime(2026, 3, 31, tzinfo=UTC), date(2026, 3, 31)),
    ],
)
def test_containing_finds_the_half_open_period(instant: datetime, start: date) -> None:
    """containing(t) is the period with start <= t < end: Feb 28 to Mar 31, then from Mar 31."""
    p = BillingCycle(months=1, anchor=date(2026, 1, 31)).containing(instant)
    assert p.start == datetime.combine(start, datetime.min.time(), UTC)
    assert p.start <= instant < p.end


def test_shifted_moves_by_cycles() -> None:
    """shifted(2) of March is May."""
    assert BillingPeriod.month(2026, 3).shifted(2) == BillingPeriod.month(2026, 5)


def test_cycle_round_trips_through_mapping() -> None:
    """BillingCycle.from_mapping(c.to_mapping()) == c, and 'every: quarter' means 3 months."""
    cycle = BillingCycle(timezone="Europe/Berlin", months=1, anchor=date(2026, 1, 15))
    assert BillingCycle.from_mapping(cycle.to_mapping()) == cycle
    assert BillingCycle.from_mapping({"every": "quarter"}).months == 3


def test_cycle_refuses_unknown_zone() -> None:
    """An unknown zone name is refused with its path."""
    with pytest.raises(CreditError, match="not an IANA time zone") as info:
        BillingCycle.from_mapping({"timezone": "Mars/Olympus"}, path=("billing",))
    assert info.value.path == ("billing", "timezone")


def test_recurring_maintenance_keeps_local_wall_time_across_dst() -> None:
    """Sunday 02:00-04:00 New York windows start at 07:00Z before DST and 06:00Z after."""
    window = RecurringMaintenance(
        id="sun",
        rule="FREQ=WEEKLY;BYDAY=SU",
        first=datetime(2026, 3, 1, 2, tzinfo=NY),
        duration=timedelta(hours=2),
        timezone="America/New_York",
        announced_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    p = BillingPeriod.month(2026, 3, timezone="America/New_York")
    starts = [o.start_us for o in window.occurrences(p.start_us, p.end_us)]
    as_dt = [datetime.fromtimestamp(s // 1_000_000, UTC) for s in starts]
    assert as_dt[0] == datetime(2026, 3, 1, 7, tzinfo=UTC)
    # 2026-03-08 02:00 does not exist in New York: moved forward by the gap, to 03:00 EDT.
    assert as_dt[1] == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert as_dt[2] == datetime(2026, 3, 15, 6, tzinfo=UTC)
    assert len(as_dt) == 5


def test_recurring_maintenance_refuses_bad_rule() -> None:
    """A rule that is not an RRULE is refused with the rule's path."""
    with pytest.raises(CreditError, match="not an RFC 5545 RRULE") as info:
        RecurringMaintenance(
            id="x",
            rule="EVERY SUNDAY",
            first=datetime(2026, 3, 1, tzinfo=UTC),
            duration=timedelta(hours=1),
            timezone="UTC",
            announced_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    assert info.value.path == ("rule",)


def test_maintenance_refuses_naive_and_reversed() -> None:
    """Naive instants and an end before the start are refused."""
    with pytest.raises(NaiveDatetimeError):
        MaintenanceWindow(
            id="m",
            start=datetime(2026, 3, 1),
            end=datetime(2026, 3, 1, 1, tzinfo=UTC),
            announced_at=datetime(2026, 2, 1, tzinfo=UTC),
        )
    with pytest.raises(CreditError, match="before start"):
        MaintenanceWindow(
            id="m",
            start=datetime(2026, 3, 1, 2, tzinfo=UTC),
            end=datetime(2026, 3, 1, 1, tzinfo=UTC),
            announced_at=datetime(2026, 2, 1, tzinfo=UTC),
        )


def test_maintenance_round_trips_through_mapping() -> None:
    """from_mapping(to_mapping()) gives equal windows, one-off and recurring."""
    one = MaintenanceWindow(
        id="m",
        start=datetime(2026, 3, 1, 1, tzinfo=UTC),
        end=datetime(2026, 3, 1, 2, tzinfo=UTC),
        announced_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    rec = RecurringMaintenance(
        id="r",
        rule="FREQ=MONTHLY;BYDAY=1SA",
        first=datetime(2026, 1, 3, 22, tzinfo=NY),
        duration=timedelta(hours=3),
        timezone="America/New_York",
        announced_at=datetime(2025, 12, 1, tzinfo=UTC),
    )
    assert MaintenanceWindow.from_mapping(one.to_mapping()) == one
    assert RecurringMaintenance.from_mapping(rec.to_mapping()) == rec
