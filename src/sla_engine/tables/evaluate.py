"""Tickets and events as tables in, one Arrow row per ticket × metric × cycle out.

:func:`evaluate_table` checks every row of both tables first (columns, kinds, instants, order),
then runs each ticket through the clocks' state machine (:class:`~sla_engine.clocks.cycles.
CycleRows`), so its rows are :func:`~sla_engine.clocks.evaluate`'s answers field for field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple, overload

from sla_engine._time import to_us
from sla_engine.clocks.cycles import CycleRows
from sla_engine.clocks.events import VALUE_REQUIRED, EventKind
from sla_engine.clocks.sla import SLA
from sla_engine.errors import NaiveDatetimeError, TableError, TicketError
from sla_engine.tables.parcel import PolicyParcel
from sla_engine.tables.read import require_pyarrow, to_arrow

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "RESULT_COLUMNS",
    "TableResult",
    "evaluate_table",
    "rejected_schema",
    "result_schema",
]

#: Ticket columns the rules read (each text or null); any other ticket column is carried along.
ATTRIBUTE_COLUMNS = ("tier", "severity", "channel", "issue_class", "timezone")
#: The computed columns of a result, in order; the ticket's other columns follow them.
RESULT_COLUMNS = (
    "ticket_id",
    "metric",
    "cycle",
    "state",
    "rule",
    "calendar",
    "target",
    "start",
    "due",
    "stop",
    "breached_at",
    "business_elapsed",
    "remaining",
)
_EVENT_STRINGS = ("ticket_id", "at", "kind", "value")
_KINDS = {k.value: k for k in EventKind}
_KIND_NAMES = ", ".join(k.value for k in EventKind)


class TableResult(NamedTuple):
    """What ``errors="collect"`` returns: the rows of the good tickets and the rejected rows."""

    rows: Any  # pyarrow.Table
    rejected: Any  # pyarrow.Table: table, row, ticket_id, column, reason


@dataclass(frozen=True, slots=True)
class _Bad:
    table: str
    row: int | None
    ticket_id: str | None
    column: str | None
    reason: str

    def error(self, more: int) -> TableError:
        where = self.table if self.row is None else f"{self.table} row {self.row}"
        if self.ticket_id is not None:
            where += f" (ticket {self.ticket_id!r})"
        if self.column is not None:
            where += f", column {self.column!r}"
        tail = ""
        if more:
            tail = (
                f"; and {more} more bad row{'s' * (more != 1)} (pass errors='collect' to get "
                "every one in a table)"
            )
        return TableError(
            f"{where}: {self.reason}{tail}; nothing was evaluated",
            table=self.table,
            row=self.row,
            column=self.column,
            ticket_id=self.ticket_id,
            reason=self.reason,
        )


def result_schema(ticket_fields: Sequence[Any] = ()) -> Any:
    """The Arrow schema of :func:`evaluate_table`'s rows, with ``ticket_fields`` carried."""
    pa = require_pyarrow()
    ts = pa.timestamp("us", tz="UTC")
    dur = pa.duration("us")
    return pa.schema(
        [
            pa.field("ticket_id", pa.string(), nullable=False),
            pa.field("metric", pa.string(), nullable=False),
            pa.field("cycle", pa.int64(), nullable=False),
            pa.field("state", pa.string(), nullable=False),
            ("rule", pa.string()),
            ("calendar", pa.string()),
            ("target", dur),
            ("start", ts),
            ("due", ts),
            ("stop", ts),
            ("breached_at", ts),
            pa.field("business_elapsed", dur, nullable=False),
            ("remaining", dur),
            *ticket_fields,
        ]
    )


def rejected_schema() -> Any:
    """The Arrow schema of the rejected-rows table of ``errors="collect"``."""
    pa = require_pyarrow()
    return pa.schema(
        [
            pa.field("table", pa.string(), nullable=False),
            ("row", pa.int64()),
            ("ticket_id", pa.string()),
            ("column", pa.string()),
            pa.field("reason", pa.string(), nullable=False),
        ]
    )


def _sla_of(policy: object) -> SLA:
    if isinstance(policy, SLA):
        return policy
    if isinstance(policy, PolicyParcel):
        return policy.open()
    sla = getattr(policy, "sla", None)
    if isinstance(sla, SLA):
        return sla
    if hasattr(policy, "sla"):
        raise TicketError("the policy defines no metrics, so there is no clock to evaluate")
    raise TicketError(f"expected a Policy or an SLA, got {type(policy).__name__}")


def _is_text(pa: Any, typ: Any) -> bool:
    return bool(
        pa.types.is_string(typ)
        or pa.types.is_large_string(typ)
        or pa.types.is_null(typ)
        or (pa.types.is_dictionary(typ) and _is_text(pa, typ.value_type))
    )


