"""Bad input: each error has its class, names the offending value and says how to fix it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sla_engine.calendar import BusinessCalendar
from sla_engine.errors import (
    CalendarError,
    DurationError,
    HorizonError,
    NaiveDatetimeError,
    SLAEngineError,
    UnknownTimeZoneError,
)

OFFICE = BusinessCalendar(timezone="UTC", hours={"mon-fri": ["09:00-17:00"]})
NAIVE = datetime(2026, 3, 9, 9)
AWARE = datetime(2026, 3, 9, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    "call",
    [
        lambda: OFFICE.add(NAIVE, timedelta(hours=1)),
        lambda: OFFICE.subtract(NAIVE, timedelta(hours=1)),
        lambda: OFFICE.elapsed(AWARE, NAIVE),
        lambda: OFFICE.is_open(NAIVE),
        lambda: OFFICE.next_open(NAIVE),
        lambda: OFFICE.segments(NAIVE, AWARE),
        lambda: OFFICE.explain(AWARE, NAIVE),
        lambda: OFFICE.add_business_days(NAIVE, 1),
    ],
)
def test_naive_datetime_is_refused_with_the_way_to_attach_a_zone(call: Any) -> None:
    """A naive datetime raises NaiveDatetimeError naming it and showing tzinfo=... as the fix."""
    with pytest.raises(NaiveDatetimeError) as info:
        call()
    message = str(info.value)
    assert "2026-03-09T09:00:00" in message
    assert "tzinfo=" in message
    assert isinstance(info.value, TypeError) and isinstance(info.value, SLAEngineError)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "america/new_york", "EST5EDT6", ""])
def test_unknown_zone_is_refused(zone: str) -> None:
    """An unknown zone raises UnknownTimeZoneError naming it and giving IANA examples."""
    with pytest.raises(UnknownTimeZoneError) as info:
        BusinessCalendar(timezone=zone, hours="24x7")
    message = str(info.value)
    assert repr(zone) in message
    assert "America/New_York" in message
    assert info.value.path == ("timezone",)


def test_unknown_country_is_refused() -> None:
    """holidays='XX' raises CalendarError naming 'XX' and asking for an ISO 3166 code."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours="24x7", holidays={"country": "XX"})
    assert "'XX'" in str(info.value) and "ISO 3166" in str(info.value)


@pytest.mark.parametrize("holidays", ["US-ZZ", {"country": "US", "subdivision": "ZZ"}])
def test_unknown_subdivision_is_refused(holidays: Any) -> None:
    """An unknown subdivision names itself and lists valid ones, as the installed holidays
    package knows them."""
    import holidays as holidays_package

    first = holidays_package.country_holidays("US").subdivisions[0]
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours="24x7", holidays=holidays)
    message = str(info.value)
    assert "'ZZ'" in message and f"expected one of {first}, " in message


@pytest.mark.parametrize("window", ["25:00-26:00", "09:00-25:00", "09:60-17:00", "24:30-01:00"])
def test_impossible_time_of_day_is_refused(window: str) -> None:
    """'25:00' and friends raise CalendarError naming the window and the valid ranges."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours={"mon": [window]})
    message = str(info.value)
    assert repr(window) in message
    assert "00-23" in message or "24:00" in message


@pytest.mark.parametrize("window", ["9-17", "09:00", "nine to five", "09:00-17"])
def test_unreadable_window_is_refused(window: str) -> None:
    """'9-17' raises CalendarError naming it and showing the 'HH:MM-HH:MM' form."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours={"mon": [window]})
    assert repr(window) in str(info.value)
    assert "'09:00-17:00'" in str(info.value)
    assert info.value.path == ("hours", "mon", 0)


def test_overlapping_windows_are_refused() -> None:
    """09:00-12:00 and 11:00-17:00 on one day raise CalendarError naming both and the fix."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours={"mon": ["09:00-12:00", "11:00-17:00"]})
    message = str(info.value)
    assert "09:00-12:00" in message and "11:00-17:00" in message and "merge" in message


def test_overnight_window_running_into_the_next_opening_is_refused() -> None:
    """Monday 22:00-06:00 with Tuesday opening at 05:00 raises CalendarError."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours={"mon": ["22:00-06:00"], "tue": ["05:00-07:00"]})
    assert "06:00" in str(info.value) and "05:00" in str(info.value)
    assert "shorten" in str(info.value)


