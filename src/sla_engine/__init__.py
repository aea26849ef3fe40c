"""sla_engine: SLA and refund rules as an embeddable, exact, explainable library."""

from importlib.metadata import PackageNotFoundError, version

from sla_engine._time import BusinessDays, parse_duration
from sla_engine.calendar import BusinessCalendar, Interval, Span
from sla_engine.credits import (
    Band,
    BillingCycle,
    BillingPeriod,
    Cap,
    ClaimWindow,
    CreditDecision,
    CreditRun,
    CreditSchedule,
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
    compute_credit,
)
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

try:
    __version__ = version("sla-engine")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "Band",
    "BillingCycle",
    "BillingPeriod",
    "BusinessCalendar",
    "BusinessDays",
    "CalendarError",
    "Cap",
    "ClaimWindow",
    "CreditDecision",
    "CreditError",
    "CreditRun",
    "CreditSchedule",
    "DowntimeBands",
    "DurationError",
    "Fee",
    "FlatStep",
    "HorizonError",
    "HourlyStep",
    "Incident",
    "Interval",
    "LostTime",
    "MaintenanceWindow",
    "MinimumPayout",
    "NaiveDatetimeError",
    "PolicyError",
    "PolicyProblem",
    "RecurringMaintenance",
    "SLAEngineError",
    "SLAEngineWarning",
    "Span",
    "TicketError",
    "UnknownTimeZoneError",
    "UptimeBands",
    "__version__",
    "compute_credit",
    "parse_duration",
]
