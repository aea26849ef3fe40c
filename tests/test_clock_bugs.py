"""The three clock paths issue 9 found wrong, each as its exact scenario."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sla_engine.calendar import BusinessCalendar
from sla_engine.clocks import (
    SLA,
    CycleState,
    EscalationChain,
    EscalationLevel,
    Event,
    EventKind,
    Match,
    Metric,
    StreamKind,
    TargetRule,
    Ticket,
    TicketClock,
    evaluate,
    next_deadlines,
)

H = timedelta(hours=1)
US = timedelta(microseconds=1)
MON = datetime(2026, 3, 9, tzinfo=UTC)  # a Monday
TUE = MON + timedelta(days=1)
ALWAYS = {"always": BusinessCalendar.always()}


def ev(kind: str, at: datetime, value: str | None = None) -> Event:
    return Event(kind=EventKind(kind), at=at, value=value)


def escalations(result: object) -> list[tuple[datetime, str]]:
    return [(e.at, e.detail) for e in result.events if e.kind is StreamKind.ESCALATED]  # type: ignore[attr-defined]


# -- 1. a reopen after a breach -----------------------------------------------------------------
def _reopen_sla() -> SLA:
    return SLA(
        calendars=ALWAYS,
        metrics=(Metric.resolution(),),
        targets={"resolution": (TargetRule(name="all", target=4 * H, calendar="always"),)},
        escalation=EscalationChain(
            levels=(
                EscalationLevel(name="team lead"),
                EscalationLevel(name="manager", after=2 * H),
            )
        ),
    )


REOPENED = Ticket(
    id="R-1",
    events=(
        ev("created", MON + 9 * H),
        ev("resolved", MON + 14 * H),
        ev("reopened", TUE + 9 * H),
    ),
)


def test_reopen_after_breach_invents_no_escalation_while_resolved() -> None:
    """Resolved from Mon 14:00 to Tue 09:00, the chain stops: the manager, due 2 h after the
    breach at Mon 13:00:00.000001, is not paged at Mon 15:00 while the ticket was resolved; the
    1 h left of the 2 h runs from the reopen, so the manager is paged Tue 10:00:00.000001."""
    s = _reopen_sla()
    breach = MON + 13 * H + US
    before = evaluate(s, REOPENED, as_of=TUE + 8 * H)
    assert escalations(before) == [(breach, "to team lead")]
    at_10 = evaluate(s, REOPENED, as_of=TUE + 10 * H)
    assert escalations(at_10) == [(breach, "to team lead")]
    after = evaluate(s, REOPENED, as_of=TUE + 11 * H)
    assert escalations(after) == [(breach, "to team lead"), (TUE + 10 * H + US, "to manager")]
    # past answers do not depend on later events: what was shown at Tue 08:00 is still there
    assert [e for e in after.events if e.at <= TUE + 8 * H] == list(before.events)
    c = after.current("resolution")
    assert c is not None and c.state is CycleState.BREACHED and c.breached_at == breach


def test_next_deadlines_after_reopen_of_breached_ticket() -> None:
    """Right after the reopen, the manager's page is the next deadline (it was empty)."""
    found = next_deadlines(_reopen_sla(), REOPENED, as_of=TUE + 9 * H)
    assert [(e.at, e.kind, e.detail) for e in found] == [
        (TUE + 10 * H + US, StreamKind.ESCALATED, "to manager")
    ]
    # and while resolved, nothing is due
    assert next_deadlines(_reopen_sla(), REOPENED, as_of=MON + 14 * H) == ()


# -- 2. a change that makes the metric stop applying --------------------------------------------
def _workaround_sla() -> SLA:
    return SLA(
        calendars=ALWAYS,
        metrics=(Metric.workaround(),),
        targets={
            "workaround": (
                TargetRule(
                    name="sev1",
                    when=Match(severity=frozenset({"sev1"})),
                    target=8 * H,
                    calendar="always",
                ),
                TargetRule(name="others", target=None),
            )
        },
        escalation=EscalationChain(levels=(EscalationLevel(name="on-call"),)),
    )


DOWNGRADED = Ticket(
    id="W-1",
    severity="sev1",
    events=(ev("created", MON + 9 * H), ev("severity_changed", MON + 18 * H, "sev2")),
)