@pytest.mark.parametrize("hours", [{}, {"mon-fri": []}, {"sat": "closed"}])
def test_empty_week_is_refused(hours: Any) -> None:
    """A calendar that is never open is refused when built, with an example of hours."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours=hours)
    assert "never open" in str(info.value) and "24x7" in str(info.value)


def test_day_named_twice_by_two_keys_is_refused() -> None:
    """'mon-fri' and 'fri' both naming Friday raises CalendarError naming both keys."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours={"mon-fri": ["09:00-17:00"], "fri": ["09:00-12:00"]})
    message = str(info.value)
    assert "'mon-fri'" in message and "'fri'" in message and "once" in message


def test_day_named_twice_in_one_key_is_refused() -> None:
    """'mon,mon' raises CalendarError naming the key and asking to name each day once."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours={"mon,mon": ["09:00-17:00"]})
    message = str(info.value)
    assert "'mon,mon'" in message and "once" in message


def test_unknown_day_name_is_refused() -> None:
    """'mnday' raises CalendarError naming it and listing the day names."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours={"mnday": ["09:00-17:00"]})
    assert "'mnday'" in str(info.value) and "mon-fri" in str(info.value)


@pytest.mark.parametrize("key", ["hour", "timezone_name", "holiday"])
def test_unknown_mapping_key_is_refused(key: str) -> None:
    """from_mapping with an unknown key raises CalendarError naming it and the known keys."""
    mapping = {"timezone": "UTC", "hours": "24x7", key: "x"}
    with pytest.raises(CalendarError) as info:
        BusinessCalendar.from_mapping(mapping)
    message = str(info.value)
    assert repr(key) in message and "hours" in message and "timezone" in message
    assert info.value.path == (key,)


def test_missing_timezone_is_refused() -> None:
    """A mapping without a timezone raises CalendarError: there is no UTC default."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar.from_mapping({"hours": "24x7"})
    assert "timezone" in str(info.value) and "IANA" in str(info.value)


@pytest.mark.parametrize("value", [3600, 1.5, "2h"])
def test_duration_that_is_not_a_timedelta_is_refused(value: Any) -> None:
    """add(t, 3600) raises DurationError naming the value and showing timedelta(...)."""
    with pytest.raises(DurationError) as info:
        OFFICE.add(AWARE, value)
    message = str(info.value)
    assert repr(value) in message
    assert "timedelta(" in message


def test_business_days_that_are_not_whole_numbers_are_refused() -> None:
    """add_business_days(t, 1.5) raises CalendarError naming 1.5."""
    with pytest.raises(CalendarError, match=r"1\.5"):
        OFFICE.add_business_days(AWARE, 1.5)  # type: ignore[arg-type]


def test_special_date_also_closed_is_refused() -> None:
    """A date with its own hours that is also closed raises CalendarError naming the date."""
    with pytest.raises(CalendarError, match="2026-12-31"):
        BusinessCalendar(
            timezone="UTC",
            hours="24x7",
            closed=["2026-12-31"],
            special={"2026-12-31": ["09:00-13:00"]},
        )


def test_bad_rrule_is_refused() -> None:
    """An RRULE dateutil cannot read raises CalendarError naming it and showing an example."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours="24x7", closed=[{"rrule": "FREQ=SOMETIMES"}])
    assert "FREQ=SOMETIMES" in str(info.value) and "FREQ=YEARLY" in str(info.value)


@pytest.mark.parametrize("year", [1800, 2300])
def test_horizon_error_names_the_instant_asked_for(year: int) -> None:
    """A question in 1800 or 2300 raises HorizonError that names that year and the range."""
    with pytest.raises(HorizonError) as info:
        OFFICE.is_open(datetime(year, 6, 1, tzinfo=UTC))
    assert str(year) in str(info.value)
    assert "1900-01-01 to 2199-12-31" in str(info.value)


def test_problems_reports_every_part_at_once() -> None:
    """problems() lists a bad zone and a bad window together, each at its own path."""
    from sla_engine.calendar import BusinessCalendar

    found = BusinessCalendar.problems(
        {"timezone": "Mars/Base", "hours": {"mon-fri": ["9-17"]}, "closed": ["2026-02-30"]}
    )
    assert [e.path for e in found] == [("timezone",), ("hours", "mon-fri", 0), ("closed", 0)]
    assert "'9-17' is not a window" in found[1].message
    assert BusinessCalendar.problems({"timezone": "UTC", "hours": "24x7"}) == []
