"""Each escalation level's own answer time, from the seed's escalation matrix: Level 1
Support -> Secondary Specialist -> Engineering On-Call -> Engineering Manager (answers within
1 h) -> Director of Support (answers within 2 h). A level not answering in time breaches its
answer clock (escalation_answer_breached)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine import load_policy
from sla_engine.clocks import (
    SLA,
    EscalationChain,
    Event,
    EventKind,
    StreamKind,
    Ticket,
    TicketClock,
    evaluate,
    next_deadlines,
)

MON = datetime(2026, 3, 9, tzinfo=UTC)
US = timedelta(microseconds=1)
CREATED = MON + timedelta(hours=9)
BREACH = MON + timedelta(hours=13) + US  # 4 h on 24x7, breached one µs after 13:00
MANAGER = BREACH + timedelta(hours=1, minutes=30)  # 14:30:00.000001
DIRECTOR = MANAGER + timedelta(hours=1)  # after the manager's answer time: 15:30:00.000001
MANAGER_LATE = MANAGER + timedelta(hours=1) + US  # 15:30:00.000002
DIRECTOR_LATE = DIRECTOR + timedelta(hours=2) + US  # 17:30:00.000002

MATRIX: dict[str, Any] = {
    "name": "seed-matrix",
    "calendars": {"always": {"timezone": "UTC", "hours": "24x7"}},
    "calendar_rules": [{"name": "all", "calendar": "always"}],
    "metrics": [{"name": "resolution", "kind": "resolution"}],
    "targets": {"resolution": [{"name": "all", "target": "4h"}]},
    "escalation": {
        "levels": [
            {"name": "Level 1 Support"},
            {"name": "Secondary Specialist", "after": "30m"},
            {"name": "Engineering On-Call", "after": "30m"},
            {"name": "Engineering Manager", "after": "30m", "responds_within": "1h"},
            {"name": "Director of Support", "after": "1h", "responds_within": "2h"},
        ]
    },
}


def _ticket(*events: tuple[datetime, EventKind, str | None]) -> Ticket:
    return Ticket(
        id="E-1",
        events=(
            Event(kind=EventKind.CREATED, at=CREATED),
            *(Event(kind=k, at=at, value=v) for at, k, v in events),
        ),
    )


def _answered(at: datetime, level: str) -> tuple[datetime, EventKind, str]:
    return (at, EventKind.ESCALATION_ANSWERED, level)


def _late(ticket: Ticket, as_of: datetime) -> list[tuple[datetime, str]]:
    result = evaluate(SLA.from_mapping(MATRIX), ticket, as_of=as_of)
    return [
        (e.at, e.detail) for e in result.events if e.kind is StreamKind.ESCALATION_ANSWER_BREACHED
    ]


def test_unanswered_manager_and_director_breach_their_answer_times() -> None:
    """Nobody answers: the Manager breaches 1 h after being paged, the Director 2 h after."""
    assert _late(_ticket(), MON + timedelta(hours=18)) == [
        (MANAGER_LATE, "Engineering Manager did not answer within 1h"),
        (DIRECTOR_LATE, "Director of Support did not answer within 2h"),
    ]


def test_manager_answering_in_time_breaches_nothing() -> None:
    """The Manager answers 30 min after the page: no breach of the Manager's answer time;
    the chain itself goes on (the Director is still paged and must answer)."""
    ticket = _ticket(_answered(MANAGER + timedelta(minutes=30), "Engineering Manager"))
    assert _late(ticket, MON + timedelta(hours=18)) == [
        (DIRECTOR_LATE, "Director of Support did not answer within 2h")
    ]


@pytest.mark.parametrize(
    ("answer", "breached"),
    [(MANAGER + timedelta(hours=1), False), (MANAGER + timedelta(hours=1) + US, True)],
)
def test_answer_at_exactly_the_answer_time_is_in_time(answer: datetime, breached: bool) -> None:
    """Met when the time to answer is at most 1 h (as targets): answering at exactly 1 h
    is in time, one µs later is a breach, which a late answer does not undo."""
    ticket = _ticket(_answered(answer, "Engineering Manager"))
    late = _late(ticket, MON + timedelta(hours=16))
    assert late == ([(MANAGER_LATE, "Engineering Manager did not answer within 1h")] * breached)


def test_an_answer_before_the_page_does_not_count() -> None:
    """The Manager writing before being paged is not an answer to the page."""
    ticket = _ticket(_answered(MANAGER - timedelta(minutes=5), "Engineering Manager"))
    assert _late(ticket, MON + timedelta(hours=16)) == [
        (MANAGER_LATE, "Engineering Manager did not answer within 1h")
    ]


def test_resolving_stops_the_answer_clocks() -> None:
    """Resolved at 15:00, before the Manager's answer time ran out: no answer breach."""
    ticket = _ticket((MON + timedelta(hours=15), EventKind.RESOLVED, None))
    assert _late(ticket, MON + timedelta(hours=20)) == []


