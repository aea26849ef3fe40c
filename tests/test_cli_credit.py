"""sla-engine credit: the CreditDecision JSON for one customer and billing period."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sla_engine.cli import main
from sla_engine.credits import BillingPeriod, Fee, Incident, compute_credit
from sla_engine.policy import load_policy
from strategies import cli_desk, cli_write

INCIDENTS: list[dict[str, Any]] = [
    {"id": "INC-1", "start": "2026-03-03T14:00:00Z", "end": "2026-03-03T19:30:00Z"},
    {
        "id": "INC-2",
        "start": "2026-03-09T08:00:00Z",
        "end": "2026-03-09T12:00:00Z",
        "cause": "third_party",
    },
]


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    return cli_write(tmp_path, cli_desk())


def _json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_credit_prints_the_decision_json(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """credit prints exactly CreditDecision.to_json() of the library's compute_credit."""
    incidents = _json(tmp_path / "inc.json", INCIDENTS)
    code, out, err = _run(
        [
            "credit",
            "--policy",
            str(desk),
            "--incidents",
            str(incidents),
            "--period",
            "2026-03",
            "--fee",
            "2000.00",
            "--claim-filed-at",
            "2026-04-01T09:00:00+02:00",
        ],
        capsys,
    )
    assert (code, err) == (0, "")
    policy = load_policy(desk)
    expected = compute_credit(
        policy.credit_schedule,
        [Incident.from_mapping(i) for i in INCIDENTS],
        period=BillingPeriod.month(2026, 3),
        fee=Fee(amount=Decimal("2000.00"), currency="USD"),
        claim_filed_at=datetime.fromisoformat("2026-04-01T09:00:00+02:00"),
    )
    assert out == expected.to_json()
    doc = json.loads(out)
    assert doc["amount"] == "500.00" and doc["currency"] == "USD"
    assert doc["claim"]["accepted"] is True
    assert doc["excluded"] == {"third_party": "4h"}


