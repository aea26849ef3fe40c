"""The Dask and Spark adapters give the rows of the single-process evaluate_table, with the
policy shipped as a checked parcel."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings

from sla_engine.clocks import SLA
from sla_engine.errors import SLAEngineError, TableError
from table_strategies import table_tickets
from test_clock_fastpath import SLAS
from test_tables_evaluate import SLA_, T0, small_ticket, tables

pa = pytest.importorskip("pyarrow")
from sla_engine.tables import evaluate_table  # noqa: E402
from sla_engine.tables.parcel import PolicyParcel  # noqa: E402

KEY = [("ticket_id", "ascending"), ("metric", "ascending"), ("cycle", "ascending")]


def same_rows(got: Any, want: Any) -> bool:
    """The same rows in any order, after the adapters' string types are read as string."""
    got = got.replace_schema_metadata(None).cast(want.schema)
    return bool(got.sort_by(KEY).equals(want.sort_by(KEY)))


def workload(n: int = 30) -> list[Any]:
    return [
        small_ticket(
            f"W-{i}",
            tier=("premium", "standard", "enterprise")[i % 3],
            channel=("phone", "email", "chat")[i % 3],
            severity=("sev1", "sev2")[i % 2],
        )
        for i in range(n)
    ]


# ------------------------------------------------------------------------------ parcel
def test_parcel_pickles_and_opens_to_the_same_policy() -> None:
    """A parcel survives pickling and opens to an SLA that gives the same rows."""
    for sla in SLAS.values():
        parcel = pickle.loads(pickle.dumps(PolicyParcel.of(sla)))
        assert parcel == PolicyParcel.of(sla)
        assert isinstance(parcel.open(), SLA)
    from sla_engine.policy import load_policy

    policy = load_policy("examples/policies/spark-drive.yaml")
    parcel = pickle.loads(pickle.dumps(PolicyParcel.of(policy)))
    assert parcel.kind == "policy"
    t_table, e_table = tables(workload(6))
    as_of = T0 + timedelta(hours=3)
    assert evaluate_table(parcel, t_table, e_table, as_of=as_of).equals(
        evaluate_table(policy, t_table, e_table, as_of=as_of)
    )


def test_a_changed_parcel_or_other_calendar_data_is_refused() -> None:
    """Text that does not match the hash, or a worker with other holiday data, is refused."""
    parcel = PolicyParcel.of(SLA_)
    with pytest.raises(SLAEngineError, match="content hash"):
        replace(parcel, text=parcel.text.replace("2h", "3h"))
    other = replace(parcel, data=(("holidays", "0.1"), ("tzdb", "1999a")))
    with pytest.raises(SLAEngineError, match="calendar data"):
        other.open()


def test_a_policy_rebuilt_differently_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the worker's rebuilt policy has another content hash, opening it fails."""
    from sla_engine.tables import parcel as parcel_module

    sla = SLA.from_mapping({**SLAS["carry"].to_mapping(), "name": "rebuilt"})
    parcel = PolicyParcel.of(sla)
    monkeypatch.setattr(parcel_module, "_OPENED", {})
    monkeypatch.setattr(SLA, "to_mapping", lambda self: {"something": "else"})
    with pytest.raises(SLAEngineError, match="differs from the one sent"):
        parcel.open()


# ------------------------------------------------------------------------------ Dask
dd = pytest.importorskip("dask.dataframe")
from sla_engine.tables.dask import evaluate_dask  # noqa: E402


@settings(max_examples=8, deadline=None)
@given(tickets=table_tickets(max_tickets=6))
def test_dask_rows_equal_the_single_process_rows(tickets) -> None:
    """On random tickets (good ones) Dask gives evaluate_table's rows, partitions of any size."""
    as_of = tickets[0].events[-1].at + timedelta(hours=1)
    t_table, e_table = tables(tickets, interleave=True)
    result = evaluate_table(SLA_, t_table, e_table, as_of=as_of, errors="collect")
    refused = set(result.rejected["ticket_id"].to_pylist())
    keep = [t for t in tickets if t.id not in refused]
    if not keep:  # every ticket refused: nothing for Dask to compare
        return
    t_table, e_table = tables(keep, interleave=True)
    want = evaluate_table(SLA_, t_table, e_table, as_of=as_of)
    frames = (
        dd.from_pandas(t_table.to_pandas(), npartitions=2),
        dd.from_pandas(e_table.to_pandas(), npartitions=3),
    )
    got = evaluate_dask(SLA_, *frames, as_of=as_of).compute(scheduler="sync")
    assert same_rows(pa.Table.from_pandas(got, preserve_index=False), want)