def test_next_deadlines_show_the_answer_time_until_answered() -> None:
    """A timer service sees the Manager's answer deadline after the page, and no longer
    once the Manager has answered; the clock and its restored snapshot agree."""
    sla = SLA.from_mapping(MATRIX)
    clock = TicketClock(sla, ticket_id="E-1")
    clock.feed(Event(kind=EventKind.CREATED, at=CREATED))
    asked = MANAGER + timedelta(minutes=10)
    ahead = [(e.at, e.kind) for e in clock.next_deadlines(as_of=asked)]
    assert ahead == [
        (DIRECTOR, StreamKind.ESCALATED),
        (MANAGER_LATE, StreamKind.ESCALATION_ANSWER_BREACHED),
        (DIRECTOR_LATE, StreamKind.ESCALATION_ANSWER_BREACHED),
    ]
    clock.feed(Event(kind=EventKind.ESCALATION_ANSWERED, at=asked, value="Engineering Manager"))
    restored = TicketClock.restore(sla, json.loads(json.dumps(clock.snapshot())))
    for c in (clock, restored):
        assert [(e.at, e.kind) for e in c.next_deadlines(as_of=asked)] == [
            (DIRECTOR, StreamKind.ESCALATED),
            (DIRECTOR_LATE, StreamKind.ESCALATION_ANSWER_BREACHED),
        ]
    assert next_deadlines(sla, _ticket(), as_of=asked)[1].detail == (
        "Engineering Manager did not answer within 1h"
    )


def test_policy_file_levels_carry_their_answer_times() -> None:
    """In a policy file, responds_within is the level's answer time (and the next level's
    default delay); the compiled chain round-trips through its mapping."""
    policy = load_policy(
        text="""\
format_version: 1
name: matrix
version: "1"
effective_from: 2026-01-01
calendars:
  always: {timezone: UTC, hours: 24x7}
metrics:
  resolution: {default: 4h}
escalation:
  levels:
    - {name: Engineering Manager, after: 0s, responds_within: 1h}
    - {name: Director of Support, responds_within: 2h}
"""
    )
    assert policy.sla is not None and policy.sla.escalation is not None
    chain = policy.sla.escalation
    levels = [(lv.name, lv.after, lv.responds_within) for lv in chain.levels]
    assert levels == [
        ("Engineering Manager", timedelta(0), timedelta(hours=1)),
        ("Director of Support", timedelta(hours=1), timedelta(hours=2)),
    ]
    assert EscalationChain.from_mapping(chain.to_mapping()) == chain


@settings(max_examples=80, deadline=None)
@given(
    answer=st.one_of(st.none(), st.integers(-3600, 3 * 3600)),
    asked=st.integers(0, 6 * 3600),
)
def test_answer_breach_is_the_first_instant_past_the_answer_time(
    answer: int | None, asked: int
) -> None:
    """For any answer (or none) and any instant asked: the Manager's answer breach is shown
    exactly when no answer came in [page, page + 1 h] and the instant asked has reached
    page + 1 h + 1 µs; a later answer never removes it."""
    events = (
        []
        if answer is None
        else [_answered(MANAGER + timedelta(seconds=answer), "Engineering Manager")]
    )
    as_of = max([MANAGER + timedelta(seconds=asked), *(at for at, _, _ in events)])
    manager = [
        at for at, detail in _late(_ticket(*events), as_of) if detail.startswith("Engineering")
    ]
    in_time = answer is not None and 0 <= answer <= 3600
    assert manager == ([] if in_time or as_of < MANAGER_LATE else [MANAGER_LATE])
