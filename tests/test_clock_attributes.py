"""Rules match any ticket attribute a service sends (region, customer, product, plan), beside
tier, severity, channel and issue class."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine.clocks import (
    SLA,
    Event,
    EventKind,
    Match,
    Ticket,
    TicketClock,
    evaluate,
    rows_many_us,
)
from sla_engine.errors import TicketError

T0 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
AS_OF = T0 + timedelta(minutes=30)
US = timedelta(microseconds=1)

POLICY: dict[str, Any] = {
    "name": "regions",
    "calendars": {"always": {"timezone": "UTC", "hours": "24x7"}},
    "calendar_rules": [{"name": "all", "calendar": "always"}],
    "metrics": [{"name": "first_response", "kind": "first_response"}],
    "targets": {
        "first_response": [
            {"name": "emea-gold", "when": {"region": "emea", "plan": ["gold"]}, "target": "1h"},
            {"name": "gold", "when": {"plan": "gold", "tier": "premium"}, "target": "4h"},
            {"name": "all", "target": "8h"},
        ]
    },
}


def _ticket(attributes: dict[str, str] | None = None, **named: str) -> Ticket:
    data: dict[str, Any] = {"id": "A-1", "events": [{"kind": "created", "at": T0.isoformat()}]}
    data.update(named)
    if attributes is not None:
        data["attributes"] = attributes
    return Ticket.from_mapping(data)


def _first(sla: SLA, ticket: Ticket) -> Any:
    status = evaluate(sla, ticket, as_of=AS_OF).current("first_response")
    assert status is not None
    return status


@pytest.mark.parametrize(
    ("attributes", "named", "rule", "hours"),
    [
        ({"region": "emea", "plan": "gold"}, {}, "emea-gold", 1),
        ({"region": "apac", "plan": "gold"}, {"tier": "premium"}, "gold", 4),
        ({"region": "apac", "plan": "gold"}, {}, "all", 8),
        ({"region": "emea"}, {}, "all", 8),
        (None, {"tier": "premium"}, "all", 8),
    ],
)
def test_rules_match_other_attributes(
    attributes: dict[str, str] | None, named: dict[str, str], rule: str, hours: int
) -> None:
    """The first rule whose conditions on region, plan and tier all hold sets the target; a
    ticket without an attribute does not match a condition on it."""
    status = _first(SLA.from_mapping(POLICY), _ticket(attributes, **named))
    assert (status.rule, status.due) == (rule, T0 + timedelta(hours=hours))


def test_trace_says_which_attribute_did_not_match() -> None:
    """The explanation names the other attribute that kept an earlier rule from matching."""
    ticket = _ticket({"region": "apac", "plan": "gold"})
    result = evaluate(SLA.from_mapping(POLICY), ticket, as_of=AS_OF)
    assert any("region is 'apac', it wants emea" in line for line in result.trace)


def test_ticket_attributes_round_trip_and_are_checked() -> None:
    """Ticket.to_mapping keeps the other attributes; a bad one is a TicketError naming it."""
    ticket = _ticket({"region": "emea", "plan": "gold"}, tier="premium")
    assert Ticket.from_mapping(json.loads(json.dumps(ticket.to_mapping()))) == ticket
    for bad, path in (
        ("emea", ("attributes",)),
        ({"region": ""}, ("attributes", "region")),
        ({"region": 3}, ("attributes", "region")),
        ({"tier": "premium"}, ("attributes", "tier")),
    ):
        with pytest.raises(TicketError) as err:
            _ticket(bad)  # type: ignore[arg-type]
        assert err.value.path == path


def test_match_round_trips_and_refuses_bad_names() -> None:
    """A Match with other attributes reads back from its mapping; names are checked."""
    match = Match.from_mapping({"tier": "premium", "region": ["emea", "apac"], "plan": "gold"})
    assert match.names() == ("plan", "region")
    assert Match.from_mapping(match.to_mapping()) == match
    assert str(match) == "tier in premium and plan in gold and region in apac|emea"
    with pytest.raises(TicketError) as err:
        Match.from_mapping({"Region": "emea"})
    assert err.value.path == ("Region",)
    with pytest.raises(TicketError):
        Match(attributes=(("tier", frozenset({"premium"})),))
    with pytest.raises(TicketError):
        Match(attributes=(("region", frozenset({"a"})), ("plan", frozenset({"b"}))))


def test_clock_snapshot_and_fast_path_carry_other_attributes() -> None:
    """A TicketClock with attributes=, its snapshot and rows_many_us (attributes as keys of
    the mapping) answer as evaluate."""
    sla = SLA.from_mapping(POLICY)
    clock = TicketClock(sla, ticket_id="A-1", attributes={"region": "emea", "plan": "gold"})
    ticket = _ticket({"region": "emea", "plan": "gold"})
    clock.feed(ticket.events[0])
    restored = TicketClock.restore(sla, json.loads(json.dumps(clock.snapshot())))
    for c in (clock, restored):
        got = c.evaluate(as_of=AS_OF).current("first_response")
        assert got is not None and got.rule == "emea-gold"
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    as_of_us = (AS_OF - epoch) // US
    events = [((T0 - epoch) // US, ticket.events[0].kind, None)]
    (rows,) = rows_many_us(
        sla, [("A-1", {"region": "emea", "plan": "gold"}, events)], as_of_us=as_of_us
    )
    assert rows == clock.rows_us(as_of_us)
    with pytest.raises(TicketError):
        list(rows_many_us(sla, [("A-1", {"region": 3}, events)], as_of_us=as_of_us))  # type: ignore[dict-item]


_values = st.sampled_from(["emea", "apac", "gold", "x"])


@settings(max_examples=60, deadline=None)
@given(
    region=st.one_of(st.none(), _values),
    plan=st.one_of(st.none(), _values),
    tier=st.sampled_from([None, "premium", "basic"]),
    unused=st.dictionaries(st.sampled_from(["customer", "product", "zone_b"]), _values),
)
def test_attributes_no_rule_names_change_nothing(
    region: str | None, plan: str | None, tier: str | None, unused: dict[str, str]
) -> None:
    """Attributes no rule names do not change the answer, and the rule chosen is the first
    whose every condition holds."""
    sla = SLA.from_mapping(POLICY)
    named = {"region": region, "plan": plan}
    attributes = {k: v for k, v in named.items() if v is not None}
    extra = {"tier": tier} if tier else {}
    base = evaluate(sla, _ticket(attributes, **extra), as_of=AS_OF)
    more = evaluate(sla, _ticket({**attributes, **unused}, **extra), as_of=AS_OF)
    assert base.cycles == more.cycles
    every = {**named, "tier": tier}
    expected = next(
        r["name"]
        for r in POLICY["targets"]["first_response"]
        if all(
            every.get(k) in ([v] if isinstance(v, str) else v) for k, v in r.get("when", {}).items()
        )
    )
    status = base.current("first_response")
    assert status is not None and status.rule == expected


def test_attribute_changed_moves_the_ticket_to_another_rule() -> None:
    """A plan upgrade mid-ticket (attribute_changed 'plan=gold') reselects the target like a
    severity change (recompute from the cycle's start: 1 h from 09:00); a change of an
    attribute no rule names changes nothing."""
    sla = SLA.from_mapping(POLICY)
    clock = TicketClock(sla, ticket_id="A-2", attributes={"region": "emea"})
    clock.feed(Event(kind=EventKind.CREATED, at=T0))
    before = clock.evaluate(as_of=T0 + timedelta(minutes=10)).current("first_response")
    assert before is not None and before.rule == "all"
    upgrade = T0 + timedelta(minutes=20)
    clock.feed(Event(kind=EventKind.CUSTOM, at=upgrade, value="noop"))
    clock.feed(Event(kind=EventKind.ATTRIBUTE_CHANGED, at=upgrade, value="customer=acme"))
    unchanged = clock.evaluate(as_of=upgrade).current("first_response")
    assert unchanged is not None and unchanged.rule == "all"
    clock.feed(Event(kind=EventKind.ATTRIBUTE_CHANGED, at=upgrade, value="plan=gold"))
    after = clock.evaluate(as_of=AS_OF).current("first_response")
    assert after is not None and (after.rule, after.due) == ("emea-gold", T0 + timedelta(hours=1))


@pytest.mark.parametrize("value", ["plan", "plan=", "=gold", "Plan=gold", "tier=premium"])
def test_attribute_changed_needs_name_equals_value(value: str) -> None:
    """An attribute_changed value that is not 'name=value' of another attribute is refused,
    as an Event and on the integer path, and changes nothing."""
    with pytest.raises(TicketError) as err:
        Event(kind=EventKind.ATTRIBUTE_CHANGED, at=T0, value=value)
    assert err.value.path == ("value",)
    clock = TicketClock(SLA.from_mapping(POLICY), ticket_id="A-3")
    clock.feed(Event(kind=EventKind.CREATED, at=T0))
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    with pytest.raises(TicketError):
        clock.feed_us((AS_OF - epoch) // US, EventKind.ATTRIBUTE_CHANGED, value)
    assert clock.events_fed == 1