def test_breach_stays_when_metric_stops_applying() -> None:
    """Sev 1 breached its 8 h workaround at 17:00:00.000001 and paged on-call; the change to
    Sev 2 at 18:00 ends the cycle, still breached, with the reason it stopped applying."""
    s = _workaround_sla()
    breach = MON + 17 * H + US
    at_1759 = evaluate(s, DOWNGRADED, as_of=MON + 17 * H + 59 * timedelta(minutes=1))
    c = at_1759.current("workaround")
    assert c is not None and c.state is CycleState.BREACHED and c.breached_at == breach
    assert escalations(at_1759) == [(breach, "to on-call")]
    at_1859 = evaluate(s, DOWNGRADED, as_of=MON + 18 * H + 59 * timedelta(minutes=1))
    c = at_1859.current("workaround")
    assert c is not None and c.state is CycleState.BREACHED and c.breached_at == breach
    assert c.stop == MON + 18 * H and c.target == 8 * H
    assert escalations(at_1859) == [(breach, "to on-call")]
    ended = [e for e in at_1859.events if e.kind is StreamKind.CANCELLED]
    assert len(ended) == 1 and ended[0].at == MON + 18 * H
    assert "no longer applies" in ended[0].detail and "'sev2'" in ended[0].detail
    assert next_deadlines(s, DOWNGRADED, as_of=MON + 18 * H) == ()


def test_unbreached_cycle_that_stops_applying_is_not_shown() -> None:
    """Before its breach, a cycle whose metric stops applying is dropped from the answers (it
    never raised an alarm), as before."""
    t = Ticket(
        id="W-2",
        severity="sev1",
        events=(ev("created", MON + 9 * H), ev("severity_changed", MON + 12 * H, "sev2")),
    )
    assert evaluate(_workaround_sla(), t, as_of=MON + 20 * H).current("workaround") is None


# -- 3. an attribute change while resolved ------------------------------------------------------
def _severity_sla() -> SLA:
    return SLA(
        calendars=ALWAYS,
        metrics=(Metric.resolution(),),
        targets={
            "resolution": (
                TargetRule(
                    name="sev1",
                    when=Match(severity=frozenset({"sev1"})),
                    target=2 * H,
                    calendar="always",
                ),
                TargetRule(name="others", target=8 * H, calendar="always"),
            )
        },
    )


@pytest.mark.parametrize("change_first", [True, False])
def test_change_while_resolved_is_kept_on_reopen(change_first: bool) -> None:
    """Sev 3 resolved after 1 h, raised to Sev 1 and reopened at the same instant: the reopened
    cycle is held to Sev 1's 2 h from the cycle's start (recompute) whichever comes first."""
    at = MON + 12 * H
    change = ev("severity_changed", at, "sev1")
    reopen = ev("reopened", at)
    t = Ticket(
        id="C-1",
        severity="sev3",
        events=(
            ev("created", MON + 9 * H),
            ev("resolved", MON + 10 * H),
            *((change, reopen) if change_first else (reopen, change)),
        ),
    )
    c = evaluate(_severity_sla(), t, as_of=at + H).current("resolution")
    assert c is not None and c.rule == "sev1" and c.target == 2 * H
    assert c.due == at + H  # 1 h used before resolving, 1 h left from the reopen
    assert c.state is CycleState.RUNNING


def test_change_while_resolved_then_later_reopen() -> None:
    """A change made hours before the reopen also governs the reopened cycle."""
    t = Ticket(
        id="C-2",
        severity="sev3",
        events=(
            ev("created", MON + 9 * H),
            ev("resolved", MON + 10 * H),
            ev("severity_changed", MON + 11 * H, "sev1"),
            ev("reopened", MON + 12 * H),
        ),
    )
    clock = TicketClock.for_ticket(_severity_sla(), t)
    for e in t.events:
        clock.feed(e)
    c = clock.evaluate(as_of=MON + 14 * H).current("resolution")
    assert c is not None and c.rule == "sev1" and c.due == MON + 13 * H
    assert c.state is CycleState.BREACHED and c.breached_at == MON + 13 * H + US
