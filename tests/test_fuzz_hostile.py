"""Fuzzing with hostile values: the loader (YAML, JSON, TOML text and raw bytes), the API
constructors and the command line. Every input ends in a result or an SLAEngineError (a clean
exit code from the CLI), never another exception or a traceback, inside a bounded time."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import tomli_w
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bounded import bounded
from hostile import hostile_rrule, hostile_scalar, hostile_text, mutated
from sla_engine.cli import main
from sla_engine.clocks import Event, EventKind, Ticket, evaluate, next_deadlines
from sla_engine.credits import (
    BillingPeriod,
    Fee,
    Incident,
    RecurringMaintenance,
    compute_credit,
)
from sla_engine.errors import PolicyError, SLAEngineError
from sla_engine.policy import Policy, load_policy
from sla_engine.render import render_policy
from strategies import cli_desk

__all__ = ["bounded"]

Bounded = Callable[..., AbstractContextManager[None]]

_FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_DESK = cli_desk()
_POLICY = load_policy(cli_desk())
_TICKET: dict[str, Any] = {
    "id": "T-1",
    "tier": "premium",
    "severity": "sev1",
    "channel": "phone",
    "events": [
        {"kind": "created", "at": "2026-03-09T16:00:00Z"},
        {"kind": "status_changed", "at": "2026-03-09T17:00:00Z", "value": "In Progress"},
        {"kind": "tier_changed", "at": "2026-03-09T18:00:00Z", "value": "standard"},
    ],
}
_INCIDENTS: dict[str, Any] = {
    "incidents": [
        {"id": "INC-1", "start": "2026-03-03T14:00:00Z", "end": "2026-03-03T19:30:00Z"},
        {
            "id": "INC-2",
            "start": "2026-03-09T08:00:00Z",
            "end": "2026-03-09T12:00:00Z",
            "cause": "third_party",
            "error_rate": "50%",
        },
    ],
    "maintenance": [
        {
            "id": "M-1",
            "start": "2026-03-15T02:00:00Z",
            "end": "2026-03-15T04:00:00Z",
            "announced_at": "2026-03-01T00:00:00Z",
        }
    ],
}

#: Aware instants anywhere datetime reaches, in the widest offsets.
_instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).flatmap(
    lambda dt: st.sampled_from(
        [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-14))]
    ).map(lambda tz: dt.replace(tzinfo=tz))
)


@contextmanager
def _wide_ints() -> Iterator[None]:
    """Let the test itself write huge integers into text (the loader still meets them)."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(old)


def _dump(doc: Any, fmt: str) -> str:
    with _wide_ints():
        try:
            if fmt == "yaml":
                return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
            if fmt == "json":
                return json.dumps(doc, indent=1)
            return tomli_w.dumps(doc)
        except (TypeError, ValueError, yaml.YAMLError):
            assume(False)  # a value this syntax cannot write
            raise AssertionError from None  # pragma: no cover


def _policy_checked(policy: Policy) -> None:
    """A policy that loads renders, and reads back from its own mapping."""
    for fmt in ("markdown", "html"):
        render_policy(policy, format=fmt)
    assert load_policy(policy.to_mapping()) == policy


@_FUZZ
@given(doc=mutated(_DESK), fmt=st.sampled_from(["yaml", "json", "toml"]))
def test_hostile_policy_text_gives_a_policy_or_a_located_error(
    bounded: Bounded, doc: Any, fmt: str
) -> None:
    """Law: a policy with hostile values, in any syntax, loads (and renders) or is a
    PolicyError whose every error is located in the text."""
    text = _dump(doc, fmt)
    with bounded():
        try:
            policy = load_policy(text=text, format=fmt)  # type: ignore[arg-type]
        except PolicyError as exc:
            for problem in exc.problems:
                assert problem.line is not None, problem
            return
        _policy_checked(policy)


