"""Defects found by an adversarial run after the hardening issue, one named test each: every one
failed (a raw exception, a hang or a different answer) before its fix."""

from __future__ import annotations

import contextlib
import functools
import json
import pickle
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounded import bounded
from sla_engine import BusinessCalendar
from sla_engine.calendar import MAX_COMPOSED
from sla_engine.cli import main
from sla_engine.closures import HolidaySource, parse_years
from sla_engine.credits import (
    BillingPeriod,
    Fee,
    Incident,
    RecurringMaintenance,
    _read,
    billing_run,
    compute_credit,
)
from sla_engine.errors import CalendarError, CreditError, HorizonError
from sla_engine.policy import load_policy
from sla_engine.policy.freeze import freeze_holidays
from sla_engine.render import render_policy

__all__ = ["bounded"]

Bounded = Callable[..., AbstractContextManager[None]]

CAPPED = """
format_version: 1
name: db
version: '1'
effective_from: 2026-01-01
currency: USD
credits:
  basis: period
  fee_basis: month
  rule: {kind: flat_step, threshold: 1h, inclusive: true, credit: 30%}
  cap_per_period: {percent: 20%, of: invoice}
  cap_per_12_months: 100%
"""


def _capped_credit(charges: dict[str, Decimal], credited_before: Decimal) -> Any:
    incident = Incident(
        id="a",
        start=datetime(2026, 3, 2, tzinfo=UTC),
        end=datetime(2026, 3, 2, 2, tzinfo=UTC),
    )
    return compute_credit(
        load_policy(text=CAPPED, format="yaml"),
        [incident],
        period=BillingPeriod.month(2026, 3),
        fee=Fee(amount=Decimal("1000.00"), currency="USD", per="month"),
        charges=charges,
        credited_before=credited_before,
    )


@pytest.mark.parametrize("amount", ["1e999999999", "1E-999999999", "1e40"])
def test_credited_before_beyond_the_bound_is_a_credit_error(bounded: Bounded, amount: str) -> None:
    """credited_before=1e999999999 hung in the exact arithmetic of the 12-month cap (and the CLI's
    --credited-before with it); it is bounded like every number of credits."""
    with bounded(), pytest.raises(CreditError) as info:
        _capped_credit({"invoice": Decimal(1000)}, Decimal(amount))
    assert info.value.path == ("credited_before",)


@pytest.mark.parametrize("amount", ["1e999999999", "1E-999999999", "1e40"])
def test_charges_beyond_the_bound_are_a_credit_error(bounded: Bounded, amount: str) -> None:
    """charges={'invoice': 1e999999999} hung in a cap of the invoice (and --charges with it)."""
    with bounded(), pytest.raises(CreditError) as info:
        _capped_credit({"invoice": Decimal(amount)}, Decimal(0))
    assert info.value.path == ("charges", "invoice")


def test_bounded_charges_and_credited_before_still_credit() -> None:
    """The largest accepted amounts still give an exact answer (the bound is not too tight)."""
    decision = _capped_credit({"invoice": Decimal("9" * 36)}, Decimal("0." + "0" * 35 + "1"))
    assert decision.amount == Decimal("300.00")


HUGE = 10**5000


@pytest.mark.parametrize(
    "definition",
    [
        {"holidays": {"country": "US", "frozen": HUGE, "dates": {}}},
        {"holidays": {"country": "US", "frozen": "2026", "dates": {HUGE: "x"}}},
        {"special": {HUGE: []}},
        {"closed": [{HUGE: 1}]},
        {"hours": {"mon": [HUGE]}},
        {"name": HUGE},
    ],
    ids=["frozen", "frozen-date", "special-key", "closed-key", "hours", "name"],
)
def test_calendar_definition_with_a_huge_integer_is_a_calendar_error(
    definition: dict[str, Any],
) -> None:
    """An integer of 5,000 digits anywhere in a calendar's definition raised Python's
    int-to-text ValueError while the error message was being written."""
    kwargs: dict[str, Any] = {"timezone": "UTC", "hours": "24x7", **definition}
    with pytest.raises(CalendarError):
        BusinessCalendar(**kwargs)


def test_parse_years_of_a_huge_integer_is_a_calendar_error() -> None:
    """parse_years (the --years of a freeze, a source's 'frozen') with a 5,000-digit int."""
    with pytest.raises(CalendarError):
        parse_years(HUGE, ("holidays", "frozen"))


