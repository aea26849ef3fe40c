"""Calendar operations: openness, segments, business days, explain, closures, horizon."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dateutil.rrule
import pytest

from holiday_data import holiday_name
from sla_engine.calendar import BusinessCalendar
from sla_engine.errors import HorizonError

H = timedelta(hours=1)
NY = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    """A UTC instant."""
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def ny(*args: int) -> datetime:
    """A New York wall time (fold 0)."""
    return datetime(*args, tzinfo=NY)  # type: ignore[misc]


@pytest.fixture
def office() -> BusinessCalendar:
    """New York Mon-Fri 09:00-17:00, NY holidays, an inventory day, a working Saturday."""
    return BusinessCalendar(
        timezone="America/New_York",
        hours={"mon-fri": ["09:00-17:00"]},
        holidays="US-NY",
        closed=[{"date": "2026-05-27", "name": "Inventory day"}],
        special={"2026-05-30": ["10:00-14:00"]},
    )


UTC_OFFICE = BusinessCalendar(timezone="UTC", hours={"mon-fri": ["09:00-12:00", "13:00-17:00"]})


def test_is_open_follows_the_windows() -> None:
    """Open inside each window, closed over lunch, at night and at the weekend."""
    assert UTC_OFFICE.is_open(utc(2026, 3, 9, 9))
    assert not UTC_OFFICE.is_open(utc(2026, 3, 9, 12, 30))
    assert not UTC_OFFICE.is_open(utc(2026, 3, 9, 20))
    assert not UTC_OFFICE.is_open(utc(2026, 3, 7, 10))


def test_next_open_is_the_earliest_open_instant_at_or_after() -> None:
    """next_open(t) is t when open, else the next opening."""
    assert UTC_OFFICE.next_open(utc(2026, 3, 9, 10)) == utc(2026, 3, 9, 10)
    assert UTC_OFFICE.next_open(utc(2026, 3, 9, 12)) == utc(2026, 3, 9, 13)
    assert UTC_OFFICE.next_open(utc(2026, 3, 6, 17)) == utc(2026, 3, 9, 9)


def test_next_close_is_the_earliest_closed_instant_at_or_after() -> None:
    """next_close(t) is t when closed, else the end of the open stretch."""
    assert UTC_OFFICE.next_close(utc(2026, 3, 9, 10)) == utc(2026, 3, 9, 12)
    assert UTC_OFFICE.next_close(utc(2026, 3, 9, 12)) == utc(2026, 3, 9, 12)
    assert UTC_OFFICE.next_close(utc(2026, 3, 7)) == utc(2026, 3, 7)


def test_next_close_runs_across_touching_windows() -> None:
    """A Monday 00:00-24:00 followed by Tuesday 00:00-12:00 closes on Tuesday at 12:00."""
    cal = BusinessCalendar(timezone="UTC", hours={"mon": ["00:00-24:00"], "tue": ["00:00-12:00"]})
    assert cal.next_close(utc(2026, 3, 9, 1)) == utc(2026, 3, 10, 12)


def test_segments_are_clipped_to_the_range() -> None:
    """segments(Mon 10:00, Tue 10:00) clips the first and last window; empty for end <= start."""
    got = UTC_OFFICE.segments(utc(2026, 3, 9, 10), utc(2026, 3, 10, 10))
    assert [(s.start, s.end) for s in got] == [
        (utc(2026, 3, 9, 10), utc(2026, 3, 9, 12)),
        (utc(2026, 3, 9, 13), utc(2026, 3, 9, 17)),
        (utc(2026, 3, 10, 9), utc(2026, 3, 10, 10)),
    ]
    assert sum((s.duration for s in got), timedelta(0)) == 7 * H
    assert UTC_OFFICE.segments(utc(2026, 3, 10), utc(2026, 3, 9)) == []


def test_add_business_days_keeps_the_local_wall_time(office: BusinessCalendar) -> None:
    """Fri 2026-03-06 10:00 EST + 1 business day = Mon 03-09 10:00 EDT (14:00Z, not 15:00Z)."""
    assert office.add_business_days(ny(2026, 3, 6, 10), 1) == utc(2026, 3, 9, 14)
    assert office.add_business_days(ny(2026, 3, 9, 10), 1) == ny(2026, 3, 10, 10)
    # 7 business days (the seeds' background check): Mon 03-09 -> Wed 03-18.
    assert office.add_business_days(ny(2026, 3, 9, 10), 7) == ny(2026, 3, 18, 10)


def test_add_business_days_skips_holidays_and_closed_dates(office: BusinessCalendar) -> None:
    """Fri 05-22 + 1 skips Memorial Day (Mon 05-25); Tue 05-26 + 1 skips the inventory day."""
    assert office.add_business_days(ny(2026, 5, 22, 10), 1) == ny(2026, 5, 26, 10)
    assert office.add_business_days(ny(2026, 5, 26, 10), 1) == ny(2026, 5, 28, 10)
    # Thu 05-28 + 2: Fri 05-29, then the working Saturday 05-30.
    assert office.add_business_days(ny(2026, 5, 28, 10), 2) == ny(2026, 5, 30, 10)


def test_add_business_days_backwards_and_zero(office: BusinessCalendar) -> None:
    """-1 from Tue 05-26 is Fri 05-22 (Memorial Day skipped); 0 returns the start."""
    assert office.add_business_days(ny(2026, 5, 26, 10), -1) == ny(2026, 5, 22, 10)
    assert office.add_business_days(ny(2026, 3, 7, 12), 0) == ny(2026, 3, 7, 12)


def test_add_business_days_from_a_non_working_day(office: BusinessCalendar) -> None:
    """From Saturday 03-07, 1 business day on is Monday 03-09 at the same wall time."""
    assert office.add_business_days(ny(2026, 3, 7, 12), 1) == ny(2026, 3, 9, 12)
    assert office.add_business_days(ny(2026, 3, 8, 12), -1) == ny(2026, 3, 6, 12)


def test_explain_names_every_reason(office: BusinessCalendar) -> None:
    """explain() marks counted time and says weekend, holiday, closed date, outside hours and
    special hours, and its counted spans add up to elapsed."""
    start, end = ny(2026, 5, 22, 16), ny(2026, 5, 31)
    spans = office.explain(start, end)
    assert spans[0].start == start and spans[-1].end == end
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))
    counted = sum((s.duration for s in spans if s.counted), timedelta(0))
    assert counted == office.elapsed(start, end)
    # Fri 1 h + Tue 8 h + Thu 8 h + Fri 8 h + Sat (special) 4 h = 29 h.
    assert counted == 29 * H
    reasons = " | ".join(s.reason for s in spans)
    assert "weekend" in reasons
    assert f"holiday: {holiday_name('US', date(2026, 5, 25), subdivision='NY')}" in reasons
    assert "closed date: Inventory day" in reasons
    assert "outside hours" in reasons
    assert "special hours for 2026-05-30" in reasons
    at_open = next(s for s in spans if s.start == ny(2026, 5, 30, 10))
    assert at_open.counted and "special hours" in at_open.reason


def test_closure_names_the_day(office: BusinessCalendar) -> None:
    """closure() gives the holiday or closed date's name, None on an ordinary or special day."""
    assert office.closure(date(2026, 5, 25)) == holiday_name(
        "US", date(2026, 5, 25), subdivision="NY"
    )
    assert office.closure(date(2026, 5, 27)) == "Inventory day"
    assert office.closure(date(2026, 5, 26)) is None
    assert office.closure(date(2026, 5, 30)) is None


