"""Service-level KPIs as Arrow tables, computed from a result table.

A *result table* has one row per ticket x metric x cycle (the table layer's ``evaluate_table``;
columns in :func:`sla_engine.report.result_schema`). Every function here takes such a table (or
the ticket and stay tables beside it) and returns a new ``pyarrow.Table``, sorted, ready for a
BI tool, a warehouse, or the HTML and Markdown views of :mod:`sla_engine.report.document`.

How a cycle counts (the definitions of ``docs/explanation/reports.md``):

- *met* cycles count in the period of their ``stop``; *breached* cycles in the period of their
  ``breached_at`` (the first instant the business elapsed passed the target), whether or not
  they have stopped since;
- *running* cycles (running or paused, not breached) count in the period containing ``as_of``,
  in their own column, never in the attainment: a paused cycle is not a breach;
- *cancelled* cycles count in the period of their ``stop``, in their own column, and nowhere
  else; *pending* metrics (no cycle started) count nowhere;
- attainment = met / (met + breached), as an exact percentage rounded once to 4 decimals
  (half-even); ``meets_target`` compares the exact share, not the rounded one.

Periods are local calendar periods in ``timezone``: a day, an ISO week (Monday first) or a
month, named by their first date. Percentiles are nearest-rank (always an observed value);
means are rounded half-even to the microsecond.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any, Literal

from sla_engine._time import td_to_us, us_to_td
from sla_engine.errors import ReportError
from sla_engine.policy import Policy
from sla_engine.report._source import ATTRIBUTES, arrow

__all__ = [
    "DEFAULT_COMPLIANCE",
    "PERIODS",
    "attainment",
    "backlog",
    "breaches",
    "compliance_targets",
    "first_contact_resolution",
    "month_over_month",
    "outcome",
    "percentile",
    "response_times",
    "share",
    "time_in_state",
    "trend",
]

Period = Literal["day", "week", "month", "all"]
PERIODS: tuple[str, ...] = ("day", "week", "month", "all")
#: The compliance target of a metric whose policy does not name one (the playbook's 95 %).
DEFAULT_COMPLIANCE = Decimal(95)
_PLACES = Decimal("0.0001")


# --------------------------------------------------------------------------- small pieces


def compliance_targets(policy: Policy) -> dict[str, Decimal]:
    """Each metric's compliance target in percent: its ``compliance`` in the policy, else
    :data:`DEFAULT_COMPLIANCE`."""
    return {
        name: (
            spec.compliance
            if spec is not None and spec.compliance is not None
            else DEFAULT_COMPLIANCE
        )
        for name, spec in (policy.spec.metrics or {}).items()
    }


def outcome(
    state: str,
    stop: datetime | None,
    breached_at: datetime | None,
    start: datetime | None,
    as_of: datetime,
) -> tuple[str, datetime] | None:
    """How a cycle counts: ``(kind, instant)`` with kind met, breached, running or cancelled
    and the instant that places it in a period; ``None`` for a pending metric."""
    if state == "met" and stop is not None:
        return "met", stop
    if state == "breached" and breached_at is not None:
        return "breached", breached_at
    if state in ("running", "paused"):
        return "running", as_of
    if state == "cancelled":
        when = stop or start
        return ("cancelled", when) if when is not None else None
    return None


def percentile(sorted_values: Sequence[int], p: int) -> int:
    """The nearest-rank ``p``-th percentile of non-empty ascending integers."""
    if not sorted_values:
        raise ReportError("a percentile of no values")
    rank = -(-p * len(sorted_values) // 100)  # ceil(p/100 * n)
    return sorted_values[max(rank, 1) - 1]


def _mean(values: Sequence[int]) -> int:
    """The mean of integers, rounded half-even."""
    q, r = divmod(sum(values), len(values))
    twice = 2 * r
    if twice > len(values) or (twice == len(values) and q % 2 == 1):
        q += 1
    return q


def share(met: int, total: int) -> Decimal | None:
    """``met`` of ``total`` as a percentage rounded half-even to 4 decimals; ``None`` of 0."""
    if total == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        return (Decimal(met) * 100 / Decimal(total)).quantize(_PLACES, rounding=ROUND_HALF_EVEN)


def _zone(timezone: str) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportError(
            f"timezone {timezone!r} is not an IANA time zone; write e.g. 'UTC' or "
            "'America/Los_Angeles'"
        ) from None


def _period_start(instant: datetime, period: str, zone: Any) -> date | None:
    if period == "all":
        return None
    day = instant.astimezone(zone).date()
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _check(as_of: datetime, period: str, by: Sequence[str]) -> None:
    if not isinstance(as_of, datetime) or as_of.utcoffset() is None:
        raise ReportError(
            f"as_of must be an aware datetime, got {as_of!r}; e.g. "
            "datetime(2026, 3, 9, tzinfo=timezone.utc)"
        )
    if period not in PERIODS:
        raise ReportError(f"period {period!r} is not one of {', '.join(PERIODS)}")
    for name in by:
        if name not in ATTRIBUTES:
            raise ReportError(f"cannot group by {name!r}; group by any of {', '.join(ATTRIBUTES)}")


def _columns(table: Any, names: Iterable[str]) -> dict[str, list[Any]]:
    missing = [n for n in names if n not in table.column_names]
    if missing:
        raise ReportError(
            f"the table has no column {', '.join(repr(n) for n in missing)}; expected a result "
            "table of sla_engine.report (see result_schema())"
        )
    return {name: table.column(name).to_pylist() for name in names}


def _key_order(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Sort keys with nulls first, of any type."""
    return tuple((value is not None, value if value is not None else "") for value in key)


