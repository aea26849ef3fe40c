"""Hypothesis strategies for hostile input: values at and past every bound (huge numbers, far
instants, long durations, lone surrogates, odd whitespace), and a real policy, ticket or
incident with one of its values replaced by such a value."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

#: Text that includes lone surrogates, line and paragraph separators, NEL and controls.
hostile_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), max_size=40
) | st.sampled_from(["\ud800", "a\udc80b", "\u2028", "\u0085", "\x0c", "\x00", "", " "])

#: Numbers as text, at and past the format's bounds.
hostile_number_text = st.sampled_from(
    [
        "1e5000",
        "1e999999999",
        "-1e999999999",
        "1e-999999999",
        "1" + "0" * 5000,
        "9" * 4301,
        "1e" + "9" * 30,
        "0e999999999",
        "999999999999999999999999999999.99",
        "1" + "0" * 30,
        "0." + "0" * 40 + "1",
        "NaN",
        "-inf",
        "1_000",
    ]
)

#: Instants as text across and past the horizon (1900 to 2199), in odd offsets.
hostile_instant_text = st.sampled_from(
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59.999999Z",
        "9999-12-31T23:59:59-14:00",
        "1899-12-31T23:59:59Z",
        "1900-01-01T00:00:00Z",
        "2199-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
        "2026-03-09T09:00:00",
        "2026-03-09T09:00:00Z",
        "2026-03-08T02:30:00-05:00",
    ]
)

#: Durations as text past every bound.
hostile_duration_text = st.sampled_from(
    [
        "1" + "0" * 20 + "h",
        "PT" + "1" + "0" * 20 + "H",
        "1" + "0" * 5000 + "s",
        "876601h",
        "876600h",
        "99999999999bd",
        "0.0000001s",
        "1d",
        "0s",
    ]
)

#: Any hostile scalar, as YAML, JSON and TOML can hold it (and ints of any size).
hostile_scalar = st.one_of(
    hostile_text,
    hostile_number_text,
    hostile_instant_text,
    hostile_duration_text,
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([10**5000, -(10**4400), 10_000_000, 0, -1, True, None]),
)

#: A hostile value: a scalar, or a small list or mapping of them.
hostile_value = st.one_of(
    hostile_scalar,
    st.lists(hostile_scalar, max_size=3),
    st.dictionaries(hostile_text, hostile_scalar, max_size=3),
)


def _leaves(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [path]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.extend(_leaves(value, (*path, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out.extend(_leaves(value, (*path, i)))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: Any, *, times: int = 2) -> Any:
    """``base`` (deep-copied) with up to ``times`` of its values, or whole sections, replaced
    by hostile values."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=times))):
        paths = [p for p in _leaves(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = draw(hostile_value)
    return doc


_RRULE_PARTS = st.sampled_from(
    [
        "INTERVAL=0",
        "INTERVAL=1",
        "INTERVAL=7",
        "INTERVAL=99999999999",
        "COUNT=0",
        "COUNT=3",
        "COUNT=1000000000",
        "UNTIL=20270101T000000",
        "UNTIL=19000101T000000",
        "BYDAY=SU",
        "BYDAY=MO,TU",
        "BYDAY=+1MO",
        "BYHOUR=2",
        "BYMINUTE=30",
        "BYMONTH=2",
        "BYMONTH=13",
        "BYMONTHDAY=30",
        "BYMONTHDAY=-1",
        "BYMONTHDAY=31",
        "BYYEARDAY=366",
        "BYWEEKNO=53",
        "BYSETPOS=2",
        "BYSETPOS=-1",
        "BYEASTER=0",
        "BYEASTER=365",
        "BYEASTER=-9999",
        "WKST=MO",
    ]
)

#: RFC 5545 rules, sensible and not: every frequency with up to three parts.
hostile_rrule = st.builds(
    lambda freq, parts: ";".join([f"FREQ={freq}", *parts]),
    st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.lists(_RRULE_PARTS, max_size=3, unique=True),
)
