"""Bad calendar input is refused with a clear SLAEngineError, quickly; calendars pickle, copy and
share across threads. Each test here fails if it runs past a generous time limit."""

from __future__ import annotations

import copy
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from reference_calendar import DAY_US, ReferenceCalendar
from sla_engine.calendar import BusinessCalendar
from sla_engine.errors import CalendarError, HorizonError, UnknownTimeZoneError

TIME_LIMIT_S = 20
"""Generous: each of these runs in well under a second; a hang or a day-by-day walk does not."""


@pytest.fixture(autouse=True)
def time_limit() -> Iterator[None]:
    """Fail the test (rather than hang the suite) if it runs past ``TIME_LIMIT_S``."""

    def expire(signum: int, frame: FrameType | None) -> None:
        pytest.fail(f"the test ran past {TIME_LIMIT_S} s: a hang or an unbounded walk")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TIME_LIMIT_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


OFFICE = {"timezone": "America/New_York", "hours": {"mon-fri": ["09:00-17:00"]}}
H = timedelta(hours=1)

# ------------------------------------------------------------------ instants past the horizon
FAR_INSTANTS = [
    pytest.param(datetime(1, 1, 1, tzinfo=UTC), id="year-1-utc"),
    pytest.param(datetime(1, 1, 1, 0, 0, tzinfo=ZoneInfo("America/New_York")), id="year-1-ny"),
    pytest.param(datetime.max.replace(tzinfo=UTC), id="9999-12-31-utc"),
    pytest.param(datetime(9999, 12, 31, 23, tzinfo=ZoneInfo("Asia/Tokyo")), id="9999-tokyo"),
    pytest.param(utc(1899, 12, 31, 23, 59, 59, 999999), id="just-before-1900"),
    pytest.param(utc(2200, 1, 1, 0, 0, 1), id="just-after-2199"),
]
CALLS: dict[str, Callable[[BusinessCalendar, datetime], object]] = {
    "add": lambda c, t: c.add(t, H),
    "subtract": lambda c, t: c.subtract(t, H),
    "elapsed": lambda c, t: c.elapsed(t, utc(2026, 1, 1)),
    "elapsed-back": lambda c, t: c.elapsed(utc(2026, 1, 1), t),
    "is_open": lambda c, t: c.is_open(t),
    "next_open": lambda c, t: c.next_open(t),
    "next_close": lambda c, t: c.next_close(t),
    "segments": lambda c, t: c.segments(min(t, utc(2026, 1, 1)), max(t, utc(2026, 1, 1))),
    "explain": lambda c, t: c.explain(min(t, utc(2026, 1, 1)), max(t, utc(2026, 1, 1))),
    "add_business_days": lambda c, t: c.add_business_days(t, 1),
    "add_many": lambda c, t: c.add_many(
        np.asarray([(t - utc(1970, 1, 1)) // timedelta(microseconds=1)]), np.asarray([3600])
    ),
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("instant", FAR_INSTANTS)
def test_instants_in_year_1_and_9999_raise_horizon_error(call: str, instant: datetime) -> None:
    """Every calendar method given an instant outside 1900-2199 raises HorizonError (an
    SLAEngineError), never a bare OverflowError from datetime arithmetic."""
    cal = BusinessCalendar.from_mapping(OFFICE)
    with pytest.raises(HorizonError):
        CALLS[call](cal, instant)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31)])
def test_closure_of_a_date_outside_the_horizon_raises_horizon_error(day: date) -> None:
    """closure(9999-12-31) raises HorizonError instead of overflowing on the next day."""
    with pytest.raises(HorizonError):
        BusinessCalendar.from_mapping(OFFICE).closure(day)


@pytest.mark.parametrize("business_time", [timedelta.max, timedelta.min, timedelta(days=400 * 366)])
def test_durations_longer_than_the_horizon_raise_horizon_error(business_time: timedelta) -> None:
    """add(t, timedelta.max) walks at most to the horizon's end and raises HorizonError."""
    with pytest.raises(HorizonError):
        BusinessCalendar.always().add(utc(2026, 1, 1), business_time)