def _schema(fields: list[tuple[str, Any]]) -> Any:
    return arrow().schema(fields)


def _group_fields(by: Sequence[str], period: str) -> list[tuple[str, Any]]:
    pa = arrow()
    return [
        ("metric", pa.string()),
        *((name, pa.string()) for name in by),
        ("period", pa.string()),
        ("period_start", pa.date32()),
    ]


# --------------------------------------------------------------------------- attainment


def attainment(
    results: Any,
    *,
    as_of: datetime,
    period: Period = "week",
    by: Sequence[str] = ATTRIBUTES,
    timezone: str = "UTC",
    targets: Mapping[str, Decimal] | None = None,
    since: datetime | None = None,
) -> Any:
    """Met, breached, running and cancelled cycles and the attainment per metric x ``by`` x
    period, against each metric's compliance target (``targets``, else 95 %).

    ``since`` keeps only cycles counted at or after that instant (running cycles count at
    ``as_of``). Columns: ``metric``, each of ``by``, ``period``, ``period_start``, ``met``,
    ``breached``, ``running``, ``cancelled``, ``attainment`` (percent, null without met or
    breached cycles), ``target`` (percent) and ``meets_target`` (null when attainment is).
    """
    by = tuple(by)
    _check(as_of, period, by)
    zone = _zone(timezone)
    cols = _columns(results, ("metric", "state", "start", "stop", "breached_at", *by))
    counts: dict[tuple[Any, ...], dict[str, int]] = defaultdict(
        lambda: {"met": 0, "breached": 0, "running": 0, "cancelled": 0}
    )
    for i, state in enumerate(cols["state"]):
        found = outcome(state, cols["stop"][i], cols["breached_at"][i], cols["start"][i], as_of)
        if found is None:
            continue
        kind, when = found
        if since is not None and when < since:
            continue
        key = (
            cols["metric"][i],
            *(cols[name][i] for name in by),
            _period_start(when, period, zone),
        )
        counts[key][kind] += 1
    goals = dict(targets or {})
    rows: dict[str, list[Any]] = defaultdict(list)
    for key in sorted(counts, key=_key_order):
        c = counts[key]
        decided = c["met"] + c["breached"]
        goal = goals.get(key[0], DEFAULT_COMPLIANCE)
        rows["metric"].append(key[0])
        for j, name in enumerate(by):
            rows[name].append(key[1 + j])
        rows["period"].append(period)
        rows["period_start"].append(key[-1])
        for kind in ("met", "breached", "running", "cancelled"):
            rows[kind].append(c[kind])
        rows["attainment"].append(share(c["met"], decided))
        rows["target"].append(goal)
        rows["meets_target"].append(None if decided == 0 else c["met"] * 100 >= goal * decided)
    pa = arrow()
    schema = _schema(
        [
            *_group_fields(by, period),
            ("met", pa.int64()),
            ("breached", pa.int64()),
            ("running", pa.int64()),
            ("cancelled", pa.int64()),
            ("attainment", pa.decimal128(9, 4)),
            ("target", pa.decimal128(9, 4)),
            ("meets_target", pa.bool_()),
        ]
    )
    return pa.table({f.name: rows[f.name] for f in schema}, schema=schema)


