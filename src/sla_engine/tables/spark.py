"""Spark: :func:`evaluate_table` over Spark DataFrames, grouped by ticket, through Arrow.

The tickets and events are co-grouped by ``ticket_id`` and each group is evaluated by
:func:`evaluate_table` in the executor's Python worker, with Arrow batches in and out
(``cogroup(...).applyInArrow``). The policy travels as a
:class:`~sla_engine.tables.parcel.PolicyParcel`, checked on arrival. Needs the ``spark``
extra and a Java runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sla_engine.errors import TableError
from sla_engine.tables.evaluate import evaluate_table, result_schema
from sla_engine.tables.parcel import PolicyParcel

__all__ = ["evaluate_spark", "spark_frame"]

_SEQ = "_sla_engine_seq"


def _group_function(
    parcel: PolicyParcel, as_of: datetime, schema: Any
) -> Callable[[Any, Any], Any]:
    def evaluate_group(tickets: Any, events: Any) -> Any:
        import pyarrow as pa

        if events.num_rows:
            events = events.sort_by([(_SEQ, "ascending")]).drop_columns([_SEQ])
        else:
            events = events.drop_columns([_SEQ])
        if not tickets.num_rows:  # events of a ticket the tickets table does not have
            tickets = pa.table({"ticket_id": pa.array([], type=pa.string())})
        table = evaluate_table(parcel, tickets, events, as_of=as_of)
        return table.cast(schema)

    return evaluate_group


def evaluate_spark(policy: object, tickets: Any, events: Any, *, as_of: datetime) -> Any:
    """The rows of :func:`evaluate_table` as a Spark DataFrame (lazy, like any other).

    ``tickets`` and ``events`` are Spark DataFrames with the columns :func:`evaluate_table`
    reads; ``at`` may be a timestamp or ISO 8601 text with an offset. Each ticket's events must
    be in time order in the frame's order. The result has the columns of
    :func:`evaluate_table` (durations as day-time intervals, instants as timestamps) and
    its rows are those of the single-process run. A bad row fails the Spark job with the
    :class:`~sla_engine.errors.TableError` message (its row counted within the ticket's group).
    """
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    for name, frame in (("tickets", tickets), ("events", events)):
        if not isinstance(frame, DataFrame):
            raise TableError(
                f"{name}: expected a Spark DataFrame, got {type(frame).__name__}", table=name
            )
        if "ticket_id" not in frame.columns:
            raise TableError(f"{name}: missing column 'ticket_id'", table=name, column="ticket_id")
    parcel = PolicyParcel.of(policy)
    carried = to_arrow_schema(tickets.drop("ticket_id").schema)
    arrow_schema = result_schema(list(carried))
    spark_schema = from_arrow_schema(arrow_schema, prefer_timestamp_ntz=False)
    # Spark hands the function its Arrow batches with these exact types
    arrow_schema = to_arrow_schema(spark_schema, timezone="UTC")
    numbered = events.withColumn(_SEQ, F.monotonically_increasing_id())
    return (
        tickets.groupBy("ticket_id")
        .cogroup(numbered.groupBy("ticket_id"))
        .applyInArrow(_group_function(parcel, as_of, arrow_schema), spark_schema)
    )


def spark_frame(spark: Any, table: Any) -> Any:
    """A Spark DataFrame of an Arrow table, typed by the table's own schema.

    ``spark.createDataFrame(table.to_pandas())`` infers types from the values, which fails on
    a column that is all nulls (and depends on the pyarrow and pandas releases); the schema
    never has to be guessed this way.
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    return spark.createDataFrame(table.to_pandas(), schema=from_arrow_schema(table.schema))