@_FUZZ
@given(doc=mutated(_DESK))
def test_hostile_policy_mapping_gives_a_policy_or_a_policy_error(
    bounded: Bounded, doc: Any
) -> None:
    """Law: through the API, a mapping with hostile values (ints of any size, surrogates)
    loads or is a PolicyError."""
    with bounded():
        try:
            policy = load_policy(doc)
        except PolicyError:
            return
        _policy_checked(policy)


@_FUZZ
@given(
    data=st.binary(max_size=400) | hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    suffix=st.sampled_from([".yaml", ".json", ".toml"]),
)
def test_hostile_policy_bytes_give_a_policy_or_a_policy_error(
    bounded: Bounded, tmp_path: Path, data: bytes, suffix: str
) -> None:
    """Law: whatever bytes a policy file holds, loading it is a Policy or a PolicyError."""
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    with bounded(), suppress(PolicyError):
        load_policy(path)


@_FUZZ
@given(raw=mutated(_TICKET, times=3), as_of=_instants)
def test_hostile_tickets_evaluate_or_raise_an_engine_error(
    bounded: Bounded, raw: Any, as_of: datetime
) -> None:
    """Law: a ticket built from hostile data, evaluated at any instant, gives an answer or an
    SLAEngineError."""
    assert _POLICY.sla is not None
    with bounded():
        try:
            ticket = Ticket.from_mapping(raw)
            evaluate(_POLICY.sla, ticket, as_of=as_of)
            evaluate(_POLICY.sla, ticket, as_of=as_of, explain=False)
            next_deadlines(_POLICY.sla, ticket, as_of=as_of)
        except SLAEngineError:
            pass


@_FUZZ
@given(
    raw=mutated(_INCIDENTS, times=3),
    year=st.integers(min_value=-5, max_value=10_005) | st.sampled_from([1900, 2026, 2199]),
    month=st.integers(min_value=0, max_value=13),
    amount=hostile_scalar,
    claim=st.none() | _instants,
    users=st.integers(min_value=-1, max_value=10**7) | st.sampled_from([True, 3]),
)
def test_hostile_credits_compute_or_raise_an_engine_error(
    bounded: Bounded,
    raw: Any,
    year: int,
    month: int,
    amount: Any,
    claim: datetime | None,
    users: int,
) -> None:
    """Law: incidents, periods, fees and claims from hostile data give a decision or an
    SLAEngineError; so does Policy.fee."""
    assert _POLICY.credit_schedule is not None
    with bounded():
        with suppress(SLAEngineError):
            _POLICY.fee("standard", users=users)
        try:
            incidents = [Incident.from_mapping(i) for i in raw["incidents"]]
            fee = Fee.from_mapping({"amount": amount, "currency": "USD", "per": "month"})
            decision = compute_credit(
                _POLICY.credit_schedule,
                incidents,
                period=BillingPeriod.month(year, month),
                fee=fee,
                claim_filed_at=claim,
            )
            decision.to_json()
        except (SLAEngineError, TypeError, KeyError):
            # TypeError/KeyError: the mutation replaced the list itself (the test's own reading)
            pass


@_FUZZ
@given(
    kind=st.sampled_from(["ticket", "event", "incident", "fee", "period"]),
    values=st.lists(hostile_scalar | _instants, min_size=6, max_size=6),
)
def test_hostile_direct_constructors_raise_engine_errors(
    bounded: Bounded, kind: str, values: list[Any]
) -> None:
    """Law: the value classes built directly from any values are built or raise an
    SLAEngineError, never another exception."""
    a, b, c, d, e, f = values
    with bounded(), suppress(SLAEngineError):
        if kind == "ticket":
            Ticket(id=a, tier=b, severity=c, channel=d, issue_class=e, events=())
        elif kind == "event":
            Event(kind=EventKind.STATUS_CHANGED, at=a, value=b)
        elif kind == "incident":
            Incident(id=a, start=b, end=c, cause=d, error_rate=e, affected_share=f)
        elif kind == "fee":
            Fee(amount=a, currency=b, per=c)
        else:
            BillingPeriod.month(a, b)


