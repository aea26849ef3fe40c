"""``sla-engine evaluate --output-format jsonl|csv|parquet``: the table path of the command.

Tickets come from JSON Lines (one ticket with its events per line, as the command has always
read them, streamed a batch at a time), or, with ``--events``, from a tickets table and an
events table (JSON Lines, CSV or Parquet). Rows go out a batch at a time, one per ticket ×
metric × cycle. Written to a file, the output appears only when every ticket was evaluated (a
``.partial`` file is renamed at the end): on a bad row nothing is written.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Iterator
from typing import IO, Any, TextIO

__all__ = ["evaluate_rows"]


class CommandError(Exception):
    """A message for the user and an exit code (1 bad input, 2 usage)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _lines(name: str) -> Iterator[str]:
    if name == "-":
        yield from sys.stdin
        return
    try:
        with open(name, encoding="utf-8-sig") as file:
            yield from file
    except OSError as exc:
        raise CommandError(f"cannot read tickets file {name}: {exc.strerror or exc}", 2) from None
    except UnicodeDecodeError:
        raise CommandError(
            f"{name}: the tickets file is not UTF-8 text; save it as UTF-8"
        ) from None


def _where(name: str, batch: Any, exc: Any) -> str:
    """``file:line: ticket 'T-1', column 'kind': reason`` for a TableError in a batch."""
    line = None
    if exc.row is not None:
        row = exc.row if exc.table == "tickets" else batch.event_tickets[exc.row]
        line = batch.lines[row]
    place = f"{name}:{line}" if line is not None else name
    detail = []
    if exc.ticket_id is not None:
        detail.append(f"ticket {exc.ticket_id!r}")
    if exc.column is not None:
        column = exc.column if exc.table == "tickets" else f"events[].{exc.column}"
        detail.append(f"{'id' if column == 'ticket_id' else column}")
    return f"{place}: {', '.join(detail) + ': ' if detail else ''}{exc.reason}"


@contextlib.contextmanager
def _sink(target: str, out: TextIO) -> Iterator[IO[bytes]]:
    if target == "-":
        out.flush()
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            yield buffer
            buffer.flush()
            return
        collected = io.BytesIO()  # a text-only stream (tests): pass the text through
        yield collected
        out.write(collected.getvalue().decode("utf-8"))
        return
    partial = f"{target}.partial"
    try:
        file = open(partial, "wb")  # noqa: SIM115 - renamed or removed below
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}", 2) from None
    try:
        yield file
    except BaseException:
        file.close()
        os.unlink(partial)
        raise
    file.close()
    os.replace(partial, target)


def evaluate_rows(
    args: argparse.Namespace, policy: Any, as_of: Any, out: TextIO, err: TextIO
) -> int:
    """Run the table path; return the exit code."""
    from sla_engine.errors import TableError
    from sla_engine.tables import evaluate_table
    from sla_engine.tables.stream import TableWriter, nested_batches

    size = args.batch_size
    if size < 1:
        raise CommandError(f"--batch-size {size}: give a positive number of tickets", 2)
    progress = err.isatty()
    tickets_done = 0
    with _sink(args.output, out) as sink:
        writer = TableWriter(sink, args.output_format)
        try:
            if args.events is None:
                for batch in nested_batches(_lines(args.tickets), args.tickets, size):
                    try:
                        rows = evaluate_table(policy, batch.tickets, batch.events, as_of=as_of)
                    except TableError as exc:
                        raise CommandError(
                            f"{_where(args.tickets, batch, exc)}; nothing was written"
                            if args.output != "-"
                            else f"{_where(args.tickets, batch, exc)}; the tickets before this "
                            "batch were written"
                        ) from None
                    writer.write(rows)
                    tickets_done += batch.tickets.num_rows
                    if progress:
                        print(f"\r{tickets_done:,} tickets, {writer.rows:,} rows", end="", file=err)
            else:
                rows = evaluate_table(
                    policy,
                    _table_source(args.tickets, args.input_format),
                    _table_source(args.events, args.input_format),
                    as_of=as_of,
                )
                for start in range(0, rows.num_rows, size * 8):
                    writer.write(rows.slice(start, size * 8))
                if not rows.num_rows:
                    writer.write(rows)
        finally:
            writer.close()
    if progress:
        print(file=err)
    return 0


def _table_source(name: str, fmt: str | None) -> Any:
    """A path as it is, or standard input read whole into a table."""
    if name != "-":
        return name
    import pyarrow as pa

    data = sys.stdin.buffer.read()
    kind = fmt or "jsonl"
    if kind == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(pa.BufferReader(data))
    raise CommandError(
        "a tickets or events table on standard input must be Parquet (--input-format parquet); "
        "give JSON Lines and CSV tables as files",
        2,
    )
