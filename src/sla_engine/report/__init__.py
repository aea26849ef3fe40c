"""Reports: SLA attainment, breaches, MTTA and MTTR, backlog and time in state as Arrow tables;
the report document (HTML with inline charts, Markdown, JSON); what-if replay of history under
another policy.

Needs the ``report`` extra (``pip install 'sla-engine[report]'``: pyarrow and matplotlib), which
is imported only when a report is computed.
"""

from sla_engine.report._source import result_schema
from sla_engine.report.document import SECTIONS, Report, build_report
from sla_engine.report.kpis import (
    DEFAULT_COMPLIANCE,
    PERIODS,
    attainment,
    backlog,
    breaches,
    compliance_targets,
    first_contact_resolution,
    month_over_month,
    response_times,
    time_in_state,
    trend,
)
from sla_engine.report.replay import DUE_BUCKETS, Replay, replay

__all__ = [
    "DEFAULT_COMPLIANCE",
    "DUE_BUCKETS",
    "PERIODS",
    "SECTIONS",
    "Replay",
    "Report",
    "attainment",
    "backlog",
    "breaches",
    "build_report",
    "compliance_targets",
    "first_contact_resolution",
    "month_over_month",
    "replay",
    "response_times",
    "result_schema",
    "time_in_state",
    "trend",
]