@_FUZZ
@given(
    rule=hostile_rrule,
    first=st.sampled_from(
        ["1900-01-01T00:00:00Z", "2026-01-04T02:00:00-05:00", "2199-06-01T00:00:00Z"]
    ),
    zone=st.sampled_from(["UTC", "America/New_York", "Pacific/Apia"]),
    year=st.sampled_from([1900, 2026, 2199]),
)
def test_hostile_maintenance_rules_expand_or_raise_credit_errors(
    bounded: Bounded, rule: str, first: str, zone: str, year: int
) -> None:
    """Law: a recurring maintenance rule expands over any period in bounded time, or is a
    CreditError."""
    with bounded(), suppress(SLAEngineError):
        recurring = RecurringMaintenance.from_mapping(
            {
                "id": "M",
                "rule": rule,
                "first": first,
                "duration": "2h",
                "timezone": zone,
                "announced_at": "1900-01-01T00:00:00Z",
            }
        )
        period = BillingPeriod.month(year, 12 if year == 2199 else 1)
        recurring.occurrences(period.start_us, period.end_us)


def _flag_value() -> st.SearchStrategy[str]:
    return st.one_of(
        hostile_text,
        st.sampled_from(
            [
                "9999-12",
                "0000-01",
                "2026-03",
                "2026-Q1",
                "1899-12-31",
                "1e999999999",
                "1e5000",
                "-0",
                "NaN",
                "now",
                "0001-01-01T00:00:00Z",
                "9999-12-31T23:59:59Z",
                "2026-03-10T00:00:00",
                "2026-03-10T00:00:00Z",
                "localtime",
                "A" * 300,
            ]
        ),
    )


def _clean(code: int, capsys: pytest.CaptureFixture[str]) -> None:
    captured = capsys.readouterr()
    assert code in (0, 1, 2), (code, captured)
    assert "Traceback" not in captured.err
    if code:
        assert "error" in captured.err + captured.out, captured


@_FUZZ
@given(
    command=st.sampled_from(["evaluate", "credit", "validate", "render"]),
    tickets=mutated(_TICKET, times=3),
    incidents=mutated(_INCIDENTS, times=3),
    policy=mutated(_DESK, times=1) | st.just(_DESK),
    flag=_flag_value(),
    which=st.integers(min_value=0, max_value=3),
)
def test_hostile_cli_input_exits_cleanly(
    bounded: Bounded,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    tickets: Any,
    incidents: Any,
    policy: Any,
    flag: str,
    which: int,
) -> None:
    """Law: the command, run in-process on hostile files and flag values, exits 0, 1 or 2
    with an error line on failure, never a traceback."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    text = _dump(policy, "yaml")
    desk = tmp_path / "desk.yaml"
    desk.write_text(text, "utf-8", errors="surrogatepass")
    with _wide_ints():
        tickets_text = json.dumps(tickets, ensure_ascii=False) + "\n"
        incidents_text = json.dumps(incidents, ensure_ascii=False)
    t_file = tmp_path / "t.jsonl"
    t_file.write_text(tickets_text, "utf-8", errors="surrogatepass")
    i_file = tmp_path / "i.json"
    i_file.write_text(incidents_text, "utf-8", errors="surrogatepass")
    if command == "evaluate":
        values = ["2026-03-10T00:00:00Z"]
        argv = ["evaluate", "--policy", str(desk), "--tickets", str(t_file), "--as-of", flag]
        if which == 1:
            argv[-1] = values[0]
            argv.append("--explain")
    elif command == "credit":
        args = {"--period": "2026-03", "--fee": "10", "--claim-filed-at": "2026-03-20T00:00:00Z"}
        args[["--period", "--fee", "--claim-filed-at", "--timezone"][which]] = flag
        argv = ["credit", "--policy", str(desk), "--incidents", str(i_file)]
        for key, value in args.items():
            argv += [key, value]
    elif command == "validate":
        argv = ["validate", str(desk), *(["--format", "json"] if which else [])]
    else:
        argv = ["render", str(desk), "--format", "html" if which else "markdown"]
    with bounded():
        code = main(argv)
    _clean(code, capsys)
    if command == "validate" and code == 0:
        assert load_policy(desk) is not None