def test_yearly_rrule_closes_christmas_eve() -> None:
    """'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24' closes 24 December every year, with its name."""
    cal = BusinessCalendar(
        timezone="UTC",
        hours={"daily": ["09:00-17:00"]},
        closed=[{"rrule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "name": "Christmas Eve"}],
    )
    for year in (2026, 2031):
        assert cal.closure(date(year, 12, 24)) == "Christmas Eve"
        assert cal.elapsed(utc(year, 12, 24), utc(year, 12, 25)) == timedelta(0)
        assert cal.elapsed(utc(year, 12, 23), utc(year, 12, 24)) == 8 * H


def test_every_second_friday_rrule_counts_from_its_start() -> None:
    """'FREQ=WEEKLY;INTERVAL=2;BYDAY=FR' from Fri 2026-01-02 closes 01-02 and 01-16, not 01-09."""
    cal = BusinessCalendar(
        timezone="UTC",
        hours={"mon-fri": ["09:00-17:00"]},
        closed=[
            {
                "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
                "start": "2026-01-02",
                "name": "Maintenance Friday",
            }
        ],
    )
    assert cal.closure(date(2026, 1, 2)) == "Maintenance Friday"
    assert cal.closure(date(2026, 1, 9)) is None
    assert cal.closure(date(2026, 1, 16)) == "Maintenance Friday"
    assert cal.closure(date(2025, 12, 19)) is None  # before the start
    assert cal.elapsed(utc(2026, 1, 5), utc(2026, 1, 17)) == 9 * 8 * H


def test_closed_date_ranges() -> None:
    """'2026-12-28..2026-12-31' and {'from', 'to', 'name'} close every date in between."""
    cal = BusinessCalendar(
        timezone="UTC",
        hours={"mon-fri": ["09:00-17:00"]},
        closed=[
            "2026-12-28..2026-12-31",
            {"from": "2026-08-03", "to": "2026-08-07", "name": "Summer shutdown"},
        ],
    )
    assert cal.elapsed(utc(2026, 12, 28), utc(2027, 1, 1)) == timedelta(0)
    assert cal.elapsed(utc(2026, 12, 28), utc(2027, 1, 2)) == 8 * H  # Fri 2027-01-01 is open
    assert cal.closure(date(2026, 8, 5)) == "Summer shutdown"
    assert cal.elapsed(utc(2026, 8, 3), utc(2026, 8, 10)) == timedelta(0)


def test_special_hours_open_a_weekend_day_and_shorten_a_weekday() -> None:
    """A special Saturday 10:00-14:00 counts 4 h; a special Thursday 09:00-13:00 counts 4 h."""
    cal = BusinessCalendar(
        timezone="UTC",
        hours={"mon-fri": ["09:00-17:00"]},
        special={"2026-12-31": ["09:00-13:00"], "2026-03-07": ["10:00-14:00"]},
    )
    assert cal.elapsed(utc(2026, 3, 7), utc(2026, 3, 8)) == 4 * H
    assert cal.elapsed(utc(2026, 12, 31), utc(2027, 1, 1)) == 4 * H
    assert cal.next_close(utc(2026, 12, 31, 10)) == utc(2026, 12, 31, 13)


def test_precompute_gives_the_same_answers() -> None:
    """precompute() is only a cache: answers equal those of a fresh calendar."""
    mapping: dict[str, Any] = {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["22:00-06:00"]}}
    warm = BusinessCalendar.from_mapping(mapping)
    warm.precompute(2025, 2027)
    cold = BusinessCalendar.from_mapping(mapping)
    t = utc(2026, 10, 23, 12)
    # Fri 22:00 CEST (20:00Z) to Sat 06:00 is 8 h; after the change on Sun 25, Mon, Tue and
    # Wed nights open at 22:00 CET = 21:00Z: 8 h + 8 h, then 6 h more ends Thu 29 03:00Z.
    assert warm.add(t, 30 * H) == cold.add(t, 30 * H) == utc(2026, 10, 29, 3)
    assert warm.elapsed(utc(2025, 1, 1), utc(2027, 6, 1)) == cold.elapsed(
        utc(2025, 1, 1), utc(2027, 6, 1)
    )


@pytest.mark.parametrize("year", [1800, 2300])
def test_instants_outside_the_horizon_raise(year: int) -> None:
    """Questions in 1800 or 2300 raise HorizonError naming the supported range."""
    cal = BusinessCalendar.always()
    with pytest.raises(HorizonError, match="1900-01-01 to 2199-12-31"):
        cal.add(utc(year, 6, 1), H)
    with pytest.raises(HorizonError):
        cal.elapsed(utc(2026, 1, 1), utc(year, 6, 1))


def test_add_near_the_end_of_the_horizon_raises() -> None:
    """Adding past 2199-12-31 raises HorizonError instead of answering."""
    cal = BusinessCalendar(timezone="UTC", hours={"mon": ["09:00-10:00"]})
    with pytest.raises(HorizonError):
        cal.add(utc(2199, 6, 1), 1000 * H)


@pytest.fixture
def never_open() -> BusinessCalendar:
    """Open around the clock but closed every day by a daily RRULE."""
    return BusinessCalendar(
        timezone="UTC", hours="24x7", closed=[{"rrule": "FREQ=DAILY", "start": "2020-01-01"}]
    )


def test_calendar_closed_by_a_daily_rrule_raises_horizon_error(
    never_open: BusinessCalendar,
) -> None:
    """add and next_open on a calendar that never opens again raise HorizonError."""
    with pytest.raises(HorizonError, match="no open time"):
        never_open.add(utc(2026, 1, 1), H)
    # Backwards the RRULE's start ends the closure: the last open hour is 2019-12-31 23:00.
    assert never_open.subtract(utc(2026, 1, 1), H) == utc(2019, 12, 31, 23)
    with pytest.raises(HorizonError):
        never_open.next_open(utc(2026, 1, 1))


def test_add_business_days_on_a_never_open_calendar_raises(
    never_open: BusinessCalendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    """add_business_days raises HorizonError, expanding the RRULE a bounded number of times."""
    calls = 0
    real = dateutil.rrule.rrulestr

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > 200:
            raise AssertionError("the RRULE was expanded over 200 times: once per day?")
        return real(*args, **kwargs)

    monkeypatch.setattr(dateutil.rrule, "rrulestr", counting)
    with pytest.raises(HorizonError):
        never_open.add_business_days(utc(2026, 1, 1), 1)


def test_always_open_calendar_has_no_next_close() -> None:
    """next_close on a 24x7 calendar raises HorizonError rather than looping."""
    with pytest.raises(HorizonError):
        BusinessCalendar.always(timezone="Asia/Tehran").next_close(utc(2026, 1, 1))
