"""Durations and instants at the boundary: parse_duration, format_duration, to_us/from_us."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine._time import (
    BusinessDays,
    format_duration,
    from_us,
    parse_duration,
    parse_timedelta,
    require_aware,
    to_us,
)
from sla_engine.errors import DurationError, NaiveDatetimeError
from strategies import CAL_ZONES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1.5h", timedelta(hours=1, minutes=30)),
        ("90m", timedelta(minutes=90)),
        ("250ms", timedelta(milliseconds=250)),
        ("0s", timedelta(0)),
        ("PT2H", timedelta(hours=2)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("PT0.5S", timedelta(milliseconds=500)),
    ],
)
def test_parse_duration_reads_lengths_of_time(text: str, expected: timedelta) -> None:
    """Compact and ISO 8601 durations give the exact timedelta."""
    assert parse_duration(text) == expected


def test_parse_duration_reads_business_days() -> None:
    """'1bd' and '7bd' are BusinessDays, not lengths of time; parse_timedelta refuses them."""
    assert parse_duration("1bd") == BusinessDays(days=1)
    assert parse_duration("7bd") == BusinessDays(days=7)
    with pytest.raises(DurationError, match="8h"):
        parse_timedelta("1bd")


@pytest.mark.parametrize("text", ["1d", "2 days", "P1D", "P1DT2H", "1w"])
def test_bare_days_are_refused_with_the_24h_or_1bd_hint(text: str) -> None:
    """'1d' and 'P1D' are ambiguous: the error names the text and says '24h' or '1bd'."""
    with pytest.raises(DurationError) as info:
        parse_duration(text)
    assert repr(text) in str(info.value)
    assert "24h" in str(info.value) and "1bd" in str(info.value)


@pytest.mark.parametrize("text", ["", "2", "h", "2 hours", "2h2h", "PT", "P", "-1h", "1.0000001s"])
def test_garbage_is_refused(text: str) -> None:
    """Unreadable durations raise DurationError (with examples, or the sub-µs complaint)."""
    with pytest.raises(DurationError):
        parse_duration(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_parse_duration_never_raises_anything_else(text: str) -> None:
    """Any text gives a duration or a DurationError."""
    with contextlib.suppress(DurationError):
        parse_duration(text)


durations = st.integers(0, 10**13).map(lambda us: timedelta(microseconds=us))


@settings(max_examples=200, deadline=None)
@given(durations)
def test_format_duration_round_trips(value: timedelta) -> None:
    """parse_duration(format_duration(d)) == d for any non-negative duration."""
    assert parse_duration(format_duration(value)) == value


def test_format_duration_examples() -> None:
    """Canonical forms: 1h30m, 45s, 0s, 1.5s, -2h."""
    assert format_duration(timedelta(hours=1, minutes=30)) == "1h30m"
    assert format_duration(timedelta(seconds=45)) == "45s"
    assert format_duration(timedelta(0)) == "0s"
    assert format_duration(timedelta(milliseconds=1500)) == "1.5s"
    assert format_duration(timedelta(hours=-2)) == "-2h"


aware = st.one_of(
    st.datetimes(
        min_value=datetime(1901, 1, 1),
        max_value=datetime(2199, 1, 1),
        timezones=st.sampled_from(CAL_ZONES).map(ZoneInfo),
        allow_imaginary=False,
    ),
    st.datetimes(
        min_value=datetime(1901, 1, 1),
        max_value=datetime(2199, 1, 1),
        timezones=st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
    ),
)


@settings(max_examples=200, deadline=None)
@given(aware, st.booleans())
def test_to_us_and_from_us_round_trip(value: datetime, fold: bool) -> None:
    """from_us(to_us(dt)) == dt as an instant (folds included), and from_us answers in UTC."""
    value = value.replace(fold=int(fold))
    us = to_us(value)
    back = from_us(us)
    assert back == value.astimezone(UTC)
    assert back.utcoffset() == timedelta(0)
    assert to_us(back) == us
    assert us == (value - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def test_fold_picks_the_later_instant() -> None:
    """01:30 fold=1 on 2026-11-01 in New York is 06:30Z, one hour after fold=0 (05:30Z)."""
    ny = ZoneInfo("America/New_York")
    early = datetime(2026, 11, 1, 1, 30, tzinfo=ny)
    late = early.replace(fold=1)
    assert to_us(late) - to_us(early) == 3_600_000_000
    assert from_us(to_us(early)) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_naive_datetimes_are_refused() -> None:
    """require_aware and to_us refuse a naive datetime with a tzinfo= hint."""
    with pytest.raises(NaiveDatetimeError, match="tzinfo="):
        to_us(datetime(2026, 1, 1))
    with pytest.raises(NaiveDatetimeError):
        require_aware("2026-01-01")
