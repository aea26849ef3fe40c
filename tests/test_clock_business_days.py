"""Business-day targets ("7bd"): fixed at the cycle's start, then counted like business time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla_engine._time import BusinessDays
from sla_engine.clocks import SLA, CycleState, TargetRule, Ticket, evaluate
from sla_engine.errors import TicketError

NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)


def policy(target: object = "7bd", **extra: object) -> dict:
    """Background checks (seed: 1-7 business days) on a New York 9-to-5 with US holidays."""
    return {
        "calendars": {
            "office": {
                "timezone": "America/New_York",
                "hours": {"mon-fri": ["09:00-17:00"]},
                "holidays": {"country": "US"},
            }
        },
        "metrics": [{"name": "resolution", "kind": "resolution"}],  # paused by Waiting on Customer
        "targets": {
            "resolution": [{"name": "checkr", "target": target, "calendar": "office", **extra}]
        },
    }


def ticket(start: datetime, *steps: tuple[datetime, str, str | None]) -> Ticket:
    events = [{"kind": "created", "at": start.isoformat()}]
    events += [
        {"kind": k, "at": at.isoformat(), **({"value": v} if v else {})} for at, k, v in steps
    ]
    return Ticket.from_mapping({"id": "BG-1", "events": events})


def test_business_day_target_is_read_and_written_as_plain_data() -> None:
    """'7bd' reads as BusinessDays(7) and is written back as '7bd'."""
    sla = SLA.from_mapping(policy())
    rule = sla.targets["resolution"][0]
    assert rule.target == BusinessDays(days=7)
    assert rule.to_mapping()["target"] == "7bd"
    assert SLA.from_mapping(sla.to_mapping()) == sla


def test_business_day_target_becomes_business_time_at_the_cycle_start() -> None:
    """7bd from Friday 15:00 is 56h of office time (2h + 6 full days + 6h), due Tue 17 15:00."""
    start = datetime(2026, 3, 6, 15, 0, tzinfo=NY)  # a Friday
    result = evaluate(SLA.from_mapping(policy()), ticket(start), as_of=start)
    status = result.current("resolution")
    assert status is not None
    assert status.target == 56 * H
    assert status.due == datetime(2026, 3, 17, 15, 0, tzinfo=NY)
    assert status.state is CycleState.RUNNING
    assert any("7bd (= 56h of business time" in line for line in result.trace)


def test_business_day_target_follows_the_calendar_formula() -> None:
    """The target is cal.elapsed(start, cal.add_business_days(start, n)) on the rule's calendar."""
    sla = SLA.from_mapping(policy("3bd"))
    cal = sla.calendars["office"]
    for start, hours in (
        # the day before Thanksgiving: Wed 7 h, (Thu closed), Fri 8 h, Mon 8 h, Tue 1 h
        (datetime(2026, 11, 25, 10, 0, tzinfo=NY), 24),
        # an evening before New Year's Day: (Fri closed), Mon, Tue and Wed 8 h each
        (datetime(2026, 12, 31, 20, 30, tzinfo=NY), 24),
        # a Saturday, before the DST change: Mon 8 h, Tue 8 h, Wed 09:00-11:00
        (datetime(2026, 3, 7, 11, 0, tzinfo=NY), 18),
    ):
        status = evaluate(sla, ticket(start), as_of=start).current("resolution")
        assert status is not None
        assert status.target == cal.elapsed(start, cal.add_business_days(start, 3))
        assert status.target == hours * H


def test_business_days_skip_a_holiday() -> None:
    """2bd from Wed 25 Nov 10:00 skips Thanksgiving: Wed 7h + Fri 8h + Mon 1h = 16h."""
    start = datetime(2026, 11, 25, 10, 0, tzinfo=NY)
    status = evaluate(SLA.from_mapping(policy("2bd")), ticket(start), as_of=start).current(
        "resolution"
    )
    assert status is not None
    assert status.target == 16 * H
    assert status.due == datetime(2026, 11, 30, 10, 0, tzinfo=NY)


def test_pause_extends_a_business_day_target() -> None:
    """Waiting on the customer all Monday moves the due time by that business day (to Wed)."""
    start = datetime(2026, 3, 6, 15, 0, tzinfo=NY)
    paused = ticket(
        start,
        (datetime(2026, 3, 16, 9, 0, tzinfo=NY), "status_changed", "Waiting on Customer"),
        (datetime(2026, 3, 17, 9, 0, tzinfo=NY), "status_changed", "In Progress"),
    )
    as_of = datetime(2026, 3, 17, 9, 0, tzinfo=NY)
    status = evaluate(SLA.from_mapping(policy()), paused, as_of=as_of).current("resolution")
    assert status is not None
    assert status.target == 56 * H  # fixed at the start, not recounted at the resume
    assert status.due == datetime(2026, 3, 18, 15, 0, tzinfo=NY)


def test_business_day_target_needs_at_least_one_day() -> None:
    """'0bd' is refused with its path; a warning lead in business days is still refused."""
    with pytest.raises(TicketError) as err:
        SLA.from_mapping(policy("0bd"))
    assert err.value.path == ("targets", "resolution", 0, "target")
    with pytest.raises(TicketError):
        SLA.from_mapping({**policy(), "warnings": [{"name": "early", "lead": "1bd"}]})
    with pytest.raises(TicketError):
        TargetRule(name="x", target=BusinessDays(days=0))
