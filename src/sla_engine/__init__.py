"""sla_engine: SLA and refund rules as an embeddable, exact, explainable library."""

from importlib.metadata import PackageNotFoundError, version

from sla_engine._time import BusinessDays, parse_duration
from sla_engine.calendar import BusinessCalendar, Interval, Span
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
    "BusinessCalendar",
    "BusinessDays",
    "CalendarError",
    "CreditError",
    "DurationError",
    "HorizonError",
    "Interval",
    "NaiveDatetimeError",
    "PolicyError",
    "PolicyProblem",
    "SLAEngineError",
    "SLAEngineWarning",
    "Span",
    "TicketError",
    "UnknownTimeZoneError",
    "__version__",
    "parse_duration",
]
