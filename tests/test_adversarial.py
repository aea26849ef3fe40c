"""Defects found by an adversarial run after the hardening issue, one named test each: every one
failed (a raw exception, a hang or a different answer) before its fix."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bounded import bounded
from sla_engine import BusinessCalendar
from sla_engine.closures import parse_years
from sla_engine.credits import BillingPeriod, Fee, Incident, compute_credit
from sla_engine.errors import CalendarError, CreditError
from sla_engine.policy import load_policy

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
