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
#: rows gathered as Python tuples before they are turned into Arrow arrays
_FLUSH_ROWS = 50_000
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


def _text_column(
    pa: Any, table: Any, name: str, what: str, *, as_list: bool = True
) -> list[str | None]:
    column = table.column(name)
    if not _is_text(pa, column.type):
        raise TableError(
            f"{what}: column {name!r} is {column.type}; expected text (string)",
            table=what,
            column=name,
        )
    if not as_list:
        return []
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


def _ints(pa: Any, array: Any, null: int) -> Any:
    """An integer Arrow array as a numpy int64 array, nulls as ``null``."""
    import pyarrow.compute as pc

    return pc.fill_null(array, null).to_numpy(zero_copy_only=False).astype("int64")


def _bools(pa: Any, array: Any) -> Any:
    """A boolean Arrow array as a numpy bool array, nulls as False."""
    import pyarrow.compute as pc

    return pc.fill_null(array, False).to_numpy(zero_copy_only=False).astype(bool)


def _instants(
    pa: Any, column: Any, ids: list[str | None], bad: list[_Bad]
) -> tuple[list[int | None], Any, Any]:
    """The ``at`` column as µs since the epoch: a list (None where bad), a numpy int64 array
    and a numpy mask of the good cells; a bad cell is reported."""
    import numpy as np
    import pyarrow.compute as pc

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
        column = column.combine_chunks()
        raw = _ints(pa, column.cast(pa.int64()), 0)
        ok = ~_bools(pa, pc.is_null(column))
        scale = _UNIT_US.get(typ.unit, 0)
        if scale:
            at = raw * scale
        else:
            at = raw // 1000
            finer = ok & (raw % 1000 != 0)
            for i in np.flatnonzero(finer).tolist():
                bad.append(
                    _Bad(
                        "events",
                        i,
                        ids[i],
                        "at",
                        "the instant has nanoseconds; the clocks count whole microseconds",
                    )
                )
            ok &= ~finer
        for i in np.flatnonzero(~_bools(pa, pc.is_valid(column))).tolist():
            bad.append(_Bad("events", i, ids[i], "at", "no instant (null)"))
        out: list[int | None] = at.tolist()
        for i in np.flatnonzero(~ok).tolist():
            out[i] = None
        return out, at, ok
    if not _is_text(pa, typ):
        raise TableError(
            f"events: column 'at' is {typ}; expected a timestamp with a time zone or ISO 8601 "
            "text with an offset",
            table="events",
            column="at",
        )
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
    ok = np.array([v is not None for v in out], dtype=bool)
    at = np.array([0 if v is None else v for v in out], dtype=np.int64)
    return out, at, ok


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

    # -- events (checked in columns; a Python loop only over the bad rows) -------------------
    import numpy as np
    import pyarrow.compute as pc

    n_events = e_table.num_rows
    e_ids = _text_column(pa, e_table, "ticket_id", "events")
    _text_column(pa, e_table, "kind", "events", as_list=False)
    kind_col = e_table.column("kind").cast(pa.string()).combine_chunks()
    if "value" in e_table.column_names:
        _text_column(pa, e_table, "value", "events", as_list=False)
        value_col = e_table.column("value").cast(pa.string()).combine_chunks()
    else:
        value_col = pa.nulls(n_events, type=pa.string())
    values = value_col.to_pylist()
    ats, at_np, at_ok = _instants(pa, e_table.column("at"), e_ids, bad)

    # the ticket of each event (the first row of a ticket id given twice), -1 for none
    e_id_col = e_table.column("ticket_id").cast(pa.string()).combine_chunks()
    found = pc.index_in(e_id_col, value_set=pa.array(ids, type=pa.string()))
    owner = _ints(pa, found, -1)
    no_id = _bools(pa, pc.or_kleene(pc.is_null(e_id_col), pc.equal(e_id_col, "")))
    owner[no_id] = -1
    for i in np.flatnonzero(owner < 0).tolist():
        tid = e_ids[i]
        reason = (
            "no ticket id (null)" if tid is None else f"ticket {tid!r} is not in the tickets table"
        )
        bad.append(_Bad("events", i, tid, "ticket_id", reason))

    # kinds through their (small) dictionary; -1 stands for null
    encoded = kind_col.dictionary_encode()
    names = encoded.dictionary.to_pylist()
    lut: list[EventKind | None] = [_KINDS.get(name) for name in names] + [None]
    codes = _ints(pa, encoded.indices, -1)
    kinds = [lut[c] for c in codes.tolist()]
    known = np.array([k is not None for k in lut], dtype=bool)[codes]
    for i in np.flatnonzero(~known).tolist():
        raw_kind = None if codes[i] < 0 else names[codes[i]]
        bad.append(
            _Bad(
                "events",
                i,
                e_ids[i],
                "kind",
                f"unknown event kind {raw_kind!r}; expected one of {_KIND_NAMES} (use kind "
                "'custom' with a value for your own events)",
            )
        )
    needs = np.array([k is not None and k in VALUE_REQUIRED for k in lut], dtype=bool)[codes]
    empty = _bools(pa, pc.or_kleene(pc.is_null(value_col), pc.equal(value_col, "")))
    for i in np.flatnonzero(needs & empty).tolist():
        kind = kinds[i]
        assert kind is not None
        bad.append(
            _Bad(
                "events",
                i,
                e_ids[i],
                "value",
                f"a {kind.value} event needs a value: {VALUE_REQUIRED[kind]}",
            )
        )

    # each ticket's events in the order given (a stable sort by ticket); order checked here
    has_owner = np.flatnonzero(owner >= 0)
    order = has_owner[np.argsort(owner[has_owner], kind="stable")]
    sorted_owner = owner[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_owner[1:] != sorted_owner[:-1]
    created = np.array([k is EventKind.CREATED for k in lut], dtype=bool)[codes[order]]
    for j in np.flatnonzero(first & known[order] & ~created).tolist():
        i = int(order[j])
        kind = kinds[i]
        assert kind is not None
        bad.append(
            _Bad(
                "events",
                i,
                e_ids[i],
                "kind",
                f"the first event of ticket {e_ids[i]!r} is {kind.value!r}; a ticket's log "
                "starts with 'created'",
            )
        )
    for j in np.flatnonzero(~first & created).tolist():
        i = int(order[j])
        bad.append(
            _Bad("events", i, e_ids[i], "kind", "a second 'created'; a ticket is created once")
        )
    timed = order[at_ok[order]]  # events with an instant, each ticket's in order
    timed_owner = owner[timed]
    timed_at = at_np[timed]
    earlier = (timed_owner[1:] == timed_owner[:-1]) & (timed_at[1:] < timed_at[:-1])
    for j in np.flatnonzero(earlier).tolist():
        i = int(timed[j + 1])
        bad.append(
            _Bad(
                "events",
                i,
                e_ids[i],
                "at",
                f"it is earlier than the ticket's event on row {int(timed[j])}; give each "
                "ticket's events in time order (events at the same instant keep the order "
                "given)",
            )
        )
    for b in bad:
        if b.table == "events" and b.row is not None and owner[b.row] >= 0:
            ticket_bad[owner[b.row]] = True
    if errors == "raise" and bad:
        first_bad = min(bad, key=lambda b: (b.table != "tickets", b.row or 0))
        raise first_bad.error(len(bad) - 1)

    # -- the clocks ----------------------------------------------------------------------------
    runner = CycleRows(sla)
    parts: list[Any] = []
    out: list[tuple[Any, ...]] = []
    owners: list[int] = []
    sorted_rows = order.tolist()
    at_s = [ats[i] for i in sorted_rows]
    kinds_s = [kinds[i] for i in sorted_rows]
    values_s = [values[i] for i in sorted_rows]
    bounds = [0, *np.cumsum(np.bincount(sorted_owner, minlength=len(ids))).tolist()]
    rows_of = runner.rows
    for t in range(len(ids)):
        if ticket_bad[t]:
            continue
        tid = ids[t]
        assert tid is not None
        attrs = {name: col[t] for name, col in zip(attr_names, attr_values, strict=True)}
        a, b_ = bounds[t], bounds[t + 1]
        log = zip(at_s[a:b_], kinds_s[a:b_], values_s[a:b_], strict=True)
        try:
            found_rows = rows_of(tid, attrs, log, as_of_us)
        except TicketError as exc:
            path = exc.path
            if path and path[0] == "events" and len(path) > 1 and isinstance(path[1], int):
                row = sorted_rows[a + path[1]]
                kind = kinds[row]
                assert kind is not None
                problem = _Bad("events", row, tid, _event_problem(exc, kind), exc.message)
            else:
                column = path[0] if path and isinstance(path[0], str) else None
                problem = _Bad(
                    "tickets", t, tid, "ticket_id" if column == "id" else column, exc.message
                )
            if errors == "raise":
                raise problem.error(0) from None
            bad.append(problem)
            continue
        out.extend(found_rows)
        owners.extend([t] * len(found_rows))
        if len(out) >= _FLUSH_ROWS:  # to Arrow now: few Python objects alive at a time
            parts.append(_build(pa, out, owners, t_table, carried))
            out = []
            owners = []
    if out or not parts:
        parts.append(_build(pa, out, owners, t_table, carried))
    table = parts[0] if len(parts) == 1 else pa.concat_tables(parts).combine_chunks()
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
