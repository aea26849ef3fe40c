"""Every reproducer of the hardening issue, by name: each ends in its own SLAEngineError (a
PolicyError located at file:line:column for a policy), in bounded time, never a raw exception."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bounded import bounded
from sla_engine import cli
from sla_engine.cli import main
from sla_engine.clocks import Ticket, evaluate
from sla_engine.credits import BillingPeriod, Fee, Incident, compute_credit
from sla_engine.errors import (
    CreditError,
    DurationError,
    HorizonError,
    NaiveDatetimeError,
    PolicyError,
    SLAEngineError,
)
from sla_engine.policy import Policy, load_policy, validate_policy
from strategies import cli_desk, cli_write

__all__ = ["bounded"]

Bounded = Callable[..., AbstractContextManager[None]]

TICKET = {
    "id": "T-1",
    "tier": "premium",
    "severity": "sev1",
    "events": [{"kind": "created", "at": "2026-03-09T16:00:00Z"}],
}
INCIDENT = {"id": "INC-1", "start": "2026-03-03T14:00:00Z", "end": "2026-03-03T19:30:00Z"}


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    return cli_write(tmp_path, cli_desk())


@pytest.fixture
def policy() -> Policy:
    return load_policy(cli_desk())


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def _located(exc: PolicyError, line: int, column: int, path: str = "") -> None:
    """The policy error's first problem is at ``line:column`` (and ``path``)."""
    problem = exc.problems[0]
    assert (problem.line, problem.column) == (line, column), exc
    assert problem.path == path, exc


def _year(year: int) -> datetime:
    return (
        datetime(year, 12, 31, 12, tzinfo=UTC)
        if year > 2000
        else datetime(year, 1, 1, 12, tzinfo=UTC)
    )


# --------------------------------------------------------------------------- instants


@pytest.mark.parametrize("year", [1, 9999])
def test_as_of_in_year_1_or_9999_is_a_horizon_error(policy: Policy, year: int) -> None:
    """An as_of outside 1900..2199 is a HorizonError naming as_of, not an OverflowError."""
    assert policy.sla is not None
    with pytest.raises(HorizonError, match="as_of") as info:
        evaluate(policy.sla, Ticket.from_mapping(TICKET), as_of=_year(year))
    assert info.value.path == ("as_of",)


@pytest.mark.parametrize("year", [1, 9999])
def test_claim_filed_at_in_year_1_or_9999_is_a_horizon_error(policy: Policy, year: int) -> None:
    """claim_filed_at outside the horizon is a HorizonError naming it."""
    assert policy.credit_schedule is not None
    with pytest.raises(HorizonError, match="claim_filed_at") as info:
        compute_credit(
            policy.credit_schedule,
            [Incident.from_mapping(INCIDENT)],
            period=BillingPeriod.month(2026, 3),
            fee=Fee(amount=Decimal("100"), currency="USD"),
            claim_filed_at=_year(year),
        )
    assert info.value.path == ("claim_filed_at",)


def test_incident_from_year_1_to_9999_is_a_horizon_error() -> None:
    """An incident reaching outside the horizon is refused where it is built."""
    with pytest.raises(HorizonError) as info:
        Incident.from_mapping(
            {"id": "I", "start": "0001-01-01T00:00:00Z", "end": "9999-12-31T23:00:00Z"}
        )
    assert info.value.path == ("start",)


def test_ticket_event_in_year_1_is_a_horizon_error() -> None:
    """An event outside the horizon is refused where it is built, with its path."""
    raw = dict(TICKET, events=[{"kind": "created", "at": "0001-01-01T00:00:00Z"}])
    with pytest.raises(HorizonError) as info:
        Ticket.from_mapping(raw)
    assert info.value.path == ("events", 0, "at")


