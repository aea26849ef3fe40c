"""Which version of a policy governs an open ticket: at its creation (default), at its cycle's
start, or the latest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine import Event, EventKind, PolicyError, PolicySet, Ticket, load_policy

BASE = """\
format_version: 1
name: desk
version: "{version}"
effective_from: {start}
{until}calendars:
  office:
    timezone: UTC
    hours: {{mon-fri: ["09:00-17:00"]}}
{closed}metrics:
  resolution: {{default: 16h}}
"""


def version(v: str, start: str, until: str | None = None, closed: str | None = None) -> object:
    text = BASE.format(
        version=v,
        start=start,
        until=f"effective_until: {until}\n" if until else "",
        closed=f'    closed: ["{closed}"]\n' if closed else "",
    )
    return load_policy(text=text, source_name=f"desk-{v}.yaml")


VERSIONS = PolicySet(
    versions=(
        version("1", "2026-01-01", until="2026-03-09"),
        version("2", "2026-03-10", closed="2026-03-10"),  # Tuesday 10 March closed from v2 on
    )
)
TICKET = Ticket(
    id="G-1",
    events=(Event(kind=EventKind.CREATED, at=datetime(2026, 3, 9, 9, tzinfo=UTC)),),  # Monday
)
AS_OF = datetime(2026, 3, 10, 12, tzinfo=UTC)


def test_creation_governs_by_default() -> None:
    """Created under version 1 (no closure), 16 h from Monday 09:00 are due Tuesday 17:00."""
    assert VERSIONS.governing(TICKET, as_of=AS_OF).version == "1"
    c = VERSIONS.evaluate(TICKET, as_of=AS_OF).current("resolution")
    assert c is not None and c.due == datetime(2026, 3, 10, 17, tzinfo=UTC)


def test_latest_version_reaches_open_tickets() -> None:
    """Under "latest", version 2's closed Tuesday reaches the open ticket: due Wednesday 17:00;
    asked on Monday, version 1 is still the latest."""
    assert VERSIONS.governing(TICKET, as_of=AS_OF, governs="latest").version == "2"
    c = VERSIONS.evaluate(TICKET, as_of=AS_OF, governs="latest").current("resolution")
    assert c is not None and c.due == datetime(2026, 3, 11, 17, tzinfo=UTC)
    monday = AS_OF - timedelta(days=1)
    assert VERSIONS.governing(TICKET, as_of=monday, governs="latest").version == "1"


def test_unknown_choice_is_an_error() -> None:
    """A choice that is not creation, cycle_start or latest is a PolicyError naming them."""
    with pytest.raises(PolicyError) as err:
        VERSIONS.governing(TICKET, as_of=AS_OF, governs="cycle")
    assert "creation, cycle_start, latest" in str(err.value)


MON = datetime(2026, 3, 9, tzinfo=UTC)
REOPENED = Ticket(
    id="G-2",
    events=(
        Event(kind=EventKind.CREATED, at=MON + timedelta(hours=9)),  # v1, 3 h counted
        Event(kind=EventKind.RESOLVED, at=MON + timedelta(hours=12)),
        Event(kind=EventKind.REOPENED, at=MON + timedelta(days=1, hours=10)),  # Tuesday, v2
    ),
)


def test_cycle_start_governs_a_ticket_reopened_under_a_later_version() -> None:
    """Created under v1, resolved, reopened on Tuesday (v2, Tuesday closed): under
    "cycle_start" v2 governs, so the 13 h left resume on Wednesday 09:00 (due Thursday
    14:00 after Wednesday's 8 h); under "creation" v1 counts Tuesday 10:00-17:00 (due
    Wednesday 15:00). Before the reopen, the cycle began at the creation: v1."""
    later = MON + timedelta(days=1, hours=12)
    assert VERSIONS.governing(REOPENED, as_of=later, governs="cycle_start").version == "2"
    c = VERSIONS.evaluate(REOPENED, as_of=later, governs="cycle_start").current("resolution")
    assert c is not None and c.due == MON + timedelta(days=3, hours=14)
    c = VERSIONS.evaluate(REOPENED, as_of=later).current("resolution")
    assert c is not None and c.due == MON + timedelta(days=2, hours=15)
    before = MON + timedelta(days=1, hours=9)  # Tuesday, v2 in force, not yet reopened
    assert VERSIONS.governing(REOPENED, as_of=before, governs="cycle_start").version == "1"
    assert VERSIONS.governing(REOPENED, as_of=before, governs="latest").version == "2"


def test_cycle_start_is_creation_without_a_reopen() -> None:
    """A ticket never reopened is governed at its cycle's start by its creation's version."""
    for as_of in (AS_OF, AS_OF + timedelta(days=3)):
        assert VERSIONS.governing(TICKET, as_of=as_of, governs="cycle_start").version == "1"


@settings(max_examples=80, deadline=None)
@given(
    reopens=st.lists(st.integers(0, 5 * 24), max_size=4, unique=True),
    asked=st.integers(0, 6 * 24),
)
def test_cycle_start_is_the_version_at_the_last_reopen_so_far(
    reopens: list[int], asked: int
) -> None:
    """For any reopen times and any as_of: "cycle_start" is the version in force at the last
    reopen at or before as_of (else at creation); versions by effective date run creation <=
    cycle_start <= latest."""
    created = MON + timedelta(hours=1)
    events = [Event(kind=EventKind.CREATED, at=created)]
    for hours in sorted(reopens):
        at = created + timedelta(hours=hours)
        events.append(Event(kind=EventKind.RESOLVED, at=at))
        events.append(Event(kind=EventKind.REOPENED, at=at))
    ticket = Ticket(id="G-3", events=tuple(events))
    as_of = created + timedelta(hours=asked)
    started = max([created, *(created + timedelta(hours=h) for h in reopens if h <= asked)])
    got = VERSIONS.governing(ticket, as_of=as_of, governs="cycle_start")
    assert got == VERSIONS.for_instant(started)
    order = [p.version for p in VERSIONS.versions]
    first = VERSIONS.governing(ticket, as_of=as_of).version
    last = VERSIONS.governing(ticket, as_of=as_of, governs="latest").version
    assert order.index(first) <= order.index(got.version) <= order.index(last)
