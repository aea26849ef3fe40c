"""Service credits: from a customer's incidents to an exact refund a billing system can post.

The entry point is :func:`compute_credit`; :class:`CreditRun` credits many customers for one
period. Schedules are :class:`CreditSchedule` values, written in Python or read from plain data
with ``CreditSchedule.from_mapping``.
"""

from sla_engine.credits.billing import CLAIM_NOTES, CreditRow, CreditTable, billing_run
from sla_engine.credits.compute import CreditRun, ServiceCalendar, compute_credit
from sla_engine.credits.decision import CreditDecision, DowntimeStretch, IncidentLine
from sla_engine.credits.incident import CAUSES, COVERED, EXCLUSION_REASONS, Incident
from sla_engine.credits.maintenance import MaintenanceWindow, RecurringMaintenance
from sla_engine.credits.money import ROUNDING_MODES, Fee, minor_unit, round_money
from sla_engine.credits.period import BillingCycle, BillingPeriod
from sla_engine.credits.schedule import (
    Band,
    Cap,
    ClaimWindow,
    CreditRule,
    CreditSchedule,
    DowntimeBands,
    FlatStep,
    HourlyStep,
    LostTime,
    MinimumPayout,
    UptimeBands,
)

__all__ = [
    "CAUSES",
    "CLAIM_NOTES",
    "COVERED",
    "EXCLUSION_REASONS",
    "ROUNDING_MODES",
    "Band",
    "BillingCycle",
    "BillingPeriod",
    "Cap",
    "ClaimWindow",
    "CreditDecision",
    "CreditRow",
    "CreditRule",
    "CreditRun",
    "CreditSchedule",
    "CreditTable",
    "DowntimeBands",
    "DowntimeStretch",
    "Fee",
    "FlatStep",
    "HourlyStep",
    "Incident",
    "IncidentLine",
    "LostTime",
    "MaintenanceWindow",
    "MinimumPayout",
    "RecurringMaintenance",
    "ServiceCalendar",
    "UptimeBands",
    "billing_run",
    "compute_credit",
    "minor_unit",
    "round_money",
]