def test_add_business_days_beyond_the_horizon_raises_horizon_error() -> None:
    """add_business_days(t, 10**12) is refused at once with HorizonError."""
    with pytest.raises(HorizonError):
        BusinessCalendar.from_mapping(OFFICE).add_business_days(utc(2026, 1, 1), 10**12)


# ------------------------------------------------------------------ closed dates and ranges
@pytest.mark.parametrize(
    "closed",
    [
        pytest.param(["9999-12-31"], id="date-9999-12-31"),
        pytest.param(["0001-01-01..9999-12-31"], id="range-0001-9999"),
        pytest.param([{"from": "0001-01-01", "to": "9999-12-31"}], id="from-to-0001-9999"),
        pytest.param([{"date": "1899-12-31"}], id="date-1899"),
        pytest.param(["2026-01-01..2200-01-01"], id="range-ending-2200"),
    ],
)
def test_closed_dates_outside_the_horizon_are_refused(closed: list[Any]) -> None:
    """Closed dates and range ends outside 1900-01-01..2199-12-31 raise CalendarError."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours="24x7", closed=closed)
    assert "1900-01-01 to 2199-12-31" in str(info.value)
    assert info.value.path[0] == "closed"


def test_special_date_outside_the_horizon_is_refused() -> None:
    """A special date in 9999 raises CalendarError at the special key."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours="24x7", special={"9999-12-31": ["09:00-10:00"]})
    assert info.value.path == ("special", "9999-12-31")


def test_a_thousand_copies_of_a_three_century_range_load_and_answer_fast() -> None:
    """Copies of 1900-01-01..2199-12-31 are kept as one interval (200 copies took 19 s to load,
    before, expanded day by day): the calendar builds at once and knows it is never open
    (HorizonError) without walking day by day."""
    closed = ["1900-01-01..2199-12-31"] * 1000
    cal = BusinessCalendar(timezone="UTC", hours="24x7", closed=closed)
    with pytest.raises(HorizonError):
        cal.next_open(utc(2026, 1, 1))
    with pytest.raises(HorizonError):
        cal.add(utc(1950, 1, 1), H)
    with pytest.raises(HorizonError):
        cal.subtract(utc(2150, 1, 1), H)
    assert cal.elapsed(utc(1900, 1, 2), utc(2199, 12, 30)) == timedelta(0)
    assert cal.closure(date(2100, 7, 4)) == "closed date"


def test_overlapping_ranges_keep_the_last_given_name() -> None:
    """Where closed ranges overlap, the entry given last names the date, as before."""
    cal = BusinessCalendar(
        timezone="UTC",
        hours="24x7",
        closed=[
            {"from": "2026-01-01", "to": "2026-12-31", "name": "year"},
            {"from": "2026-06-01", "to": "2026-06-30", "name": "june"},
            {"date": "2026-06-15", "name": "day"},
        ],
    )
    assert cal.closure(date(2026, 5, 31)) == "year"
    assert cal.closure(date(2026, 6, 1)) == "june"
    assert cal.closure(date(2026, 6, 15)) == "day"
    assert cal.closure(date(2026, 6, 16)) == "june"
    assert cal.closure(date(2026, 7, 1)) == "year"
    assert cal.closure(date(2027, 1, 1)) is None