@pytest.mark.parametrize(("year", "month"), [(9999, 12), (0, 1), (1, 1), (2200, 1)])
def test_billing_month_outside_the_horizon_is_a_horizon_error(year: int, month: int) -> None:
    """A billing month in year 9999 or 0 is refused (it was year 10000 or silently taken)."""
    with pytest.raises(HorizonError) as info:
        BillingPeriod.month(year, month)
    assert info.value.path == ("year",)


def test_billing_period_index_far_away_is_a_horizon_error() -> None:
    """A period index whose dates do not exist is a HorizonError, not OverflowError."""
    cycle = BillingPeriod.month(2026, 3).cycle
    for index in (10**6, -(10**6), 10**30):
        with pytest.raises(HorizonError):
            cycle.period(index)


def test_naive_as_of_is_a_naive_datetime_error(policy: Policy) -> None:
    """A naive as_of is a NaiveDatetimeError (not a TicketError) naming the ticket."""
    assert policy.sla is not None
    with pytest.raises(NaiveDatetimeError, match="'T-1'"):
        evaluate(policy.sla, Ticket.from_mapping(TICKET), as_of=datetime(2026, 3, 10))


# --------------------------------------------------------------------------- huge numbers


@pytest.mark.parametrize(
    ("fmt", "text", "line", "column"),
    [
        ("yaml", "format_version: 1\nname: {n}\n", 2, 7),
        ("json", '{{"format_version": 1,\n "name": {n}}}', 2, 10),
        ("toml", "format_version = 1\nname = {n}\n", 2, 8),
    ],
)
def test_integer_of_4300_digits_is_located(fmt: Any, text: str, line: int, column: int) -> None:
    """An integer of 5,000 digits is a located PolicyError in YAML, JSON and TOML."""
    with pytest.raises(PolicyError) as info:
        load_policy(text=text.format(n="1" + "0" * 5000), format=fmt)
    _located(info.value, line, column)


@pytest.mark.parametrize("amount", ["1e5000", "1e999999999"])
def test_price_of_1e5000_is_located(bounded: Bounded, amount: str) -> None:
    """A price of 1e5000 or 1e999999999 is refused at its place in the file, at once."""
    doc = cli_desk()
    text = yaml.safe_dump(doc, sort_keys=False).replace("'2000.00'", amount)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if amount in t)
    with bounded(), pytest.raises(PolicyError) as info:
        load_policy(text=text)
    assert info.value.problems[0].line == line
    assert info.value.problems[0].path == "tiers.premium.price.amount"


@pytest.mark.parametrize("amount", ["1e5000", "1e999999999"])
def test_fee_of_1e5000_is_a_credit_error(bounded: Bounded, amount: str) -> None:
    """A Fee beyond the documented bound (10**36) is a CreditError on amount, at once."""
    with bounded(), pytest.raises(CreditError) as info:
        Fee(amount=Decimal(amount), currency="USD")
    assert info.value.path == ("amount",)