@pytest.mark.parametrize("name", [None, ["New Year"], 1, Decimal(1)])
def test_frozen_date_name_that_is_not_text_is_refused(name: object) -> None:
    """A frozen date's name of None or a list was silently accepted as the text 'None'."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(
            timezone="UTC",
            hours="24x7",
            holidays={"country": "US", "frozen": "2026", "dates": {"2026-01-01": name}},
        )
    assert info.value.path == ("holidays", "dates", "2026-01-01")


SPARK = Path(__file__).resolve().parent.parent / "examples" / "policies" / "spark-drive.yaml"
INCIDENTS_CSV = "customer,start,end\nacme,2026-03-03T14:00:00Z,2026-03-03T19:30:00Z\n"


def _billing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], customers: str, name: str = "c.csv"
) -> tuple[int, str, str]:
    (tmp_path / name).write_text(customers, encoding="utf-8")
    (tmp_path / "i.csv").write_text(INCIDENTS_CSV, encoding="utf-8")
    argv = ["credit", "--policy", str(SPARK), "--customers", str(tmp_path / name)]
    code = main([*argv, "--incidents", str(tmp_path / "i.csv"), "--period", "2026-03"])
    out, err = capsys.readouterr()
    return code, out, err


def test_billing_csv_with_a_column_named_twice_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'customer,fee,fee' silently took the last fee; it is an error naming the column."""
    code, out, err = _billing(tmp_path, capsys, "customer,fee,fee\nacme,1000.00,2\n")
    assert (code, out) == (1, "")
    assert f"{tmp_path / 'c.csv'}:1: the column 'fee' is named twice" in err


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("acme,1e999999999,", "fee"),
        ("acme,1000.00,0001-01-01T00:00:00Z", "claim_filed_at"),
    ],
)
def test_billing_row_errors_name_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, where: str
) -> None:
    """A bad value in the third row of a customers file named neither the file nor the row
    (and a claim_filed_at outside the horizon lost even the customer's path)."""
    good = "globex,5.00,\nfoo,5.00,\n"
    code, out, err = _billing(tmp_path, capsys, f"customer,fee,claim_filed_at\n{good}{row}\n")
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {tmp_path / 'c.csv'}:4: {where}: ")


def test_billing_run_claim_outside_the_horizon_names_the_customer_row() -> None:
    """billing_run's HorizonError for a claim in year 1 had the path ('claim_filed_at',)."""
    policy = load_policy(SPARK)
    assert policy.billing_cycle is not None
    with pytest.raises(HorizonError) as info:
        billing_run(
            policy,
            customers=[
                {"customer": "a", "fee": "1"},
                {"customer": "b", "fee": "1", "claim_filed_at": "0001-01-01T00:00:00Z"},
            ],
            incidents=[],
            period=policy.billing_cycle.containing(datetime(2026, 3, 5, tzinfo=UTC)),
        )
    assert info.value.path == ("customers", 1, "claim_filed_at")


