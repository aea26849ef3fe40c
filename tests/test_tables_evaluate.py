"""evaluate_table gives evaluate's answers as Arrow rows, from every kind of table input, and
refuses bad rows by table, row, ticket and column."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine.clocks import SLA, Ticket, evaluate
from sla_engine.errors import NaiveDatetimeError, SLAEngineError, TableError, TicketError
from table_strategies import as_rows, build_ticket, table_tickets
from test_clock_fastpath import POLICY

pa = pytest.importorskip("pyarrow")
from sla_engine.tables import RESULT_COLUMNS, TableResult, evaluate_table  # noqa: E402

SLA_ = SLA.from_mapping(POLICY)
T0 = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
EVENT_SCHEMA = pa.schema(
    [
        ("ticket_id", pa.string()),
        ("at", pa.timestamp("us", tz="UTC")),
        ("kind", pa.string()),
        ("value", pa.string()),
    ]
)
TICKET_SCHEMA = pa.schema(
    [
        (name, pa.string())
        for name in ("ticket_id", "tier", "severity", "channel", "issue_class", "timezone")
    ]
)


def tables(tickets: list[Ticket], *, interleave: bool = False) -> tuple[Any, Any]:
    ticket_rows, event_rows = as_rows(tickets, interleave=interleave)
    return (
        pa.Table.from_pylist(ticket_rows, schema=TICKET_SCHEMA),
        pa.Table.from_pylist(event_rows, schema=EVENT_SCHEMA),
    )


def expected_rows(ticket: Ticket, as_of: datetime) -> list[tuple[Any, ...]]:
    """evaluate's CycleStatus fields in the order of a result row."""
    return [
        (
            ticket.id,
            c.metric,
            c.cycle,
            c.state.value,
            c.rule,
            c.calendar,
            c.target,
            c.start,
            c.due,
            c.stop,
            c.breached_at,
            c.business_elapsed,
            c.business_remaining,
        )
        for c in evaluate(SLA_, ticket, as_of=as_of).cycles
    ]


def result_rows(table: Any) -> list[tuple[Any, ...]]:
    columns = [table.column(name).to_pylist() for name in RESULT_COLUMNS]
    return list(zip(*columns, strict=True))


def small_ticket(ticket_id: str = "A-1", **attrs: str) -> Ticket:
    steps = [
        (timedelta(minutes=5), "agent_reply", None),
        (timedelta(minutes=10), "status_changed", "In Progress"),
        (timedelta(hours=3), "resolved", None),
    ]
    return build_ticket(ticket_id, (T0, steps), {"tier": "premium", "channel": "email", **attrs})


# ------------------------------------------------------------------------------ differential
@settings(max_examples=50, deadline=None)
@given(
    tickets=table_tickets(),
    later=st.integers(-(10**11), 10**12),
    interleave=st.booleans(),
)
def test_rows_equal_evaluate_on_random_tickets(tickets, later, interleave) -> None:
    """Each good ticket's rows are evaluate's cycles field for field; a ticket evaluate refuses
    is rejected whole, and errors='raise' raises a TableError instead."""
    as_of = tickets[0].events[-1].at + timedelta(microseconds=later)
    expected: list[tuple[Any, ...]] = []
    refused: set[str] = set()
    for ticket in tickets:
        try:
            expected.extend(expected_rows(ticket, as_of))
        except TicketError:
            refused.add(ticket.id)
    t_table, e_table = tables(tickets, interleave=interleave)
    result = evaluate_table(SLA_, t_table, e_table, as_of=as_of, errors="collect")
    assert isinstance(result, TableResult)
    assert result_rows(result.rows) == [r for r in expected if r[0] not in refused]
    assert set(result.rejected.column("ticket_id").to_pylist()) == refused
    if refused:
        with pytest.raises(TableError):
            evaluate_table(SLA_, t_table, e_table, as_of=as_of)
    else:
        assert evaluate_table(SLA_, t_table, e_table, as_of=as_of).equals(result.rows)


