"""Closed dates, ranges, RRULEs and public holidays from the holidays package."""

from __future__ import annotations

from datetime import date

import pytest

from holiday_data import holiday_name
from sla_engine.closures import ClosedDates, HolidaySource, parse_date
from sla_engine.errors import CalendarError


def test_parse_date_reads_iso_dates_and_refuses_datetimes() -> None:
    """'2026-12-24' is a date; a datetime or '24/12/2026' is refused with the expected form."""
    from datetime import datetime

    assert parse_date("2026-12-24") == date(2026, 12, 24)
    assert parse_date(date(2026, 12, 24)) == date(2026, 12, 24)
    for bad in ("24/12/2026", "2026-02-30", datetime(2026, 12, 24)):
        with pytest.raises(CalendarError, match="YYYY-MM-DD"):
            parse_date(bad)


def test_closed_dates_and_ranges_carry_names() -> None:
    """Single dates, 'a..b' ranges and {'from','to','name'} all close every date in them."""
    closed = ClosedDates.parse(
        [
            "2026-12-24",
            "2026-12-28..2026-12-30",
            {"from": "2026-08-03", "to": "2026-08-04", "name": "Summer"},
            {"date": "2026-07-03", "name": "Picnic"},
        ]
    )
    table = closed.build(date(2026, 1, 1), date(2026, 12, 31))
    assert sorted(table) == [
        date(2026, 7, 3),
        date(2026, 8, 3),
        date(2026, 8, 4),
        date(2026, 12, 24),
        date(2026, 12, 28),
        date(2026, 12, 29),
        date(2026, 12, 30),
    ]
    assert (table[date(2026, 8, 3)], table[date(2026, 8, 4)]) == ("Summer", "Summer")
    assert table[date(2026, 7, 3)] == "Picnic"
    assert ClosedDates.parse(closed.to_list()).key() == closed.key()


def test_rrule_closure_expands_between_dates() -> None:
    """'FREQ=MONTHLY;BYDAY=1MO' from 2026-01-01 closes the first Monday of each month."""
    closed = ClosedDates.parse(
        [{"rrule": "FREQ=MONTHLY;BYDAY=1MO", "start": "2026-01-01", "name": "Planning"}]
    )
    table = closed.build(date(2026, 1, 1), date(2026, 3, 31))
    assert table == {
        date(2026, 1, 5): "Planning",
        date(2026, 2, 2): "Planning",
        date(2026, 3, 2): "Planning",
    }


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        (["2026-12-31..2026-12-01"], "ends before it starts"),
        ([{"date": "2026-12-24", "why": "x"}], "'why'"),
        ([{"name": "x"}], "'date'"),
        ([{"rrule": "FREQ=NEVER"}], "FREQ=YEARLY"),
    ],
)
def test_bad_closed_entries_are_refused(value: object, needle: str) -> None:
    """Reversed ranges, unknown keys, entries without a date and bad RRULEs are refused."""
    with pytest.raises(CalendarError, match=needle):
        ClosedDates.parse(value)


def test_holiday_source_reads_country_subdivision_and_language() -> None:
    """US-CA has Cesar Chavez Day on 2026-03-31; IR in fa_IR names Nowruz in Persian."""
    ca = HolidaySource.from_mapping({"country": "US", "subdivision": "CA"})
    assert ca.build(2026, 2026)[date(2026, 3, 31)] == holiday_name(
        "US", date(2026, 3, 31), subdivision="CA"
    )
    ir = HolidaySource.from_mapping({"country": "IR", "language": "fa_IR"})
    assert ir.build(2026, 2026)[date(2026, 3, 23)] == holiday_name(
        "IR", date(2026, 3, 23), language="fa_IR"
    )
    assert HolidaySource.from_mapping(ca.to_mapping()) == ca


def test_holiday_source_observed_days() -> None:
    """With observed days US 2026-07-03 is closed (July 4th is a Saturday); without, it is not."""
    observed = HolidaySource(country="US").build(2026, 2026)
    plain = HolidaySource(country="US", observed=False).build(2026, 2026)
    assert date(2026, 7, 3) in observed
    assert date(2026, 7, 3) not in plain


@pytest.mark.parametrize(
    ("mapping", "needle"),
    [
        ({"country": "XX"}, "'XX'"),
        ({"country": "US", "subdivision": "ZZ"}, "'ZZ'"),
        ({"country": "US", "region": "CA"}, "'region'"),
        ({"subdivision": "CA"}, "exactly one"),
        ({"country": "US", "observed": "yes"}, "'yes'"),
    ],
)
def test_bad_holiday_sources_are_refused(mapping: dict[str, object], needle: str) -> None:
    """Unknown countries, subdivisions and keys, and a non-boolean observed, are refused."""
    with pytest.raises(CalendarError, match=needle):
        HolidaySource.from_mapping(mapping)


def test_holiday_names_do_not_depend_on_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no language named, holidays are named in the country's own default language."""
    from datetime import date

    from sla_engine.calendar import BusinessCalendar

    names = []
    for lang in ("C.UTF-8", "en_US.UTF-8", "fa_IR.UTF-8"):
        for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
            monkeypatch.setenv(var, lang)
        cal = BusinessCalendar(
            timezone="Asia/Tehran", hours={"sat-wed": ["08:00-16:00"]}, holidays="IR"
        )
        names.append(cal.closure(date(2026, 3, 21)))
    assert len(set(names)) == 1
    import holidays

    own = type(holidays.country_holidays("IR")).default_language
    assert names[0] == holiday_name("IR", date(2026, 3, 21), language=own)
