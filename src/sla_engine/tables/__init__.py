"""The table layer: tickets and events as Arrow tables (or pandas, polars, Parquet, CSV, JSON
Lines) in, one Arrow row per ticket × metric × cycle out.

pyarrow is an optional extra (``pip install 'sla-engine[tables]'``), imported on first use.
"""

from sla_engine.errors import TableError
from sla_engine.tables.evaluate import (
    ATTRIBUTE_COLUMNS,
    RESULT_COLUMNS,
    TableResult,
    evaluate_table,
    rejected_schema,
    result_schema,
)

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "RESULT_COLUMNS",
    "TableError",
    "TableResult",
    "evaluate_table",
    "rejected_schema",
    "result_schema",
]
