"""Which version of a policy governs an open ticket: at its creation (default) or the latest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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
    """A choice that is not creation or latest is a PolicyError naming both."""
    with pytest.raises(PolicyError) as err:
        VERSIONS.governing(TICKET, as_of=AS_OF, governs="cycle")
    assert "creation, latest" in str(err.value)
