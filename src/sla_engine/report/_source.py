"""The tables the reports are computed from, built here from the clock engine.

Stand-in for the table layer's ``evaluate_table``: :func:`result_table` gives one row per
ticket x metric x cycle with the columns ``evaluate_table`` returns (see :data:`RESULT_SCHEMA`),
so that the lead can later swap the source without touching the KPI code. Two more tables come
from the tickets' events, which the result table does not carry:

- :func:`ticket_table`: one row per ticket: attributes, creation instant, the lifecycle state
  at ``as_of`` and whether that state is terminal (for the backlog);
- :func:`stay_table`: one row per stay of a ticket in a lifecycle state (for time in state).

Pending cycles (a metric that applies but has not started) are kept, with null instants, as
``evaluate`` reports them; the KPIs skip them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sla_engine.clocks import SLA, EventKind, Ticket, evaluate
from sla_engine.errors import ReportError, TicketError

__all__ = ["ATTRIBUTES", "arrow", "result_schema", "result_table", "stay_table", "ticket_table"]

ATTRIBUTES: tuple[str, ...] = ("tier", "severity", "channel", "issue_class")


def arrow() -> Any:
    """The ``pyarrow`` module; a clear error when the ``report`` extra is not installed."""
    try:
        import pyarrow
    except ImportError:
        raise ReportError(
            "reports need pyarrow and matplotlib; install them with pip install "
            "'sla-engine[report]'"
        ) from None
    return pyarrow


def result_schema() -> Any:
    """The columns of a result table (the table layer's ``evaluate_table``)."""
    pa = arrow()
    ts = pa.timestamp("us", tz="UTC")
    dur = pa.duration("us")
    return pa.schema(
        [
            ("ticket_id", pa.string()),
            ("metric", pa.string()),
            ("cycle", pa.int32()),
            ("state", pa.string()),
            ("rule", pa.string()),
            ("calendar", pa.string()),
            ("target", dur),
            ("start", ts),
            ("due", ts),
            ("stop", ts),
            ("breached_at", ts),
            ("business_elapsed", dur),
            ("remaining", dur),
            *((name, pa.string()) for name in ATTRIBUTES),
        ]
    )


def _tickets(tickets: Iterable[Ticket]) -> list[Ticket]:
    out = list(tickets)
    for ticket in out:
        if not isinstance(ticket, Ticket):
            raise TicketError(f"expected a Ticket, got {type(ticket).__name__}")
    return out


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def result_table(sla: SLA, tickets: Iterable[Ticket], *, as_of: datetime) -> Any:
    """One row per ticket x metric x cycle at ``as_of``, from :func:`sla_engine.clocks.evaluate`."""
    columns: dict[str, list[Any]] = {name: [] for name in result_schema().names}
    for ticket in _tickets(tickets):
        result = evaluate(sla, ticket, as_of=as_of)
        for c in result.cycles:
            columns["ticket_id"].append(ticket.id)
            columns["metric"].append(c.metric)
            columns["cycle"].append(c.cycle)
            columns["state"].append(c.state.value)
            columns["rule"].append(c.rule)
            columns["calendar"].append(c.calendar)
            columns["target"].append(c.target)
            columns["start"].append(_utc(c.start))
            columns["due"].append(_utc(c.due))
            columns["stop"].append(_utc(c.stop))
            columns["breached_at"].append(_utc(c.breached_at))
            columns["business_elapsed"].append(c.business_elapsed)
            columns["remaining"].append(c.business_remaining)
            for name in ATTRIBUTES:
                columns[name].append(getattr(ticket, name))
    pa = arrow()
    return pa.table(columns, schema=result_schema())


def _entered(sla: SLA, kind: EventKind, value: str | None) -> str | None:
    """The lifecycle state an event enters, or ``None`` when it leaves the state alone."""
    life = sla.lifecycle
    if kind is EventKind.STATUS_CHANGED:
        return value
    if kind is EventKind.RESOLVED:
        return life.resolved
    if kind is EventKind.VERIFIED:
        return life.verified
    if kind is EventKind.CLOSED:
        return life.closed
    if kind is EventKind.REOPENED:
        return value or life.reopen
    return None


def _stays(
    sla: SLA, ticket: Ticket, as_of: datetime
) -> list[tuple[str, datetime, datetime | None]]:
    """``(state, entered, left)`` for each stay up to ``as_of``; ``left`` is ``None`` if open."""
    stays: list[tuple[str, datetime, datetime | None]] = []
    limit = as_of.astimezone(UTC)
    for event in ticket.events:
        at = event.at.astimezone(UTC)
        if at > limit:
            break
        name = (
            sla.lifecycle.initial
            if event.kind is EventKind.CREATED
            else _entered(sla, event.kind, event.value)
        )
        if name is None or (stays and stays[-1][0] == name):
            continue
        if stays:
            state, entered, _ = stays[-1]
            stays[-1] = (state, entered, at)
        stays.append((name, at, None))
    return stays


def _contacts(ticket: Ticket, until: datetime) -> tuple[int, int, bool]:
    """Agent replies, customer replies after the first agent reply, and whether the ticket was
    reopened, among the events up to ``until``."""
    agent = after = 0
    reopened = False
    for event in ticket.events:
        if event.at.astimezone(UTC) > until:
            break
        if event.kind is EventKind.AGENT_REPLY:
            agent += 1
        elif event.kind is EventKind.CUSTOMER_REPLY and agent:
            after += 1
        elif event.kind is EventKind.REOPENED:
            reopened = True
    return agent, after, reopened


def ticket_table(sla: SLA, tickets: Iterable[Ticket], *, as_of: datetime) -> Any:
    """One row per ticket created by ``as_of``: attributes, ``created``, ``state`` at ``as_of``,
    ``open`` (the state is not terminal), ``resolved_at`` (when it entered the terminal state it
    is in, null while open), and, up to that instant (or ``as_of``), ``agent_replies``,
    ``customer_replies_after_reply`` and ``reopened``."""
    pa = arrow()
    rows: dict[str, list[Any]] = {
        "ticket_id": [],
        **{name: [] for name in ATTRIBUTES},
        "created": [],
        "state": [],
        "open": [],
        "resolved_at": [],
        "agent_replies": [],
        "customer_replies_after_reply": [],
        "reopened": [],
    }
    limit = as_of.astimezone(UTC)
    for ticket in _tickets(tickets):
        stays = _stays(sla, ticket, as_of)
        if not stays:
            continue
        state, entered, _ = stays[-1]
        try:
            terminal = sla.lifecycle.state(state).terminal
        except LookupError:
            terminal = False
        # the terminal stay began where the run of terminal states at the end began
        first_terminal = entered
        for name, at, _ in reversed(stays):
            try:
                if not sla.lifecycle.state(name).terminal:
                    break
            except LookupError:
                break
            first_terminal = at
        resolved_at = first_terminal if terminal else None
        agent, after, reopened = _contacts(ticket, resolved_at or limit)
        rows["ticket_id"].append(ticket.id)
        for name in ATTRIBUTES:
            rows[name].append(getattr(ticket, name))
        rows["created"].append(stays[0][1])
        rows["state"].append(state)
        rows["open"].append(not terminal)
        rows["resolved_at"].append(resolved_at)
        rows["agent_replies"].append(agent)
        rows["customer_replies_after_reply"].append(after)
        rows["reopened"].append(reopened)
    ts = pa.timestamp("us", tz="UTC")
    schema = pa.schema(
        [
            ("ticket_id", pa.string()),
            *((name, pa.string()) for name in ATTRIBUTES),
            ("created", ts),
            ("state", pa.string()),
            ("open", pa.bool_()),
            ("resolved_at", ts),
            ("agent_replies", pa.int32()),
            ("customer_replies_after_reply", pa.int32()),
            ("reopened", pa.bool_()),
        ]
    )
    return pa.table(rows, schema=schema)


def stay_table(sla: SLA, tickets: Iterable[Ticket], *, as_of: datetime) -> Any:
    """One row per stay in a lifecycle state up to ``as_of``: ``ticket_id``, the attributes,
    ``state``, ``entered`` and ``left`` (null while the ticket is still in it)."""
    pa = arrow()
    rows: dict[str, list[Any]] = {
        "ticket_id": [],
        **{name: [] for name in ATTRIBUTES},
        "state": [],
        "entered": [],
        "left": [],
    }
    for ticket in _tickets(tickets):
        for state, entered, left in _stays(sla, ticket, as_of):
            rows["ticket_id"].append(ticket.id)
            for name in ATTRIBUTES:
                rows[name].append(getattr(ticket, name))
            rows["state"].append(state)
            rows["entered"].append(entered)
            rows["left"].append(left)
    ts = pa.timestamp("us", tz="UTC")
    schema = pa.schema(
        [
            ("ticket_id", pa.string()),
            *((name, pa.string()) for name in ATTRIBUTES),
            ("state", pa.string()),
            ("entered", ts),
            ("left", ts),
        ]
    )
    return pa.table(rows, schema=schema)