def trend(
    results: Any,
    *,
    as_of: datetime,
    windows: Sequence[int] = (7, 30, 90),
    days: int = 90,
    timezone: str = "UTC",
    targets: Mapping[str, Decimal] | None = None,
) -> Any:
    """Trailing attainment per metric for each of the last ``days`` local days up to ``as_of``'s
    day: for a day D and a window of N days, the met and breached cycles counted on the N days
    ending with D (D included). Columns: ``metric``, ``day``, ``window`` (days), ``met``,
    ``breached``, ``attainment``, ``target``."""
    _check(as_of, "day", ())
    if days < 1 or any(w < 1 for w in windows):
        raise ReportError("days and every window must be at least 1")
    daily = attainment(results, as_of=as_of, period="day", by=(), timezone=timezone)
    per: dict[str, dict[date, tuple[int, int]]] = defaultdict(dict)
    for metric, day, met, breached in zip(
        daily.column("metric").to_pylist(),
        daily.column("period_start").to_pylist(),
        daily.column("met").to_pylist(),
        daily.column("breached").to_pylist(),
        strict=True,
    ):
        per[metric][day] = (met, breached)
    last = as_of.astimezone(_zone(timezone)).date()
    goals = dict(targets or {})
    rows: dict[str, list[Any]] = defaultdict(list)
    for metric in sorted(per):
        counts = per[metric]
        for offset in range(days - 1, -1, -1):
            day = last - timedelta(days=offset)
            for window in windows:
                met = breached = 0
                for back in range(window):
                    m, b = counts.get(day - timedelta(days=back), (0, 0))
                    met += m
                    breached += b
                rows["metric"].append(metric)
                rows["day"].append(day)
                rows["window"].append(window)
                rows["met"].append(met)
                rows["breached"].append(breached)
                rows["attainment"].append(share(met, met + breached))
                rows["target"].append(goals.get(metric, DEFAULT_COMPLIANCE))
    pa = arrow()
    schema = _schema(
        [
            ("metric", pa.string()),
            ("day", pa.date32()),
            ("window", pa.int32()),
            ("met", pa.int64()),
            ("breached", pa.int64()),
            ("attainment", pa.decimal128(9, 4)),
            ("target", pa.decimal128(9, 4)),
        ]
    )
    return pa.table({f.name: rows[f.name] for f in schema}, schema=schema)


def month_over_month(
    results: Any,
    *,
    as_of: datetime,
    timezone: str = "UTC",
    targets: Mapping[str, Decimal] | None = None,
) -> Any:
    """Attainment per metric and month with the change from the month before, in percentage
    points (null for a metric's first month, or when either month has no met or breached
    cycle). Columns: those of :func:`attainment` by month without attributes, and ``change``."""
    monthly = attainment(
        results, as_of=as_of, period="month", by=(), timezone=timezone, targets=targets
    )
    changes: list[Decimal | None] = []
    previous: dict[str, tuple[date, Decimal | None]] = {}
    for metric, month, value in zip(
        monthly.column("metric").to_pylist(),
        monthly.column("period_start").to_pylist(),
        monthly.column("attainment").to_pylist(),
        strict=True,
    ):
        before = previous.get(metric)
        follows = before is not None and (
            (before[0].year * 12 + before[0].month) + 1 == month.year * 12 + month.month
        )
        changes.append(
            value - before[1]
            if follows and before is not None and value is not None and before[1] is not None
            else None
        )
        previous[metric] = (month, value)
    pa = arrow()
    return monthly.append_column(
        pa.field("change", pa.decimal128(9, 4)), pa.array(changes, type=pa.decimal128(9, 4))
    )


