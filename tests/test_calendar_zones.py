"""Named zone fixtures and DST edge days, with expected values worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from holiday_data import holiday_name
from sla_engine.calendar import BusinessCalendar

H = timedelta(hours=1)
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
TEHRAN = ZoneInfo("Asia/Tehran")
APIA = ZoneInfo("Pacific/Apia")


def utc(*args: int) -> datetime:
    """A UTC instant."""
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def new_york_daily() -> BusinessCalendar:
    """Every day 09:00-17:00 in New York."""
    return BusinessCalendar(timezone="America/New_York", hours={"daily": ["09:00-17:00"]})


@pytest.fixture
def new_york_weekdays() -> BusinessCalendar:
    """Monday to Friday 09:00-17:00 in New York."""
    return BusinessCalendar(timezone="America/New_York", hours={"mon-fri": ["09:00-17:00"]})


@pytest.fixture
def new_york_nights() -> BusinessCalendar:
    """Every night 22:00-06:00 in New York."""
    return BusinessCalendar(timezone="America/New_York", hours={"daily": ["22:00-06:00"]})


@pytest.fixture
def berlin_all_day() -> BusinessCalendar:
    """Every day 00:00-24:00 in Berlin."""
    return BusinessCalendar(timezone="Europe/Berlin", hours={"daily": ["00:00-24:00"]})


@pytest.fixture
def tehran_office() -> BusinessCalendar:
    """Saturday to Wednesday 08:00-16:00, Thursday 08:00-12:00, Friday off, Iranian holidays
    named in Persian."""
    return BusinessCalendar(
        timezone="Asia/Tehran",
        hours={"sat-wed": ["08:00-16:00"], "thu": ["08:00-12:00"]},
        holidays={"country": "IR", "language": "fa_IR"},
    )


# ---------------------------------------------------------------- America/New_York


def test_new_york_spring_day_office_hours_are_eight_hours(
    new_york_daily: BusinessCalendar,
) -> None:
    """2026-03-08 (clocks 02:00 EST -> 03:00 EDT): 09:00-17:00 is still 8 h, 13:00Z-21:00Z."""
    # The day runs 00:00 EST (05:00Z) to the next 00:00 EDT (04:00Z); the window, after the
    # change, is 09:00 EDT = 13:00Z to 17:00 EDT = 21:00Z.
    day = new_york_daily.segments(utc(2026, 3, 8, 5), utc(2026, 3, 9, 4))
    assert [(s.start, s.end) for s in day] == [(utc(2026, 3, 8, 13), utc(2026, 3, 8, 21))]
    assert new_york_daily.elapsed(utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)) == 8 * H


def test_new_york_spring_weekend_add_crosses_the_change(
    new_york_weekdays: BusinessCalendar,
) -> None:
    """Fri 2026-03-06 16:00 EST + 2 h = Mon 2026-03-09 10:00 EDT (14:00Z)."""
    # 1 h on Friday (16:00-17:00 EST), 1 h on Monday (09:00-10:00 EDT = 13:00Z-14:00Z).
    start = datetime(2026, 3, 6, 16, tzinfo=NY)
    assert new_york_weekdays.add(start, 2 * H) == utc(2026, 3, 9, 14)
    # Friday 09:00 EST to Monday 17:00 EDT: 8 h + 8 h of business time.
    assert (
        new_york_weekdays.elapsed(
            datetime(2026, 3, 6, 9, tzinfo=NY), datetime(2026, 3, 9, 17, tzinfo=NY)
        )
        == 16 * H
    )


def test_new_york_autumn_day_office_hours_are_eight_hours(
    new_york_daily: BusinessCalendar, new_york_weekdays: BusinessCalendar
) -> None:
    """2026-11-01 (02:00 EDT -> 01:00 EST): 09:00-17:00 EST is 14:00Z-22:00Z, 8 h."""
    # The day runs 00:00 EDT (04:00Z) to the next 00:00 EST (05:00Z), 25 h of wall time.
    assert new_york_daily.elapsed(utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)) == 8 * H
    assert new_york_daily.next_open(utc(2026, 11, 1, 4)) == utc(2026, 11, 1, 14)
    # Fri 2026-10-30 16:00 EDT (20:00Z) + 2 h = Mon 2026-11-02 10:00 EST = 15:00Z.
    assert new_york_weekdays.add(utc(2026, 10, 30, 20), 2 * H) == utc(2026, 11, 2, 15)


def test_new_york_overnight_window_is_seven_hours_in_spring(
    new_york_nights: BusinessCalendar,
) -> None:
    """Sat 2026-03-07 22:00 EST to Sun 06:00 EDT: 03:00Z-10:00Z, 7 h."""
    # 22:00 EST = 03:00Z; 06:00 EDT = 10:00Z; 10 - 3 = 7 h (one wall hour never happened).
    night = new_york_nights.segments(utc(2026, 3, 8, 0), utc(2026, 3, 8, 12))
    assert [(s.start, s.end) for s in night] == [(utc(2026, 3, 8, 3), utc(2026, 3, 8, 10))]
    assert new_york_nights.elapsed(utc(2026, 3, 8, 0), utc(2026, 3, 8, 12)) == 7 * H
    assert new_york_nights.add(utc(2026, 3, 8, 3), 7 * H) == utc(2026, 3, 8, 10)


def test_new_york_overnight_window_is_nine_hours_in_autumn(
    new_york_nights: BusinessCalendar,
) -> None:
    """Sat 2026-10-31 22:00 EDT to Sun 06:00 EST: 02:00Z-11:00Z, 9 h."""
    # 22:00 EDT = 02:00Z; 06:00 EST = 11:00Z; 11 - 2 = 9 h (01:00-02:00 happened twice).
    assert new_york_nights.elapsed(utc(2026, 11, 1, 0), utc(2026, 11, 1, 12)) == 9 * H
    assert new_york_nights.next_close(utc(2026, 11, 1, 2)) == utc(2026, 11, 1, 11)


def test_window_inside_the_spring_gap_moves_forward() -> None:
    """02:00-02:30 on 2026-03-08 in New York never happens: it is 03:00-03:30 EDT, 30 min."""
    cal = BusinessCalendar(timezone="America/New_York", hours={"sun": ["02:00-02:30"]})
    # 02:00 and 02:30 move forward by the 1 h gap: 03:00 EDT = 07:00Z, 03:30 EDT = 07:30Z.
    seg = cal.segments(utc(2026, 3, 8, 5), utc(2026, 3, 9, 4))
    assert [(s.start, s.end) for s in seg] == [
        (utc(2026, 3, 8, 7), utc(2026, 3, 8, 7, 30)),
    ]
    assert cal.elapsed(utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)) == timedelta(minutes=30)


def test_new_york_ambiguous_hour_window_starts_at_the_earlier_instant() -> None:
    """01:00-02:00 on 2026-11-01 in New York: 01:00 EDT (05:00Z) to 02:00 EST (07:00Z), 2 h."""
    cal = BusinessCalendar(timezone="America/New_York", hours={"sun": ["01:00-02:00"]})
    # 01:00 happens twice: the earlier is 01:00 EDT = 05:00Z; 02:00 EST = 07:00Z.
    assert cal.elapsed(utc(2026, 11, 1, 0), utc(2026, 11, 2, 0)) == 2 * H
    assert cal.next_open(utc(2026, 11, 1, 0)) == utc(2026, 11, 1, 5)


def test_california_holidays_by_shorthand() -> None:
    """'US-CA' closes Cesar Chavez Day (Tue 2026-03-31) and names it."""
    cal = BusinessCalendar(
        timezone="America/Los_Angeles", hours={"mon-fri": ["09:00-17:00"]}, holidays="US-CA"
    )
    assert cal.closure(date(2026, 3, 31)) == holiday_name("US", date(2026, 3, 31), subdivision="CA")
    la = ZoneInfo("America/Los_Angeles")
    day = (datetime(2026, 3, 31, tzinfo=la), datetime(2026, 4, 1, tzinfo=la))
    assert cal.elapsed(*day) == timedelta(0)
    # Monday 2026-03-30 and Wednesday 2026-04-01 are ordinary 8 h days.
    assert cal.elapsed(datetime(2026, 3, 30, tzinfo=la), datetime(2026, 4, 2, tzinfo=la)) == 16 * H
    long_form = BusinessCalendar(
        timezone="America/Los_Angeles",
        hours={"mon-fri": ["09:00-17:00"]},
        holidays={"country": "US", "subdivision": "CA"},
    )
    assert long_form == cal


# ---------------------------------------------------------------- Europe/Berlin


def test_berlin_spring_day_is_23_hours(berlin_all_day: BusinessCalendar) -> None:
    """2026-03-29 00:00-24:00 in Berlin: 28 23:00Z to 29 22:00Z, 23 h."""
    # 00:00 CET = 23:00Z the day before; the next midnight is CEST = 22:00Z.
    assert berlin_all_day.elapsed(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)) == 23 * H
    assert (
        berlin_all_day.elapsed(
            datetime(2026, 3, 29, tzinfo=BERLIN), datetime(2026, 3, 30, tzinfo=BERLIN)
        )
        == 23 * H
    )


def test_berlin_autumn_day_is_25_hours(berlin_all_day: BusinessCalendar) -> None:
    """2026-10-25 00:00-24:00 in Berlin: 24 22:00Z to 25 23:00Z, 25 h."""
    assert (
        berlin_all_day.elapsed(
            datetime(2026, 10, 25, tzinfo=BERLIN), datetime(2026, 10, 26, tzinfo=BERLIN)
        )
        == 25 * H
    )


def test_berlin_overnight_windows_over_both_changes() -> None:
    """22:00-06:00 over 2026-03-29 is 7 h (21:00Z-04:00Z); over 2026-10-25 9 h (20:00Z-05:00Z)."""
    cal = BusinessCalendar(timezone="Europe/Berlin", hours={"sat": ["22:00-06:00"]})
    # Spring: 22:00 CET = 21:00Z, 06:00 CEST = 04:00Z. Autumn: 22:00 CEST = 20:00Z,
    # 06:00 CET = 05:00Z.
    assert cal.elapsed(utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)) == 7 * H
    assert cal.next_open(utc(2026, 3, 28, 12)) == utc(2026, 3, 28, 21)
    assert cal.elapsed(utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)) == 9 * H
    assert cal.next_close(utc(2026, 10, 24, 20)) == utc(2026, 10, 25, 5)


def test_berlin_fold_window_starts_at_the_earlier_instant() -> None:
    """02:00-03:00 on 2026-10-25 in Berlin: 02:00 CEST (00:00Z) to 03:00 CET (02:00Z), 2 h."""
    cal = BusinessCalendar(timezone="Europe/Berlin", hours={"sun": ["02:00-03:00"]})
    seg = cal.segments(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert [(s.start, s.end) for s in seg] == [(utc(2026, 10, 25, 0), utc(2026, 10, 25, 2))]


# ---------------------------------------------------------------- Australia/Lord_Howe


def test_lord_howe_autumn_day_is_24_and_a_half_hours() -> None:
    """2026-04-05 (02:00 +11:00 -> 01:30 +10:30): the day 00:00-24:00 is 24.5 h."""
    cal = BusinessCalendar(timezone="Australia/Lord_Howe", hours="24x7")
    whole = BusinessCalendar(timezone="Australia/Lord_Howe", hours={"sun": ["00:00-24:00"]})
    # 00:00 +11:00 = 04-04 13:00Z; next 00:00 +10:30 = 04-05 13:30Z: 24 h 30 min.
    assert whole.elapsed(utc(2026, 4, 4, 0), utc(2026, 4, 6, 0)) == timedelta(hours=24, minutes=30)
    assert whole.next_open(utc(2026, 4, 4, 0)) == utc(2026, 4, 4, 13)
    assert whole.next_close(utc(2026, 4, 4, 13)) == utc(2026, 4, 5, 13, 30)
    day = (utc(2026, 4, 4, 13), utc(2026, 4, 5, 13, 30))
    assert cal.elapsed(*day) == timedelta(hours=24, minutes=30)


def test_lord_howe_spring_day_is_23_and_a_half_hours() -> None:
    """2026-10-04 (02:00 +10:30 -> 02:30 +11:00): the day 00:00-24:00 is 23.5 h."""
    whole = BusinessCalendar(timezone="Australia/Lord_Howe", hours={"sun": ["00:00-24:00"]})
    # 00:00 +10:30 = 10-03 13:30Z; next 00:00 +11:00 = 10-04 13:00Z: 23 h 30 min.
    assert whole.elapsed(utc(2026, 10, 3, 0), utc(2026, 10, 5, 0)) == timedelta(
        hours=23, minutes=30
    )
    assert whole.next_open(utc(2026, 10, 3, 0)) == utc(2026, 10, 3, 13, 30)


# ---------------------------------------------------------------- Asia/Tehran


def test_tehran_2021_spring_day_was_23_hours() -> None:
    """2021-03-22 in Tehran began at 01:00 +04:30 (midnight skipped): 23 h long."""
    cal = BusinessCalendar(timezone="Asia/Tehran", hours={"mon": ["00:00-24:00"]})
    # Midnight +03:30 moves forward by the gap: 21 20:30Z; 23 00:00 +04:30 = 22 19:30Z.
    assert cal.elapsed(utc(2021, 3, 21), utc(2021, 3, 23)) == 23 * H
    assert cal.next_open(utc(2021, 3, 21)) == utc(2021, 3, 21, 20, 30)


def test_tehran_2023_spring_day_is_24_hours() -> None:
    """No DST since 2022: 2023-03-22 in Tehran is 24 h, 21 20:30Z to 22 20:30Z."""
    cal = BusinessCalendar(timezone="Asia/Tehran", hours={"wed": ["00:00-24:00"]})
    assert cal.elapsed(utc(2023, 3, 21), utc(2023, 3, 23)) == 24 * H
    assert cal.next_close(utc(2023, 3, 21, 20, 30)) == utc(2023, 3, 22, 20, 30)


def test_tehran_week_has_a_friday_weekend(tehran_office: BusinessCalendar) -> None:
    """Sat 2026-04-04 to Sat 2026-04-11: five 8 h days and a 4 h Thursday, 44 h."""
    # No Iranian holiday falls in that week: asked of the installed holidays package, whose
    # Iranian dates (a lunar calendar among them) are its data, not ours.
    iranian = holidays.country_holidays("IR", years=2026)
    assert not [d for d in iranian if date(2026, 4, 4) <= d < date(2026, 4, 11)]
    week = (datetime(2026, 4, 4, tzinfo=TEHRAN), datetime(2026, 4, 11, tzinfo=TEHRAN))
    assert tehran_office.elapsed(*week) == 5 * 8 * H + 4 * H
    assert not tehran_office.is_open(datetime(2026, 4, 10, 10, tzinfo=TEHRAN))
    # Thursday 11:00 + 2 h: 1 h on Thursday, then Saturday 08:00 + 1 h.
    assert tehran_office.add(datetime(2026, 4, 9, 11, tzinfo=TEHRAN), 2 * H) == datetime(
        2026, 4, 11, 9, tzinfo=TEHRAN
    )


def test_tehran_holiday_is_named_in_persian(tehran_office: BusinessCalendar) -> None:
    """Mon 2026-03-23 is a Nowruz holiday: closure() and explain() give its Persian name."""
    name = tehran_office.closure(date(2026, 3, 23))
    assert name == holiday_name("IR", date(2026, 3, 23), language="fa_IR")
    day = (datetime(2026, 3, 23, tzinfo=TEHRAN), datetime(2026, 3, 24, tzinfo=TEHRAN))
    assert tehran_office.elapsed(*day) == timedelta(0)
    spans = tehran_office.explain(*day)
    assert not any(s.counted for s in spans)
    assert any(name in s.reason and "holiday" in s.reason for s in spans)


# ---------------------------------------------------------------- Pacific/Apia, Kiritimati


@pytest.fixture
def apia_daily() -> BusinessCalendar:
    """Every day 09:00-17:00 in Samoa."""
    return BusinessCalendar(timezone="Pacific/Apia", hours={"mon-sun": ["09:00-17:00"]})


def test_apia_skipped_date_has_no_hours(apia_daily: BusinessCalendar) -> None:
    """Samoa skipped 2011-12-30: 29 Dec and 31 Dec have 8 h each, 30 Dec none."""
    # Thu 29 Dec at -10:00: 09:00-17:00 = 19:00Z-03:00Z. Sat 31 Dec at +14:00:
    # 09:00-17:00 = 30 Dec 19:00Z-31 Dec 03:00Z. Between them 16 h of wall time, all closed.
    dec29_close = utc(2011, 12, 30, 3)
    dec31_open = utc(2011, 12, 30, 19)
    assert apia_daily.elapsed(dec29_close, dec31_open) == timedelta(0)
    assert apia_daily.next_open(dec29_close) == dec31_open
    assert apia_daily.elapsed(utc(2011, 12, 29, 10), utc(2011, 12, 31, 10)) == 16 * H


def test_apia_explain_says_the_date_does_not_exist(apia_daily: BusinessCalendar) -> None:
    """explain() over the jump says 2011-12-30 does not exist in Pacific/Apia."""
    spans = apia_daily.explain(utc(2011, 12, 30, 3), utc(2011, 12, 30, 19))
    assert not any(s.counted for s in spans)
    assert any("2011-12-30" in s.reason and "does not exist" in s.reason for s in spans)


def test_kiritimati_opens_on_the_utc_previous_day() -> None:
    """At UTC+14 Monday 09:00 is Sunday 19:00Z; Sunday UTC holds 5 h of Monday's hours."""
    cal = BusinessCalendar(timezone="Pacific/Kiritimati", hours={"mon-fri": ["09:00-17:00"]})
    # Mon 2026-03-09 09:00 +14:00 = Sun 03-08 19:00Z; 19:00Z-24:00Z is Monday 09:00-14:00.
    assert cal.is_open(utc(2026, 3, 8, 19))
    assert not cal.is_open(utc(2026, 3, 8, 18, 59, 59))
    assert cal.elapsed(utc(2026, 3, 8), utc(2026, 3, 9)) == 5 * H
    # Fri 2026-03-13 17:00 +14:00 = 03:00Z Friday: closed from then to Sunday 19:00Z.
    assert cal.next_close(utc(2026, 3, 13, 1)) == utc(2026, 3, 13, 3)


def test_kathmandu_quarter_hour_offset() -> None:
    """At +05:45 09:00-17:00 is 03:15Z-11:15Z."""
    cal = BusinessCalendar(timezone="Asia/Kathmandu", hours={"mon-fri": ["09:00-17:00"]})
    assert cal.next_open(utc(2026, 3, 9)) == utc(2026, 3, 9, 3, 15)
    assert cal.next_close(utc(2026, 3, 9, 4)) == utc(2026, 3, 9, 11, 15)


def test_apia_closure_names_the_skipped_date() -> None:
    """closure() of Apia's 2011-12-30 says the zone skipped the date."""
    from datetime import date

    from sla_engine.calendar import BusinessCalendar

    cal = BusinessCalendar(timezone="Pacific/Apia", hours={"daily": ["09:00-17:00"]})
    assert cal.closure(date(2011, 12, 30)) == (
        "2011-12-30 does not exist in Pacific/Apia (skipped by the zone)"
    )
    assert cal.closure(date(2011, 12, 29)) is None
