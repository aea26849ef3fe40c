"""The billing run from tables: customers and incidents as Arrow tables, pandas or polars
DataFrames, or Parquet, CSV or JSON Lines files.

Each table is read by :func:`sla_engine.tables.read.to_arrow` (the reader ``evaluate_table``
uses) and handed to :func:`sla_engine.credits.billing_run` as rows, so the decisions are those
of the same rows given as CSV text. A null is an absent value, as an empty CSV cell is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sla_engine.credits import (
    BillingPeriod,
    CreditTable,
    MaintenanceWindow,
    RecurringMaintenance,
    ServiceCalendar,
)
from sla_engine.credits import billing_run as _billing_run
from sla_engine.tables.read import to_arrow

__all__ = ["billing_run", "credit_rows"]

_TABLE_MODULES = {"pyarrow", "pandas", "polars"}
#: Columns read as text from JSON Lines (whose reader would otherwise take an ISO instant
#: without its offset, or a fee as a float): the credits layer parses each one itself.
TEXT_COLUMNS = {
    "customers": (
        "customer",
        "plan",
        "fee",
        "currency",
        "fee_per",
        "claim_filed_at",
        "credited_before",
    ),
    "incidents": (
        "customer",
        "id",
        "start",
        "end",
        "cause",
        "error_rate",
        "affected_share",
        "reported_at",
    ),
}


def _is_table(source: object) -> bool:
    return (
        isinstance(source, str | os.PathLike)
        or type(source).__module__.split(".")[0] in _TABLE_MODULES
        or hasattr(source, "__arrow_c_stream__")
    )


def credit_rows(source: Any, what: str) -> list[dict[str, object]]:
    """The rows of a table (``what`` names it in messages), nulls left out.

    ``source`` is a ``pyarrow.Table``, a pandas or polars DataFrame, or the path of a Parquet,
    CSV or JSON Lines file (CSV columns are read as text, as the CSV billing run reads them).
    """
    table = to_arrow(source, what, TEXT_COLUMNS.get(what, ()))
    return [
        {key: value for key, value in row.items() if value is not None} for row in table.to_pylist()
    ]


def _rows(source: Any, what: str) -> Iterable[Mapping[str, object]]:
    if _is_table(source):
        return credit_rows(source, what)
    rows: Iterable[Mapping[str, object]] = source
    return rows


def billing_run(
    schedule_or_policy: object,
    *,
    customers: Any,
    incidents: Any,
    period: BillingPeriod,
    maintenance: Sequence[MaintenanceWindow | RecurringMaintenance] = (),
    service_calendar: ServiceCalendar | None = None,
    claim_calendar: Any = None,
    trace: bool = False,
) -> CreditTable:
    """:func:`sla_engine.credits.billing_run` with ``customers`` and ``incidents`` as tables.

    Each may be a ``pyarrow.Table``, a pandas or polars DataFrame, a path to a Parquet, CSV or
    JSON Lines file, or (as in the core function) an iterable of row mappings. Money is read
    as text or Decimal (a float column is refused, as everywhere), instants as aware
    timestamps or ISO 8601 text.
    """
    return _billing_run(
        schedule_or_policy,
        customers=_rows(customers, "customers"),
        incidents=_rows(incidents, "incidents"),
        period=period,
        maintenance=maintenance,
        service_calendar=service_calendar,
        claim_calendar=claim_calendar,
        trace=trace,
    )
