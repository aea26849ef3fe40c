"""Tickets streamed in batches: JSON Lines tickets (each with its events) read a batch at a time,
and result tables written to JSON Lines, CSV or Parquet a batch at a time.

This is what ``sla-engine evaluate --output-format ...`` runs: memory holds one batch of tickets
and its rows, whatever the length of the input.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from sla_engine._time import format_duration
from sla_engine.errors import TableError
from sla_engine.tables.evaluate import ATTRIBUTE_COLUMNS
from sla_engine.tables.read import require_pyarrow

__all__ = ["Batch", "TableWriter", "nested_batches"]

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")


@dataclass(frozen=True, slots=True)
class Batch:
    """Tickets of consecutive lines as the two tables, and the line of each ticket row."""

    tickets: Any
    events: Any
    lines: list[int]
    event_tickets: list[int]  # per event row, its ticket row


def _text(value: object, line: int, name: str, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TableError(
        f"{where}:{line}: {name} must be text, got {json.dumps(value)}",
        table="tickets",
        column=name,
    )


def nested_batches(lines: Iterable[str], where: str, size: int) -> Iterator[Batch]:
    """Batches of ``size`` tickets from JSON Lines, one ticket per line as the ``evaluate``
    command reads them: ``{"id", "tier", ..., "timezone", "events": [{"kind", "at", "value"}]}``.
    """
    pa = require_pyarrow()
    ticket_cols: dict[str, list[str | None]] = {n: [] for n in ("ticket_id", *ATTRIBUTE_COLUMNS)}
    event_cols: dict[str, list[str | None]] = {n: [] for n in ("ticket_id", "at", "kind", "value")}
    numbers: list[int] = []
    owners: list[int] = []

    def flush() -> Batch:
        batch = Batch(
            tickets=pa.table({n: pa.array(v, type=pa.string()) for n, v in ticket_cols.items()}),
            events=pa.table({n: pa.array(v, type=pa.string()) for n, v in event_cols.items()}),
            lines=list(numbers),
            event_tickets=list(owners),
        )
        for column in (*ticket_cols.values(), *event_cols.values()):
            column.clear()
        numbers.clear()
        owners.clear()
        return batch

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TableError(
                f"{where}:{number}: not JSON: {exc.msg} (column {exc.colno})", table="tickets"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("events"), list):
            raise TableError(
                f"{where}:{number}: a ticket is a JSON object with an id and a list of events, "
                'such as {"id": "T-1", "events": [{"kind": "created", "at": '
                '"2026-03-09T09:00:00Z"}]}',
                table="tickets",
            )
        unknown = sorted(set(data) - {"id", "events", *ATTRIBUTE_COLUMNS})
        if unknown:
            raise TableError(
                f"{where}:{number}: unknown key {unknown[0]!r}; a ticket has id, events, "
                + ", ".join(ATTRIBUTE_COLUMNS),
                table="tickets",
                column=unknown[0],
            )
        row = len(numbers)
        ticket_cols["ticket_id"].append(_text(data.get("id"), number, "id", where))
        for name in ATTRIBUTE_COLUMNS:
            ticket_cols[name].append(_text(data.get(name), number, name, where))
        for event in data["events"]:
            if not isinstance(event, dict):
                raise TableError(
                    f"{where}:{number}: an event is a JSON object with kind, at and value",
                    table="events",
                )
            event_cols["ticket_id"].append(ticket_cols["ticket_id"][row])
            for name in ("at", "kind", "value"):
                event_cols[name].append(_text(event.get(name), number, f"events.{name}", where))
            owners.append(row)
        numbers.append(number)
        if len(numbers) >= size:
            yield flush()
    if numbers:
        yield flush()


def _plain(pa: Any, table: Any) -> Any:
    """Instants as ISO 8601 text (``...Z``) and durations as duration text (``1h30m``)."""
    import pyarrow.compute as pc

    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            # %S carries the microseconds (``00.000000``); whole seconds are written without
            text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
            text = pc.replace_substring_regex(text, pattern=r"\.000000$", replacement="")
            column = pc.binary_join_element_wise(text, "Z", "")  # the last one is the separator
        elif pa.types.is_duration(field.type):
            column = pa.array(
                [
                    None if v is None else format_duration(timedelta(microseconds=v))
                    for v in column.cast(pa.int64()).to_pylist()
                ],
                type=pa.string(),
            )
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


class TableWriter:
    """Write result tables, a batch at a time, as JSON Lines, CSV or Parquet, to a binary
    ``sink``. In JSON Lines and CSV, instants are ISO 8601 UTC text (``2026-03-09T20:00:00Z``)
    and durations the policy's duration text (``1h30m``); Parquet keeps the Arrow types."""

    def __init__(self, sink: IO[Any], fmt: str) -> None:
        if fmt not in OUTPUT_FORMATS:
            raise TableError(
                f"output format {fmt!r}; expected one of {', '.join(OUTPUT_FORMATS)}",
                table="output",
            )
        self.pa = require_pyarrow()
        self.sink = sink
        self.fmt = fmt
        self.rows = 0
        self._writer: Any = None

    def write(self, table: Any) -> None:
        """Append ``table``'s rows."""
        pa = self.pa
        self.rows += table.num_rows
        if self.fmt == "parquet":
            if self._writer is None:
                import pyarrow.parquet as pq

                self._writer = pq.ParquetWriter(self.sink, table.schema)
            self._writer.write_table(table)
            return
        plain = _plain(pa, table)
        if self.fmt == "csv":
            import pyarrow.csv as pacsv

            if self._writer is None:
                self._writer = pacsv.CSVWriter(self.sink, plain.schema)
            self._writer.write_table(plain)
            return
        dumps = json.dumps
        self.sink.write(
            "".join(
                dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
                for row in plain.to_pylist()
            ).encode("utf-8")
        )

    def close(self) -> None:
        """Finish the file (Parquet's footer); the sink stays open."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
