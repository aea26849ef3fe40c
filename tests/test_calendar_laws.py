"""The laws of business time, as hypothesis properties over random calendars and instants."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla_engine.calendar import BusinessCalendar
from strategies import (
    CAL_ZONES,
    cal_anchors,
    cal_dt,
    cal_durations_us,
    cal_instants_near,
    cal_mappings,
)

LAWS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEAVY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw: st.DrawFn, n: int = 3) -> tuple[BusinessCalendar, list[int], list[int]]:
    """A random calendar, ``n`` instants near a DST change or midnight, ``n`` durations."""
    zone = draw(st.sampled_from(CAL_ZONES))
    anchor = draw(cal_anchors(zone))
    cal = BusinessCalendar.from_mapping(draw(cal_mappings(zone=zone, around=anchor)))
    instants = draw(st.lists(cal_instants_near(anchor), min_size=n, max_size=n))
    durations = draw(st.lists(cal_durations_us, min_size=n, max_size=n))
    return cal, instants, durations


@st.composite
def pairs(draw: st.DrawFn) -> tuple[BusinessCalendar, BusinessCalendar, list[int]]:
    """Two random calendars (zones may differ) and three instants near a common anchor."""
    anchor = draw(st.sampled_from(CAL_ZONES).flatmap(cal_anchors))
    c1 = BusinessCalendar.from_mapping(draw(cal_mappings(around=anchor)))
    c2 = BusinessCalendar.from_mapping(draw(cal_mappings(around=anchor)))
    instants = draw(st.lists(cal_instants_near(anchor), min_size=3, max_size=3))
    return c1, c2, instants


@LAWS
@given(cases())
def test_elapsed_of_add_is_the_duration(
    case: tuple[BusinessCalendar, list[int], list[int]],
) -> None:
    """elapsed(t, add(t, d)) == d."""
    cal, instants, durations = case
    for t, d in zip(instants, durations, strict=True):
        assert cal.elapsed_us(t, cal.add_us(t, d)) == d


@LAWS
@given(cases())
def test_add_is_monotone_in_the_start(case: tuple[BusinessCalendar, list[int], list[int]]) -> None:
    """t1 <= t2 implies add(t1, d) <= add(t2, d)."""
    cal, instants, durations = case
    t1, t2, _ = sorted(instants)
    for d in durations:
        assert cal.add_us(t1, d) <= cal.add_us(t2, d)


@LAWS
@given(cases())
def test_add_is_monotone_in_the_duration(
    case: tuple[BusinessCalendar, list[int], list[int]],
) -> None:
    """d1 <= d2 implies add(t, d1) <= add(t, d2)."""
    cal, instants, durations = case
    d1, d2, d3 = sorted(durations)
    for t in instants:
        assert cal.add_us(t, d1) <= cal.add_us(t, d2) <= cal.add_us(t, d3)


@LAWS
@given(cases())
def test_elapsed_is_additive_over_a_split(
    case: tuple[BusinessCalendar, list[int], list[int]],
) -> None:
    """elapsed(a, c) == elapsed(a, b) + elapsed(b, c) for a, b, c in any order."""
    cal, (a, b, c), _ = case
    assert cal.elapsed_us(a, c) == cal.elapsed_us(a, b) + cal.elapsed_us(b, c)


@LAWS
@given(cases())
def test_elapsed_is_antisymmetric(case: tuple[BusinessCalendar, list[int], list[int]]) -> None:
    """elapsed(b, a) == -elapsed(a, b), and elapsed(a, a) == 0."""
    cal, (a, b, _), _ = case
    assert cal.elapsed_us(b, a) == -cal.elapsed_us(a, b)
    assert cal.elapsed(cal_dt(a), cal_dt(a)) == timedelta(0)


@LAWS
@given(cases())
def test_subtract_mirrors_add(case: tuple[BusinessCalendar, list[int], list[int]]) -> None:
    """elapsed(subtract(t, d), t) == d and add(subtract(t, d), d) <= t."""
    cal, instants, durations = case
    for t, d in zip(instants, durations, strict=True):
        u = cal.subtract_us(t, d)
        assert cal.elapsed_us(u, t) == d
        assert cal.add_us(u, d) <= t


@LAWS
@given(cases())
def test_add_zero_is_the_start(case: tuple[BusinessCalendar, list[int], list[int]]) -> None:
    """add(t, 0) == t and subtract(t, 0) == t, open or closed."""
    cal, instants, _ = case
    for t in instants:
        assert cal.add(cal_dt(t), timedelta(0)) == cal_dt(t)
        assert cal.subtract(cal_dt(t), timedelta(0)) == cal_dt(t)


@LAWS
@given(cases())
def test_add_returns_the_earliest_instant(
    case: tuple[BusinessCalendar, list[int], list[int]],
) -> None:
    """For d > 0, one microsecond before add(t, d) less than d has elapsed."""
    cal, instants, durations = case
    for t, d in zip(instants, durations, strict=True):
        if d > 0:
            assert cal.elapsed_us(t, cal.add_us(t, d) - 1) < d


@LAWS
@given(cases())
def test_add_never_lands_inside_closed_time(
    case: tuple[BusinessCalendar, list[int], list[int]],
) -> None:
    """For d > 0 the calendar is open just before add(t, d): a closing time, never an opening."""
    cal, instants, durations = case
    for t, d in zip(instants, durations, strict=True):
        if d > 0:
            assert cal.is_open_us(cal.add_us(t, d) - 1)


@HEAVY
@given(cases(n=8))
def test_batch_forms_equal_the_scalar_forms(
    case: tuple[BusinessCalendar, list[int], list[int]],
) -> None:
    """add_many, subtract_many and elapsed_many equal add, subtract and elapsed element-wise."""
    cal, instants, durations = case
    x = np.array(instants, dtype=np.int64)
    d = np.array(durations, dtype=np.int64)
    ends = np.roll(x, 1)
    added = cal.add_many(x.astype("datetime64[us]"), d.astype("timedelta64[us]"))
    assert added.astype(np.int64).tolist() == [
        cal.add_us(t, u) for t, u in zip(instants, durations, strict=True)
    ]
    taken = cal.subtract_many(x, d)
    assert taken.astype(np.int64).tolist() == [
        cal.subtract_us(t, u) for t, u in zip(instants, durations, strict=True)
    ]
    spans = cal.elapsed_many(x, ends)
    assert spans.astype(np.int64).tolist() == [
        cal.elapsed_us(a, b) for a, b in zip(x.tolist(), ends.tolist(), strict=True)
    ]


@LAWS
@given(pairs())
def test_union_counts_both_less_their_overlap(
    pair: tuple[BusinessCalendar, BusinessCalendar, list[int]],
) -> None:
    """elapsed of a | b == elapsed of a + elapsed of b - elapsed of a & b."""
    a, b, (s, e, _) = pair
    assert (a | b).elapsed_us(s, e) == (
        a.elapsed_us(s, e) + b.elapsed_us(s, e) - (a & b).elapsed_us(s, e)
    )


@LAWS
@given(pairs())
def test_difference_and_intersection_make_the_whole(
    pair: tuple[BusinessCalendar, BusinessCalendar, list[int]],
) -> None:
    """elapsed of a - b plus elapsed of a & b == elapsed of a; is_open agrees pointwise."""
    a, b, (s, e, t) = pair
    assert (a - b).elapsed_us(s, e) + (a & b).elapsed_us(s, e) == a.elapsed_us(s, e)
    assert (a | b).is_open_us(t) == (a.is_open_us(t) or b.is_open_us(t))
    assert (a & b).is_open_us(t) == (a.is_open_us(t) and b.is_open_us(t))
    assert (a - b).is_open_us(t) == (a.is_open_us(t) and not b.is_open_us(t))


@LAWS
@given(cases(), st.sampled_from(CAL_ZONES))
def test_answers_do_not_depend_on_the_zone_of_the_input(
    case: tuple[BusinessCalendar, list[int], list[int]], written_in: str
) -> None:
    """The same instants written in another zone (fold included) give the same answers."""
    cal, (a, b, c), (d, _, _) = case
    utc = [cal_dt(x) for x in (a, b, c)]
    local = [x.astimezone(ZoneInfo(written_in)) for x in utc]
    assert cal.elapsed(local[0], local[1]) == cal.elapsed(utc[0], utc[1])
    assert cal.add(local[2], timedelta(microseconds=d)) == cal.add(
        utc[2], timedelta(microseconds=d)
    )
    assert cal.is_open(local[0]) == cal.is_open(utc[0])
    assert cal.next_open(local[1]) == cal.next_open(utc[1])
    assert cal.segments(local[0], local[1]) == cal.segments(utc[0], utc[1])
    assert cal.explain(local[0], local[1]) == cal.explain(utc[0], utc[1])
    assert cal.add_business_days(local[2], 2) == cal.add_business_days(utc[2], 2)


@LAWS
@given(cases())
def test_mapping_round_trip_gives_an_equal_calendar(
    case: tuple[BusinessCalendar, list[int], list[int]],
) -> None:
    """from_mapping(cal.to_mapping()) == cal, and it answers the same."""
    cal, (a, b, _), (d, _, _) = case
    again = BusinessCalendar.from_mapping(cal.to_mapping())
    assert again == cal
    assert hash(again) == hash(cal)
    assert again.elapsed_us(a, b) == cal.elapsed_us(a, b)
    assert again.add_us(a, d) == cal.add_us(a, d)


@HEAVY
@given(pairs(), st.data())
def test_composed_mapping_round_trip_gives_an_equal_calendar(
    pair: tuple[BusinessCalendar, BusinessCalendar, list[int]], data: st.DataObject
) -> None:
    """from_mapping(c.to_mapping()) == c for nested unions, intersections and differences."""
    a, b, (s, e, _) = pair
    ops: dict[str, Any] = {
        "a|(b|a)": lambda: a | (b | a),
        "(a|b)|a": lambda: (a | b) | a,
        "a&(b&a)": lambda: a & (b & a),
        "a-(b|a)": lambda: a - (b | a),
        "(a-b)|b": lambda: (a - b) | b,
    }
    cal = ops[data.draw(st.sampled_from(sorted(ops)))]()
    again = BusinessCalendar.from_mapping(cal.to_mapping())
    assert again.elapsed_us(s, e) == cal.elapsed_us(s, e)
    assert again == cal


@HEAVY
@given(cases(), st.integers(-6, 6))
def test_union_with_itself_answers_as_itself(
    case: tuple[BusinessCalendar, list[int], list[int]], days: int
) -> None:
    """cal | cal is cal: the same elapsed, add, is_open and add_business_days."""
    cal, (a, b, _), (d, _, _) = case
    same = cal | cal
    assert same.elapsed_us(a, b) == cal.elapsed_us(a, b)
    assert same.add_us(a, d) == cal.add_us(a, d)
    assert same.is_open_us(b) == cal.is_open_us(b)
    assert same.add_business_days(cal_dt(a), days) == cal.add_business_days(cal_dt(a), days)
