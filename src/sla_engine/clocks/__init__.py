"""Ticket clocks: targets, pauses, breaches, warnings and the escalation chain.

Build an :class:`SLA` (or read one with ``SLA.from_mapping``), describe a :class:`Ticket` as an
event log, and ask :func:`evaluate` where every clock stands at a moment, or feed a
:class:`TicketClock` one event at a time.
"""

from sla_engine.clocks.escalation import Clock, EscalationChain, EscalationLevel, WarningRule
from sla_engine.clocks.evaluate import (
    ClockEvent,
    CycleState,
    CycleStatus,
    Evaluation,
    StreamKind,
    TicketClock,
    evaluate,
    evaluate_many,
    next_deadlines,
    next_deadlines_many,
    rows_many_us,
)
from sla_engine.clocks.events import Event, EventKind, Ticket
from sla_engine.clocks.lifecycle import Lifecycle, State
from sla_engine.clocks.metrics import Metric, MetricKind, Trigger
from sla_engine.clocks.sla import SLA
from sla_engine.clocks.strategies import Reopen, SeverityChange, Strategies
from sla_engine.clocks.targets import CalendarRule, Match, TargetRule

__all__ = [
    "SLA",
    "CalendarRule",
    "Clock",
    "ClockEvent",
    "CycleState",
    "CycleStatus",
    "EscalationChain",
    "EscalationLevel",
    "Evaluation",
    "Event",
    "EventKind",
    "Lifecycle",
    "Match",
    "Metric",
    "MetricKind",
    "Reopen",
    "SeverityChange",
    "State",
    "Strategies",
    "StreamKind",
    "TargetRule",
    "Ticket",
    "TicketClock",
    "Trigger",
    "WarningRule",
    "evaluate",
    "evaluate_many",
    "next_deadlines",
    "next_deadlines_many",
    "rows_many_us",
]