def test_billing_json_rows_with_a_5000_digit_number_are_refused_with_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .json customers file with a 5,000-digit integer printed Python's own int-limit
    message, naming no file."""
    code, out, err = _billing(
        tmp_path, capsys, '[{"customer": "acme", "fee": ' + "9" * 5000 + "}]", "c.json"
    )
    assert (code, out) == (1, "")
    assert err == f"error: {tmp_path / 'c.json'}: a number is too long to read\n"


FROZEN_ZONES = ["America/Los_Angeles", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Tehran"]


def _live_and_frozen(zone: str) -> tuple[BusinessCalendar, BusinessCalendar]:
    live = BusinessCalendar(
        timezone=zone, hours={"mon-fri": ["09:00-17:00"], "sat": ["22:00-06:00"]}, holidays="US"
    )
    frozen = BusinessCalendar(
        timezone=zone,
        hours={"mon-fri": ["09:00-17:00"], "sat": ["22:00-06:00"]},
        holidays=HolidaySource(country="US").freeze(2026, 2030).to_mapping(),
    )
    return live, frozen


@pytest.mark.parametrize(
    ("zone", "local"),
    [
        ("America/Los_Angeles", datetime(2030, 12, 31, 16, 30)),  # UTC is already in 2031
        ("Etc/GMT+12", datetime(2030, 12, 31, 13, 0)),
        ("Pacific/Kiritimati", datetime(2026, 1, 1, 5, 0)),  # UTC is still in 2025
    ],
)
def test_frozen_calendar_answers_the_edges_of_its_own_years(zone: str, local: datetime) -> None:
    """Frozen for 2026-2030, a calendar west of UTC refused every question after the UTC new
    year on 2030-12-31 (and one east of UTC before it on 2026-01-01): compiling the whole UTC
    year read dates past the frozen ones. It answers as the live calendar does."""
    live, frozen = _live_and_frozen(zone)
    t = local.replace(tzinfo=ZoneInfo(zone))
    assert frozen.is_open(t) == live.is_open(t)
    assert frozen.next_close(t) == live.next_close(t)


@settings(max_examples=100, deadline=None)
@given(
    zone=st.sampled_from(FROZEN_ZONES),
    warm=st.lists(st.integers(min_value=-400, max_value=2200), max_size=3),
    a=st.integers(min_value=0, max_value=5 * 365 * 24),
    b=st.integers(min_value=0, max_value=5 * 365 * 24),
)
def test_frozen_calendar_agrees_with_live_inside_its_years_whatever_was_asked(
    zone: str, warm: list[int], a: int, b: int
) -> None:
    """Law: inside the local years it holds, a frozen calendar (fresh, or warmed by questions
    before, after or inside its years, answered or refused) answers as the live one."""
    live, frozen = _live_and_frozen(zone)
    start = datetime(2026, 1, 1, tzinfo=ZoneInfo(zone))
    for days in warm:
        with contextlib.suppress(CalendarError):
            frozen.is_open(start + timedelta(days=days))
    t, u = sorted((start + timedelta(hours=a), start + timedelta(hours=b)))
    assert frozen.is_open(t) == live.is_open(t)
    assert frozen.elapsed(t, u) == live.elapsed(t, u)
    assert frozen.segments(t, u) == live.segments(t, u)


FULL_CREDIT = """
format_version: 1
name: db
version: '1'
effective_from: 2026-01-01
currency: USD
credits:
  basis: period
  rule: {kind: flat_step, threshold: 1h, inclusive: true, credit: 100%}
"""


def test_billing_totals_of_large_amounts_are_exact() -> None:
    """Two credits of 99999999999999999999999999999999.99 totalled 2.000000000000000000000000000E+32
    (the default 28-digit context rounded the sum silently)."""
    fee = "99999999999999999999999999999999.99"
    table = billing_run(
        load_policy(text=FULL_CREDIT, format="yaml"),
        customers=[{"customer": c, "fee": fee} for c in ("a", "b")],
        incidents=[
            {"customer": c, "start": "2026-03-02T00:00:00Z", "end": "2026-03-02T02:00:00Z"}
            for c in ("a", "b")
        ],
        period=BillingPeriod.month(2026, 3),
    )
    assert [row.amount for row in table.rows()] == [Decimal(fee)] * 2
    assert table.totals() == {"USD": Decimal("199999999999999999999999999999999.98")}
    assert str(table.totals()["USD"]) == "199999999999999999999999999999999.98"


def test_share_written_as_a_long_percentage_is_exact() -> None:
    """An error rate of '12.3456789012345678901234567891234%' became the share
    0.1234567890123456789012345679 (rounded to 28 digits); in a policy the same."""
    assert _read.share("12.3456789012345678901234567891234%", ()) == Decimal(
        "0.123456789012345678901234567891234"
    )
    assert _read.share("100%", ()) == 1 and str(_read.share("5%", ())) == "0.05"
    incident = Incident.from_mapping(
        {
            "id": "x",
            "start": "2026-03-02T00:00:00Z",
            "end": "2026-03-02T02:00:00Z",
            "error_rate": "12.3456789012345678901234567891234%",
        }
    )
    assert incident.error_rate == Decimal("0.123456789012345678901234567891234")
    policy = load_policy(
        text=FULL_CREDIT + "  min_error_rate: '12.345678901234567890123456789012%'\n",
        format="yaml",
    )
    assert policy.credit_schedule is not None
    assert policy.credit_schedule.min_error_rate == Decimal("0.12345678901234567890123456789012")


def test_long_share_thresholds_render_and_round_trip_exactly() -> None:
    """render and the schedule's plain form showed min_error_rate * 100 rounded to 28 digits."""
    text = FULL_CREDIT + "  min_error_rate: '12.345678901234567890123456789012%'\n"
    policy = load_policy(text=text, format="yaml")
    assert policy.credit_schedule is not None
    shown = str(policy.credit_schedule.to_mapping()["min_error_rate"])
    assert Decimal(shown.removesuffix("%")) == Decimal("12.345678901234567890123456789012")
    assert "12.345678901234567890123456789012" in render_policy(policy)  # all 32 digits


