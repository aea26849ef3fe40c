"""The billing run from tables (Arrow, pandas, polars, Parquet, CSV, JSON Lines): the same
decisions as from CSV text, row for row."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine.credits import (
    Band,
    BillingPeriod,
    ClaimWindow,
    CreditSchedule,
    CreditTable,
    DowntimeBands,
    MinimumPayout,
    billing_run,
)
from sla_engine.errors import CreditError, TableError
from sla_engine.tables.credits import billing_run as table_billing_run
from table_strategies import credit_tables

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

MARCH = BillingPeriod.month(2026, 3)
SCHEDULE = CreditSchedule(
    rule=DowntimeBands(
        bands=(
            Band.parse("[1h, 4h)", "10%"),
            Band.parse("[4h, 12h)", "25%"),
            Band.parse("[12h, inf)", "50%"),
        )
    ),
    basis="period",
    whole=timedelta(minutes=1),
    minimum_payout=MinimumPayout(amount=Decimal(1)),
    claim=ClaimWindow(anchor="period_end", days=30),
)
CUSTOMERS_CSV = """\
customer,plan,fee,currency,fee_per,claim_filed_at
acme,enterprise,2000.00,USD,month,2026-04-10T09:00:00Z
globex,standard,49.00,USD,month,
initech,standard,49.00,USD,month,2026-05-20T00:00:00Z
"""
INCIDENTS_CSV = """\
customer,id,start,end,cause
acme,A1,2026-03-02T10:00:00Z,2026-03-02T15:00:00Z,covered
acme,A2,2026-03-09T08:00:00Z,2026-03-09T12:00:00Z,third_party
initech,I1,2026-03-20T00:00:00Z,2026-03-20T01:30:00Z,covered
"""


def _at(text: str) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def _typed() -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """The CSV tables as typed columns: Decimal fees, aware instants, nulls for empty cells."""
    people = list(csv.DictReader(io.StringIO(CUSTOMERS_CSV)))
    events = list(csv.DictReader(io.StringIO(INCIDENTS_CSV)))
    customers: dict[str, list[Any]] = {
        "customer": [r["customer"] for r in people],
        "plan": [r["plan"] for r in people],
        "fee": [Decimal(r["fee"]) for r in people],
        "currency": [r["currency"] for r in people],
        "fee_per": [r["fee_per"] for r in people],
        "claim_filed_at": [_at(r["claim_filed_at"]) for r in people],
    }
    incidents: dict[str, list[Any]] = {
        "customer": [r["customer"] for r in events],
        "id": [r["id"] for r in events],
        "start": [_at(r["start"]) for r in events],
        "end": [_at(r["end"]) for r in events],
        "cause": [r["cause"] for r in events],
    }
    return customers, incidents


@pytest.fixture(scope="module")
def policy() -> CreditSchedule:
    return SCHEDULE


@pytest.fixture(scope="module")
def expected(policy: Any) -> CreditTable:
    """The decisions of the CSV text path, which the table inputs must equal."""
    return billing_run(
        policy,
        customers=csv.DictReader(io.StringIO(CUSTOMERS_CSV)),
        incidents=csv.DictReader(io.StringIO(INCIDENTS_CSV)),
        period=MARCH,
    )


def _arrow() -> tuple[Any, Any]:
    customers, incidents = _typed()
    return pa.table(customers), pa.table(incidents)


def _pandas() -> tuple[Any, Any]:
    pd = pytest.importorskip("pandas")
    customers, incidents = _typed()
    return pd.DataFrame(customers), pd.DataFrame(incidents)


def _polars() -> tuple[Any, Any]:
    pl = pytest.importorskip("polars")
    customers, incidents = _typed()
    return pl.DataFrame(customers), pl.DataFrame(incidents)


def _pandas_text() -> tuple[Any, Any]:
    """pandas frames read from the CSV text as strings (empty cells become NaN)."""
    pd = pytest.importorskip("pandas")
    return (
        pd.read_csv(io.StringIO(CUSTOMERS_CSV), dtype=str),
        pd.read_csv(io.StringIO(INCIDENTS_CSV), dtype=str),
    )


@pytest.mark.parametrize(
    "make", [_arrow, _pandas, _polars, _pandas_text], ids=["arrow", "pandas", "polars", "text"]
)
def test_in_memory_tables_give_the_csv_decisions(
    make: Any, policy: Any, expected: CreditTable
) -> None:
    customers, incidents = make()
    table = table_billing_run(policy, customers=customers, incidents=incidents, period=MARCH)
    assert list(table.rows()) == list(expected.rows())
    assert table.totals() == {"USD": Decimal("500.00")}


def _write(kind: str, tmp_path: Path) -> tuple[Path, Path]:
    customers, incidents = _typed()
    paths = (tmp_path / f"customers.{kind}", tmp_path / f"incidents.{kind}")
    if kind == "parquet":
        pq.write_table(pa.table(customers), paths[0])
        pq.write_table(pa.table(incidents), paths[1])
    elif kind == "csv":
        paths[0].write_text(CUSTOMERS_CSV, encoding="utf-8")
        paths[1].write_text(INCIDENTS_CSV, encoding="utf-8")
    else:
        for path, text in zip(paths, (CUSTOMERS_CSV, INCIDENTS_CSV), strict=True):
            rows = [{k: v for k, v in r.items() if v} for r in csv.DictReader(io.StringIO(text))]
            path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return paths


@pytest.mark.parametrize("kind", ["parquet", "csv", "jsonl"])
def test_files_give_the_csv_decisions(
    kind: str, tmp_path: Path, policy: Any, expected: CreditTable
) -> None:
    customers, incidents = _write(kind, tmp_path)
    table = table_billing_run(policy, customers=customers, incidents=incidents, period=MARCH)
    assert list(table.rows()) == list(expected.rows())


def test_rows_still_pass_through(policy: Any, expected: CreditTable) -> None:
    """Row mappings (as the core function takes them) are handed on unchanged."""
    table = table_billing_run(
        policy,
        customers=csv.DictReader(io.StringIO(CUSTOMERS_CSV)),
        incidents=list(csv.DictReader(io.StringIO(INCIDENTS_CSV))),
        period=MARCH,
    )
    assert list(table.rows()) == list(expected.rows())


def test_a_float_fee_column_is_refused_naming_the_row(policy: Any) -> None:
    customers, incidents = _typed()
    customers["fee"] = [2000.0, 49.0, 49.0]
    with pytest.raises(CreditError) as info:
        table_billing_run(
            policy, customers=pa.table(customers), incidents=pa.table(incidents), period=MARCH
        )
    assert "float" in info.value.message
    assert info.value.path[:2] == ("customers", 0)


def test_a_path_of_unknown_format_is_a_table_error(tmp_path: Path, policy: Any) -> None:
    odd = tmp_path / "customers.xlsx"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(TableError) as info:
        table_billing_run(policy, customers=odd, incidents=[], period=MARCH)
    assert "customers" in info.value.message


def _as_rows(columns: dict[str, list[Any]]) -> list[dict[str, object]]:
    names = list(columns)
    count = len(columns[names[0]])
    return [
        {name: columns[name][i] for name in names if columns[name][i] is not None}
        for i in range(count)
    ]


def _as_csv(columns: dict[str, list[Any]]) -> io.StringIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for i in range(len(columns["customer"])):
        row = [columns[name][i] for name in columns]
        writer.writerow(
            ["" if v is None else v.isoformat() if isinstance(v, datetime) else str(v) for v in row]
        )
    out.seek(0)
    return out


def _as_frame(kind: str, columns: dict[str, list[Any]]) -> Any:
    if kind == "arrow":
        types: dict[str, Any] = {
            name: pa.timestamp("us", tz="UTC")
            for name in ("claim_filed_at", "start", "end")
            if name in columns
        }
        return pa.table({name: pa.array(v, types.get(name)) for name, v in columns.items()})
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame(columns)
    pl = pytest.importorskip("polars")
    return pl.DataFrame(columns)


@settings(max_examples=60, deadline=None)
@given(credit_tables(), st.sampled_from(["arrow", "pandas", "polars"]))
def test_law_a_table_credits_as_its_rows_and_its_csv_text(
    data: tuple[dict[str, list[Any]], dict[str, list[Any]]], kind: str
) -> None:
    """The billing run of a table equals the core billing run of the same rows (typed) and of
    the same rows as CSV text; the core run equals one compute_credit per customer
    (tests/credits/test_credit_billing.py), so the table path does too."""
    customers, incidents = data
    from_rows = list(
        billing_run(
            SCHEDULE, customers=_as_rows(customers), incidents=_as_rows(incidents), period=MARCH
        ).rows()
    )
    from_csv = billing_run(
        SCHEDULE,
        customers=csv.DictReader(_as_csv(customers)),
        incidents=csv.DictReader(_as_csv(incidents)),
        period=MARCH,
    )
    from_table = table_billing_run(
        SCHEDULE,
        customers=_as_frame(kind, customers),
        incidents=_as_frame(kind, incidents),
        period=MARCH,
    )
    assert list(from_csv.rows()) == from_rows
    assert list(from_table.rows()) == from_rows


def test_the_core_billing_run_points_tables_to_the_table_layer(tmp_path: Path) -> None:
    """The core function takes rows; a table or a path gets an error naming where to pass it,
    not 'expected a mapping, got str'."""
    customers, _ = _typed()
    for given_customers in (pa.table(customers), tmp_path / "customers.parquet"):
        with pytest.raises(CreditError) as info:
            billing_run(SCHEDULE, customers=given_customers, incidents=[], period=MARCH)
        assert "sla_engine.tables.credits.billing_run" in info.value.message
        assert info.value.path == ("customers",)