def _text_column(pa: Any, table: Any, name: str, what: str) -> list[str | None]:
    column = table.column(name)
    if not _is_text(pa, column.type):
        raise TableError(
            f"{what}: column {name!r} is {column.type}; expected text (string)",
            table=what,
            column=name,
        )
    return column.cast(pa.string()).to_pylist()  # type: ignore[no-any-return]


def _require(table: Any, names: Sequence[str], what: str) -> None:
    missing = [n for n in names if n not in table.column_names]
    if missing:
        raise TableError(
            f"{what}: missing column{'s' * (len(missing) != 1)} {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, table.column_names)) or 'no columns'}",
            table=what,
            column=missing[0],
        )


_UNIT_US = {"s": 1_000_000, "ms": 1000, "us": 1}


def _instants(pa: Any, column: Any, ids: list[str | None], bad: list[_Bad]) -> list[int | None]:
    """The ``at`` column as µs since the epoch; a bad cell is reported and read as None."""
    typ = column.type
    if pa.types.is_timestamp(typ):
        if typ.tz is None:
            raise TableError(
                f"events: column 'at' is {typ}, a time without a zone (naive); store UTC "
                "instants with their zone (e.g. timestamp[us, tz=UTC]) or ISO text with an "
                "offset such as '2026-03-09T09:00:00+00:00'",
                table="events",
                column="at",
            )
        raw = column.cast(pa.int64()).to_pylist()
        scale = _UNIT_US.get(typ.unit, 0)
        out: list[int | None] = []
        for i, v in enumerate(raw):
            if v is None:
                bad.append(_Bad("events", i, ids[i], "at", "no instant (null)"))
                out.append(None)
            elif scale:
                out.append(v * scale)
            elif v % 1000:
                bad.append(
                    _Bad(
                        "events",
                        i,
                        ids[i],
                        "at",
                        "the instant has nanoseconds; the clocks count whole microseconds",
                    )
                )
                out.append(None)
            else:
                out.append(v // 1000)
    elif _is_text(pa, typ):
        out = []
        parse = datetime.fromisoformat
        for i, text in enumerate(column.cast(pa.string()).to_pylist()):
            if text is None:
                bad.append(_Bad("events", i, ids[i], "at", "no instant (null)"))
                out.append(None)
                continue
            try:
                dt = parse(text)
            except ValueError:
                bad.append(
                    _Bad(
                        "events",
                        i,
                        ids[i],
                        "at",
                        f"{text!r} is not an ISO 8601 instant (expected e.g. "
                        "'2026-03-09T09:00:00-05:00')",
                    )
                )
                out.append(None)
                continue
            if dt.utcoffset() is None:
                bad.append(
                    _Bad(
                        "events",
                        i,
                        ids[i],
                        "at",
                        f"{text!r} has no time zone; write it with an offset, e.g. '{text}+00:00'",
                    )
                )
                out.append(None)
                continue
            out.append(to_us(dt))
    else:
        raise TableError(
            f"events: column 'at' is {typ}; expected a timestamp with a time zone or ISO 8601 "
            "text with an offset",
            table="events",
            column="at",
        )
    return out


def _carried(tickets: Any) -> list[str]:
    carried = [n for n in tickets.column_names if n != "ticket_id"]
    clash = [n for n in carried if n in RESULT_COLUMNS]
    if clash:
        raise TableError(
            f"tickets: column {clash[0]!r} has the name of a result column; rename it (result "
            f"columns: {', '.join(RESULT_COLUMNS)})",
            table="tickets",
            column=clash[0],
        )
    return carried


def _event_problem(exc: TicketError, kind: EventKind) -> str:
    """The column an engine error about an event is about."""
    path = exc.path
    if len(path) > 2 and isinstance(path[2], str):
        return path[2]
    return "value" if kind in VALUE_REQUIRED or kind is EventKind.REOPENED else "kind"


@overload
def evaluate_table(
    policy: object,
    tickets: Any,
    events: Any,
    *,
    as_of: datetime,
    errors: Literal["raise"] = "raise",
) -> Any: ...


@overload
def evaluate_table(
    policy: object,
    tickets: Any,
    events: Any,
    *,
    as_of: datetime,
    errors: Literal["collect"],
) -> TableResult: ...


def evaluate_table(
    policy: object,
    tickets: Any,
    events: Any,
    *,
    as_of: datetime,
    errors: Literal["raise", "collect"] = "raise",
) -> Any:
    """Where every clock of every ticket stands at ``as_of``, as an Arrow table.

    ``policy`` is a loaded :class:`~sla_engine.policy.Policy`, an :class:`~sla_engine.SLA` or
    a :class:`~sla_engine.tables.PolicyParcel` (as sent to a worker).
    ``tickets`` has a ``ticket_id`` column, the attribute columns the rules read (``tier``,
    ``severity``, ``channel``, ``issue_class``, ``timezone``; each optional, text or null) and
    any other columns, which are carried into every row of their ticket. ``events`` has
    ``ticket_id``, ``at`` (an instant: a timestamp with a zone, or ISO 8601 text with an offset),
    ``kind`` and optionally ``value``; each ticket's events in time order (tickets may
    interleave). Either may be a ``pyarrow.Table``, a pandas or polars DataFrame, or the path of a
    Parquet, CSV or JSON Lines file. Events after ``as_of`` are ignored, as by ``evaluate``.

    Returns one row per ticket × metric × cycle (the tickets in their order, metrics in the
    policy's): ``ticket_id``, ``metric``, ``cycle``, ``state``, ``rule``, ``calendar``,
    ``target``, ``start``, ``due``, ``stop``, ``breached_at``, ``business_elapsed``,
    ``remaining`` (instants ``timestamp[us, tz=UTC]``, durations ``duration[us]``), then the
    ticket's other columns.

    ``errors="raise"`` (the default): a bad row raises :class:`~sla_engine.errors.TableError`
    naming the table, the 0-based row, the ticket and the column, and nothing is returned.
    ``errors="collect"``: returns a :class:`TableResult` of the rows of every good ticket and a
    table of the rejected rows with their reasons; a ticket with any rejected row is left out
    whole. A missing or mistyped column raises in both modes.
    """
    if errors not in ("raise", "collect"):
        raise TableError(f"errors={errors!r}; expected 'raise' or 'collect'", table="tables")
    sla = _sla_of(policy)
    if not isinstance(as_of, datetime) or as_of.utcoffset() is None:
        raise NaiveDatetimeError(
            f"as_of={as_of!r} has no time zone; pass an aware datetime, e.g. "
            "datetime(2026, 3, 9, 9, 0, tzinfo=timezone.utc)",
            path=("as_of",),
        )
    as_of_us = to_us(as_of)
    pa = require_pyarrow()
    t_table = to_arrow(tickets, "tickets", ("ticket_id", *ATTRIBUTE_COLUMNS))
    e_table = to_arrow(events, "events", _EVENT_STRINGS)
    _require(t_table, ("ticket_id",), "tickets")
    _require(e_table, ("ticket_id", "at", "kind"), "events")
    carried = _carried(t_table)
    bad: list[_Bad] = []

    # -- tickets -----------------------------------------------------------------------------
    ids = _text_column(pa, t_table, "ticket_id", "tickets")
    attr_names = [n for n in ATTRIBUTE_COLUMNS if n in t_table.column_names]
    attr_values = [_text_column(pa, t_table, n, "tickets") for n in attr_names]
    position: dict[str, int] = {}
    ticket_bad = [False] * len(ids)
    for i, tid in enumerate(ids):
        if tid is None or tid == "":
            bad.append(_Bad("tickets", i, None, "ticket_id", "no ticket id (empty or null)"))
            ticket_bad[i] = True
        elif tid in position:
            bad.append(
                _Bad(
                    "tickets",
                    i,
                    tid,
                    "ticket_id",
                    f"the ticket id is also on row {position[tid]}; each ticket is one row",
                )
            )
            ticket_bad[i] = True
            ticket_bad[position[tid]] = True
        else:
            position[tid] = i

    # -- events ------------------------------------------------------------------------------
    e_ids = _text_column(pa, e_table, "ticket_id", "events")
    kinds_raw = _text_column(pa, e_table, "kind", "events")
    values = (
        _text_column(pa, e_table, "value", "events")
        if "value" in e_table.column_names
        else [None] * e_table.num_rows
    )
    ats = _instants(pa, e_table.column("at"), e_ids, bad)
    owner: list[int] = [-1] * len(e_ids)
    kinds: list[EventKind | None] = [None] * len(e_ids)
    for i, tid in enumerate(e_ids):
        found = position.get(tid) if tid is not None else None
        if found is None:
            reason = (
                "no ticket id (null)"
                if tid is None
                else f"ticket {tid!r} is not in the tickets table"
            )
            bad.append(_Bad("events", i, tid, "ticket_id", reason))
        else:
            owner[i] = found
        raw_kind = kinds_raw[i]
        kind = _KINDS.get(raw_kind) if raw_kind is not None else None
        if kind is None:
            bad.append(
                _Bad(
                    "events",
                    i,
                    tid,
                    "kind",
                    f"unknown event kind {raw_kind!r}; expected one of {_KIND_NAMES} (use kind "
                    "'custom' with a value for your own events)",
                )
            )
        else:
            kinds[i] = kind
            if kind in VALUE_REQUIRED and not values[i]:
                bad.append(
                    _Bad(
                        "events",
                        i,
                        tid,
                        "value",
                        f"a {kind.value} event needs a value: {VALUE_REQUIRED[kind]}",
                    )
                )

    # each ticket's events in the order given; the order within a ticket is checked here
    per_ticket: list[list[int]] = [[] for _ in ids]
    for i, o in enumerate(owner):
        if o >= 0:
            per_ticket[o].append(i)
    for rows in per_ticket:
        previous: int | None = None
        for n, i in enumerate(rows):
            at = ats[i]
            kind = kinds[i]
            tid = e_ids[i]
            if n == 0 and kind is not None and kind is not EventKind.CREATED:
                bad.append(
                    _Bad(
                        "events",
                        i,
                        tid,
                        "kind",
                        f"the first event of ticket {tid!r} is {kind.value!r}; a ticket's log "
                        "starts with 'created'",
                    )
                )
            elif n and kind is EventKind.CREATED:
                bad.append(
                    _Bad(
                        "events",
                        i,
                        tid,
                        "kind",
                        "a second 'created'; a ticket is created once",
                    )
                )
            if at is None:
                continue
            if previous is not None:
                before = ats[previous]
                assert before is not None
                if at < before:
                    bad.append(
                        _Bad(
                            "events",
                            i,
                            tid,
                            "at",
                            f"it is earlier than the ticket's event on row {previous}; give "
                            "each ticket's events in time order (events at the same instant "
                            "keep the order given)",
                        )
                    )
            previous = i
    for b in bad:
        if b.table == "events" and b.row is not None and owner[b.row] >= 0:
            ticket_bad[owner[b.row]] = True
    if errors == "raise" and bad:
        first = min(bad, key=lambda b: (b.table != "tickets", b.row or 0))
        raise first.error(len(bad) - 1)

    # -- the clocks ----------------------------------------------------------------------------
    runner = CycleRows(sla)
    out: list[tuple[Any, ...]] = []
    owners: list[int] = []
    for t, rows in enumerate(per_ticket):
        if ticket_bad[t]:
            continue
        tid = ids[t]
        assert tid is not None
        attrs = {name: col[t] for name, col in zip(attr_names, attr_values, strict=True)}
        log = [(ats[i], kinds[i], values[i]) for i in rows]
        try:
            found_rows = runner.rows(tid, attrs, log, as_of_us)  # type: ignore[arg-type]
        except TicketError as exc:
            path = exc.path
            if path and path[0] == "events" and len(path) > 1 and isinstance(path[1], int):
                row = rows[path[1]]
                kind = kinds[row]
                assert kind is not None
                b = _Bad("events", row, tid, _event_problem(exc, kind), exc.message)
            else:
                column = path[0] if path and isinstance(path[0], str) else None
                b = _Bad("tickets", t, tid, "ticket_id" if column == "id" else column, exc.message)
            if errors == "raise":
                raise b.error(0) from None
            bad.append(b)
            continue
        out.extend(found_rows)
        owners.extend([t] * len(found_rows))
    table = _build(pa, out, owners, t_table, carried)
    if errors == "collect":
        return TableResult(rows=table, rejected=_rejected(pa, bad))
    return table


def _build(
    pa: Any, out: list[tuple[Any, ...]], owners: list[int], tickets: Any, carried: list[str]
) -> Any:
    fields = [tickets.schema.field(n) for n in carried]
    schema = result_schema(fields)
    columns = list(zip(*out, strict=True)) if out else [()] * 12
    ids = tickets.column("ticket_id").cast(pa.string())
    take = pa.array(owners, type=pa.int64())
    arrays = [ids.take(take).combine_chunks()]
    for i, field in enumerate(schema):
        if i == 0 or i > 12:
            continue
        values = columns[i - 1]
        if pa.types.is_timestamp(field.type) or pa.types.is_duration(field.type):
            # from int64: building instants straight from Python ints is far slower
            arrays.append(pa.array(values, type=pa.int64()).cast(field.type))
        else:
            arrays.append(pa.array(values, type=field.type))
    for name in carried:
        arrays.append(tickets.column(name).take(take).combine_chunks())
    return pa.Table.from_arrays(arrays, schema=schema)


def _rejected(pa: Any, bad: list[_Bad]) -> Any:
    bad = sorted(bad, key=lambda b: (b.table != "tickets", b.row if b.row is not None else -1))
    return pa.Table.from_pylist(
        [
            {
                "table": b.table,
                "row": b.row,
                "ticket_id": b.ticket_id,
                "column": b.column,
                "reason": b.reason,
            }
            for b in bad
        ],
        schema=rejected_schema(),
    )