def test_composing_a_calendar_with_itself_over_and_over_is_refused(bounded: Bounded) -> None:
    """c = c | c, twenty times, made is_open take seconds and == or hash never end (every walk
    visits the operands as a tree: 2**20 of them); 3,000 unions in a chain hit the recursion
    limit. A composition holds at most MAX_COMPOSED calendars."""
    base = BusinessCalendar(timezone="UTC", hours={"mon-fri": ["09:00-17:00"]})
    doubled = base
    with bounded():
        for _ in range(7):
            doubled = doubled | doubled
        assert doubled._size == MAX_COMPOSED
        assert doubled.is_open(datetime(2026, 1, 5, 10, tzinfo=UTC))
        assert doubled == pickle.loads(pickle.dumps(doubled))
        with pytest.raises(CalendarError):
            doubled | base
        chain = base
        with pytest.raises(CalendarError):
            for _ in range(3000):
                chain = chain - base
        with pytest.raises(CalendarError) as info:
            BusinessCalendar.from_mapping({"union": [{"timezone": "UTC", "hours": "24x7"}] * 200})
        assert "at most 128 calendars" in info.value.message


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=\u00b2",
        "FREQ=DAILY;COUNT=\u00b2",
        "FREQ=YEARLY;BYEASTER=-\u00b2",
        "FREQ=DAILY;INTERVAL=" + "9" * 5000,
    ],
)
def test_closed_rrule_with_odd_digits_is_a_calendar_error(rule: str) -> None:
    """'²' passes str.isdigit but not int(); 5,000 digits passed isdigit and hit the int limit."""
    with pytest.raises(CalendarError) as info:
        BusinessCalendar(
            timezone="UTC", hours="24x7", closed=[{"rrule": rule, "start": "2026-01-01"}]
        )
    assert info.value.path == ("closed", 0, "rrule")


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=\u00b2",
        "FREQ=DAILY;COUNT=\u00b2",
        "FREQ=YEARLY;BYMONTH=\u00b2;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=\u00b3\u2070",
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=" + "9" * 5000,
    ],
)
def test_maintenance_rule_with_odd_digits_is_a_credit_error(rule: str) -> None:
    """The same digits in a recurring maintenance window raised ValueError from int()."""
    with pytest.raises(CreditError) as info:
        RecurringMaintenance.from_mapping(
            {
                "id": "m",
                "rule": rule,
                "first": "2026-01-01T00:00:00Z",
                "duration": "1h",
                "timezone": "UTC",
                "announced_at": "2025-01-01T00:00:00Z",
            }
        )
    assert info.value.path == ("rule",)


LONE = '"\\ud800"'


