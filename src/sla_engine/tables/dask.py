"""Dask: :func:`evaluate_table` over Dask DataFrames, one partition of tickets at a time.

Both frames are hash-partitioned by ``ticket_id`` into the same number of partitions, so that a
ticket's row and all its events meet in one partition; each partition pair is evaluated by
:func:`evaluate_table` on the worker. The policy travels as a
:class:`~sla_engine.tables.parcel.PolicyParcel`, checked on arrival. Needs the ``dask`` extra.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sla_engine.errors import TableError
from sla_engine.tables.evaluate import evaluate_table
from sla_engine.tables.parcel import PolicyParcel

__all__ = ["evaluate_dask"]

_SEQ = "_sla_engine_seq"


def _numbered(frame: Any, partition_info: Any = None) -> Any:
    """The events of one partition with their position in the whole frame."""
    import numpy as np

    number = 0 if partition_info is None else int(partition_info["number"])
    return frame.assign(**{_SEQ: np.arange(len(frame), dtype="int64") + (number << 40)})


def _to_arrow(frame: Any) -> Any:
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


def _evaluate_partition(tickets: Any, events: Any, parcel: PolicyParcel, as_of: datetime) -> Any:
    """evaluate_table on one partition: pandas in, pandas with Arrow-backed columns out."""
    import pandas as pd

    events = events.sort_values(_SEQ, kind="stable").drop(columns=[_SEQ])
    table = evaluate_table(parcel, _to_arrow(tickets), _to_arrow(events), as_of=as_of)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def evaluate_dask(
    policy: object,
    tickets: Any,
    events: Any,
    *,
    as_of: datetime,
    npartitions: int | None = None,
) -> Any:
    """The rows of :func:`evaluate_table` as a lazy Dask DataFrame.

    ``tickets`` and ``events`` are Dask DataFrames with the columns :func:`evaluate_table`
    reads (each ticket's events in time order, in the frame's order across partitions).
    ``npartitions`` (default: the larger of the two frames' counts) is how many partitions
    the tickets are spread over. The result's columns are Arrow-backed (``pandas.ArrowDtype``),
    so ``pyarrow.Table.from_pandas`` of the computed frame gives back the exact types. The rows
    are those of the single-process run; their order follows the partitions. A bad row raises
    :class:`~sla_engine.errors.TableError` when the frame is computed, with the row counted
    within its partition.
    """
    import dask.dataframe as dd
    import pandas as pd

    for name, frame in (("tickets", tickets), ("events", events)):
        if not isinstance(frame, dd.DataFrame):
            raise TableError(
                f"{name}: expected a Dask DataFrame, got {type(frame).__name__}; use "
                "dask.dataframe.from_pandas(...) or evaluate_table for a frame in memory",
                table=name,
            )
        if "ticket_id" not in frame.columns:
            raise TableError(f"{name}: missing column 'ticket_id'", table=name, column="ticket_id")
    parcel = PolicyParcel.of(policy)
    n = npartitions or max(tickets.npartitions, events.npartitions)
    numbered = events.map_partitions(
        _numbered, meta=events._meta.assign(**{_SEQ: pd.Series([], dtype="int64")})
    )
    tickets_by_id = tickets.shuffle("ticket_id", npartitions=n)
    events_by_id = numbered.shuffle("ticket_id", npartitions=n)
    meta = _evaluate_partition(tickets._meta, numbered._meta, parcel, as_of)
    return dd.map_partitions(  # type: ignore[no-untyped-call]
        _evaluate_partition,
        tickets_by_id,
        events_by_id,
        parcel,
        as_of,
        align_dataframes=False,
        meta=meta,
        enforce_metadata=False,
    )
