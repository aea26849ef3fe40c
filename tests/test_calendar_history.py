"""A calendar's answer is a function of the calendar and the question alone, never of what it
was asked before: a fresh calendar and one warmed by any earlier questions answer alike."""

from __future__ import annotations

import copy
import pickle
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla_engine.calendar import BusinessCalendar
from sla_engine.errors import HorizonError, SLAEngineError
from strategies import (
    cal_dt,
    cal_history_durations,
    cal_history_instants,
    cal_history_instants_for,
    cal_history_mappings,
    cal_us,
)

HISTORY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Question = tuple[str, int, int]
OPERATIONS = ("add", "subtract", "elapsed", "next_open", "next_close", "is_open")


def ask(cal: BusinessCalendar, question: Question) -> tuple[str, object]:
    """The outcome of one question: its answer, or the class of the error it raised."""
    op, t, x = question
    calls: dict[str, Callable[[], object]] = {
        "add": lambda: cal.add_us(t, x),
        "subtract": lambda: cal.subtract_us(t, x),
        "elapsed": lambda: cal.elapsed_us(t, x),
        "next_open": lambda: cal.next_open_us(t),
        "next_close": lambda: cal.next_close_us(t),
        "is_open": lambda: cal.is_open_us(t),
    }
    try:
        return ("answer", calls[op]())
    except SLAEngineError as exc:
        return ("error", type(exc).__name__)


@st.composite
def questions(draw: st.DrawFn, mapping: dict[str, Any] | None = None) -> Question:
    """One question: an operation, an instant and a duration or a second instant; the
    instants often near or inside the closed ranges of ``mapping``."""
    instants = cal_history_instants if mapping is None else cal_history_instants_for(mapping)
    op = draw(st.sampled_from(OPERATIONS))
    t = draw(instants)
    x = draw(instants) if op == "elapsed" else draw(cal_history_durations)
    return op, t, x


@HISTORY
@given(cal_history_mappings(), st.data())
def test_a_fresh_and_a_warmed_calendar_answer_alike(
    mapping: dict[str, Any], data: st.DataObject
) -> None:
    """For random calendars (long closed ranges, compositions) and any earlier questions, each
    answer (or HorizonError) equals the answer of a calendar built fresh for that question."""
    warmers = data.draw(st.lists(questions(mapping), min_size=1, max_size=4), label="warmers")
    asked = data.draw(st.lists(questions(mapping), min_size=1, max_size=3), label="asked")
    warm = BusinessCalendar.from_mapping(mapping)
    for question in warmers:
        ask(warm, question)
    for question in asked:
        fresh = BusinessCalendar.from_mapping(mapping)
        assert ask(warm, question) == ask(fresh, question), question


def _closed_2030_to_2045() -> BusinessCalendar:
    return BusinessCalendar(timezone="UTC", hours="24x7", closed=["2030-01-01..2045-12-31"])


ISSUE_T = datetime(2040, 6, 21, 17, 26, 51, tzinfo=UTC)
ISSUE_D = timedelta(days=4, hours=6, minutes=21, seconds=24)


def test_subtract_across_a_closure_of_2030_to_2045_is_the_same_fresh_and_warm() -> None:
    """24x7 closed 2030-2045: subtract(2040-06-21T17:26:51Z, 4 days 6:21:24) is
    2029-12-27T17:38:36Z fresh, and still after 2029 was compiled by an earlier question."""
    expected = datetime(2029, 12, 27, 17, 38, 36, tzinfo=UTC)
    assert _closed_2030_to_2045().subtract(ISSUE_T, ISSUE_D) == expected
    warm = _closed_2030_to_2045()
    assert warm.is_open(datetime(2029, 3, 1, tzinfo=UTC))
    assert warm.subtract(ISSUE_T, ISSUE_D) == expected


def test_next_open_across_a_closure_of_2030_to_2045_is_the_same_fresh_and_warm() -> None:
    """24x7 closed 2030-2045: next_open from early 2030 (15 closed years ahead) is 2046-01-01
    fresh (HorizonError, before) and after 2046 was compiled by an earlier question."""
    expected = datetime(2046, 1, 1, tzinfo=UTC)
    for t in (datetime(2030, 2, 3, 4, 5, 6, tzinfo=UTC), ISSUE_T):
        assert _closed_2030_to_2045().next_open(t) == expected
        warm = _closed_2030_to_2045()
        warm.is_open(datetime(2046, 6, 1, tzinfo=UTC))
        warm.is_open(datetime(2029, 6, 1, tzinfo=UTC))
        assert warm.next_open(t) == expected


def _new_york_day_and_london_night() -> BusinessCalendar:
    new_york = BusinessCalendar(timezone="America/New_York", hours={"mon-fri": ["09:00-17:00"]})
    london = BusinessCalendar(timezone="Europe/London", hours={"daily": ["22:00-06:00"]})
    return new_york & london


def test_new_york_day_and_london_night_intersection_agrees_with_itself() -> None:
    """New York 09:00-17:00 & London 22:00-06:00 overlap only in the weeks before 2007 when
    London kept summer time and New York did not: 60 questions from 1990 to 2030, each
    answered alike by one shared (ever warmer) calendar and by a fresh one. Before, a fresh
    calendar gave up after ten empty years (subtract from 2020 raised HorizonError) where a
    warm one answered."""
    rng = random.Random(15)
    lo = cal_us(datetime(1990, 1, 1, tzinfo=UTC))
    hi = cal_us(datetime(2030, 1, 1, tzinfo=UTC))
    shared = _new_york_day_and_london_night()
    outcomes: set[str] = set()
    for _ in range(60):
        op = rng.choice(("subtract", "elapsed", "is_open", "next_open", "next_close", "add"))
        t = rng.randrange(lo, hi)
        if op in ("add", "next_open") and t > cal_us(datetime(2006, 1, 1, tzinfo=UTC)):
            t -= 20 * 366 * 86_400_000_000  # forward from 2007 it never opens: keep a few
        x = rng.randrange(lo, hi) if op == "elapsed" else rng.randrange(1, 40 * 3_600_000_000)
        question = (op, t, x)
        fresh_answer = ask(_new_york_day_and_london_night(), question)
        assert ask(shared, question) == fresh_answer, (op, cal_dt(t), x)
        outcomes.add(fresh_answer[0])
    assert "answer" in outcomes  # some ask past 2007 and find no open time: alike, too
    # From 2007 on it never opens again: fresh or warm, next_open says so.
    after = datetime(2008, 5, 1, tzinfo=UTC)
    for cal in (shared, _new_york_day_and_london_night()):
        with pytest.raises(HorizonError):
            cal.next_open(after)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cal_history_mappings(),
    st.lists(questions(), min_size=0, max_size=3),
    st.lists(questions(), min_size=1, max_size=3),
)
def test_a_pickled_or_copied_calendar_is_equal_and_answers_alike(
    mapping: dict[str, Any], warmers: list[Question], asked: list[Question]
) -> None:
    """pickle.loads(pickle.dumps(cal)) == cal and copy.deepcopy(cal) == cal, warmed or not,
    and each answers every question as the original does."""
    cal = BusinessCalendar.from_mapping(mapping)
    for question in warmers:
        ask(cal, question)
    for other in (pickle.loads(pickle.dumps(cal)), copy.deepcopy(cal)):
        assert other == cal
        for question in asked:
            assert ask(other, question) == ask(cal, question), question