def test_schema_types_and_carried_columns() -> None:
    """Instants are timestamp[us, UTC], durations duration[us]; other ticket columns follow."""
    t_table, e_table = tables([small_ticket("A-1"), small_ticket("A-2", tier="standard")])
    t_table = t_table.append_column("account", pa.array(["acme", "globex"]))
    t_table = t_table.append_column("seats", pa.array([10, 200], type=pa.int32()))
    result = evaluate_table(SLA_, t_table, e_table, as_of=T0 + timedelta(days=2))
    assert result.column_names[: len(RESULT_COLUMNS)] == list(RESULT_COLUMNS)
    assert result.column_names[len(RESULT_COLUMNS) :] == [
        "tier",
        "severity",
        "channel",
        "issue_class",
        "timezone",
        "account",
        "seats",
    ]
    for name in ("start", "due", "stop", "breached_at"):
        assert result.schema.field(name).type == pa.timestamp("us", tz="UTC")
    for name in ("target", "business_elapsed", "remaining"):
        assert result.schema.field(name).type == pa.duration("us")
    assert result.schema.field("seats").type == pa.int32()
    by_ticket = dict(
        zip(result.column("ticket_id").to_pylist(), result.column("seats").to_pylist(), strict=True)
    )
    assert by_ticket == {"A-1": 10, "A-2": 200}