def test_a_closed_range_agrees_with_the_reference_closing_each_date() -> None:
    """A range kept as an interval closes exactly what the reference closes date by date."""
    mapping = {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["08:00-12:00", "13:00-17:00"], "sat": ["22:00-06:00"]},
        "closed": [{"from": "2026-03-25", "to": "2026-04-02", "name": "Easter break"}],
    }
    cal = BusinessCalendar.from_mapping(mapping)
    dates = {date(2026, 3, 25) + timedelta(days=k): "Easter break" for k in range(9)}
    ref = ReferenceCalendar.from_definition(
        timezone="Europe/Berlin",
        hours={d: ["08:00-12:00", "13:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
        | {"sat": ["22:00-06:00"]},
        closed=dates,
    )
    start = (utc(2026, 3, 20) - utc(1970, 1, 1)) // timedelta(microseconds=1)
    for k in range(20 * 24):
        t = start + k * 3_600_000_000
        assert cal.is_open_us(t) == ref.is_open(t)
        assert cal.elapsed_us(t, t + 3 * DAY_US) == ref.elapsed(t, t + 3 * DAY_US)
        assert cal.add_us(t, 5 * 3_600_000_000) == ref.add(t, 5 * 3_600_000_000)


# ------------------------------------------------------------------ recurring closures
@pytest.mark.parametrize(
    "rule",
    [
        pytest.param({"rrule": "FREQ=DAILY;INTERVAL=0"}, id="interval-0"),
        pytest.param({"rrule": "FREQ=WEEKLY;INTERVAL=-2"}, id="interval-negative"),
        pytest.param({"rrule": "FREQ=MINUTELY"}, id="minutely"),
        pytest.param({"rrule": "FREQ=SECONDLY;INTERVAL=1"}, id="secondly"),
        pytest.param({"rrule": "FREQ=HOURLY"}, id="hourly"),
        pytest.param({"rrule": "FREQ=YEARLY;BYEASTER=400"}, id="byeaster-400"),
        pytest.param({"rrule": "FREQ=YEARLY;BYEASTER=-400"}, id="byeaster-minus-400"),
        pytest.param({"rrule": "FREQ=YEARLY;BYEASTER=1" + "0" * 5000}, id="byeaster-huge"),
        pytest.param({"rrule": "FREQ=YEARLY", "start": "9999-12-31"}, id="start-9999"),
        pytest.param({"rrule": "FREQ=YEARLY", "start": "0001-01-01"}, id="start-0001"),
        pytest.param({"rrule": "FREQ=YEARLY;COUNT=0"}, id="count-0"),
        pytest.param({"rrule": "FREQ=YEARLY;FREQ=DAILY"}, id="freq-twice"),
        pytest.param({"rrule": "DTSTART:19000101\nRRULE:FREQ=YEARLY"}, id="two-lines"),
        pytest.param({"rrule": 5}, id="not-text"),
    ],
)
def test_rrules_that_hang_crash_or_run_per_minute_are_refused(rule: dict[str, Any]) -> None:
    """INTERVAL=0 (a hang), MINUTELY/SECONDLY/HOURLY (minutes per query), BYEASTER out of
    range (IndexError in dateutil), a start in 9999: each raises CalendarError at once."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours="24x7", closed=[rule])
    assert info.value.path[:2] == ("closed", 0)


@pytest.mark.parametrize("offset", [-80, -2, 0, 1, 60, 249])
def test_byeaster_offsets_inside_the_year_work_everywhere_in_the_horizon(offset: int) -> None:
    """BYEASTER from -80 to 249 stays inside Easter's year: the rule expands over 1900-2199."""
    cal = BusinessCalendar(
        timezone="UTC", hours="24x7", closed=[{"rrule": f"FREQ=YEARLY;BYEASTER={offset}"}]
    )
    assert cal.elapsed(utc(1900, 1, 1), utc(1901, 1, 1)) == timedelta(days=364)
    assert cal.elapsed(utc(2199, 1, 1), utc(2199, 12, 31)) == timedelta(days=363)


def test_an_rrule_with_no_occurrence_answers_quickly() -> None:
    """FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30 never happens: the calendar is open as if it were
    not there, and a year's questions do not rescan the rule to year 9999 each time."""
    cal = BusinessCalendar(
        timezone="UTC",
        hours="24x7",
        closed=[{"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "name": "never"}],
    )
    for year in range(1900, 2200, 4):  # before: each year rescanned the rule to 9999
        assert cal.elapsed(utc(year, 1, 1), utc(year, 1, 2)) == timedelta(days=1)


def test_a_daily_rrule_from_1900_answers_in_2199() -> None:
    """A daily closure from 1900 is expanded once, not once per question."""
    cal = BusinessCalendar(
        timezone="UTC",
        hours="24x7",
        closed=[{"rrule": "FREQ=DAILY;INTERVAL=2", "start": "1900-01-01"}],
    )
    for year in (2199, 1900, 2050, 2199):
        assert cal.elapsed(utc(year, 3, 1), utc(year, 3, 5)) == timedelta(days=2)


# ------------------------------------------------------------------ holidays and zones
@pytest.mark.parametrize(
    ("holidays", "key"),
    [
        pytest.param({"country": "US", "subdivision": ["NY"]}, "subdivision", id="subdiv-list"),
        pytest.param({"country": "US", "categories": 5}, "categories", id="categories-int"),
        pytest.param({"country": "US", "categories": [5]}, "categories", id="categories-ints"),
        pytest.param({"country": "US", "language": 5}, "language", id="language-int"),
        pytest.param({"country": ["US"]}, "country", id="country-list"),
        pytest.param({"country": 5}, "country", id="country-int"),
        pytest.param({"market": {"x": 1}}, "market", id="market-mapping"),
    ],
)
def test_malformed_holiday_mappings_are_refused(holidays: dict[str, Any], key: str) -> None:
    """A subdivision given as a list (TypeError: unhashable, before), categories as an int,
    language as an int (silently accepted, before): each raises CalendarError at its key."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(timezone="UTC", hours="24x7", holidays=holidays)
    assert info.value.path == ("holidays", key)


@pytest.mark.parametrize(
    "zone",
    [
        pytest.param("localtime", id="localtime"),
        pytest.param("posixrules", id="posixrules"),
        pytest.param("A" * 300, id="longer-than-a-file-name"),
        pytest.param("Europe/" + "B" * 5000, id="very-long-component"),
        pytest.param("right/UTC", id="leap-second-copy"),
        pytest.param("../etc/passwd", id="path"),
        pytest.param("Europe/Berlin\x00", id="nul"),
    ],
)
def test_zone_names_that_are_not_iana_names_are_refused(zone: str) -> None:
    """'localtime' (accepted, before: a file, not an IANA name) and a name longer than a file
    name (OSError from the zone database, before) raise UnknownTimeZoneError."""
    with pytest.raises(UnknownTimeZoneError):
        BusinessCalendar(timezone=zone, hours="24x7")


def test_too_many_windows_in_a_day_are_refused() -> None:
    """More than 288 windows in a day (one every 5 minutes) raise CalendarError: the bound
    keeps a compiled year, and the cache, small."""
    windows = [f"{m // 60:02d}:{m % 60:02d}-{m // 60:02d}:{m % 60:02d}:30" for m in range(289)]
    with pytest.raises(CalendarError):
        BusinessCalendar(timezone="UTC", hours={"mon": windows})


# ------------------------------------------------------------------ many years, bounded cache
def test_a_dense_calendar_asked_about_1900_and_2199_answers_both_exactly() -> None:
    """24 half-hour windows a day, asked about 1900 and then 2199 (2.6 million segments
    compiled, before): each answer is 12 h a day, whatever was asked in between."""
    hours = {"daily": [f"{h:02d}:00-{h:02d}:30" for h in range(24)]}
    cal = BusinessCalendar(timezone="UTC", hours=hours)
    assert cal.elapsed(utc(1900, 3, 1), utc(1900, 3, 11)) == timedelta(hours=120)
    assert cal.elapsed(utc(2199, 3, 1), utc(2199, 3, 11)) == timedelta(hours=120)
    assert cal.add(utc(1900, 1, 1), timedelta(hours=12)) == utc(1900, 1, 1, 23, 30)
    assert cal.subtract(utc(2199, 12, 31, 12), timedelta(hours=12)) == utc(2199, 12, 30, 12)
    # thirty years: more than the cache holds of this calendar, summed year by year
    assert cal.elapsed(utc(1900, 12, 31), utc(1930, 1, 2)) == timedelta(hours=12 * 10594)


# ------------------------------------------------------------------ pickle, copy, threads
CALENDARS: dict[str, Callable[[], BusinessCalendar]] = {
    "office": lambda: BusinessCalendar.from_mapping(
        OFFICE | {"holidays": {"country": "US", "subdivision": "NY"}, "name": "NY office"}
    ),
    "closures": lambda: BusinessCalendar(
        timezone="Asia/Tehran",
        hours={"sat-wed": ["08:00-17:00"], "thu": ["08:00-13:00"]},
        holidays={"country": "IR", "language": "fa_IR"},
        closed=[
            "2026-03-20..2026-03-24",
            {"rrule": "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1", "name": "June"},
        ],
        special={"2026-03-26": ["09:00-12:00"]},
    ),
    "composed": lambda: (
        (
            BusinessCalendar.from_mapping(OFFICE)
            | BusinessCalendar(timezone="Europe/Berlin", hours={"mon-fri": ["09:00-17:00"]})
        )
        - BusinessCalendar(timezone="UTC", hours={"daily": ["12:00-13:00"]})
    ),
}


def _answers(cal: BusinessCalendar, instants: list[datetime]) -> list[object]:
    out: list[object] = []
    for t in instants:
        out += [
            cal.add(t, timedelta(hours=13)),
            cal.subtract(t, timedelta(hours=7)),
            cal.elapsed(t, t + timedelta(days=9)),
            cal.is_open(t),
            cal.next_open(t),
            cal.next_close(t),
        ]
    return out


INSTANTS = [utc(2026, 3, 1) + timedelta(hours=37 * k, minutes=11 * k) for k in range(40)] + [
    utc(1950, 6, 1),
    utc(2150, 6, 1),
]


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_a_calendar_pickles_and_deep_copies_to_an_equal_calendar(name: str) -> None:
    """pickle.loads(pickle.dumps(cal)) == cal and copy.deepcopy(cal) == cal, answering alike,
    for fresh and for warmed calendars; the pickle carries the definition, not the cache."""
    cal = CALENDARS[name]()
    fresh_size = len(pickle.dumps(cal))
    expected = _answers(cal, INSTANTS)  # warms it
    assert len(pickle.dumps(cal)) == fresh_size
    for other in (pickle.loads(pickle.dumps(cal)), copy.deepcopy(cal), copy.copy(cal)):
        assert other == cal and hash(other) == hash(cal)
        assert other.to_mapping() == cal.to_mapping()
        assert _answers(other, INSTANTS) == expected


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_one_calendar_shared_by_eight_threads_gives_the_single_threaded_answers(
    name: str,
) -> None:
    """Eight threads asking one fresh calendar at once get what one thread gets."""
    expected = _answers(CALENDARS[name](), INSTANTS)
    shared = CALENDARS[name]()
    start = threading.Barrier(8)
    results: dict[int, list[object]] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            start.wait()
            order = INSTANTS[k:] + INSTANTS[:k]  # each thread starts elsewhere
            got = _answers(shared, order)
            results[k] = got[6 * (len(INSTANTS) - k) :] + got[: 6 * (len(INSTANTS) - k)]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(results[k] == expected for k in range(8))


def test_batch_forms_beyond_the_cache_equal_the_scalar_answers() -> None:
    """add_many and elapsed_many over instants centuries apart (more than the cache holds) and
    over answers that leave the cached years equal add and elapsed one by one."""
    hours = {"daily": [f"{h:02d}:00-{h:02d}:30" for h in range(24)]}
    cal = BusinessCalendar(timezone="UTC", hours=hours)
    instants = [utc(1900, 1, 1, 7), utc(2000, 12, 31, 20), utc(2199, 12, 30, 1), utc(2050, 6, 1)]
    us = np.asarray([(t - utc(1970, 1, 1)) // timedelta(microseconds=1) for t in instants])
    hour = 3_600_000_000
    durations = np.asarray([30 * hour, -5 * hour, 12 * hour, 0])
    batch = cal.add_many(us, durations).astype(np.int64).tolist()
    assert batch == [cal.add_us(int(t), int(d)) for t, d in zip(us, durations, strict=True)]
    ends = us + 40 * 86_400_000_000 * np.asarray([1, 1, 0, -1])
    spans = cal.elapsed_many(us, ends).astype(np.int64).tolist()
    assert spans == [cal.elapsed_us(int(a), int(b)) for a, b in zip(us, ends, strict=True)]
    near = BusinessCalendar(timezone="America/New_York", hours={"mon-fri": ["09:00-17:00"]})
    december = np.asarray([us[1] + k * 3_600_000_000 for k in range(48)])
    got = near.add_many(december, np.full(48, 400 * hour)).astype(np.int64).tolist()
    assert got == [near.add_us(int(t), 400 * hour) for t in december]
