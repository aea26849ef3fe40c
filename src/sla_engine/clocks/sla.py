"""The bundle a ticket is evaluated against: calendars, lifecycle, metrics, targets, warnings,
escalation and strategies.

``SLA(...)`` checks that every name it refers to exists (calendars, states, metrics) and compiles
itself once into the integer-microsecond engine that :func:`~sla_engine.clocks.evaluate.evaluate`
and :class:`~sla_engine.clocks.evaluate.TicketClock` run. ``SLA.from_mapping`` reads plain data
(the shape a policy file holds) and ``to_mapping`` writes it back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any

from sla_engine.calendar import BusinessCalendar
from sla_engine.clocks._engine import Engine
from sla_engine.clocks.escalation import EscalationChain, WarningRule
from sla_engine.clocks.lifecycle import Lifecycle
from sla_engine.clocks.metrics import Metric
from sla_engine.clocks.strategies import Strategies
from sla_engine.clocks.targets import CalendarRule, TargetRule
from sla_engine.errors import CalendarError, TicketError

__all__ = ["SLA"]


def _rules(value: object, path: Sequence[str | int], kind: type[Any]) -> tuple[Any, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TicketError(f"expected a list of rules, got {value!r}", path=path)
    return tuple(kind.from_mapping(item, path=(*path, i)) for i, item in enumerate(value))


@dataclass(frozen=True, slots=True, kw_only=True)
class SLA:
    """Everything needed to put clocks on a ticket.

    ``targets`` maps each metric name to its rules, tried in order (end with a catch-all).
    ``calendar_rules`` pick the calendar for rules that do not name one.
    """

    calendars: Mapping[str, BusinessCalendar]
    metrics: tuple[Metric, ...]
    targets: Mapping[str, tuple[TargetRule, ...]]
    calendar_rules: tuple[CalendarRule, ...] = ()
    lifecycle: Lifecycle = field(default_factory=Lifecycle.default)
    warnings: tuple[WarningRule, ...] = ()
    escalation: EscalationChain | None = None
    #: chains tried before ``escalation``, in order: a breach escalates through the first that
    #: watches the metric and whose ``when`` matches the ticket at the breach (per-tier chains)
    escalations: tuple[EscalationChain, ...] = ()
    strategies: Strategies = field(default_factory=Strategies)
    name: str = "sla"
    #: the policy version this SLA was compiled from (a policy file's ``version``), if any
    version: str | None = None
    engine: Engine = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.calendars, Mapping) or not self.calendars:
            raise TicketError("an SLA needs at least one named calendar", path=("calendars",))
        for key, cal in self.calendars.items():
            if not isinstance(cal, BusinessCalendar):
                raise TicketError(
                    f"calendar {key!r} is not a BusinessCalendar: {cal!r}", path=("calendars", key)
                )
        if not isinstance(self.metrics, tuple) or not self.metrics:
            raise TicketError("an SLA needs a tuple of at least one metric", path=("metrics",))
        for i, metric in enumerate(self.metrics):
            if not isinstance(metric, Metric):
                raise TicketError(f"metrics[{i}] is not a Metric", path=("metrics", i))
        names = [m.name for m in self.metrics]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise TicketError(f"metric {dupes[0]!r} is defined twice", path=("metrics",))
        if not isinstance(self.targets, Mapping):
            raise TicketError("targets must map metric names to rules", path=("targets",))
        for key in ("lifecycle", "strategies"):
            expected = {"lifecycle": Lifecycle, "strategies": Strategies}[key]
            if not isinstance(getattr(self, key), expected):
                raise TicketError(f"{key} must be a {expected.__name__}", path=(key,))
        if not isinstance(self.warnings, tuple) or not all(
            isinstance(w, WarningRule) for w in self.warnings
        ):
            raise TicketError("warnings must be a tuple of WarningRule", path=("warnings",))
        if self.escalation is not None and not isinstance(self.escalation, EscalationChain):
            raise TicketError("escalation must be an EscalationChain or None", path=("escalation",))
        if not isinstance(self.escalations, tuple) or not all(
            isinstance(c, EscalationChain) for c in self.escalations
        ):
            raise TicketError(
                "escalations must be a tuple of EscalationChain", path=("escalations",)
            )
        if not isinstance(self.calendar_rules, tuple) or not all(
            isinstance(r, CalendarRule) for r in self.calendar_rules
        ):
            raise TicketError(
                "calendar_rules must be a tuple of CalendarRule", path=("calendar_rules",)
            )
        if self.version is not None and (not isinstance(self.version, str) or not self.version):
            raise TicketError(
                f"version must be non-empty text or None, got {self.version!r}", path=("version",)
            )
        object.__setattr__(self, "engine", Engine(self))

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle and deepcopy rebuild from the fields; the compiled engine is built anew
        return (_rebuild, (tuple((f, getattr(self, f)) for f in _INIT_FIELDS),))

    @property
    def content_hash(self) -> str:
        """SHA-256 of the SLA's plain data (``to_mapping``, as canonical JSON): two SLAs with
        the same rules have the same hash, whatever object holds them."""
        found = self.engine.content_hash
        if found is None:
            text = json.dumps(self.to_mapping(), sort_keys=True, separators=(",", ":"))
            found = self.engine.content_hash = hashlib.sha256(text.encode()).hexdigest()
        return found

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SLA:
        """Build from plain data: durations as text (``"2h"``), calendars as mappings or ``"24x7"``.

        Raises ``TicketError`` (a ``ValueError``) with ``path`` at the first problem.
        """
        if not isinstance(data, Mapping):
            raise TicketError(f"an SLA must be a mapping, got {data!r}")
        keys = {
            "name",
            "version",
            "calendars",
            "metrics",
            "targets",
            "calendar_rules",
            "lifecycle",
            "warnings",
            "escalation",
            "escalations",
            "strategies",
        }
        unknown = sorted(set(data) - keys)
        if unknown:
            raise TicketError(
                f"unknown SLA keys {unknown}; expected {', '.join(sorted(keys))}",
                path=(unknown[0],),
            )
        raw_cals = data.get("calendars")
        if not isinstance(raw_cals, Mapping):
            raise TicketError(
                f"calendars must map names to calendars, got {raw_cals!r}", path=("calendars",)
            )
        calendars: dict[str, BusinessCalendar] = {}
        for key, raw in raw_cals.items():
            try:
                if raw == "24x7":
                    calendars[key] = BusinessCalendar.always(timezone="UTC")
                else:
                    calendars[key] = BusinessCalendar.from_mapping(raw)
            except CalendarError as exc:
                raise type(exc)(exc.message, path=("calendars", key, *exc.path)) from None
        raw_metrics = data.get("metrics")
        if isinstance(raw_metrics, str) or not isinstance(raw_metrics, Sequence):
            raise TicketError(f"metrics must be a list, got {raw_metrics!r}", path=("metrics",))
        metrics = tuple(
            Metric.from_mapping(m, path=("metrics", i)) for i, m in enumerate(raw_metrics)
        )
        raw_targets = data.get("targets")
        if not isinstance(raw_targets, Mapping):
            raise TicketError(
                f"targets must map metric names to rule lists, got {raw_targets!r}",
                path=("targets",),
            )
        targets = {str(k): _rules(v, ("targets", k), TargetRule) for k, v in raw_targets.items()}
        fields: dict[str, Any] = {}
        if "calendar_rules" in data:
            fields["calendar_rules"] = _rules(
                data["calendar_rules"], ("calendar_rules",), CalendarRule
            )
        if "warnings" in data:
            fields["warnings"] = _rules(data["warnings"], ("warnings",), WarningRule)
        if "lifecycle" in data:
            fields["lifecycle"] = Lifecycle.from_mapping(data["lifecycle"], path=("lifecycle",))
        if data.get("escalation") is not None:
            fields["escalation"] = EscalationChain.from_mapping(
                data["escalation"], path=("escalation",)
            )
        if data.get("escalations"):
            raw_chains = data["escalations"]
            if isinstance(raw_chains, str) or not isinstance(raw_chains, Sequence):
                raise TicketError(
                    f"escalations must be a list of chains, got {raw_chains!r}",
                    path=("escalations",),
                )
            fields["escalations"] = tuple(
                EscalationChain.from_mapping(c, path=("escalations", i))
                for i, c in enumerate(raw_chains)
            )
        if "strategies" in data:
            fields["strategies"] = Strategies.from_mapping(data["strategies"], path=("strategies",))
        if "name" in data:
            if not isinstance(data["name"], str):
                raise TicketError(f"name must be text, got {data['name']!r}", path=("name",))
            fields["name"] = data["name"]
        if data.get("version") is not None:
            if not isinstance(data["version"], str):
                raise TicketError(
                    f"version must be text, got {data['version']!r}", path=("version",)
                )
            fields["version"] = data["version"]
        return cls(calendars=calendars, metrics=metrics, targets=targets, **fields)

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal SLA."""
        out: dict[str, Any] = {
            "name": self.name,
            "calendars": {k: _calendar_mapping(c) for k, c in self.calendars.items()},
            "metrics": [m.to_mapping() for m in self.metrics],
            "targets": {k: [r.to_mapping() for r in v] for k, v in self.targets.items()},
            "calendar_rules": [r.to_mapping() for r in self.calendar_rules],
            "lifecycle": self.lifecycle.to_mapping(),
            "warnings": [w.to_mapping() for w in self.warnings],
            "strategies": self.strategies.to_mapping(),
        }
        if self.escalation is not None:
            out["escalation"] = self.escalation.to_mapping()
        if self.escalations:
            out["escalations"] = [c.to_mapping() for c in self.escalations]
        if self.version is not None:
            out["version"] = self.version
        return out

    def metric(self, name: str) -> Metric:
        """The metric called ``name``; ``LookupError`` if there is none."""
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise LookupError(name)


_INIT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclass_fields(SLA) if f.init)


def _rebuild(items: tuple[tuple[str, Any], ...]) -> SLA:
    return SLA(**dict(items))


def _calendar_mapping(cal: BusinessCalendar) -> Any:
    to_mapping = getattr(cal, "to_mapping", None)
    if to_mapping is None:  # pragma: no cover - depends on the calendar module
        raise TicketError("this BusinessCalendar cannot be written as plain data")
    return to_mapping()