def test_a_policy_object_and_its_sla_give_the_same_rows() -> None:
    """A loaded Policy is accepted as well as its SLA."""
    from sla_engine.policy import load_policy

    policy = load_policy(Path("examples/policies/spark-drive.yaml"))
    assert policy.sla is not None
    lines = [
        json.loads(line)
        for line in Path("examples/data/tickets.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    tickets = [Ticket.from_mapping(line) for line in lines]
    t_table, e_table = tables(tickets)
    as_of = datetime(2026, 3, 20, tzinfo=UTC)
    a = evaluate_table(policy, t_table, e_table, as_of=as_of)
    assert a.equals(evaluate_table(policy.sla, t_table, e_table, as_of=as_of))
    assert a.num_rows == sum(len(evaluate(policy.sla, t, as_of=as_of).cycles) for t in tickets)


# ------------------------------------------------------------------------------ inputs
def _write_inputs(tmp_path: Path, tickets: list[Ticket]) -> dict[str, tuple[Any, Any]]:
    import pyarrow.parquet as pq

    ticket_rows, event_rows = as_rows(tickets)
    t_table, e_table = tables(tickets)
    pq.write_table(t_table, tmp_path / "tickets.parquet")
    pq.write_table(e_table, tmp_path / "events.parquet")
    text_events = [{**row, "at": row["at"].isoformat()} for row in event_rows]
    with open(tmp_path / "tickets.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps({k: v for k, v in r.items() if v}) + "\n" for r in ticket_rows)
    with open(tmp_path / "events.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps({k: v for k, v in r.items() if v}) + "\n" for r in text_events)
    import csv

    for name, rows in (("tickets", ticket_rows), ("events", text_events)):
        with open(tmp_path / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return {
        "arrow": (t_table, e_table),
        "parquet": (tmp_path / "tickets.parquet", tmp_path / "events.parquet"),
        "parquet-str": (str(tmp_path / "tickets.parquet"), str(tmp_path / "events.parquet")),
        "jsonl": (tmp_path / "tickets.jsonl", tmp_path / "events.jsonl"),
        "csv": (tmp_path / "tickets.csv", tmp_path / "events.csv"),
    }


def test_every_input_form_gives_the_same_rows(tmp_path: Path) -> None:
    """Arrow, pandas, polars, Parquet, CSV and JSON Lines inputs give identical computed rows."""
    tickets = [
        small_ticket("A-1"),
        small_ticket("A-2", tier="standard", timezone="Europe/Berlin"),
        small_ticket("A-3", channel="phone", severity="sev1"),
    ]
    as_of = T0 + timedelta(hours=2)
    inputs = _write_inputs(tmp_path, tickets)
    t_table, e_table = inputs["arrow"]
    pd = pytest.importorskip("pandas")
    inputs["pandas"] = (t_table.to_pandas(), e_table.to_pandas())
    pl = pytest.importorskip("polars")
    inputs["polars"] = (pl.from_arrow(t_table), pl.from_arrow(e_table))
    assert isinstance(inputs["pandas"][0], pd.DataFrame)
    want = [r for t in tickets for r in expected_rows(t, as_of)]
    for form, (tk, ev) in inputs.items():
        got = evaluate_table(SLA_, tk, ev, as_of=as_of)
        assert result_rows(got) == want, form


def test_pandas_nanosecond_timestamps_in_any_zone() -> None:
    """A pandas datetime64[ns, zone] column is read as the same instants."""
    pytest.importorskip("pandas")
    tickets = [small_ticket("A-1")]
    t_table, e_table = tables(tickets)
    frame = e_table.to_pandas()
    frame["at"] = frame["at"].dt.tz_convert("Asia/Tehran").astype("datetime64[ns, Asia/Tehran]")
    as_of = T0 + timedelta(hours=5)
    got = evaluate_table(SLA_, t_table.to_pandas(), frame, as_of=as_of)
    assert result_rows(got) == expected_rows(tickets[0], as_of)


def test_a_ticket_without_events_has_no_rows() -> None:
    """A ticket row with no events is not yet created: no rows, no error."""
    t_table, e_table = tables([small_ticket("A-1")])
    t_table = pa.concat_tables(
        [t_table, pa.Table.from_pylist([{"ticket_id": "quiet"}], schema=TICKET_SCHEMA)]
    )
    got = evaluate_table(SLA_, t_table, e_table, as_of=T0 + timedelta(hours=1))
    assert set(got.column("ticket_id").to_pylist()) == {"A-1"}


# ------------------------------------------------------------------------------ bad rows
def _events_with(rows: list[dict[str, Any]], schema: Any = None) -> Any:
    return pa.Table.from_pylist(rows, schema=schema or EVENT_SCHEMA)


GOOD = [
    {"ticket_id": "A-1", "at": T0, "kind": "created", "value": None},
    {"ticket_id": "A-1", "at": T0 + timedelta(minutes=5), "kind": "agent_reply", "value": None},
]
TICKETS = pa.Table.from_pylist(
    [{"ticket_id": "A-1", "tier": "premium"}, {"ticket_id": "B-1", "tier": "standard"}],
    schema=TICKET_SCHEMA,
)
AS_OF = T0 + timedelta(days=1)


def _refusal(tickets: Any, events: Any) -> TableError:
    with pytest.raises(TableError) as info:
        evaluate_table(SLA_, tickets, events, as_of=AS_OF)
    return info.value


def _b_events(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [*GOOD, {"ticket_id": "B-1", "at": T0, "kind": "created", "value": None}, *extra]


def test_unknown_kind_names_ticket_row_and_column() -> None:
    """An unknown event kind is refused naming the ticket, the row and the kind column."""
    events = _events_with(
        _b_events({"ticket_id": "B-1", "at": T0, "kind": "agent_replied", "value": None})
    )
    err = _refusal(TICKETS, events)
    assert (err.table, err.row, err.column, err.ticket_id) == ("events", 3, "kind", "B-1")
    assert "'agent_replied'" in str(err) and "nothing was evaluated" in str(err)


def test_naive_and_unparsable_text_instants_are_refused() -> None:
    """Text without an offset, and text that is no instant, are refused by row."""
    schema = EVENT_SCHEMA.set(1, pa.field("at", pa.string()))
    rows = [{**r, "at": r["at"].isoformat()} for r in _b_events()] + [
        {"ticket_id": "B-1", "at": "2026-03-09T15:00:00", "kind": "agent_reply", "value": None}
    ]
    err = _refusal(TICKETS, _events_with(rows, schema))
    assert (err.row, err.column, err.ticket_id) == (3, "at", "B-1")
    assert "no time zone" in str(err)
    rows[3] = {**rows[3], "at": "yesterday"}
    err = _refusal(TICKETS, _events_with(rows, schema))
    assert (err.row, err.column) == (3, "at") and "'yesterday'" in str(err)


def test_a_naive_timestamp_column_is_refused_whole() -> None:
    """A timestamp column without a zone is a column error in both modes."""
    schema = EVENT_SCHEMA.set(1, pa.field("at", pa.timestamp("us")))
    rows = [{**r, "at": r["at"].replace(tzinfo=None)} for r in GOOD]
    for errors in ("raise", "collect"):
        with pytest.raises(TableError) as info:
            evaluate_table(SLA_, TICKETS, _events_with(rows, schema), as_of=AS_OF, errors=errors)
        assert (info.value.row, info.value.column) == (None, "at")


def test_events_out_of_order_are_refused_by_row() -> None:
    """An event earlier than its ticket's previous event is refused, naming both rows."""
    events = _events_with(
        _b_events(
            {
                "ticket_id": "A-1",
                "at": T0 + timedelta(minutes=1),
                "kind": "internal_note",
                "value": None,
            }
        )
    )
    err = _refusal(TICKETS, events)
    assert (err.row, err.column, err.ticket_id) == (3, "at", "A-1")
    assert "row 1" in str(err)


def test_missing_value_unknown_ticket_and_duplicate_id() -> None:
    """A status change without a value, an event of no known ticket, a ticket id twice."""
    no_value = _events_with(_b_events({"ticket_id": "B-1", "at": T0, "kind": "status_changed"}))
    err = _refusal(TICKETS, no_value)
    assert (err.row, err.column) == (3, "value")
    stray = _events_with(_b_events({"ticket_id": "Z-9", "at": T0, "kind": "created"}))
    err = _refusal(TICKETS, stray)
    assert (err.row, err.column) == (3, "ticket_id") and "'Z-9'" in str(err)
    twice = pa.concat_tables([TICKETS, TICKETS.slice(0, 1)])
    err = _refusal(twice, _events_with(GOOD))
    assert (err.table, err.row, err.column) == ("tickets", 2, "ticket_id")


def test_engine_refusal_names_the_event_row() -> None:
    """A state the lifecycle does not know is refused by the clocks, naming the event's row."""
    events = _events_with(
        _b_events({"ticket_id": "B-1", "at": T0, "kind": "status_changed", "value": "Lunch"})
    )
    err = _refusal(TICKETS, events)
    assert (err.table, err.row, err.column, err.ticket_id) == ("events", 3, "value", "B-1")
    assert "'Lunch'" in str(err)
    bad_tier = TICKETS.set_column(1, "tier", pa.array(["premium", ""]))
    err = _refusal(bad_tier, _events_with(_b_events()))
    assert (err.table, err.row, err.column) == ("tickets", 1, "tier")


def test_missing_and_mistyped_columns() -> None:
    """A missing column or a non-text kind column is refused naming the column."""
    err = _refusal(TICKETS, _events_with(GOOD).drop_columns(["kind"]))
    assert (err.table, err.column) == ("events", "kind")
    err = _refusal(TICKETS.drop_columns(["ticket_id"]), _events_with(GOOD))
    assert (err.table, err.column) == ("tickets", "ticket_id")
    numbers = _events_with(GOOD).set_column(2, "kind", pa.array([1, 2]))
    err = _refusal(TICKETS, numbers)
    assert (err.table, err.column) == ("events", "kind")
    clash = TICKETS.append_column("state", pa.array(["x", "y"]))
    err = _refusal(clash, _events_with(GOOD))
    assert (err.table, err.column) == ("tickets", "state")


def test_collect_returns_good_rows_and_every_rejected_row() -> None:
    """errors='collect' evaluates the good tickets and lists each bad row with its reason."""
    events = _events_with(
        [
            *GOOD,
            {"ticket_id": "B-1", "at": T0, "kind": "created", "value": None},
            {"ticket_id": "B-1", "at": T0, "kind": "bogus", "value": None},
            {"ticket_id": "C-1", "at": T0, "kind": "created", "value": None},
        ]
    )
    result = evaluate_table(SLA_, TICKETS, events, as_of=AS_OF, errors="collect")
    assert set(result.rows.column("ticket_id").to_pylist()) == {"A-1"}
    good = evaluate_table(SLA_, TICKETS.slice(0, 1), _events_with(GOOD), as_of=AS_OF)
    assert result.rows.equals(good)
    rejected = result.rejected.to_pylist()
    assert [(r["table"], r["row"], r["ticket_id"], r["column"]) for r in rejected] == [
        ("events", 3, "B-1", "kind"),
        ("events", 4, "C-1", "ticket_id"),
    ]
    assert all(r["reason"] for r in rejected)


def test_bad_arguments() -> None:
    """A naive as_of, an unknown errors mode, a non-table input, a policy without metrics."""
    events = _events_with(GOOD)
    with pytest.raises(NaiveDatetimeError):
        evaluate_table(SLA_, TICKETS, events, as_of=datetime(2026, 3, 9))
    with pytest.raises(TableError):
        evaluate_table(SLA_, TICKETS, events, as_of=AS_OF, errors="ignore")  # type: ignore[call-overload]
    with pytest.raises(TableError, match="list"):
        evaluate_table(SLA_, [1, 2], events, as_of=AS_OF)
    with pytest.raises(TableError, match="suffix"):
        evaluate_table(SLA_, "tickets.xlsx", events, as_of=AS_OF)
    with pytest.raises(SLAEngineError):
        evaluate_table(object(), TICKETS, events, as_of=AS_OF)


def test_rows_turned_to_arrow_in_parts_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows flushed to Arrow every few rows give the same table as rows gathered at once."""
    import sla_engine.tables.evaluate as module

    tickets = [small_ticket(f"P-{i}", tier=("premium", "standard")[i % 2]) for i in range(7)]
    t_table, e_table = tables(tickets, interleave=True)
    as_of = T0 + timedelta(hours=2)
    whole = evaluate_table(SLA_, t_table, e_table, as_of=as_of)
    monkeypatch.setattr(module, "_FLUSH_ROWS", 3)
    parts = evaluate_table(SLA_, t_table, e_table, as_of=as_of)
    assert parts.equals(whole) and parts.num_rows > 3
