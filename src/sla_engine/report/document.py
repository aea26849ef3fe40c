"""The report document: every KPI table of a policy's tickets at an instant, and its views.

:func:`build_report` evaluates tickets under a policy at ``as_of`` and computes the tables of
the weekly report a support lead reads (see ``docs/explanation/reports.md`` for each figure's
definition). A :class:`Report` keeps the source tables (results, tickets, stays) and the KPI
tables, and renders them as JSON (:meth:`Report.to_json`), Markdown (:meth:`Report.to_markdown`)
or one self-contained HTML page with charts (:meth:`Report.to_html`). The tables are the answer;
the views only show them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from sla_engine._time import format_duration
from sla_engine.clocks import Ticket
from sla_engine.data_versions import data_versions
from sla_engine.errors import ReportError
from sla_engine.policy import Policy, PolicySet
from sla_engine.report._source import ATTRIBUTES, arrow, result_table, stay_table, ticket_table
from sla_engine.report.kpis import (
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

__all__ = ["SECTIONS", "Report", "build_report", "cell_text"]

#: The KPI tables of a report, in order, with their titles.
SECTIONS: dict[str, str] = {
    "headline": "Attainment against target, last 7, 30 and 90 days",
    "trend": "Trailing attainment, day by day",
    "weekly": "Attainment per metric and week",
    "monthly": "Attainment per metric and month, with the change from the month before",
    "heatmap": "Breaches per {attribute} and week",
    "response_times": "MTTA and MTTR",
    "first_contact": "First-contact resolution per week",
    "backlog": "Backlog by priority",
    "time_in_state": "Time in state",
    "attainment": "Attainment per metric, tier, severity, channel and issue class",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """A policy's KPI tables at ``as_of``.

    ``tables`` maps each name of :data:`SECTIONS` to a ``pyarrow.Table``; ``results``,
    ``tickets`` and ``stays`` are the tables they were computed from. ``days`` is how far back
    the weekly tables reach, ``timezone`` the zone periods are read in, ``attribute`` the
    ticket attribute of the breach heatmap.
    """

    policy: str
    as_of: datetime
    timezone: str
    days: int
    attribute: str
    targets: Mapping[str, Decimal]
    tables: Mapping[str, Any]
    results: Any = field(repr=False)
    tickets: Any = field(repr=False)
    stays: Any = field(repr=False)
    data_versions: Mapping[str, str | None] = field(default_factory=dict)

    def title(self, name: str) -> str:
        """The title of a section."""
        return SECTIONS[name].format(attribute=self.attribute.replace("_", " "))

    def write_parquet(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write every table, and the result table as ``results``, as ``<name>.parquet`` files
        into ``directory`` (created if needed), for a BI tool or a warehouse; return the paths.
        """
        import pyarrow.parquet as pq

        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, table in {**self.tables, "results": self.results}.items():
            path = folder / f"{name}.parquet"
            pq.write_table(table, path)
            written.append(path)
        return written

    def to_mapping(self) -> dict[str, Any]:
        """Every table as a list of rows of JSON values (see :func:`cell_text`)."""
        return {
            "policy": self.policy,
            "as_of": cell_text(self.as_of.astimezone(UTC)),
            "timezone": self.timezone,
            "days": self.days,
            "heatmap_attribute": self.attribute,
            "targets": {name: str(goal) for name, goal in sorted(self.targets.items())},
            "data_versions": dict(self.data_versions),
            "tables": {
                name: [
                    {key: _json_value(value) for key, value in row.items()}
                    for row in table.to_pylist()
                ]
                for name, table in self.tables.items()
            },
        }

    def to_json(self) -> str:
        """:meth:`to_mapping` as JSON text (sorted keys, UTF-8)."""
        return json.dumps(self.to_mapping(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """The report as Markdown for an e-mail: the headline first, then every table."""
        lines = [
            f"# SLA report: {self.policy}",
            "",
            f"At {cell_text(self.as_of.astimezone(UTC))}; periods in {self.timezone}; weekly "
            f"tables over the last {self.days} days.",
            "",
        ]
        for name, table in self.tables.items():
            if name in _NOT_IN_MARKDOWN:
                continue
            lines += [f"## {self.title(name)}", "", *markdown_table(table), ""]
        lines += [
            "The day-by-day trend and the attainment per tier, severity, channel and issue class "
            "are in the HTML and JSON formats.",
            "",
            _versions_line(self.data_versions),
        ]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """One self-contained HTML page: charts as inline SVG and the tables behind them."""
        from sla_engine.report.html import report_html

        return report_html(self)


# too long for an e-mail: the trend's series and the per-attribute table
_NOT_IN_MARKDOWN = frozenset({"trend", "attainment"})


def _versions_line(versions: Mapping[str, str | None]) -> str:
    shown = ", ".join(f"{k} {v}" for k, v in sorted(versions.items()) if v)
    return f"Calendar data: {shown}." if shown else ""


def _json_value(value: object) -> object:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    return cell_text(value)


def cell_text(value: object) -> str:
    """A cell as text: instants in UTC ISO 8601 (``Z``), dates ISO, durations like ``1h30m``
    (to the second for display), percentages with two decimals, nulls as an empty string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return text + (f".{value.microsecond:06d}" if value.microsecond else "") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return format_duration(timedelta(seconds=round(value.total_seconds())))
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))
    return str(value)


def markdown_table(table: Any) -> list[str]:
    """A table as Markdown lines (a sentence when it has no rows)."""
    if table.num_rows == 0:
        return ["(nothing to report)"]
    names = [n for n in table.column_names if n != "period"]
    out = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for row in table.to_pylist():
        out.append("| " + " | ".join(cell_text(row[n]).replace("|", "\\|") for n in names) + " |")
    return out


def _zone_of(policy: Policy) -> str:
    """The zone of the policy's default calendar (else UTC)."""
    spec = policy.spec
    name = getattr(spec, "default_calendar", None)
    calendar = policy.calendars.get(name) if name else None
    if calendar is None and len(policy.calendars) == 1:
        calendar = next(iter(policy.calendars.values()))
    zone = getattr(calendar, "timezone", None)
    return str(getattr(zone, "key", zone)) if zone else "UTC"


def _by_version(
    policy: Policy | PolicySet, tickets: list[Ticket]
) -> list[tuple[Policy, list[Ticket]]]:
    """The tickets grouped by the version that governs them: the one in force when each was
    created (DOMAIN.md), in the order of the versions."""
    if isinstance(policy, Policy):
        return [(policy, tickets)]
    groups: dict[int, list[Ticket]] = {id(v): [] for v in policy.versions}
    for ticket in tickets:
        groups[id(policy.for_instant(ticket.events[0].at))].append(ticket)
    return [(v, groups[id(v)]) for v in policy.versions if groups[id(v)]]


def _reference_version(policy: Policy | PolicySet, as_of: datetime) -> Policy:
    """The version whose targets and zone the report uses: the one in force at ``as_of``,
    else the latest."""
    if isinstance(policy, Policy):
        return policy
    for version in policy.versions:
        if version.in_force_at(as_of):
            return version
    return policy.versions[-1]


def build_report(
    policy: Policy | PolicySet,
    tickets: Iterable[Ticket],
    *,
    as_of: datetime,
    days: int = 90,
    timezone: str | None = None,
    attribute: str = "issue_class",
) -> Report:
    """Evaluate ``tickets`` under ``policy`` at ``as_of`` and compute the report's tables.

    ``policy`` may be a :class:`~sla_engine.policy.PolicySet`: each ticket is then evaluated
    under the version in force when it was created, and the compliance targets and the zone
    are those of the version in force at ``as_of`` (else the latest). ``timezone`` is the zone
    periods are read in (default: that of the policy's default calendar); ``days`` how far back
    the weekly tables and the trend reach; ``attribute`` the ticket attribute of the breach
    heatmap (tier, severity, channel or issue_class).
    """
    versions = policy.versions if isinstance(policy, PolicySet) else (policy,)
    for version in versions:
        if not isinstance(version, Policy) or version.sla is None:
            raise ReportError("a report needs a checked policy with metrics (load_policy(...))")
    if attribute not in ATTRIBUTES:
        raise ReportError(
            f"cannot draw a heatmap by {attribute!r}; choose one of {', '.join(ATTRIBUTES)}"
        )
    if days < 7:
        raise ReportError(f"days={days} is too short for a weekly report; give at least 7")
    reference = _reference_version(policy, as_of)
    zone = timezone or _zone_of(reference)
    goals = compliance_targets(reference)
    groups = _by_version(policy, list(tickets))
    pa = arrow()

    def table_of(build: Any) -> Any:
        parts = [build(v.sla, group, as_of=as_of) for v, group in groups]
        return pa.concat_tables(parts) if parts else build(reference.sla, [], as_of=as_of)

    results = table_of(result_table)
    tickets_table = table_of(ticket_table)
    stays = table_of(stay_table)
    lines = trend(results, as_of=as_of, days=days, timezone=zone, targets=goals)
    last_day = lines.column("day").to_pylist()[-1] if lines.num_rows else None
    headline = _headline(lines, last_day)
    first_week = _first_week(as_of, days, zone)
    tables = {
        "headline": headline,
        "trend": lines,
        "weekly": attainment(
            results,
            as_of=as_of,
            period="week",
            by=(),
            timezone=zone,
            targets=goals,
            since=first_week,
        ),
        "monthly": month_over_month(results, as_of=as_of, timezone=zone, targets=goals),
        "heatmap": breaches(
            results, as_of=as_of, period="week", by=(attribute,), timezone=zone
        ).filter(_since_mask(first_week, zone)),
        "response_times": response_times(results, as_of=as_of, period="all", timezone=zone),
        "first_contact": first_contact_resolution(
            tickets_table, as_of=as_of, period="week", timezone=zone
        ).filter(_since_mask(first_week, zone)),
        "backlog": backlog(tickets_table, as_of=as_of, by=("severity",)),
        "time_in_state": time_in_state(stays, as_of=as_of),
        "attainment": attainment(
            results, as_of=as_of, period="month", timezone=zone, targets=goals
        ),
    }
    return Report(
        policy=_label(policy),
        as_of=as_of,
        timezone=zone,
        days=days,
        attribute=attribute,
        targets=goals,
        tables=tables,
        results=results,
        tickets=tickets_table,
        stays=stays,
        data_versions=data_versions().to_mapping(),
    )


def _label(policy: Policy | PolicySet) -> str:
    if isinstance(policy, Policy):
        return f"{policy.name} {policy.version}"
    return f"{policy.versions[0].name} " + ", ".join(v.version for v in policy.versions)


def _first_week(as_of: datetime, days: int, zone: str) -> datetime:
    """The first instant of the local week containing the report's first day."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    first = as_of.astimezone(tz).date() - timedelta(days=days - 1)
    first -= timedelta(days=first.weekday())
    return datetime(first.year, first.month, first.day, tzinfo=tz)


def _since_mask(first_week: datetime, zone: str) -> Any:
    import pyarrow.compute as pc

    return pc.greater_equal(pc.field("period_start"), first_week.date())


def _headline(lines: Any, last_day: date | None) -> Any:
    """The trend's last day, one row per metric, with the windows side by side."""
    pa = arrow()
    rows: dict[str, dict[str, Any]] = {}
    for row in lines.to_pylist():
        if row["day"] != last_day:
            continue
        out = rows.setdefault(row["metric"], {"metric": row["metric"], "target": row["target"]})
        w = row["window"]
        out[f"met_{w}d"] = row["met"]
        out[f"breached_{w}d"] = row["breached"]
        out[f"attainment_{w}d"] = row["attainment"]
    windows = sorted({r["window"] for r in lines.to_pylist()})
    fields: list[tuple[str, Any]] = [("metric", pa.string()), ("target", pa.decimal128(9, 4))]
    for w in windows:
        fields += [
            (f"attainment_{w}d", pa.decimal128(9, 4)),
            (f"met_{w}d", pa.int64()),
            (f"breached_{w}d", pa.int64()),
        ]
    schema = pa.schema(fields)
    ordered = [rows[m] for m in sorted(rows)]
    return pa.Table.from_pylist(ordered, schema=schema)