@pytest.mark.parametrize("where", ["id", "channel"])
def test_ticket_with_a_lone_surrogate_is_a_located_error_and_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """A ticket id of "\\ud800" (a JSON escape) printed the tickets before it, then failed
    writing with Python's codec message naming no line."""
    ticket = {
        "id": "T",
        "tier": "premium",
        "events": [{"kind": "created", "at": "2026-03-09T09:00:00Z"}],
    }
    good = json.dumps(ticket)
    bad = json.dumps({**ticket, "id": "U", where: "\ud800"})  # written as the escape
    assert "\\ud800" in bad
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    argv = ["evaluate", "--policy", str(SPARK), "--tickets", str(tickets)]
    code = main([*argv, "--as-of", "2026-03-10T00:00:00Z"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert f"{tickets}:2: a string holds a lone surrogate" in err


def test_incidents_and_tables_with_a_lone_surrogate_are_refused_before_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same escape in an incidents file, or a .json billing table, ended in a codec error
    after part of the output (the CSV header) was printed."""
    incidents = tmp_path / "i.json"
    incidents.write_text(
        '[{"id": ' + LONE + ', "start": "2026-03-03T14:00:00Z", "end": "2026-03-03T19:30:00Z"}]',
        encoding="utf-8",
    )
    base = ["credit", "--policy", str(SPARK), "--period", "2026-03"]
    code = main([*base, "--incidents", str(incidents), "--fee", "100"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert f"error: {incidents}: a string holds a lone surrogate" in err
    customers = tmp_path / "c.json"
    customers.write_text('[{"customer": ' + LONE + ', "fee": "1"}]', encoding="utf-8")
    (tmp_path / "none.json").write_text("[]", encoding="utf-8")
    code = main([*base, "--customers", str(customers), "--incidents", str(tmp_path / "none.json")])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert f"error: {customers}: a string holds a lone surrogate" in err


@pytest.mark.parametrize(
    ("holidays", "years"),
    [
        (5, (2026, 2027)),
        (functools.reduce(lambda inner, _: [inner], range(5000), "US"), (2026, 2027)),
        ("US", ("2026", 2027)),
        ("US", (HUGE, HUGE)),
    ],
    ids=["int", "deep-list", "year-text", "year-huge"],
)
def test_freeze_holidays_of_raw_data_raises_calendar_errors(
    holidays: object, years: tuple[Any, Any]
) -> None:
    """freeze_holidays on unchecked data raised TypeError (holidays: 5, a year given as text),
    RecursionError (a list nested 5,000 deep) or ValueError (a 5,000-digit year)."""
    with pytest.raises(CalendarError):
        freeze_holidays({"calendars": {"a": {"holidays": holidays}}}, *years)


def test_json_input_naming_a_key_twice_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """{"id": "T", ..., "id": "U"} in a ticket (or two "at" in an event, or two "end" in an
    incident) silently took the last value; like a CSV column named twice, it is an error."""
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(
        '{"id": "T", "tier": "premium", "events": '
        '[{"kind": "created", "at": "2026-03-09T09:00:00Z", "at": "2026-03-01T09:00:00Z"}]}\n',
        encoding="utf-8",
    )
    argv = ["evaluate", "--policy", str(SPARK), "--tickets", str(tickets)]
    code = main([*argv, "--as-of", "2026-03-10T00:00:00Z"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert f"{tickets}:1: the key 'at' appears twice in one object" in err
    incidents = tmp_path / "i.json"
    incidents.write_text(
        '[{"id": "a", "start": "2026-03-03T14:00:00Z", "end": "2026-03-03T15:00:00Z", '
        '"end": "2026-03-03T19:30:00Z"}]',
        encoding="utf-8",
    )
    base = ["credit", "--policy", str(SPARK), "--period", "2026-03", "--fee", "100"]
    code = main([*base, "--incidents", str(incidents)])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert f"error: {incidents}: the key 'end' appears twice in one object" in err


def test_feed_us_outside_the_horizon_is_refused_at_once() -> None:
    """The integer fast path refuses an instant past the horizon when fed, not at a later
    evaluate or snapshot (which raised OverflowError)."""
    from sla_engine.clocks import EventKind, TicketClock
    from sla_engine.errors import HorizonError
    from sla_engine.policy import load_policy

    sla = load_policy(
        Path(__file__).resolve().parent.parent / "examples" / "policies" / "spark-drive.yaml"
    ).sla
    assert sla is not None
    clock = TicketClock(sla, ticket_id="T", tier="enterprise", severity="sev1")
    with pytest.raises(HorizonError):
        clock.feed_us(10**30, EventKind.CREATED)
    clock.feed_us(1_772_000_000_000_000, EventKind.CREATED)
    assert clock.snapshot()["clock"]


def test_a_ticket_of_too_many_events_is_refused() -> None:
    """A ticket holds at most MAX_EVENTS events: more is a TicketError naming the count, before
    any work (200,001 events took 11 s and 435 MB)."""
    from sla_engine.clocks import Event, EventKind, Ticket
    from sla_engine.clocks.events import MAX_EVENTS
    from sla_engine.errors import TicketError

    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    note = Event(kind=EventKind.INTERNAL_NOTE, at=at)
    events = (Event(kind=EventKind.CREATED, at=at), *([note] * MAX_EVENTS))
    with pytest.raises(TicketError, match="at most 100,000"):
        Ticket(id="T", events=events)
    assert len(Ticket(id="T", events=events[:MAX_EVENTS]).events) == MAX_EVENTS
