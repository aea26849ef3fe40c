"""The credit decision: what a billing system stores, with a reason for every part of it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from sla_engine._time import format_duration, to_us
from sla_engine.credits import _read
from sla_engine.credits.money import Fee, round_money
from sla_engine.credits.period import utc_iso
from sla_engine.data_versions import DataVersions, data_versions

__all__ = ["CreditDecision", "DowntimeStretch", "IncidentLine"]


def _reasons(items: tuple[tuple[str, timedelta], ...]) -> dict[str, str]:
    return {reason: format_duration(length) for reason, length in items}


def _opt_decimal(value: Decimal | None) -> str | None:
    return None if value is None else _read.format_decimal(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentLine:
    """One incident as given: how much of it counted, and why the rest did not.

    ``counted`` plus the ``excluded`` lengths add up to the incident's whole length. Time already
    counted for an incident that starts earlier (or, at the same start, ends earlier) is excluded
    as ``"overlap"``.
    """

    id: str
    cause: str
    start: datetime
    end: datetime
    counted: timedelta
    excluded: tuple[tuple[str, timedelta], ...]
    stretch: int | None
    claim_deadline: datetime | None

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data for JSON."""
        return {
            "id": self.id,
            "cause": self.cause,
            "start": utc_iso(to_us(self.start)),
            "end": utc_iso(to_us(self.end)),
            "counted": format_duration(self.counted),
            "excluded": _reasons(self.excluded),
            "stretch": self.stretch,
            "claim_deadline": None
            if self.claim_deadline is None
            else utc_iso(to_us(self.claim_deadline)),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class DowntimeStretch:
    """Covered incidents merged where they overlap or touch, within the period.

    With ``basis="incident"`` each stretch is credited alone: ``percent``/``band`` and the
    ``amount`` (exact, shown rounded to the minor unit; the total is rounded once from the exact
    sum) are its own.
    """

    index: int
    start: datetime
    end: datetime
    incident_ids: tuple[str, ...]
    counted: timedelta
    dropped: str | None
    band: str | None
    percent: Decimal | None
    amount: Decimal | None
    capped: bool

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data for JSON."""
        return {
            "index": self.index,
            "start": utc_iso(to_us(self.start)),
            "end": utc_iso(to_us(self.end)),
            "incident_ids": list(self.incident_ids),
            "counted": format_duration(self.counted),
            "dropped": self.dropped,
            "band": self.band,
            "percent": _opt_decimal(self.percent),
            "amount": _opt_decimal(self.amount),
            "capped": self.capped,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditDecision:
    """The credit for one customer and one billing period.

    ``amount`` is final: rounded once to the currency's minor unit, after caps, the minimum
    payout and the claim check. ``uptime_share`` is exact. ``excluded`` sums, by reason, the
    incident time that did not count (see :class:`IncidentLine`).
    """

    period: str
    period_start: datetime
    period_end: datetime
    basis: str
    rule: str
    period_length: timedelta
    downtime: timedelta
    excluded: tuple[tuple[str, timedelta], ...]
    uptime_share: Fraction
    band: str | None
    percent: Decimal | None
    fee: Fee
    period_fee: Fraction
    amount: Decimal
    currency: str
    cap_applied: str | None
    minimum_applied: bool
    claim_accepted: bool
    claim_reason: str
    incidents: tuple[IncidentLine, ...]
    stretches: tuple[DowntimeStretch, ...]
    trace: tuple[str, ...]
    data_versions: DataVersions = field(default_factory=data_versions)

    @property
    def uptime_percent(self) -> Decimal:
        """The uptime share in percent, rounded half-even to 6 decimals (for display)."""
        return round_money(self.uptime_share * 100, 6, "half_even")

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data; amounts and shares are strings, instants UTC ISO 8601."""
        return {
            "period": {
                "label": self.period,
                "start": utc_iso(to_us(self.period_start)),
                "end": utc_iso(to_us(self.period_end)),
                "length": format_duration(self.period_length),
            },
            "basis": self.basis,
            "rule": self.rule,
            "downtime": format_duration(self.downtime),
            "excluded": _reasons(self.excluded),
            "uptime_share": f"{self.uptime_share.numerator}/{self.uptime_share.denominator}",
            "uptime_percent": _read.format_decimal(self.uptime_percent),
            "band": self.band,
            "percent": _opt_decimal(self.percent),
            "fee": dict(self.fee.to_mapping()),
            "period_fee": _read.format_decimal(
                round_money(self.period_fee, self.fee.places, "half_even")
            ),
            "amount": _read.format_decimal(self.amount),
            "currency": self.currency,
            "cap_applied": self.cap_applied,
            "minimum_applied": self.minimum_applied,
            "claim": {"accepted": self.claim_accepted, "reason": self.claim_reason},
            "incidents": [line.to_mapping() for line in self.incidents],
            "stretches": [s.to_mapping() for s in self.stretches],
            "trace": list(self.trace),
            "data_versions": self.data_versions.to_mapping(),
        }

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, two-space indent; identical input gives identical bytes."""
        return json.dumps(self.to_mapping(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    def explain(self) -> str:
        """The trace as readable text."""
        return "\n".join(self.trace)
