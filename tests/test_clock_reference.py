"""The clock engine agrees with the slow reference of tests/reference_clock.py on random
policies and tickets: statuses, the warnings, breaches and escalations of the event stream, and
next_deadlines, after every event and later.

CI runs a modest number of examples; ``CLOCK_REFERENCE_EXAMPLES=5000`` runs thousands.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_calendar import reference_for, us_of
from reference_clock import ReferenceClock
from sla_engine.clocks import SLA, StreamKind, TicketClock
from sla_engine.errors import TicketError
from strategies import (
    CLOCK_POLICY_CALENDARS,
    CLOCK_TICKET_ZONES,
    CLOCK_VALUES,
    clock_lifecycle_logs,
    clock_other_attributes,
    clock_policies,
    clock_rich_logs,
)

EXAMPLES = int(os.environ.get("CLOCK_REFERENCE_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class _References(dict[str, Any]):
    """The reference calendars by name; ``name@zone`` builds that calendar in another zone."""

    def __missing__(self, key: str) -> Any:
        name, _, zone = key.partition("@")
        mapping = {**CLOCK_POLICY_CALENDARS[name], "timezone": zone}
        found = self[key] = reference_for(mapping, years=range(2025, 2028))
        return found


REFERENCES = _References(
    (k, reference_for(v, years=range(2025, 2028))) for k, v in CLOCK_POLICY_CALENDARS.items()
)


def engine_statuses(clock: TicketClock, as_of: Any) -> tuple[list[tuple[Any, ...]], Any]:
    result = clock.evaluate(as_of=as_of)
    rows = []
    for c in result.cycles:
        rows.append(
            (
                c.metric,
                c.cycle,
                c.state.value,
                None if c.start is None else us_of(c.start),
                None if c.stop is None else us_of(c.stop),
                None if c.due is None else us_of(c.due),
                None if c.breached_at is None else us_of(c.breached_at),
                None if c.target is None else c.target // timedelta(microseconds=1),
                c.business_elapsed // timedelta(microseconds=1),
                c.rule,
            )
        )
    return rows, result


TIMED = {
    StreamKind.WARNED,
    StreamKind.BREACHED,
    StreamKind.ESCALATED,
    StreamKind.ESCALATION_ANSWER_BREACHED,
}


def _detail(e: Any) -> str:
    if e.kind is StreamKind.BREACHED:
        return ""
    if e.kind is StreamKind.ESCALATION_ANSWER_BREACHED:
        return str(e.detail).split(" did not answer within ")[0]  # the level's name
    return str(e.detail)


def timed_rows(events: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (us_of(e.at), e.kind.value, e.metric, e.cycle, _detail(e))
        for e in events
        if e.kind in TIMED
    )


def reference_statuses(ref: ReferenceClock, as_of: int) -> list[tuple[Any, ...]]:
    rows = []
    for s in ref.statuses(as_of):
        pending = s.state == "pending"
        rows.append(
            (
                s.metric,
                s.cycle,
                s.state,
                None if pending else s.start,
                s.stop,
                s.due,
                s.breached_at,
                s.target,
                s.elapsed,
                s.rule,
            )
        )
    return rows


def check(
    mapping: dict[str, Any],
    attrs: dict[str, str | None],
    log: Any,
    extra: int,
    zone: str | None = None,
    others: dict[str, str] | None = None,
) -> int:
    """Feed the log to both; compare after each accepted event and ``extra`` µs after the last.
    ``others`` are the ticket's other attributes (region, plan ...). Returns how many events
    were accepted."""
    sla = SLA.from_mapping(mapping)
    clock = TicketClock(
        sla,
        ticket_id="R",
        tier=attrs["tier"],
        severity=attrs["severity"],
        timezone=zone,
        attributes=others,
    )
    ref = ReferenceClock(mapping, REFERENCES, {**attrs, **(others or {})}, zone)
    start, steps = log
    t0 = us_of(start)
    events = [(t0, "created", None)] + [
        (t0 + off // timedelta(microseconds=1), k, v) for off, k, v in steps
    ]
    accepted = 0
    for at, kind, value in events:
        try:
            clock.feed_us(at, __import__("sla_engine").clocks.EventKind(kind), value)
        except TicketError:
            assert not ref.valid(kind, value), (kind, value)
            continue
        assert ref.valid(kind, value), (kind, value)
        ref.feed(at, kind, value)
        accepted += 1
        compare(clock, ref, at)
    if accepted:
        compare(clock, ref, ref.last + extra)
    return accepted


def compare(clock: TicketClock, ref: ReferenceClock, at: int) -> None:
    from reference_calendar import dt_of

    as_of = dt_of(at)
    got, result = engine_statuses(clock, as_of)
    assert got == reference_statuses(ref, at), as_of
    expected = ref.timed()
    assert timed_rows(result.events) == sorted(x[:5] for x in expected if x[0] <= at), as_of
    deadlines = timed_rows(clock.next_deadlines(as_of=as_of))
    assert deadlines == sorted(x[:5] for x in expected if x[0] > at and x[5]), as_of


@SETTINGS
@given(
    mapping=clock_policies(),
    log=st.one_of(clock_lifecycle_logs(), clock_rich_logs()),
    tier=st.sampled_from([None, *CLOCK_VALUES["tier_changed"]]),
    severity=st.sampled_from([None, *CLOCK_VALUES["severity_changed"]]),
    extra=st.integers(0, 3 * 24 * 3_600_000_000),
    zone=st.sampled_from(CLOCK_TICKET_ZONES),
    others=clock_other_attributes(),
)
def test_engine_agrees_with_reference_clock(
    mapping: dict[str, Any],
    log: Any,
    tier: str | None,
    severity: str | None,
    extra: int,
    zone: str | None,
    others: dict[str, str],
) -> None:
    """Statuses, reached warnings/breaches/escalations and next deadlines equal the
    reference's after every event of a random ticket (maybe in its own zone, with other
    attributes such as region and plan that rules, warnings and chains may match) under a
    random policy."""
    check(mapping, {"tier": tier, "severity": severity}, log, extra, zone, others)


@st.composite
def _answered_tickets(draw: st.DrawFn) -> tuple[dict[str, Any], Any]:
    """A random policy whose chain's levels all have answer times, and a lifecycle log with
    escalation_answered events for its levels mixed in."""
    mapping = draw(clock_policies())
    levels = [
        {
            "name": f"L{i + 1}",
            "after": draw(st.sampled_from(["0s", "10m", "1h"])),
            "responds_within": draw(st.sampled_from(["1s", "20m", "1h", "3h"])),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    mapping["escalation"] = {
        "levels": levels,
        "clock": draw(st.sampled_from(["wall", "business"])),
    }
    mapping.pop("escalations", None)
    start, steps = draw(clock_lifecycle_logs(max_steps=10))
    answers = draw(
        st.lists(
            st.tuples(
                st.integers(0, 60 * 24).map(lambda m: timedelta(minutes=m)),
                st.sampled_from([lv["name"] for lv in levels]),
            ),
            max_size=6,
        )
    )
    merged = sorted(
        [*steps, *((off, "escalation_answered", name) for off, name in answers)],
        key=lambda step: step[0],
    )
    return mapping, (start, merged)


@SETTINGS
@given(ticket=_answered_tickets(), extra=st.integers(0, 2 * 24 * 3_600_000_000))
def test_engine_agrees_with_reference_on_escalation_answer_times(
    ticket: tuple[dict[str, Any], Any], extra: int
) -> None:
    """Each escalation level's own answer time: reached levels that are not answered in
    time breach it (escalation_answer_breached), in the stream and next_deadlines, as the
    reference says, with answers before, within and after the answer time."""
    mapping, log = ticket
    check(mapping, {"tier": None, "severity": None}, log, extra)
