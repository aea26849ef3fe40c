"""Any table-like input to an Arrow table: Arrow, pandas, polars, Parquet, CSV or JSON Lines.

pyarrow is imported on first use (the ``tables`` extra); pandas and polars are never imported
here: a frame is recognised by its type's module and converted with its own ``to_arrow`` or
pyarrow's ``from_pandas``.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from sla_engine.errors import TableError

__all__ = ["FORMATS", "format_of", "require_pyarrow", "to_arrow"]

#: File formats by suffix.
FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


def require_pyarrow() -> Any:
    """The ``pyarrow`` module, or an error that says how to install it."""
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - the test environment has pyarrow
        raise TableError(
            "the table layer needs pyarrow: pip install 'sla-engine[tables]'", table="tables"
        ) from None
    return pyarrow


def format_of(path: str | os.PathLike[str], what: str) -> str:
    """``parquet``, ``csv`` or ``jsonl`` from a file's suffix."""
    suffix = Path(path).suffix.lower()
    found = FORMATS.get(suffix)
    if found is None:
        raise TableError(
            f"{what}: cannot tell the format of {os.fspath(path)!r} from its suffix; expected "
            + ", ".join(sorted(FORMATS)),
            table=what,
        )
    return found


def _read_file(path: str | os.PathLike[str], what: str, strings: tuple[str, ...]) -> Any:
    pa = require_pyarrow()
    name = os.fspath(path)
    fmt = format_of(path, what)
    if not Path(name).is_file():
        raise TableError(f"{what}: {name!r} is not a file", table=what)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.read_table(name)
        if fmt == "csv":
            import pyarrow.csv as pacsv

            with open(name, newline="", encoding="utf-8") as f:
                header = next(csv.reader(f), [])
            # every column as text: the table layer checks and parses each one itself
            return pacsv.read_csv(
                name,
                convert_options=pacsv.ConvertOptions(
                    column_types={column: pa.string() for column in header},
                    strings_can_be_null=True,
                ),
            )
        import pyarrow.json as pajson

        schema = pa.schema([(column, pa.string()) for column in strings])
        return pajson.read_json(
            name,
            parse_options=pajson.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="infer"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError, OSError) as exc:
        raise TableError(f"{what}: {name!r} cannot be read as {fmt}: {exc}", table=what) from None


def to_arrow(source: Any, what: str, strings: tuple[str, ...] = ()) -> Any:
    """``source`` as a ``pyarrow.Table``.

    ``what`` names the table in messages (``tickets``, ``events``); ``strings`` are the columns
    read as text from JSON Lines (CSV columns are all read as text).
    """
    if isinstance(source, str | os.PathLike):
        return _read_file(source, what, strings)
    pa = require_pyarrow()
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    home = type(source).__module__.split(".")[0]
    if home == "pandas":
        try:
            return pa.Table.from_pandas(source, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise TableError(
                f"{what}: the pandas frame cannot be converted to Arrow: {exc}", table=what
            ) from None
    if home == "polars":
        return source.to_arrow()
    if hasattr(source, "__arrow_c_stream__"):
        return pa.table(source)
    raise TableError(
        f"{what}: expected a pyarrow Table, a pandas or polars DataFrame, or a path to a Parquet, "
        f"CSV or JSON Lines file, got {type(source).__name__}",
        table=what,
    )
