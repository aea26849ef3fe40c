"""Hypothesis strategies and helpers for the table layer: random tickets as Ticket objects and
as the two tables (tickets, events) that describe them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from sla_engine.clocks import Event, EventKind, Ticket
from strategies import CLOCK_ZONES, clock_rich_logs

ATTRIBUTES = st.fixed_dictionaries(
    {
        "tier": st.sampled_from(["enterprise", "premium", "standard"]),
        "severity": st.sampled_from(["sev1", "sev2"]),
        "channel": st.sampled_from(["phone", "chat", "email"]),
        "issue_class": st.sampled_from(["tier1", "tier2", "bg_check"]),
    },
    optional={"timezone": st.sampled_from(CLOCK_ZONES)},
)

Log = tuple[datetime, list[tuple[timedelta, str, str | None]]]


def build_ticket(ticket_id: str, log: Log, attrs: dict[str, str]) -> Ticket:
    """A Ticket from a creation instant and later steps (offset, kind, value)."""
    start, steps = log
    events = [Event(kind=EventKind.CREATED, at=start)]
    events += [Event(kind=EventKind(k), at=start + off, value=v) for off, k, v in steps]
    return Ticket(id=ticket_id, events=tuple(events), **attrs)


@st.composite
def table_tickets(draw: st.DrawFn, *, max_tickets: int = 4) -> list[Ticket]:
    """A few tickets of every kind of event (sometimes invalid for the clocks), distinct ids."""
    n = draw(st.integers(1, max_tickets))
    return [
        build_ticket(f"T-{i}", draw(clock_rich_logs(max_steps=10)), draw(ATTRIBUTES))
        for i in range(n)
    ]


def as_rows(
    tickets: list[Ticket], *, interleave: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ticket rows and event rows of ``tickets`` (events as aware datetimes).

    ``interleave`` deals the tickets' events round-robin, so that tickets interleave in the
    events table while each keeps its own order.
    """
    ticket_rows = [
        {
            "ticket_id": t.id,
            "tier": t.tier,
            "severity": t.severity,
            "channel": t.channel,
            "issue_class": t.issue_class,
            "timezone": t.timezone,
        }
        for t in tickets
    ]
    per = [
        [{"ticket_id": t.id, "at": e.at, "kind": e.kind.value, "value": e.value} for e in t.events]
        for t in tickets
    ]
    if not interleave:
        return ticket_rows, [row for rows in per for row in rows]
    events: list[dict[str, Any]] = []
    depth = max((len(rows) for rows in per), default=0)
    for k in range(depth):
        events.extend(rows[k] for rows in per if k < len(rows))
    return ticket_rows, events


_MARCH_2026_US = 1_772_323_200_000_000  # 2026-03-01T00:00:00Z in microseconds
_HOUR_US = 3_600_000_000


@st.composite
def credit_tables(draw: st.DrawFn) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Customers and incidents of March 2026 as typed columns: Decimal fees, aware instants (or
    nulls for claims not filed), incidents on a half-hour grid at the seed bands' bounds."""
    from decimal import Decimal

    from sla_engine._time import from_us

    n = draw(st.integers(0, 5))
    fees = [draw(st.sampled_from(["49.00", "2000.00", "0.01", "333.33"])) for _ in range(n)]
    filed = [
        draw(
            st.one_of(
                st.none(),
                st.integers(_MARCH_2026_US, _MARCH_2026_US + 70 * 24 * _HOUR_US).map(from_us),
            )
        )
        for _ in range(n)
    ]
    customers: dict[str, list[Any]] = {
        "customer": [f"c{k}" for k in range(n)],
        "fee": [Decimal(f) for f in fees],
        "currency": ["USD"] * n,
        "fee_per": ["month"] * n,
        "claim_filed_at": filed,
    }
    incidents: dict[str, list[Any]] = {"customer": [], "start": [], "end": [], "cause": []}
    for k in range(n):
        for _ in range(draw(st.integers(0, 3))):
            start = _MARCH_2026_US + draw(st.integers(-4, 31 * 48)) * _HOUR_US // 2
            length = draw(st.sampled_from([1, 4, 12])) * _HOUR_US + draw(st.integers(-1, 1))
            incidents["customer"].append(f"c{k}")
            incidents["start"].append(from_us(start))
            incidents["end"].append(from_us(start + length))
            incidents["cause"].append(draw(st.sampled_from(["covered", "third_party"])))
    return customers, incidents