# --------------------------------------------------------------------------- breaches


def _duration_fields(prefix: str) -> list[tuple[str, Any]]:
    dur = arrow().duration("us")
    return [(f"{prefix}_mean", dur), (f"{prefix}_p50", dur), (f"{prefix}_p90", dur)]


def _summary(prefix: str, values: list[int], rows: dict[str, list[Any]]) -> None:
    values.sort()
    empty = not values
    rows[f"{prefix}_mean"].append(None if empty else us_to_td(_mean(values)))
    rows[f"{prefix}_p50"].append(None if empty else us_to_td(percentile(values, 50)))
    rows[f"{prefix}_p90"].append(None if empty else us_to_td(percentile(values, 90)))


def breaches(
    results: Any,
    *,
    as_of: datetime,
    period: Period = "week",
    by: Sequence[str] = ATTRIBUTES,
    timezone: str = "UTC",
) -> Any:
    """Breached cycles per metric x ``by`` x period of ``breached_at``, and by how much they
    missed: business time past the target (business elapsed at the stop, or at ``as_of`` for
    a cycle still open, minus the target) and wall time past the due instant (to the stop, or to
    ``as_of``). Columns: ``breaches``, ``open`` (not stopped at ``as_of``),
    ``business_missed_total`` and ``_mean``/``_p50``/``_p90``, the same for ``wall_missed``.
    """
    by = tuple(by)
    _check(as_of, period, by)
    zone = _zone(timezone)
    names = ("metric", "state", "stop", "due", "breached_at", "target", "business_elapsed", *by)
    cols = _columns(results, names)
    groups: dict[tuple[Any, ...], tuple[list[int], list[int], list[int]]] = defaultdict(
        lambda: ([], [], [])
    )
    now = as_of.astimezone(UTC)
    for i, state in enumerate(cols["state"]):
        breached_at = cols["breached_at"][i]
        if state != "breached" or breached_at is None:
            continue
        stop = cols["stop"][i]
        key = (
            cols["metric"][i],
            *(cols[name][i] for name in by),
            _period_start(breached_at, period, zone),
        )
        business, wall, still_open = groups[key]
        target = cols["target"][i]
        business.append(td_to_us(cols["business_elapsed"][i] - target) if target else 0)
        due = cols["due"][i] or (breached_at - timedelta(microseconds=1))
        wall.append(td_to_us((stop or now) - due))
        still_open.append(int(stop is None))
    rows: dict[str, list[Any]] = defaultdict(list)
    for key in sorted(groups, key=_key_order):
        business, wall, still_open = groups[key]
        rows["metric"].append(key[0])
        for j, name in enumerate(by):
            rows[name].append(key[1 + j])
        rows["period"].append(period)
        rows["period_start"].append(key[-1])
        rows["breaches"].append(len(business))
        rows["open"].append(sum(still_open))
        rows["business_missed_total"].append(us_to_td(sum(business)))
        _summary("business_missed", business, rows)
        rows["wall_missed_total"].append(us_to_td(sum(wall)))
        _summary("wall_missed", wall, rows)
    pa = arrow()
    dur = pa.duration("us")
    schema = _schema(
        [
            *_group_fields(by, period),
            ("breaches", pa.int64()),
            ("open", pa.int64()),
            ("business_missed_total", dur),
            *_duration_fields("business_missed"),
            ("wall_missed_total", dur),
            *_duration_fields("wall_missed"),
        ]
    )
    return pa.table({f.name: rows[f.name] for f in schema}, schema=schema)


