"""Every DOMAIN.md default that concerns calendars, one named test each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sla_engine.calendar import BusinessCalendar

H = timedelta(hours=1)
US = timedelta(microseconds=1)
NY = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    """A UTC instant."""
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


OFFICE = BusinessCalendar(timezone="UTC", hours={"mon-fri": ["09:00-17:00"]})


def test_intervals_are_half_open() -> None:
    """[09:00, 17:00): open at 09:00, closed at 17:00, and elapsed counts [start, end)."""
    # Mon 2026-03-09.
    assert OFFICE.is_open(utc(2026, 3, 9, 9))
    assert not OFFICE.is_open(utc(2026, 3, 9, 17))
    assert OFFICE.is_open(utc(2026, 3, 9, 17) - US)
    assert not OFFICE.is_open(utc(2026, 3, 9, 9) - US)
    assert OFFICE.elapsed(utc(2026, 3, 9, 9), utc(2026, 3, 9, 9) + US) == US
    assert OFFICE.elapsed(utc(2026, 3, 9, 17), utc(2026, 3, 9, 18)) == timedelta(0)


def test_gap_wall_time_moves_forward_by_the_gap() -> None:
    """A window opening at 02:30 on a spring-forward day opens at 03:30 EDT (07:30Z)."""
    cal = BusinessCalendar(timezone="America/New_York", hours={"sun": ["02:30-05:00"]})
    # 02:30 does not exist on 2026-03-08; forward by the 1 h gap: 03:30 EDT = 07:30Z.
    # 05:00 EDT = 09:00Z: 1 h 30 min of business time.
    assert cal.next_open(utc(2026, 3, 8)) == utc(2026, 3, 8, 7, 30)
    assert cal.elapsed(utc(2026, 3, 8), utc(2026, 3, 9)) == timedelta(hours=1, minutes=30)


def test_fold_wall_time_is_the_earlier_instant() -> None:
    """A window opening at 01:30 on a fall-back day opens at 01:30 EDT (05:30Z), not EST."""
    cal = BusinessCalendar(timezone="America/New_York", hours={"sun": ["01:30-03:00"]})
    # 01:30 EDT = 05:30Z; 03:00 EST = 08:00Z: 2 h 30 min.
    assert cal.next_open(utc(2026, 11, 1)) == utc(2026, 11, 1, 5, 30)
    assert cal.elapsed(utc(2026, 11, 1), utc(2026, 11, 2)) == timedelta(hours=2, minutes=30)


def test_overnight_window_belongs_to_the_date_it_opens_on() -> None:
    """'mon': 22:00-06:00 opens Monday night and runs into Tuesday morning, not Sunday's."""
    cal = BusinessCalendar(timezone="UTC", hours={"mon": ["22:00-06:00"]})
    # Mon 2026-03-09 22:00 to Tue 03-10 06:00; nothing on Monday morning.
    assert not cal.is_open(utc(2026, 3, 9, 3))
    assert cal.is_open(utc(2026, 3, 10, 3))
    assert cal.elapsed(utc(2026, 3, 9), utc(2026, 3, 11)) == 8 * H


def test_holiday_closes_the_overnight_window_that_starts_on_it() -> None:
    """A holiday Monday closes Mon 22:00-Tue 06:00 but not Sun 22:00-Mon 06:00."""
    cal = BusinessCalendar(
        timezone="UTC",
        hours={"daily": ["22:00-06:00"]},
        closed=[{"date": "2026-03-09", "name": "holiday"}],
    )
    # Sun 03-08 22:00 - Mon 06:00 counts (8 h); Mon 22:00 - Tue 06:00 does not.
    assert cal.is_open(utc(2026, 3, 9, 3))
    assert not cal.is_open(utc(2026, 3, 10, 3))
    assert cal.elapsed(utc(2026, 3, 8, 12), utc(2026, 3, 10, 12)) == 8 * H


def test_add_zero_returns_the_start_even_when_closed() -> None:
    """add(t, 0) == t, also at a closed instant (not the next opening)."""
    closed_instant = utc(2026, 3, 7, 12)  # a Saturday
    assert OFFICE.add(closed_instant, timedelta(0)) == closed_instant


def test_add_returns_a_closing_time_not_the_next_opening() -> None:
    """Mon 09:00 + 8 h is Mon 17:00 (the close), not Tue 09:00."""
    assert OFFICE.add(utc(2026, 3, 9, 9), 8 * H) == utc(2026, 3, 9, 17)
    # And from a closed instant: Sat + 1 h = Mon 10:00.
    assert OFFICE.add(utc(2026, 3, 7, 12), H) == utc(2026, 3, 9, 10)


def test_subtract_returns_an_opening_time_not_the_previous_close() -> None:
    """Mon 17:00 - 8 h is Mon 09:00, the latest instant with 8 h to go."""
    assert OFFICE.subtract(utc(2026, 3, 9, 17), 8 * H) == utc(2026, 3, 9, 9)


def test_elapsed_is_negative_when_end_is_before_start() -> None:
    """elapsed(Mon 17:00, Mon 09:00) == -8 h."""
    assert OFFICE.elapsed(utc(2026, 3, 9, 17), utc(2026, 3, 9, 9)) == -8 * H


def test_negative_add_subtracts() -> None:
    """add(t, -d) == subtract(t, d)."""
    t = utc(2026, 3, 10, 10)
    assert OFFICE.add(t, -3 * H) == OFFICE.subtract(t, 3 * H) == utc(2026, 3, 9, 15)


def test_instants_out_are_utc() -> None:
    """Whatever zone goes in, instants come out in UTC."""
    out = OFFICE.add(datetime(2026, 3, 9, 5, tzinfo=NY), H)
    assert out.tzinfo is UTC or out.utcoffset() == timedelta(0)
    assert out == utc(2026, 3, 9, 10)
    assert OFFICE.next_open(datetime(2026, 3, 7, tzinfo=NY)).utcoffset() == timedelta(0)


def test_exact_to_the_microsecond() -> None:
    """Durations and instants keep every microsecond."""
    d = timedelta(hours=1, microseconds=7)
    t = utc(2026, 3, 9, 9, 0, 0, 3)
    assert OFFICE.add(t, d) == utc(2026, 3, 9, 10, 0, 0, 10)
    assert OFFICE.elapsed(t, OFFICE.add(t, d)) == d