def test_dask_in_worker_processes() -> None:
    """The same rows from Dask's process pool (the policy crosses a process boundary)."""
    t_table, e_table = tables(workload(), interleave=True)
    as_of = T0 + timedelta(hours=2)
    want = evaluate_table(SLA_, t_table, e_table, as_of=as_of)
    got = evaluate_dask(
        SLA_,
        dd.from_pandas(t_table.to_pandas(), npartitions=3),
        dd.from_pandas(e_table.to_pandas(), npartitions=2),
        as_of=as_of,
        npartitions=4,
    ).compute(scheduler="processes", num_workers=2)
    assert same_rows(pa.Table.from_pandas(got, preserve_index=False), want)


def test_dask_bad_row_raises_on_compute() -> None:
    """A bad row raises the TableError, naming the ticket, when the frame is computed."""
    t_table, e_table = tables(workload(4))
    kinds = e_table["kind"].to_pylist()
    kinds[5] = "agent_replied"
    e_table = e_table.set_column(2, "kind", pa.array(kinds))
    frame = evaluate_dask(
        SLA_,
        dd.from_pandas(t_table.to_pandas(), npartitions=2),
        dd.from_pandas(e_table.to_pandas(), npartitions=2),
        as_of=T0 + timedelta(hours=2),
    )
    with pytest.raises(TableError, match="agent_replied") as info:
        frame.compute(scheduler="sync")
    assert info.value.column == "kind"
    with pytest.raises(TableError, match="Dask DataFrame"):
        evaluate_dask(SLA_, t_table, e_table, as_of=T0)


# ------------------------------------------------------------------------------ Spark
def _java() -> str | None:
    """Why Spark cannot run here, or None when a Java runtime answers."""
    if shutil.which("java") is None:
        return "no Java runtime on PATH (Spark's local mode needs one: apt-get install default-jre)"
    done = subprocess.run(["java", "-version"], capture_output=True, check=False)
    return None if done.returncode == 0 else "'java -version' failed"


@pytest.fixture(scope="module")
def spark() -> Any:
    why = _java()
    if why is not None:
        pytest.skip(why)
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # the executors run this interpreter
    session = (
        SparkSession.builder.master("local[2]")
        .appName("sla_engine tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


SPARK_WARNINGS = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)


@pytest.mark.slow
@SPARK_WARNINGS
def test_spark_rows_equal_the_single_process_rows(spark: Any) -> None:
    """Spark in local mode gives evaluate_table's rows, text or timestamp instants alike."""
    from sla_engine.tables.spark import evaluate_spark, spark_frame

    t_table, e_table = tables(workload(), interleave=True)
    as_of = T0 + timedelta(hours=2)
    want = evaluate_table(SLA_, t_table, e_table, as_of=as_of)
    tickets = spark_frame(spark, t_table)
    events = spark_frame(spark, e_table)
    got = evaluate_spark(SLA_, tickets, events, as_of=as_of).toArrow()
    assert same_rows(got, want)
    text_at = e_table.set_column(
        1, "at", pa.array([t.isoformat() for t in e_table["at"].to_pylist()])
    )
    got = evaluate_spark(SLA_, tickets, spark_frame(spark, text_at), as_of=as_of).toArrow()
    assert same_rows(got, want)


@pytest.mark.slow
@SPARK_WARNINGS
def test_the_spark_recipe_in_the_docs_runs(spark: Any) -> None:
    """The how-to's spark_result function gives the single-process rows on a local session."""
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parent.parent / "docs" / "how-to" / "tables.md"
    blocks = re.findall(r"^```python\n(.*?)^```", page.read_text("utf-8"), re.M | re.S)
    namespace: dict[str, Any] = {"__name__": "docs_tables_spark"}
    for block in blocks:
        if "import dask" in block:  # the Dask recipe is run by test_docs
            continue
        exec(compile(block, str(page), "exec"), namespace)  # running our own documentation
    got = namespace["spark_result"](
        spark,
        namespace["tickets"],
        namespace["events"],
        namespace["datetime"](2026, 3, 10, tzinfo=namespace["UTC"]),
    )
    assert same_rows(got, namespace["result"])


@pytest.mark.slow
@SPARK_WARNINGS
def test_spark_bad_row_fails_the_job_with_its_reason(spark: Any) -> None:
    """A bad row fails the Spark job; the message names the kind."""
    from sla_engine.tables.spark import evaluate_spark, spark_frame

    t_table, e_table = tables(workload(3))
    kinds = e_table["kind"].to_pylist()
    kinds[2] = "agent_replied"
    e_table = e_table.set_column(2, "kind", pa.array(kinds))
    frame = evaluate_spark(
        SLA_,
        spark_frame(spark, t_table),
        spark_frame(spark, e_table),
        as_of=T0,
    )
    with pytest.raises(Exception, match="agent_replied"):
        frame.collect()
    with pytest.raises(TableError, match="Spark DataFrame"):
        evaluate_spark(SLA_, t_table, e_table, as_of=T0)
