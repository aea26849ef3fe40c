"""The calendar's batch forms take Arrow arrays, numpy arrays and lists of aware datetimes (and
timedeltas) directly, with the same answers as the numpy int64 form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from sla_engine._time import from_us, us_to_td
from sla_engine.calendar import BusinessCalendar
from sla_engine.errors import CalendarError, NaiveDatetimeError
from test_calendar_laws import cases

pa = pytest.importorskip("pyarrow")

DESK = BusinessCalendar(timezone="America/New_York", hours={"mon-fri": ["09:00-17:00"]})
T0 = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def forms(instants: list[int], durations: list[int]) -> dict[str, tuple[object, object]]:
    """The same instants and durations in every accepted spelling."""
    berlin = ZoneInfo("Europe/Berlin")
    return {
        "numpy int64": (np.array(instants, dtype=np.int64), np.array(durations, dtype=np.int64)),
        "numpy datetime64": (
            np.array(instants, dtype="datetime64[us]"),
            np.array(durations, dtype="timedelta64[us]"),
        ),
        "arrow": (
            pa.array(instants, type=pa.timestamp("us", tz="UTC")),
            pa.array(durations, type=pa.duration("us")),
        ),
        "arrow chunked, ns, other zone": (
            pa.chunked_array(
                [pa.array([t * 1000 for t in instants], type=pa.timestamp("ns", tz="Asia/Tehran"))]
            ),
            pa.chunked_array([pa.array([d * 1000 for d in durations], type=pa.duration("ns"))]),
        ),
        "lists of aware datetimes": (
            [from_us(t).astimezone(berlin) for t in instants],
            [us_to_td(d) for d in durations],
        ),
        "tuples": (tuple(from_us(t) for t in instants), tuple(us_to_td(d) for d in durations)),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(n=6))
def test_every_input_form_gives_the_numpy_answers(case) -> None:
    """add_many, subtract_many and elapsed_many answer the same for every spelling."""
    cal, instants, durations = case
    want_add = cal.add_many(np.array(instants), np.array(durations))
    want_sub = cal.subtract_many(np.array(instants), np.array(durations))
    ends = instants[1:] + instants[:1]
    want_el = cal.elapsed_many(np.array(instants), np.array(ends))
    ends_forms = forms(ends, durations)
    for name, (x, d) in forms(instants, durations).items():
        assert (cal.add_many(x, d) == want_add).all(), name
        assert (cal.subtract_many(x, d) == want_sub).all(), name
        assert (cal.elapsed_many(x, ends_forms[name][0]) == want_el).all(), name


def test_a_scalar_duration_broadcasts() -> None:
    """One timedelta (or datetime) goes with an array of the other."""
    starts = [T0, T0 + timedelta(hours=5)]
    due = DESK.add_many(starts, timedelta(hours=8))
    assert due.tolist() == [DESK.add(t, timedelta(hours=8)).replace(tzinfo=None) for t in starts]
    assert (DESK.elapsed_many(T0, due) >= np.timedelta64(0, "us")).all()


def test_naive_null_and_foreign_values_are_refused() -> None:
    """A naive datetime names its position; a naive Arrow type, a null, a string are refused."""
    with pytest.raises(NaiveDatetimeError, match=r"instants\[1\]"):
        DESK.add_many([T0, datetime(2026, 3, 9, 10, 0)], timedelta(hours=1))
    with pytest.raises(NaiveDatetimeError):
        DESK.add_many(pa.array([0], type=pa.timestamp("us")), timedelta(hours=1))
    with pytest.raises(CalendarError, match="null"):
        DESK.add_many(pa.array([0, None], type=pa.timestamp("us", tz="UTC")), timedelta(hours=1))
    with pytest.raises(CalendarError, match=r"instants\[0\]"):
        DESK.add_many(["2026-03-09T10:00:00Z"], timedelta(hours=1))
    with pytest.raises(CalendarError, match="string"):
        DESK.add_many(pa.array(["x"]), timedelta(hours=1))
