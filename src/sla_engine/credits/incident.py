"""Incidents: a stretch of downtime with its cause and scope."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Final

from sla_engine._bounds import refuse_huge_fields
from sla_engine._time import horizon_us, require_aware, to_us
from sla_engine.credits import _read
from sla_engine.credits.period import utc_iso
from sla_engine.errors import CreditError, NaiveDatetimeError

__all__ = ["CAUSES", "COVERED", "EXCLUSION_REASONS", "Incident"]

COVERED: Final = "covered"
EXCLUSION_REASONS: Final[tuple[str, ...]] = (
    "scheduled_maintenance",
    "third_party",
    "customer_misconfiguration",
    "force_majeure",
    "beta",
)
CAUSES: Final[tuple[str, ...]] = (COVERED, *EXCLUSION_REASONS)
_CAUSE_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")


def _share(value: Decimal | None, name: str) -> None:
    if value is None:
        return
    if _read.is_float(value) or not isinstance(value, Decimal):
        raise CreditError(
            f"{name}: expected a Decimal between 0 and 1 (e.g. Decimal('0.05') for 5 %), got "
            f"{type(value).__name__} {value!r}",
            path=(name,),
        )
    if not value.is_finite() or not 0 <= value <= 1:
        raise CreditError(
            f"{name}: {value} must be a share between 0 and 1 (5 % is Decimal('0.05'))",
            path=(name,),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident:
    """Downtime ``[start, end)`` with its cause.

    ``cause`` is ``"covered"``, one of :data:`EXCLUSION_REASONS`, or a cause the schedule
    declares (``CreditSchedule(causes=...)``: an open vocabulary, checked when credited);
    whether an exclusion applies is the schedule's choice. ``services`` empty means every
    service was affected. ``error_rate`` and ``affected_share`` are shares from 0 to 1
    (``Decimal("0.05")`` is 5 %), needed only by schedules that filter or weight on them.
    ``reported_at``, when the customer reported the incident, is needed only by schedules that
    count downtime from the report.
    """

    id: str
    start: datetime
    end: datetime
    cause: str = COVERED
    services: frozenset[str] = field(default_factory=frozenset)
    error_rate: Decimal | None = None
    affected_share: Decimal | None = None
    reported_at: datetime | None = None

    def __post_init__(self) -> None:
        refuse_huge_fields(
            self, ("id", "start", "end", "cause", "error_rate", "affected_share"), CreditError
        )
        if not isinstance(self.id, str) or not self.id:
            raise CreditError(f"id: expected a non-empty string, got {self.id!r}", path=("id",))
        for name in ("start", "end"):
            try:
                require_aware(getattr(self, name), f"incident {self.id!r} {name}")
            except NaiveDatetimeError as exc:
                raise NaiveDatetimeError(exc.message, path=(name,)) from None
            horizon_us(getattr(self, name), f"incident {self.id!r} {name}", path=(name,))
        if self.end < self.start:
            raise CreditError(
                f"incident {self.id!r}: end {self.end.isoformat()} is before start "
                f"{self.start.isoformat()}; swap them or fix the end",
                path=("end",),
            )
        if not isinstance(self.cause, str) or not _CAUSE_NAME.match(self.cause):
            raise CreditError(
                f"incident {self.id!r}: cause {self.cause!r} is not a cause name; expected one "
                f"of {', '.join(CAUSES)} or a cause the schedule declares (lower case with "
                "underscores, e.g. 'customer_software')",
                path=("cause",),
            )
        if self.reported_at is not None:
            try:
                require_aware(self.reported_at, f"incident {self.id!r} reported_at")
            except NaiveDatetimeError as exc:
                raise NaiveDatetimeError(exc.message, path=("reported_at",)) from None
        if not isinstance(self.services, frozenset):
            raise CreditError(
                f"incident {self.id!r}: services must be a frozenset of names, got "
                f"{type(self.services).__name__}; use frozenset({{...}}) or from_mapping",
                path=("services",),
            )
        _share(self.error_rate, "error_rate")
        _share(self.affected_share, "affected_share")

    @property
    def start_us(self) -> int:
        """Start instant in µs."""
        return to_us(self.start)

    @property
    def end_us(self) -> int:
        """End instant in µs."""
        return to_us(self.end)

    @classmethod
    def from_mapping(cls, data: object, *, path: _read.Path = ()) -> Incident:
        """Build from ``{"id": "INC-1", "start": "2026-03-02T10:00:00Z", "end": ..., "cause":
        "covered", "services": ["api"], "error_rate": "0.07", "affected_share": "0.5"}``."""
        keys = (
            "id",
            "start",
            "end",
            "cause",
            "services",
            "error_rate",
            "affected_share",
            "reported_at",
        )
        m = _read.mapping(data, path, allowed=keys)
        ident = _read.text(_read.required(m, "id", path), (*path, "id"), what="id")
        start = _read.instant(_read.required(m, "start", path), (*path, "start"), what="start")
        end = _read.instant(_read.required(m, "end", path), (*path, "end"), what="end")
        cause = _read.text(m.get("cause", COVERED), (*path, "cause"), what="cause")
        reported = (
            None
            if m.get("reported_at") is None
            else _read.instant(m["reported_at"], (*path, "reported_at"), what="reported_at")
        )
        services = (
            _read.string_set(m["services"], (*path, "services"), what="services")
            if "services" in m
            else frozenset()
        )
        rates: dict[str, Decimal | None] = {}
        for key in ("error_rate", "affected_share"):
            raw = m.get(key)
            rates[key] = None if raw is None else _read.share(raw, (*path, key), what=key)
        try:
            return cls(
                id=ident,
                start=start,
                end=end,
                cause=cause,
                services=services,
                error_rate=rates["error_rate"],
                affected_share=rates["affected_share"],
                reported_at=reported,
            )
        except CreditError as exc:
            raise type(exc)(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> Mapping[str, object]:
        """Plain data that :meth:`from_mapping` reads back to an equal value."""
        out: dict[str, object] = {
            "id": self.id,
            "start": utc_iso(self.start_us),
            "end": utc_iso(self.end_us),
            "cause": self.cause,
        }
        if self.services:
            out["services"] = sorted(self.services)
        if self.error_rate is not None:
            out["error_rate"] = _read.format_decimal(self.error_rate)
        if self.affected_share is not None:
            out["affected_share"] = _read.format_decimal(self.affected_share)
        if self.reported_at is not None:
            out["reported_at"] = utc_iso(to_us(self.reported_at))
        return out
