"""The engine agrees with the slow reference of tests/reference_calendar.py on random calendars."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_calendar import (
    DAY_US,
    Reference,
    ReferenceCalendar,
    difference,
    intersection,
    reference_for,
    union,
)
from sla_engine.calendar import BusinessCalendar
from strategies import (
    CAL_ZONES,
    cal_anchors,
    cal_dt,
    cal_durations_us,
    cal_instants_near,
    cal_mappings,
    cal_us,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], int, list[int], list[int]]:
    """A calendar mapping, an anchor instant, instants near it and durations."""
    zone = draw(st.sampled_from(CAL_ZONES))
    anchor = draw(cal_anchors(zone))
    mapping = draw(cal_mappings(zone=zone, around=anchor))
    instants = draw(st.lists(cal_instants_near(anchor), min_size=3, max_size=3))
    durations = draw(st.lists(cal_durations_us, min_size=3, max_size=3))
    return mapping, anchor, instants, durations


def _reference(mapping: dict[str, Any], anchor: int) -> ReferenceCalendar:
    year = cal_dt(anchor).year
    return reference_for(mapping, years=range(year - 1, year + 3))


def _check_agreement(
    cal: BusinessCalendar, ref: Reference, instants: list[int], durations: list[int]
) -> None:
    """Every operation of the engine answers as the reference does on these instants."""
    a, b, c = instants
    for t in instants:
        assert cal.is_open_us(t) == ref.is_open(t), cal_dt(t)
        month = ref.elapsed(t, t + 30 * DAY_US)
        if month > 0:  # else it may never open again (a difference of equals, say)
            assert cal.next_open_us(t) == ref.next_open(t), cal_dt(t)
        if month < 30 * DAY_US:  # else it may never close
            assert cal.next_close_us(t) == ref.next_close(t), cal_dt(t)
    for x, y in ((a, b), (b, c), (c, a)):
        assert cal.elapsed_us(x, y) == ref.elapsed(x, y), (cal_dt(x), cal_dt(y))
        assert cal.segments_us(min(x, y), max(x, y)) == ref.intervals(min(x, y), max(x, y))
    for t, d in zip(instants, durations, strict=True):
        # Keep each walk inside a few days of the anchor so that the reference stays quick.
        ahead = min(d, ref.elapsed(t, t + 12 * DAY_US))
        assert cal.add_us(t, ahead) == ref.add(t, ahead), (cal_dt(t), ahead)
        behind = min(d, ref.elapsed(t - 12 * DAY_US, t))
        assert cal.subtract_us(t, behind) == ref.subtract(t, behind), (cal_dt(t), behind)


@SETTINGS
@given(scenarios())
def test_engine_agrees_with_reference(
    scenario: tuple[dict[str, Any], int, list[int], list[int]],
) -> None:
    """is_open, next_open/close, elapsed, segments, add and subtract equal the reference's."""
    mapping, anchor, instants, durations = scenario
    cal = BusinessCalendar.from_mapping(mapping)
    ref = _reference(mapping, anchor)
    _check_agreement(cal, ref, instants, durations)


@SETTINGS
@given(
    st.sampled_from(CAL_ZONES).flatmap(cal_anchors),
    st.data(),
    st.sampled_from(["union", "intersection", "difference"]),
)
def test_compositions_agree_with_reference(anchor: int, data: st.DataObject, kind: str) -> None:
    """Union, intersection and difference of two random calendars answer as the reference's."""
    m1 = data.draw(cal_mappings(around=anchor))
    m2 = data.draw(cal_mappings(around=anchor))
    instants = data.draw(st.lists(cal_instants_near(anchor), min_size=3, max_size=3))
    durations = data.draw(st.lists(cal_durations_us, min_size=3, max_size=3))
    c1, c2 = BusinessCalendar.from_mapping(m1), BusinessCalendar.from_mapping(m2)
    r1, r2 = _reference(m1, anchor), _reference(m2, anchor)
    engine = {"union": c1 | c2, "intersection": c1 & c2, "difference": c1 - c2}[kind]
    ref = {"union": union, "intersection": intersection, "difference": difference}[kind](r1, r2)
    _check_agreement(engine, ref, instants, durations)


def test_reference_handles_a_spring_gap_by_hand() -> None:
    """The reference itself: 22:00-06:00 over the New York spring change is 7 h (by hand)."""
    ref = ReferenceCalendar.from_definition(
        timezone="America/New_York", hours={"sat": ["22:00-06:00"]}
    )
    # Sat 2026-03-07 22:00 EST = 03:00Z Sunday; Sun 06:00 EDT = 10:00Z: 7 h.
    a = cal_us(datetime(2026, 3, 8, 3, tzinfo=UTC))
    b = cal_us(datetime(2026, 3, 8, 10, tzinfo=UTC))
    assert ref.intervals(a - DAY_US, b + DAY_US) == [(a, b)]