def test_cli_fee_of_1e999999999_names_the_flag(
    bounded: Bounded, desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--fee 1e999999999 ends at once with exit 1 and an error naming --fee."""
    incidents = tmp_path / "inc.json"
    incidents.write_text(json.dumps([INCIDENT]), "utf-8")
    argv = ["credit", "--policy", str(desk), "--incidents", str(incidents)]
    with bounded():
        code, out, err = _run([*argv, "--period", "2026-03", "--fee", "1e999999999"], capsys)
    assert (code, out) == (1, "")
    assert err.startswith("error: --fee:")


def test_duration_of_10e20_hours_is_located() -> None:
    """A target of 10**20 hours is a located PolicyError (it overflowed timedelta)."""
    doc = cli_desk()
    doc["tiers"]["premium"]["targets"]["first_response"]["sev1"] = "1" + "0" * 20 + "h"
    text = yaml.safe_dump(doc, sort_keys=False)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "00000h" in t)
    with pytest.raises(PolicyError) as info:
        load_policy(text=text)
    problem = info.value.problems[0]
    assert (problem.line, problem.path) == (line, "tiers.premium.targets.first_response.sev1")
    with pytest.raises(DurationError):
        from sla_engine._time import parse_duration

        parse_duration("1" + "0" * 20 + "h")


def test_json_decimal_the_reader_cannot_convert_is_located() -> None:
    """A JSON number Decimal cannot hold (InvalidOperation) is a located PolicyError."""
    text = '{"format_version": 1,\n "name": 1e' + "9" * 30 + "}"
    with pytest.raises(PolicyError) as info:
        load_policy(text=text, format="json")
    _located(info.value, 2, 10)


# --------------------------------------------------------------------------- text


def test_lone_surrogate_in_yaml_is_located() -> None:
    """A lone surrogate in YAML text is a located PolicyError, not a UnicodeEncodeError."""
    with pytest.raises(PolicyError) as info:
        load_policy(text="format_version: 1\nname: a\ud800\n")
    _located(info.value, 2, 8)


def test_lone_surrogate_in_json_is_refused_at_load_with_its_location() -> None:
    """A JSON \\ud800 escape in any text is refused when loading, located, so that render
    never meets it."""
    doc = cli_desk()
    text = json.dumps(doc, indent=1).replace('"A small helpdesk', '"\\ud800 A small helpdesk')
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "ud800" in t)
    with pytest.raises(PolicyError) as info:
        load_policy(text=text, format="json")
    problem = info.value.problems[0]
    assert (problem.line, problem.path) == (line, "description")


def test_lone_surrogate_in_a_mapping_is_refused() -> None:
    """Through the API, a mapping holding a lone surrogate is a PolicyError with its path."""
    doc = cli_desk()
    doc["description"] = "x\udc80"
    with pytest.raises(PolicyError) as info:
        load_policy(doc)
    assert info.value.problems[0].path == "description"


def test_90000_unknown_keys_are_all_reported(bounded: Bounded) -> None:
    """A policy of 90,000 unknown keys reports each one, located, well inside the bound
    (finding each problem's place used to scan every key: 350 s)."""
    doc = cli_desk()
    lines = yaml.safe_dump(doc, sort_keys=False)
    extra = "".join(f"unknown_{i}: {i}\n" for i in range(90_000))
    first = len(lines.splitlines()) + 1
    with bounded(60):
        validation = validate_policy(text=lines + extra)
    assert len(validation.problems) == 90_000
    assert validation.problems[0].line == first
    assert validation.problems[-1].line == first + 89_999


def test_claim_of_ten_million_days_is_located() -> None:
    """claim: {days: 10000000} is refused at its place (it overflowed at credit)."""
    doc = cli_desk()
    doc["credits"]["claim"]["days"] = 10_000_000
    text = yaml.safe_dump(doc, sort_keys=False)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "10000000" in t)
    with pytest.raises(PolicyError) as info:
        load_policy(text=text)
    problem = info.value.problems[0]
    assert (problem.line, problem.path) == (line, "credits.claim.days")


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_policy_file_linked_to_a_device_is_refused(
    bounded: Bounded, tmp_path: Path, device: str
) -> None:
    """A policy that links to /dev/zero or /dev/urandom is read only up to the bound."""
    if not os.path.exists(device):  # pragma: no cover - every POSIX system has them
        pytest.skip(f"no {device}")
    link = tmp_path / "policy.yaml"
    link.symlink_to(device)
    with bounded(), pytest.raises(PolicyError) as info:
        load_policy(link)
    assert info.value.problems[0].source == str(link)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_tickets_and_incidents_from_a_device_are_refused(
    bounded: Bounded,
    desk: Path,
    tmp_path: Path,
    device: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tickets and incidents files are read only up to MAX_INPUT bytes (here lowered to
    1 MiB), so a device ends in exit 1 with a message, in bounded memory."""
    monkeypatch.setattr(cli, "MAX_INPUT", 1 << 20)
    link = tmp_path / "input.json"
    link.symlink_to(device)
    with bounded():
        code, out, err = _run(
            [
                "evaluate",
                "--policy",
                str(desk),
                "--tickets",
                str(link),
                "--as-of",
                "2026-03-10T00:00:00Z",
            ],
            capsys,
        )
    assert (code, out) == (1, "")
    assert "the most read" in err
    with bounded():
        code, out, err = _run(
            [
                "credit",
                "--policy",
                str(desk),
                "--incidents",
                str(link),
                "--period",
                "2026-03",
                "--fee",
                "10",
            ],
            capsys,
        )
    assert (code, out) == (1, "")
    assert "the most read" in err


# --------------------------------------------------------------------------- the CLI


def test_ctrl_c_during_validate_and_evaluate_exits_130_quietly(
    desk: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C while a command runs exits 130 with nothing on stderr."""

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("sla_engine.policy.load._validate", interrupt)
    assert _run(["validate", str(desk)], capsys) == (130, "", "")
    monkeypatch.undo()
    monkeypatch.setattr("sla_engine.clocks.evaluate", interrupt)
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(json.dumps(TICKET) + "\n", "utf-8")
    argv = ["evaluate", "--policy", str(desk), "--tickets", str(tickets)]
    assert _run([*argv, "--as-of", "2026-03-10T00:00:00Z"], capsys) == (130, "", "")
    monkeypatch.setattr(cli, "_build_parser", interrupt)  # even while reading the arguments
    assert _run(["schema"], capsys) == (130, "", "")


def test_json_lines_with_line_separators_in_strings_are_accepted(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """U+2028, U+2029 and NEL inside strings are JSON; lines split at LF (and CRLF) only."""
    rows = [dict(TICKET, id=f"T\u2028{i}\u0085\u2029") for i in range(2)]
    tickets = tmp_path / "t.jsonl"
    tickets.write_bytes(
        (
            json.dumps(rows[0], ensure_ascii=False)
            + "\r\n"
            + json.dumps(rows[1], ensure_ascii=False)
        ).encode("utf-8")
    )
    argv = ["evaluate", "--policy", str(desk), "--tickets", str(tickets)]
    code, out, err = _run([*argv, "--as-of", "2026-03-10T00:00:00Z"], capsys)
    assert (code, err) == (0, "")
    assert [json.loads(line)["id"] for line in out.split("\n")[:-1]] == [r["id"] for r in rows]


def test_json_lines_form_feed_is_judged_by_json_on_its_own_line(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A form feed no longer splits a line: an escaped one in a string is accepted, a raw one
    between tokens is the JSON error of that one line (numbered by LF)."""
    good = json.dumps(dict(TICKET, id="T\f1"))
    bad = json.dumps(dict(TICKET, id="T-2")).replace(", ", ",\f", 1)
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(good + "\n" + bad + "\n", "utf-8")
    argv = ["evaluate", "--policy", str(desk), "--tickets", str(tickets)]
    code, out, err = _run([*argv, "--as-of", "2026-03-10T00:00:00Z"], capsys)
    assert (code, out) == (1, "")
    assert "1 bad line in" in err
    assert f"{tickets}:2: not JSON" in err
    tickets.write_text(good + "\n", "utf-8")
    code, out, err = _run([*argv, "--as-of", "2026-03-10T00:00:00Z"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["id"] == "T\f1"


@pytest.mark.parametrize("where", ["tier", "event"])
def test_unknown_tier_is_an_error_naming_ticket_and_value(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """A ticket naming a tier the policy lacks is refused (it silently got the default)."""
    row: dict[str, Any] = dict(TICKET)
    if where == "tier":
        row["tier"] = "platinum"
    else:
        row["events"] = [
            *TICKET["events"],  # type: ignore[misc]
            {"kind": "tier_changed", "at": "2026-03-09T17:00:00Z", "value": "platinum"},
        ]
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(json.dumps(row) + "\n", "utf-8")
    argv = ["evaluate", "--policy", str(desk), "--tickets", str(tickets)]
    code, out, err = _run([*argv, "--as-of", "2026-03-10T00:00:00Z"], capsys)
    assert (code, out) == (1, "")
    assert f"{tickets}:1:" in err
    assert "'T-1'" in err
    assert "'platinum'" in err


def test_closed_output_pipe_exits_141_quietly(
    desk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the reader closes the pipe, the command stops with 141 (128 + SIGPIPE) and no
    message, not 1 (which means invalid input)."""

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    code = main(["schema"])
    assert code == 141
    assert capsys.readouterr().err == ""


def test_cli_naive_and_far_as_of_name_the_flag(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--as-of without a zone or outside the horizon is refused naming --as-of."""
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(json.dumps(TICKET) + "\n", "utf-8")
    argv = ["evaluate", "--policy", str(desk), "--tickets", str(tickets), "--as-of"]
    for as_of in ("2026-03-10T00:00:00", "0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"):
        code, out, err = _run([*argv, as_of], capsys)
        assert (code, out) == (1, "")
        assert err.startswith("error: --as-of"), err


@pytest.mark.parametrize("period", ["9999-12", "0000-01", "1899-Q4", "9999-12-31"])
def test_cli_period_outside_the_horizon_names_the_flag(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], period: str
) -> None:
    """--period 9999-12 is refused naming --period."""
    incidents = tmp_path / "inc.json"
    incidents.write_text(json.dumps([INCIDENT]), "utf-8")
    argv = ["credit", "--policy", str(desk), "--incidents", str(incidents), "--fee", "10"]
    code, out, err = _run([*argv, "--period", period], capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: --period {period!r}"), err


def test_trace_is_built_only_with_explain(
    desk: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    policy: Policy,
) -> None:
    """Without --explain the explanation is never built (evaluate(explain=False))."""
    assert policy.sla is not None
    ticket = Ticket.from_mapping(TICKET)
    as_of = datetime(2026, 3, 10, tzinfo=UTC)
    full = evaluate(policy.sla, ticket, as_of=as_of)
    lean = evaluate(policy.sla, ticket, as_of=as_of, explain=False)
    assert full.trace and lean.trace == ()
    assert (lean.cycles, lean.events, lean.state) == (full.cycles, full.events, full.state)

    def boom(*args: object) -> list[str]:
        raise AssertionError("the trace was built")

    monkeypatch.setattr(sys.modules["sla_engine.clocks.evaluate"], "_explain_cycle", boom)
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(json.dumps(TICKET) + "\n", "utf-8")
    argv = ["evaluate", "--policy", str(desk), "--tickets", str(tickets)]
    code, _out, err = _run([*argv, "--as-of", "2026-03-10T00:00:00Z"], capsys)
    assert (code, err) == (0, "")


# --------------------------------------------------------------------------- money


def test_fee_for_many_users_on_a_huge_price_is_exact() -> None:
    """3 users at 999999999999999999999999999999.99 is exactly 2999999999999999999999999999999.97
    (it was rounded to 3.000000000000000000000000000E+30)."""
    doc = cli_desk()
    doc["tiers"]["standard"]["price"]["amount"] = "999999999999999999999999999999.99"
    fee = load_policy(doc).fee("standard", users=3)
    assert fee.amount == Decimal("2999999999999999999999999999999.97")
    assert str(fee.amount) == "2999999999999999999999999999999.97"


def test_fee_users_beyond_the_bound_is_a_policy_error(policy: Policy) -> None:
    """More users than MAX_USERS is refused, not multiplied."""
    with pytest.raises(PolicyError, match="users"):
        policy.fee("standard", users=10**6 + 1)


_AT = datetime(2026, 3, 9, tzinfo=UTC)
_HUGE = 10**5000


@pytest.mark.parametrize(
    "build",
    [
        lambda: Ticket(id=_HUGE, events=()),  # type: ignore[arg-type]
        lambda: Ticket(id="a", tier=_HUGE, events=()),  # type: ignore[arg-type]
        lambda: Incident(id=_HUGE, start=_AT, end=_AT),  # type: ignore[arg-type]
        lambda: Incident(id="a", start=_HUGE, end=_AT),  # type: ignore[arg-type]
        lambda: Incident(id="a", start=_AT, end=_AT, error_rate=_HUGE),  # type: ignore[arg-type]
        lambda: Fee(amount=_HUGE, currency="USD"),  # type: ignore[arg-type]
        lambda: Fee(amount=Decimal(1), currency=_HUGE),  # type: ignore[arg-type]
        lambda: BillingPeriod.month(2026, _HUGE),
        lambda: BillingPeriod.month(_HUGE, 1),
        lambda: BillingPeriod.quarter(-_HUGE, 1),
        lambda: BillingPeriod(cycle=BillingPeriod.month(2026, 1).cycle, index=_HUGE),
    ],
)
def test_integers_too_large_to_show_are_refused_by_the_constructors(
    build: Callable[[], object],
) -> None:
    """An integer of 5,000 digits given to a constructor is an SLAEngineError (the message that
    showed it failed with Python's int-to-text limit)."""
    with pytest.raises(SLAEngineError):
        build()


@pytest.mark.parametrize(
    ("key", "day"), [("effective_from", "0001-01-01"), ("effective_until", "9999-12-31")]
)
def test_effective_dates_outside_the_horizon_are_located(key: str, day: str) -> None:
    """An effective date in year 1 or 9999 is a located PolicyError (year 1 overflowed in the
    DST lint)."""
    doc = cli_desk()
    doc[key] = day
    text = yaml.safe_dump(doc, sort_keys=False)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(f"{key}:"))
    with pytest.raises(PolicyError) as info:
        load_policy(text=text)
    problem = info.value.problems[0]
    assert (problem.line, problem.path) == (line, key)


@pytest.mark.parametrize(
    "extra", [["--years", "7000"], ["--year", "1"], ["--year", "2199", "--years", "2"]]
)
def test_render_years_are_bounded(
    bounded: Bounded, desk: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    """render lists at most 50 years of holidays inside 1900..2199 (7,000 years ran for
    minutes): past that, exit 1 at once, naming year and years."""
    with bounded():
        code, out, err = _run(["render", str(desk), *extra], capsys)
    assert (code, out) == (1, "")
    assert "give a year from 1900 to 2199" in err


def _recurring(rule: str, first: str = "2026-01-04T02:00:00Z") -> object:
    from sla_engine.credits import RecurringMaintenance

    return RecurringMaintenance.from_mapping(
        {
            "id": "M",
            "rule": rule,
            "first": first,
            "duration": "2h",
            "timezone": "UTC",
            "announced_at": "2025-12-01T00:00:00Z",
        }
    )


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=SECONDLY",
        "FREQ=MINUTELY",
        "FREQ=YEARLY;BYEASTER=9999",
        "FREQ=YEARLY;BYEASTER=365",
        "FREQ=HOURLY;INTERVAL=999999999999",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    ],
)
def test_maintenance_rules_that_hang_or_crash_are_credit_errors(
    bounded: Bounded, policy: Policy, rule: str
) -> None:
    """A maintenance RRULE with INTERVAL=0 (hung), SECONDLY or MINUTELY (minutes a query),
    BYEASTER out of range (IndexError) or no possible day is a CreditError on 'rule'."""
    assert policy.credit_schedule is not None
    with bounded(), pytest.raises(CreditError) as info:
        compute_credit(
            policy.credit_schedule,
            [Incident.from_mapping(INCIDENT)],
            period=BillingPeriod.month(2026, 3),
            fee=Fee(amount=Decimal("100"), currency="USD"),
            maintenance=[_recurring(rule)],  # type: ignore[list-item]
        )
    assert info.value.path == ("rule",)


def test_hourly_maintenance_from_1900_is_expanded_near_the_period(
    bounded: Bounded, policy: Policy
) -> None:
    """An hourly rule first given in 1900 answers for 2199 at once (it expanded 2.6 million
    hours first), with exactly the windows of its 5-hour grid that overlap the period."""
    from sla_engine._time import to_us

    period = BillingPeriod.month(2199, 3)
    far = _recurring("FREQ=HOURLY;INTERVAL=5", first="1900-01-01T00:00:00Z")
    with bounded():
        found = far.occurrences(period.start_us, period.end_us)  # type: ignore[attr-defined]
    origin, step, length = to_us(datetime(1900, 1, 1, tzinfo=UTC)), 5 * 3_600_000_000, 7_200_000_000
    first = (period.start_us - length - origin) // step + 1
    last = -((origin - period.end_us) // step) - 1
    assert [o.start_us for o in found] == [origin + k * step for k in range(first, last + 1)]


_SANE_PARTS = st.sampled_from(
    [
        "INTERVAL=1",
        "INTERVAL=3",
        "COUNT=40",
        "BYDAY=SU",
        "BYDAY=MO,TU",
        "BYHOUR=2",
        "BYMINUTE=30",
        "BYMONTHDAY=-1",
        "BYMONTH=2",
        "WKST=MO",
        "UNTIL=20300101T000000",
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    freq=st.sampled_from(["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    parts=st.lists(_SANE_PARTS, max_size=3, unique=True),
    first=st.sampled_from(["2024-02-29T10:00:00", "2025-03-09T02:30:00", "2026-01-04T02:00:00"]),
    zone=st.sampled_from(["UTC", "America/New_York", "Pacific/Apia"]),
    month=st.sampled_from([(2026, 3), (2028, 2), (2029, 11)]),
)
def test_maintenance_expansion_is_the_rules_own(
    freq: str, parts: list[str], first: str, zone: str, month: tuple[int, int]
) -> None:
    """Law: the bounded expansion (started near the period, searched 400 years on) gives
    exactly the windows dateutil gives for the rule from its first occurrence."""
    from zoneinfo import ZoneInfo

    from dateutil.rrule import rrulestr

    from sla_engine._time import to_us
    from sla_engine.credits import RecurringMaintenance

    assume(not ({p.split("=")[0] for p in parts} >= {"COUNT", "UNTIL"}))
    rule = ";".join([f"FREQ={freq}", *parts])
    recurring = RecurringMaintenance.from_mapping(
        {
            "id": "M",
            "rule": rule,
            "first": first + "Z",
            "duration": "1h",
            "timezone": zone,
            "announced_at": "2024-01-01T00:00:00Z",
        }
    )
    period = BillingPeriod.month(*month)
    local = ZoneInfo(zone)
    start = datetime.fromisoformat(first + "+00:00").astimezone(local).replace(tzinfo=None)
    lo = (period.start - timedelta(days=3)).astimezone(local).replace(tzinfo=None)
    hi = (period.end + timedelta(days=3)).astimezone(local).replace(tzinfo=None)
    expected = [
        s
        for s in (
            to_us(t.replace(tzinfo=local))
            for t in rrulestr(rule, dtstart=start).between(lo, hi, inc=True)
        )
        if s < period.end_us and s + 3_600_000_000 > period.start_us
    ]
    found = recurring.occurrences(period.start_us, period.end_us)
    assert [o.start_us for o in found] == expected


def test_cyclic_data_through_the_api_is_refused_not_looped(bounded: Bounded) -> None:
    """A list that contains itself, given in a policy mapping, a ticket or an incident, is an
    SLAEngineError at once (the bound checks walk each container once)."""
    loop: list[Any] = []
    loop.append(loop)
    doc = cli_desk()
    doc["tiers"]["premium"]["features"] = loop
    with bounded():
        with pytest.raises(PolicyError):
            load_policy(doc)
        with pytest.raises(SLAEngineError):
            Ticket.from_mapping({"id": "a", "events": loop})
        with pytest.raises(SLAEngineError):
            Incident.from_mapping({"id": loop, "start": loop})
