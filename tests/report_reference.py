"""A slow, independent reference for the attainment figures of sla_engine.report.

It reads the clocks' own :class:`~sla_engine.clocks.Evaluation` objects (not the result table),
places each cycle with the ISO calendar of the standard library, and counts with plain
dictionaries and fractions, so that a mistake in the Arrow path cannot hide in both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from sla_engine.clocks import SLA, Ticket, evaluate

Key = tuple[object, ...]


def _bucket(instant: datetime, period: str, zone: str) -> date | None:
    local = instant.astimezone(ZoneInfo(zone))
    if period == "all":
        return None
    if period == "day":
        return date(local.year, local.month, local.day)
    if period == "month":
        return date(local.year, local.month, 1)
    year, week, _ = local.isocalendar()
    return date.fromisocalendar(year, week, 1)


def reference_counts(
    sla: SLA,
    tickets: Iterable[Ticket],
    *,
    as_of: datetime,
    period: str,
    by: Sequence[str],
    zone: str = "UTC",
) -> dict[Key, Counter[str]]:
    """``(metric, *by values, period start) -> Counter(met=, breached=, running=, cancelled=)``."""
    out: dict[Key, Counter[str]] = {}
    for ticket in tickets:
        for c in evaluate(sla, ticket, as_of=as_of).cycles:
            state = c.state.value
            if state == "pending":
                continue
            if state == "met":
                kind, when = "met", c.stop
            elif state == "breached":
                kind, when = "breached", c.breached_at
            elif state == "cancelled":
                kind, when = "cancelled", c.stop or c.start
            else:  # running or paused, not breached
                kind, when = "running", as_of
            assert when is not None
            key = (c.metric, *(getattr(ticket, name) for name in by), _bucket(when, period, zone))
            out.setdefault(key, Counter())[kind] += 1
    return out


def reference_share(counts: Counter[str]) -> Fraction | None:
    """met / (met + breached), exactly; ``None`` without either."""
    decided = counts["met"] + counts["breached"]
    return Fraction(counts["met"], decided) if decided else None
