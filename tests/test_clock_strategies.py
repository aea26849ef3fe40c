"""The named strategies of ticket clocks, each checked against hand-worked due times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sla_engine.calendar import BusinessCalendar
from sla_engine.clocks import (
    SLA,
    CycleState,
    Event,
    EventKind,
    Match,
    Metric,
    Reopen,
    SeverityChange,
    Strategies,
    TargetRule,
    Ticket,
    evaluate,
)

T0 = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # a Monday, 08:00 UTC
H = timedelta(hours=1)
CALS = {
    "always": BusinessCalendar.always(),
    "office": BusinessCalendar(timezone="UTC", hours={"mon-fri": ["09:00-17:00"]}),
}
SEV1 = Match(severity=frozenset({"sev1"}))


def sla(**strategies: object) -> SLA:
    return SLA(
        calendars=CALS,
        metrics=(Metric.first_response(), Metric.workaround(), Metric.resolution()),
        targets={
            "first_response": (TargetRule(name="all", target=4 * H, calendar="always"),),
            "workaround": (
                TargetRule(name="sev1", when=SEV1, target=8 * H, calendar="always"),
                TargetRule(name="others", target=None),
            ),
            "resolution": (
                TargetRule(name="sev1", when=SEV1, target=2 * H, calendar="always"),
                TargetRule(name="others", target=8 * H, calendar="office"),
            ),
        },
        strategies=Strategies(**strategies),  # type: ignore[arg-type]
    )


def ticket(*events: tuple[timedelta, str, str | None], severity: str = "sev2") -> Ticket:
    return Ticket(
        id="S-1",
        severity=severity,
        events=(
            Event(kind=EventKind.CREATED, at=T0),
            *(Event(kind=EventKind(k), at=T0 + off, value=v) for off, k, v in events),
        ),
    )


@pytest.mark.parametrize(
    ("change", "due"),
    [
        # office 8 h from 08:00: 1 h counted by 10:00. Sev 1 is 2 h around the clock.
        (SeverityChange.RECOMPUTE, T0 + 2 * H),  # 2 h since 08:00 on the new calendar
        (SeverityChange.CARRY, T0 + 3 * H),  # the 1 h counted carries: 1 h more from 10:00
        (SeverityChange.RESTART, T0 + 4 * H),  # 2 h from the change at 10:00
    ],
)
def test_severity_change_strategies(change: SeverityChange, due: datetime) -> None:
    """Recompute, carry and restart give the resolution due times worked by hand."""
    t = ticket((2 * H, "severity_changed", "sev1"))
    c = evaluate(sla(severity_change=change), t, as_of=T0 + 2 * H).current("resolution")
    assert c is not None and c.due == due and c.calendar == "always"


def test_breach_survives_a_later_lower_severity() -> None:
    """A breach already reached stays a breach after a change to a longer target."""
    t = ticket((3 * H, "severity_changed", "sev2"), severity="sev1")
    c = evaluate(sla(), t, as_of=T0 + 4 * H).current("resolution")
    assert c is not None and c.state is CycleState.BREACHED
    assert c.breached_at == T0 + 2 * H + timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("reopen", "cycles", "due"),
    [
        (Reopen.RESUME, 1, T0 + 11 * H),  # 2 h used before resolving, 6 h left from +5 h
        (Reopen.NEW_CYCLE, 2, T0 + 13 * H),  # a fresh 8 h from +5 h
    ],
)
def test_reopen_strategies(reopen: Reopen, cycles: int, due: datetime) -> None:
    """Resume continues the same resolution cycle; new_cycle opens another."""
    t = ticket((2 * H, "resolved", None), (5 * H, "reopened", None), severity="sev3")
    s = SLA(
        calendars=CALS,
        metrics=(Metric.resolution(),),
        targets={"resolution": (TargetRule(name="all", target=8 * H, calendar="always"),)},
        strategies=Strategies(reopen=reopen),
    )
    result = evaluate(s, t, as_of=T0 + 6 * H)
    found = result.of("resolution")
    assert len(found) == cycles
    assert found[-1].due == due and found[-1].state is CycleState.RUNNING
    if cycles == 2:
        assert found[0].state is CycleState.MET


@pytest.mark.parametrize(("pauses", "due"), [(False, T0 + 4 * H), (True, T0 + 6 * H)])
def test_first_response_pauses(pauses: bool, due: datetime) -> None:
    """By default Waiting on Customer does not pause first response; with the choice it does."""
    t = ticket(
        (1 * H, "status_changed", "Waiting on Customer"), (3 * H, "status_changed", "In Progress")
    )
    c = evaluate(sla(first_response_pauses=pauses), t, as_of=T0 + 3 * H).current("first_response")
    assert c is not None and c.due == due


@pytest.mark.parametrize(("retro", "due"), [(True, T0 + 8 * H), (False, T0 + 11 * H)])
def test_retroactive_start(retro: bool, due: datetime) -> None:
    """A workaround target that starts to apply at +3 h counts from creation, or from then."""
    t = ticket((3 * H, "severity_changed", "sev1"))
    result = evaluate(sla(retroactive_start=retro), t, as_of=T0 + 3 * H)
    c = result.current("workaround")
    assert c is not None and c.due == due
    assert evaluate(sla(retroactive_start=retro), t, as_of=T0 + H).current("workaround") is None