# --------------------------------------------------------------------------- MTTA / MTTR


def response_times(
    results: Any,
    *,
    as_of: datetime,
    measures: Mapping[str, str] | None = None,
    period: Period = "all",
    by: Sequence[str] = (),
    timezone: str = "UTC",
) -> Any:
    """MTTA and MTTR: mean and percentiles of the time to the stop of each metric's stopped
    cycles (met or breached, not cancelled), counted in the period of the stop.

    ``measures`` maps a measure's name to its metric (default ``{"MTTA": "first_response",
    "MTTR": "resolution"}``). Business time is the cycle's business elapsed on its metric's
    calendar (pauses not counted); wall time is stop minus start. Columns: ``measure``,
    ``metric``, each of ``by``, ``period``, ``period_start``, ``cycles``, ``business_mean``,
    ``business_p50``, ``business_p90``, ``wall_mean``, ``wall_p50``, ``wall_p90``.
    """
    by = tuple(by)
    _check(as_of, period, by)
    zone = _zone(timezone)
    wanted = dict(measures or {"MTTA": "first_response", "MTTR": "resolution"})
    cols = _columns(results, ("metric", "state", "start", "stop", "business_elapsed", *by))
    groups: dict[tuple[Any, ...], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for measure, metric in wanted.items():
        for i, state in enumerate(cols["state"]):
            stop, start = cols["stop"][i], cols["start"][i]
            if (
                cols["metric"][i] != metric
                or state not in ("met", "breached")
                or stop is None
                or start is None
            ):
                continue
            key = (
                measure,
                metric,
                *(cols[name][i] for name in by),
                _period_start(stop, period, zone),
            )
            business, wall = groups[key]
            business.append(td_to_us(cols["business_elapsed"][i]))
            wall.append(td_to_us(stop - start))
    rows: dict[str, list[Any]] = defaultdict(list)
    for key in sorted(groups, key=_key_order):
        business, wall = groups[key]
        rows["measure"].append(key[0])
        rows["metric"].append(key[1])
        for j, name in enumerate(by):
            rows[name].append(key[2 + j])
        rows["period"].append(period)
        rows["period_start"].append(key[-1])
        rows["cycles"].append(len(business))
        _summary("business", business, rows)
        _summary("wall", wall, rows)
    pa = arrow()
    schema = _schema(
        [
            ("measure", pa.string()),
            *_group_fields(by, period),
            ("cycles", pa.int64()),
            *_duration_fields("business"),
            *_duration_fields("wall"),
        ]
    )
    return pa.table({f.name: rows[f.name] for f in schema}, schema=schema)


# --------------------------------------------------------------------------- backlog, states


def backlog(tickets: Any, *, as_of: datetime, by: Sequence[str] = ("severity",)) -> Any:
    """Open tickets (created by ``as_of``, not in a terminal state at it) per ``by`` (the
    priority by default) from a ticket table, with the wall age of the oldest and the age
    percentiles. Columns: each of ``by``, ``open``, ``oldest_created``, ``age_p50``,
    ``age_p90``."""
    by = tuple(by)
    _check(as_of, "all", by)
    cols = _columns(tickets, ("created", "open", *by))
    now = as_of.astimezone(UTC)
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, is_open in enumerate(cols["open"]):
        created = cols["created"][i]
        if not is_open or created > now:
            continue
        groups[tuple(cols[name][i] for name in by)].append(td_to_us(now - created))
    rows: dict[str, list[Any]] = defaultdict(list)
    for key in sorted(groups, key=_key_order):
        ages = sorted(groups[key])
        for j, name in enumerate(by):
            rows[name].append(key[j])
        rows["open"].append(len(ages))
        rows["oldest_created"].append(now - us_to_td(ages[-1]))
        rows["age_p50"].append(us_to_td(percentile(ages, 50)))
        rows["age_p90"].append(us_to_td(percentile(ages, 90)))
    pa = arrow()
    schema = _schema(
        [
            *((name, pa.string()) for name in by),
            ("open", pa.int64()),
            ("oldest_created", pa.timestamp("us", tz="UTC")),
            ("age_p50", pa.duration("us")),
            ("age_p90", pa.duration("us")),
        ]
    )
    return pa.table({f.name: rows[f.name] for f in schema}, schema=schema)


def time_in_state(stays: Any, *, as_of: datetime, by: Sequence[str] = ()) -> Any:
    """Wall time spent in each lifecycle state, from a stay table: per state (x ``by``) the
    completed stays (left by ``as_of``) with mean, p50 and p90, and the stays still open at
    ``as_of`` counted apart. Columns: ``state``, each of ``by``, ``stays``, ``open``,
    ``wall_mean``, ``wall_p50``, ``wall_p90`` (null without completed stays)."""
    by = tuple(by)
    _check(as_of, "all", by)
    cols = _columns(stays, ("state", "entered", "left", *by))
    now = as_of.astimezone(UTC)
    groups: dict[tuple[Any, ...], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i, state in enumerate(cols["state"]):
        entered, left = cols["entered"][i], cols["left"][i]
        if entered > now:
            continue
        done, still = groups[(state, *(cols[name][i] for name in by))]
        if left is None or left > now:
            still.append(1)
        else:
            done.append(td_to_us(left - entered))
    rows: dict[str, list[Any]] = defaultdict(list)
    for key in sorted(groups, key=_key_order):
        done, still = groups[key]
        rows["state"].append(key[0])
        for j, name in enumerate(by):
            rows[name].append(key[1 + j])
        rows["stays"].append(len(done))
        rows["open"].append(len(still))
        _summary("wall", done, rows)
    pa = arrow()
    schema = _schema(
        [
            ("state", pa.string()),
            *((name, pa.string()) for name in by),
            ("stays", pa.int64()),
            ("open", pa.int64()),
            *_duration_fields("wall"),
        ]
    )
    return pa.table({f.name: rows[f.name] for f in schema}, schema=schema)


def first_contact_resolution(
    tickets: Any,
    *,
    as_of: datetime,
    period: Period = "week",
    by: Sequence[str] = (),
    timezone: str = "UTC",
) -> Any:
    """First-contact resolution from a ticket table: of the tickets resolved (in a terminal
    state at ``as_of``, counted in the period they entered it), those resolved on the first
    contact: exactly one agent reply, no customer reply after it and never reopened. Columns:
    each of ``by``, ``period``, ``period_start``, ``resolved``, ``first_contact``, ``share``
    (percent)."""
    by = tuple(by)
    _check(as_of, period, by)
    zone = _zone(timezone)
    names = ("resolved_at", "agent_replies", "customer_replies_after_reply", "reopened", *by)
    cols = _columns(tickets, names)
    now = as_of.astimezone(UTC)
    counts: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for i, resolved_at in enumerate(cols["resolved_at"]):
        if resolved_at is None or resolved_at > now:
            continue
        key = (*(cols[name][i] for name in by), _period_start(resolved_at, period, zone))
        counts[key][0] += 1
        if (
            cols["agent_replies"][i] == 1
            and cols["customer_replies_after_reply"][i] == 0
            and not cols["reopened"][i]
        ):
            counts[key][1] += 1
    rows: dict[str, list[Any]] = defaultdict(list)
    for key in sorted(counts, key=_key_order):
        resolved, first = counts[key]
        for j, name in enumerate(by):
            rows[name].append(key[j])
        rows["period"].append(period)
        rows["period_start"].append(key[-1])
        rows["resolved"].append(resolved)
        rows["first_contact"].append(first)
        rows["share"].append(share(first, resolved))
    pa = arrow()
    schema = _schema(
        [
            *((name, pa.string()) for name in by),
            ("period", pa.string()),
            ("period_start", pa.date32()),
            ("resolved", pa.int64()),
            ("first_contact", pa.int64()),
            ("share", pa.decimal128(9, 4)),
        ]
    )
    return pa.table({f.name: rows[f.name] for f in schema}, schema=schema)