def test_customers_file_quarter_and_currency(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--customer picks one customer of a file; a quarter period is honoured; a --currency
    other than the policy's is refused, naming both (a JPY fee on a USD policy)."""
    data = {
        "customers": [
            {"id": "acme", "incidents": INCIDENTS},
            {"id": "globex", "incidents": [], "maintenance": []},
        ]
    }
    path = _json(tmp_path / "customers.json", data)
    base = ["credit", "--policy", str(desk), "--incidents", str(path), "--fee", "300000"]
    code, out, _ = _run(
        [
            *base,
            *("--customer", "acme", "--period", "2026-Q1"),
            *("--claim-filed-at", "2026-03-20T00:00:00Z"),
        ],
        capsys,
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["currency"] == "USD" and doc["period"]["label"] == "2026-Q1 (UTC)"
    assert doc["amount"] == "75000.00" and doc["band"] == "[4h, 12h)"
    code, out, err = _run(
        [*base, "--customer", "acme", "--period", "2026-Q1", "--currency", "JPY"], capsys
    )
    assert code == 1 and out == ""
    assert "the fee is in JPY but the policy's credits are paid in USD" in err
    code, out, _ = _run([*base, "--customer", "globex", "--period", "2026-03"], capsys)
    assert code == 0 and json.loads(out)["amount"] == "0.00"
    code, _, err = _run([*base, "--period", "2026-03"], capsys)
    assert code == 2 and "pick one with --customer (acme, globex)" in err
    code, _, err = _run([*base, "--customer", "initech", "--period", "2026-03"], capsys)
    assert code == 1 and "no customer 'initech'; the file has acme, globex" in err


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"--period": "March"}, 1, "--period 'March' is not a billing period"),
        ({"--period": "2026-13"}, 1, "--period '2026-13' is not a billing period"),
        ({"--fee": "lots"}, 1, "--fee 'lots' is not an amount"),
        ({"--fee": "NaN"}, 1, "--fee 'NaN' is not an amount"),
        ({"--fee": "-5"}, 1, "fee.amount: -5 must be a finite amount >= 0"),
        ({"--currency": "usd"}, 1, "'usd' is not an ISO 4217 currency code"),
        ({"--claim-filed-at": "2026-04-01"}, 1, "--claim-filed-at '2026-04-01' has no time zone"),
        ({"--incidents": "/nonexistent/inc.json"}, 2, "cannot read incidents file"),
        ({"--fee-per": "week"}, 2, "week"),  # argparse's usage error, in its own words
    ],
)
def test_credit_input_errors(
    desk: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, str],
    code: int,
    message: str,
) -> None:
    """Each bad option is one error naming the value, with exit 1 (2 for usage)."""
    options = {
        "--policy": str(desk),
        "--incidents": str(_json(tmp_path / "inc.json", INCIDENTS)),
        "--period": "2026-03",
        "--fee": "2000.00",
    } | change
    argv = ["credit", *(x for pair in options.items() for x in pair)]
    got, out, err = _run(argv, capsys)
    assert (got, out) == (code, "")
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[{", "inc.json:1:3: not JSON"),
        ('{"x": 1}', "expected a JSON list of incidents"),
        (
            '[{"id": "A", "start": "2026-03-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"}]',
            "inc.json: [0].end: incident 'A': end 2026-02-01T00:00:00+00:00 is before start",
        ),
        (
            '{"incidents": [{"id": "A", "start": "2026-03-01T00:00:00", "end": "x"}]}',
            "inc.json: incidents[0].start: ",
        ),
        ('{"incidents": 5}', "incidents and maintenance must be JSON lists"),
    ],
)
def test_bad_incident_files(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    """A bad incidents file exits 1 with the file and the place in it."""
    path = tmp_path / "inc.json"
    path.write_text(content, encoding="utf-8")
    argv = ["credit", "--policy", str(desk), "--incidents", str(path)]
    code, out, err = _run([*argv, "--period", "2026-03", "--fee", "1"], capsys)
    assert (code, out) == (1, "")
    assert message in err


def test_policy_without_credits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A policy with no credits section exits 1 and says what to add."""
    mapping = cli_desk()
    del mapping["credits"]
    policy = cli_write(tmp_path, mapping)
    incidents = _json(tmp_path / "inc.json", [])
    argv = ["credit", "--policy", str(policy), "--incidents", str(incidents)]
    code, _, err = _run([*argv, "--period", "2026-03", "--fee", "1"], capsys)
    assert code == 1 and "the policy has no credits section" in err


def test_incidents_use_the_version_in_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With two versions, credits follow the version in force when the incidents happened;
    incidents under two versions at once are refused."""
    first = cli_desk()
    first["effective_until"] = "2026-03-15"
    second = cli_desk()
    second["version"] = "2026.2"
    second["effective_from"] = "2026-03-16"
    second["credits"]["rule"]["bands"][1]["credit"] = "30%"
    policies = [
        "--policy",
        str(cli_write(tmp_path, first, "v1.yaml")),
        "--policy",
        str(cli_write(tmp_path, second, "v2.yaml")),
    ]
    tail = ["--period", "2026-03", "--fee", "100", "--claim-filed-at", "2026-03-31T00:00:00Z"]
    late = [{"id": "L", "start": "2026-03-20T10:00:00Z", "end": "2026-03-20T15:00:00Z"}]
    path = _json(tmp_path / "late.json", late)
    code, out, _ = _run(["credit", *policies, "--incidents", str(path), *tail], capsys)
    assert code == 0 and json.loads(out)["amount"] == "30.00"
    both = _json(tmp_path / "both.json", [INCIDENTS[0], *late])
    code, out, err = _run(["credit", *policies, "--incidents", str(both), *tail], capsys)
    assert (code, out) == (1, "")
    assert "the incidents fall under several versions of the policy (2026.1, 2026.2)" in err


CUSTOMERS_CSV = """customer,plan,fee,fee_per,claim_filed_at
acme,enterprise,2000.00,month,2026-04-10T09:00:00Z
globex,standard,49.00,month,
"""
INCIDENTS_CSV = """customer,id,start,end,cause
acme,A1,2026-03-02T10:00:00Z,2026-03-02T15:00:00Z,covered
acme,A2,2026-03-09T08:00:00Z,2026-03-09T12:00:00Z,third_party
globex,G1,2026-03-20T00:00:00Z,2026-03-20T01:30:00Z,covered
"""


def test_credit_billing_run_prints_the_table_as_csv(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """credit --customers prints exactly the library's billing_run table as CSV."""
    import csv
    import io

    from sla_engine.credits import billing_run
    from sla_engine.policy import load_policy

    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS_CSV, encoding="utf-8")
    incidents = tmp_path / "incidents.csv"
    incidents.write_text(INCIDENTS_CSV, encoding="utf-8")
    argv = ["credit", "--policy", str(desk), "--customers", str(customers)]
    code, out, err = _run([*argv, "--incidents", str(incidents), "--period", "2026-03"], capsys)
    assert code == 0, err
    expected = io.StringIO()
    billing_run(
        load_policy(desk),
        customers=csv.DictReader(io.StringIO(CUSTOMERS_CSV)),
        incidents=csv.DictReader(io.StringIO(INCIDENTS_CSV)),
        period=BillingPeriod.month(2026, 3),
    ).write_csv(expected)
    assert out == expected.getvalue()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["customer"] for r in rows] == ["acme", "globex"]
    assert rows[1]["claim"] == "no claim filed"

    code, out, _ = _run(
        [*argv, "--incidents", str(incidents), "--period", "2026-03", "--trace"], capsys
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [line["customer"] for line in lines] == ["acme", "globex"]
    assert any(step.startswith("claim:") for step in lines[0]["trace"])


def test_credit_billing_run_errors(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fee with --customers is a usage error; a ragged CSV row and an unknown customer are
    errors naming the file and row; no traceback, nothing half-printed."""
    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS_CSV, encoding="utf-8")
    incidents = tmp_path / "incidents.csv"
    base = ["credit", "--policy", str(desk), "--customers", str(customers), "--period", "2026-03"]
    incidents.write_text(INCIDENTS_CSV, encoding="utf-8")
    code, out, err = _run([*base, "--incidents", str(incidents), "--fee", "10"], capsys)
    assert code == 2 and out == "" and "leave out --fee" in err
    incidents.write_text(INCIDENTS_CSV + "acme,A3,2026-03-05T00:00:00Z\n", encoding="utf-8")
    code, out, err = _run([*base, "--incidents", str(incidents)], capsys)
    assert code == 1 and out == "" and "incidents.csv:5: the row does not have one value" in err
    incidents.write_text(INCIDENTS_CSV + "initech,I1,2026-03-05T00:00:00Z,2026-03-05T01:00:00Z,\n")
    code, out, err = _run([*base, "--incidents", str(incidents)], capsys)
    assert code == 1 and out == "" and "no such customer" in err and "Traceback" not in err
    code, out, err = _run(
        ["credit", "--policy", str(desk), "--incidents", str(incidents), "--period", "2026-03"],
        capsys,
    )
    assert code == 2 and "credit needs --fee" in err


def test_credit_plan_picks_the_plans_schedule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--plan credits a customer on its plan's schedule; an unknown plan is an error."""
    policy = tmp_path / "db.yaml"
    policy.write_text(
        "format_version: 1\nname: db\nversion: '1'\neffective_from: 2026-01-01\n"
        "currency: USD\ncredits:\n  basis: period\n  fee_basis: month\n"
        "  rule: {kind: flat_step, threshold: 1h, inclusive: true, credit: 10%}\n"
        "  plans:\n    enterprise:\n"
        "      rule: {kind: flat_step, threshold: 30m, inclusive: true, credit: 30%}\n",
        encoding="utf-8",
    )
    incidents = _json(
        tmp_path / "inc.json",
        [{"id": "a", "start": "2026-03-02T00:00:00Z", "end": "2026-03-02T00:45:00Z"}],
    )
    base = ["credit", "--policy", str(policy), "--incidents", str(incidents)]
    base += ["--period", "2026-03", "--fee", "1000.00"]
    code, out, _ = _run(base, capsys)
    assert code == 0 and json.loads(out)["amount"] == "0.00"
    code, out, _ = _run([*base, "--plan", "enterprise"], capsys)
    assert code == 0 and json.loads(out)["amount"] == "300.00"
    code, out, err = _run([*base, "--plan", "gold"], capsys)
    assert code == 1 and out == "" and "'gold' is not a plan" in err


def test_credit_charges_and_credited_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--charges and --credited-before feed caps of the invoice and over 12 months."""
    policy = tmp_path / "db.yaml"
    policy.write_text(
        "format_version: 1\nname: db\nversion: '1'\neffective_from: 2026-01-01\n"
        "currency: USD\ncredits:\n  basis: period\n  fee_basis: month\n"
        "  rule: {kind: flat_step, threshold: 1h, inclusive: true, credit: 30%}\n"
        "  cap_per_period: {percent: 20%, of: invoice}\n  cap_per_12_months: 100%\n",
        encoding="utf-8",
    )
    incidents = _json(
        tmp_path / "inc.json",
        [{"id": "a", "start": "2026-03-02T00:00:00Z", "end": "2026-03-02T02:00:00Z"}],
    )
    base = ["credit", "--policy", str(policy), "--incidents", str(incidents)]
    base += ["--period", "2026-03", "--fee", "1000.00"]
    code, out, _ = _run(
        [*base, "--charges", "invoice=1000.00", "--credited-before", "900.00"], capsys
    )
    assert code == 0 and json.loads(out)["amount"] == "100.00"  # 300 → 200 (invoice) → 100
    code, out, err = _run([*base, "--charges", "invoice=1000.00"], capsys)
    assert code == 1 and out == "" and "credited_before" in err
    code, out, err = _run([*base, "--charges", "invoice", "--credited-before", "0"], capsys)
    assert code == 1 and "write NAME=AMOUNT" in err


def _rows_of(text: str) -> list[dict[str, Any]]:
    """CSV text as typed rows: aware instants for start, end and claim_filed_at, empty cells
    as nulls (text everywhere else, as the CSV reader gives it)."""
    import csv
    import io

    instants = {"start", "end", "claim_filed_at"}
    return [
        {k: (datetime.fromisoformat(v) if k in instants and v else v or None) for k, v in r.items()}
        for r in csv.DictReader(io.StringIO(text))
    ]


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_credit_billing_run_reads_parquet_and_json_lines_as_it_reads_csv(
    suffix: str, desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .parquet (typed columns) or .jsonl table prints exactly what the same CSV prints."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    paths = {}
    for name, text in (("customers", CUSTOMERS_CSV), ("incidents", INCIDENTS_CSV)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        path = paths[name] = tmp_path / f"{name}{suffix}"
        if suffix == ".parquet":
            pq.write_table(pa.Table.from_pylist(_rows_of(text)), path)
        else:
            rows = [
                {k: v.isoformat() if isinstance(v, datetime) else v for k, v in r.items() if v}
                for r in _rows_of(text)
            ]
            path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    base = ["credit", "--policy", str(desk), "--period", "2026-03"]
    code, want, err = _run(
        [
            *base,
            "--customers",
            str(tmp_path / "customers.csv"),
            "--incidents",
            str(tmp_path / "incidents.csv"),
        ],
        capsys,
    )
    assert code == 0, err
    argv = [*base, "--customers", str(paths["customers"]), "--incidents", str(paths["incidents"])]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    assert out == want


def test_credit_billing_run_unreadable_parquet_is_an_error(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyarrow")
    customers = tmp_path / "customers.parquet"
    customers.write_text("not parquet", encoding="utf-8")
    incidents = tmp_path / "incidents.csv"
    incidents.write_text(INCIDENTS_CSV, encoding="utf-8")
    argv = ["credit", "--policy", str(desk), "--period", "2026-03"]
    code, out, err = _run(
        [*argv, "--customers", str(customers), "--incidents", str(incidents)], capsys
    )
    assert code == 1 and out == "" and "customers" in err and "Traceback" not in err
