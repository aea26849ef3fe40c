"""sla_engine: SLA and refund rules as an embeddable, exact, explainable library."""

from typing import TYPE_CHECKING, Any

from sla_engine._time import BusinessDays, parse_duration
from sla_engine.calendar import BusinessCalendar, Interval, Span
from sla_engine.clocks import (
    SLA,
    CalendarRule,
    CycleState,
    CycleStatus,
    EscalationChain,
    EscalationLevel,
    Evaluation,
    Event,
    EventKind,
    Lifecycle,
    Match,
    Metric,
    MetricKind,
    Reopen,
    SeverityChange,
    Strategies,
    StreamKind,
    TargetRule,
    Ticket,
    TicketClock,
    Trigger,
    WarningRule,
    evaluate,
    evaluate_many,
    next_deadlines,
    next_deadlines_many,
    rows_many_us,
)
from sla_engine.credits import (
    Band,
    BillingCycle,
    BillingPeriod,
    Cap,
    ClaimWindow,
    CreditDecision,
    CreditRow,
    CreditRun,
    CreditSchedule,
    CreditTable,
    DowntimeBands,
    Fee,
    FlatStep,
    HourlyStep,
    Incident,
    LostTime,
    MaintenanceWindow,
    MinimumPayout,
    RecurringMaintenance,
    UptimeBands,
    billing_run,
    compute_credit,
)
from sla_engine.data_versions import DataVersions, data_versions
from sla_engine.errors import (
    CalendarError,
    CreditError,
    DurationError,
    HorizonError,
    NaiveDatetimeError,
    PolicyError,
    PolicyProblem,
    SLAEngineError,
    SLAEngineWarning,
    TicketError,
    UnknownTimeZoneError,
)

_LAZY = {
    "Policy": "sla_engine.policy",
    "PolicySet": "sla_engine.policy",
    "load_policy": "sla_engine.policy",
    "load_policy_set": "sla_engine.policy",
    "validate_policy": "sla_engine.policy",
    "render_policy": "sla_engine.render",
    "diff_policies": "sla_engine.diff",
    "PolicyDiff": "sla_engine.diff",
    "Change": "sla_engine.diff",
}


def __getattr__(name: str) -> Any:
    """Import the policy layer (and pydantic) only when one of its names is first used."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("sla-engine")
        except PackageNotFoundError:  # pragma: no cover - a source tree without install
            return "0+unknown"
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sla_engine' has no attribute {name!r}")


if TYPE_CHECKING:
    from sla_engine.diff import Change, PolicyDiff, diff_policies
    from sla_engine.policy import Policy, PolicySet, load_policy, load_policy_set, validate_policy
    from sla_engine.render import render_policy


__all__ = [
    "SLA",
    "Band",
    "BillingCycle",
    "BillingPeriod",
    "BusinessCalendar",
    "BusinessDays",
    "CalendarError",
    "CalendarRule",
    "Cap",
    "Change",
    "ClaimWindow",
    "CreditDecision",
    "CreditError",
    "CreditRow",
    "CreditRun",
    "CreditSchedule",
    "CreditTable",
    "CycleState",
    "CycleStatus",
    "DataVersions",
    "DowntimeBands",
    "DurationError",
    "EscalationChain",
    "EscalationLevel",
    "Evaluation",
    "Event",
    "EventKind",
    "Fee",
    "FlatStep",
    "HorizonError",
    "HourlyStep",
    "Incident",
    "Interval",
    "Lifecycle",
    "LostTime",
    "MaintenanceWindow",
    "Match",
    "Metric",
    "MetricKind",
    "MinimumPayout",
    "NaiveDatetimeError",
    "Policy",
    "PolicyDiff",
    "PolicyError",
    "PolicyProblem",
    "PolicySet",
    "RecurringMaintenance",
    "Reopen",
    "SLAEngineError",
    "SLAEngineWarning",
    "SeverityChange",
    "Span",
    "Strategies",
    "StreamKind",
    "TargetRule",
    "Ticket",
    "TicketClock",
    "TicketError",
    "Trigger",
    "UnknownTimeZoneError",
    "UptimeBands",
    "WarningRule",
    "__version__",
    "billing_run",
    "compute_credit",
    "data_versions",
    "diff_policies",
    "evaluate",
    "evaluate_many",
    "load_policy",
    "load_policy_set",
    "next_deadlines",
    "next_deadlines_many",
    "parse_duration",
    "render_policy",
    "rows_many_us",
    "validate_policy",
]
