"""Weekly hours: windows, 24:00, overnight windows, day names and the plain-data form."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings

from sla_engine.errors import CalendarError
from sla_engine.hours import WeeklyHours, Window, format_time_of_day, parse_window
from strategies import cal_weekly_hours


def test_parse_window_reads_seconds_since_midnight() -> None:
    """'09:00-17:00' is 32 400 s to 61 200 s (9 x 3600, 17 x 3600)."""
    assert parse_window("09:00-17:00") == Window(start=32_400, end=61_200)
    assert parse_window(" 09:30:15 - 10:00 ") == Window(start=34_215, end=36_000)


def test_24_00_closes_a_day() -> None:
    """'00:00-24:00' is the whole day, 0 to 86 400 s, and not overnight."""
    w = parse_window("00:00-24:00")
    assert (w.start, w.end, w.overnight) == (0, 86_400, False)
    assert str(w) == "00:00-24:00"


def test_overnight_window_ends_the_next_morning() -> None:
    """'22:00-06:00' ends at 86 400 + 21 600 = 108 000 s and is 8 h long."""
    w = parse_window("22:00-06:00")
    assert (w.start, w.end, w.overnight, w.seconds) == (79_200, 108_000, True, 28_800)
    assert str(w) == "22:00-06:00"


@pytest.mark.parametrize("text", ["24:00-01:00", "09:00-09:00"])
def test_degenerate_windows_are_refused(text: str) -> None:
    """A window may not open at 24:00 or close when it opens; the message says what to write."""
    with pytest.raises(CalendarError, match="00:00"):
        parse_window(text)


def test_format_time_of_day() -> None:
    """Seconds print as HH:MM, with :SS only when needed; 86 400 is 24:00."""
    assert format_time_of_day(0) == "00:00"
    assert format_time_of_day(86_400) == "24:00"
    assert format_time_of_day(3_661) == "01:01:01"
    assert format_time_of_day(108_000) == "06:00"


def test_day_ranges_wrap_around_the_week() -> None:
    """'sat-wed' is Saturday, Sunday, Monday, Tuesday, Wednesday (Iran's working week)."""
    hours = WeeklyHours.parse({"sat-wed": ["08:00-16:00"], "thu": ["08:00-12:00"]})
    open_days = [i for i in range(7) if hours.windows(i)]
    assert open_days == [0, 1, 2, 3, 5, 6]
    assert hours.windows(4) == ()


def test_day_names_lists_and_daily() -> None:
    """'mon,thu', full names and 'daily' are read; '24x7' is every day all day."""
    assert [bool(d) for d in WeeklyHours.parse({"mon,thu": "09:00-17:00"}).days] == [
        True,
        False,
        False,
        True,
        False,
        False,
        False,
    ]
    assert WeeklyHours.parse({"Monday": ["09:00-17:00"]}).windows(0) == (
        parse_window("09:00-17:00"),
    )
    assert WeeklyHours.parse({"daily": ["00:00-24:00"]}) == WeeklyHours.parse("24x7")
    assert WeeklyHours.parse("24x7") == WeeklyHours.always()


def test_windows_of_a_day_are_sorted() -> None:
    """Windows given out of order are kept sorted by opening time."""
    hours = WeeklyHours.parse({"mon": ["13:00-17:00", "09:00-12:00"]})
    assert [str(w) for w in hours.windows(0)] == ["09:00-12:00", "13:00-17:00"]


def test_to_mapping_groups_consecutive_equal_days() -> None:
    """Mon-Fri with the same windows come back as one 'mon-fri' key."""
    hours = WeeklyHours.parse(
        {"mon": ["09:00-17:00"], "tue-fri": ["09:00-17:00"], "sun": ["22:00-06:00"]}
    )
    assert hours.to_mapping() == {"mon-fri": ["09:00-17:00"], "sun": ["22:00-06:00"]}


@settings(max_examples=200, deadline=None)
@given(cal_weekly_hours())
def test_weekly_hours_round_trip_through_plain_data(value: dict[str, list[str]] | str) -> None:
    """WeeklyHours.parse(h.to_mapping()) == h for any valid weekly hours."""
    hours = WeeklyHours.parse(value)
    assert WeeklyHours.parse(hours.to_mapping()) == hours


@settings(max_examples=200, deadline=None)
@given(cal_weekly_hours())
def test_parsed_windows_never_overlap(value: dict[str, list[str]] | str) -> None:
    """Within a day, each window closes at or before the next one opens."""
    hours = WeeklyHours.parse(value)
    for day in hours.days:
        for a, b in itertools.pairwise(day):
            assert a.end <= b.start


def test_window_checks_its_invariants() -> None:
    """Window refuses a start outside the day or an end not after the start."""
    with pytest.raises(CalendarError):
        Window(start=86_400, end=90_000)
    with pytest.raises(CalendarError):
        Window(start=3_600, end=3_600)
    with pytest.raises(CalendarError):
        WeeklyHours(days=((),) * 6)
