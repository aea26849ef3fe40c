"""Warnings before a breach and the escalation chain after it.

A :class:`WarningRule` fires once per cycle when a share of the target has been used
(``share=Fraction(3, 4)``) or a lead time before the due time is reached (``lead=30 min``),
lead measured in business time on the target's calendar or in wall time. An
:class:`EscalationChain` lists levels, each reached a delay after the one before it (the first a
delay after the breach). A notification may be held to a calendar's hours (no e-mail at 2 a.m.):
it is sent at the calendar's next opening instead, and not at all if the cycle has closed by then.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any

from sla_engine._time import format_duration
from sla_engine.clocks.targets import Match, parse_target
from sla_engine.errors import TicketError

__all__ = ["Clock", "EscalationChain", "EscalationLevel", "WarningRule", "parse_share"]


class Clock(StrEnum):
    """Which clock a lead time or delay is measured on."""

    BUSINESS = "business"  # on the target's calendar
    WALL = "wall"  # elapsed real time


def parse_share(value: object, *, path: Sequence[str | int] = ()) -> Fraction:
    """A share of a target, exact: ``Fraction``, ``Decimal``, ``"75%"``, ``"3/4"``, ``"0.75"``."""
    if isinstance(value, bool | float):
        raise TicketError(
            f"share {value!r}: floats are not exact; write '75%', '3/4' or Decimal('0.75')",
            path=path,
        )
    try:
        if isinstance(value, Fraction | int | Decimal):
            share = Fraction(value)
        elif isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*%\s*", value):
            share = Fraction(Decimal(value.strip().rstrip("%").strip())) / 100
        elif isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*(/\s*\d+\s*)?", value):
            share = Fraction(value.replace(" ", ""))
        else:
            raise ValueError(value)
    except (ValueError, ZeroDivisionError, InvalidOperation):
        raise TicketError(
            f"share {value!r} is not a share of the target (expected e.g. '75%', '3/4', '0.75')",
            path=path,
        ) from None
    if not 0 < share <= 1:
        raise TicketError(f"share {value!r} must be above 0 and at most 100%", path=path)
    return share


def _metric_names(value: object, path: Sequence[str | int]) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset) or not value:
        raise TicketError(
            f"metrics must be a non-empty list of metric names, got {value!r}", path=path
        )
    if not all(isinstance(v, str) and v for v in value):
        raise TicketError(f"metrics must be metric names, got {value!r}", path=path)
    return frozenset(value)


def _check_scope(owner: str, metrics: object, notify_calendar: object) -> None:
    if metrics is not None and (
        not isinstance(metrics, frozenset)
        or not metrics
        or not all(isinstance(m, str) for m in metrics)
    ):
        raise TicketError(
            f"{owner}: metrics must be None (all) or a non-empty frozenset of names",
            path=("metrics",),
        )
    if notify_calendar is not None and (
        not isinstance(notify_calendar, str) or not notify_calendar
    ):
        raise TicketError(
            f"{owner}: notify_calendar must be a calendar name or None", path=("notify_calendar",)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WarningRule:
    """Warn once per cycle at a ``share`` of the target or a ``lead`` before the due time."""

    name: str
    share: Fraction | None = None
    lead: timedelta | None = None
    clock: Clock = Clock.BUSINESS
    metrics: frozenset[str] | None = None
    notify_calendar: str | None = None
    #: the tickets warned (by tier, severity ...); ``None``: every ticket
    when: Match | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TicketError(f"a warning needs a name, got {self.name!r}", path=("name",))
        if self.when is not None and not isinstance(self.when, Match):
            raise TicketError(f"warning {self.name!r}: when must be a Match", path=("when",))
        if (self.share is None) == (self.lead is None):
            raise TicketError(
                f"warning {self.name!r}: give exactly one of share (e.g. 3/4) or lead (e.g. 30m)",
                path=("share",),
            )
        if self.share is not None and (
            not isinstance(self.share, Fraction) or not 0 < self.share <= 1
        ):
            raise TicketError(
                f"warning {self.name!r}: share must be a Fraction in (0, 1], got {self.share!r}",
                path=("share",),
            )
        if self.lead is not None and (
            not isinstance(self.lead, timedelta) or self.lead < timedelta(0)
        ):
            raise TicketError(
                f"warning {self.name!r}: lead must be a timedelta >= 0, got {self.lead!r}",
                path=("lead",),
            )
        if not isinstance(self.clock, Clock):
            raise TicketError(f"warning {self.name!r}: clock must be a Clock", path=("clock",))
        _check_scope(f"warning {self.name!r}", self.metrics, self.notify_calendar)

    def applies_to(self, metric: str) -> bool:
        """Whether this warning watches ``metric``."""
        return self.metrics is None or metric in self.metrics

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, path: Sequence[str | int] = ()
    ) -> WarningRule:
        """Build from ``{"name": "75%", "share": "75%"}`` or ``{"lead": "30m", "clock": ...}``."""
        if not isinstance(data, Mapping):
            raise TicketError(f"a warning must be a mapping, got {data!r}", path=path)
        keys = {"name", "share", "lead", "clock", "metrics", "notify_calendar", "when"}
        unknown = sorted(set(data) - keys)
        if unknown:
            raise TicketError(
                f"unknown warning keys {unknown}; expected {', '.join(sorted(keys))}",
                path=(*path, unknown[0]),
            )
        try:
            clock = Clock(data.get("clock", "business"))
        except ValueError:
            raise TicketError(
                f"clock {data.get('clock')!r} is not 'business' or 'wall'", path=(*path, "clock")
            ) from None
        share = data.get("share")
        lead = data.get("lead")
        try:
            return cls(
                name=data.get("name"),  # type: ignore[arg-type]  # checked in __post_init__
                share=None if share is None else parse_share(share, path=("share",)),
                lead=None if lead is None else parse_target(lead, path=("lead",)),
                clock=clock,
                metrics=_metric_names(data.get("metrics"), ("metrics",)),
                notify_calendar=data.get("notify_calendar"),
                when=_when(data.get("when")),
            )
        except TicketError as exc:
            raise TicketError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal warning."""
        out: dict[str, Any] = {"name": self.name}
        if self.share is not None:
            out["share"] = f"{self.share.numerator}/{self.share.denominator}"
        if self.lead is not None:
            out["lead"] = format_duration(self.lead)
            out["clock"] = self.clock.value
        if self.metrics is not None:
            out["metrics"] = sorted(self.metrics)
        if self.notify_calendar is not None:
            out["notify_calendar"] = self.notify_calendar
        if self.when is not None:
            out["when"] = self.when.to_mapping()
        return out

    def describe(self) -> str:
        """``75% of the target`` or ``30m (wall) before due``."""
        if self.share is not None:
            pct = self.share * 100
            shown = str(pct.numerator) if pct.denominator == 1 else f"{pct}"
            return f"{shown}% of the target"
        assert self.lead is not None
        return f"{format_duration(self.lead)} ({self.clock.value}) before due"


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationLevel:
    """One level of the chain, reached ``after`` the previous level (the first: the breach).

    ``responds_within``: how soon the level must answer once reached (an
    ``escalation_answered`` event naming it), on the chain's clock; a level that has not
    answered by then while the cycle is open breaches its own answer time
    (``escalation_answer_breached``). ``None``: no answer time.
    """

    name: str
    after: timedelta = timedelta(0)
    responds_within: timedelta | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TicketError(f"a level needs a name, got {self.name!r}", path=("name",))
        if not isinstance(self.after, timedelta) or self.after < timedelta(0):
            raise TicketError(
                f"level {self.name!r}: after must be a timedelta >= 0, got {self.after!r}",
                path=("after",),
            )
        if self.responds_within is not None and (
            not isinstance(self.responds_within, timedelta) or self.responds_within <= timedelta(0)
        ):
            raise TicketError(
                f"level {self.name!r}: responds_within must be a timedelta above 0 or None, "
                f"got {self.responds_within!r}",
                path=("responds_within",),
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationChain:
    """Levels reached one after another once a cycle breaches, while the cycle stays open."""

    levels: tuple[EscalationLevel, ...]
    clock: Clock = Clock.WALL
    metrics: frozenset[str] | None = None
    notify_calendar: str | None = None
    #: the tickets this chain escalates (by tier, severity ...), judged on the attributes at
    #: the breach; ``None``: every ticket
    when: Match | None = None

    def __post_init__(self) -> None:
        if self.when is not None and not isinstance(self.when, Match):
            raise TicketError("escalation when must be a Match", path=("when",))
        if not isinstance(self.levels, tuple) or not self.levels:
            raise TicketError("an escalation chain needs at least one level", path=("levels",))
        for i, level in enumerate(self.levels):
            if not isinstance(level, EscalationLevel):
                raise TicketError(f"levels[{i}] is not an EscalationLevel", path=("levels", i))
        if not isinstance(self.clock, Clock):
            raise TicketError("escalation clock must be a Clock", path=("clock",))
        _check_scope("escalation", self.metrics, self.notify_calendar)

    def applies_to(self, metric: str) -> bool:
        """Whether breaches of ``metric`` escalate."""
        return self.metrics is None or metric in self.metrics

    def offsets(self) -> tuple[timedelta, ...]:
        """Each level's delay after the breach (the running sum of ``after``)."""
        total = timedelta(0)
        out = []
        for level in self.levels:
            total += level.after
            out.append(total)
        return tuple(out)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, path: Sequence[str | int] = ()
    ) -> EscalationChain:
        """Build from ``{"levels": [{"name": "L1 Support"}, {"name": ..., "after": "1h"}]}``."""
        if not isinstance(data, Mapping):
            raise TicketError(f"escalation must be a mapping, got {data!r}", path=path)
        keys = {"levels", "clock", "metrics", "notify_calendar", "when"}
        unknown = sorted(set(data) - keys)
        if unknown:
            raise TicketError(
                f"unknown escalation keys {unknown}; expected {', '.join(sorted(keys))}",
                path=(*path, unknown[0]),
            )
        raw = data.get("levels")
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            raise TicketError(f"levels must be a list, got {raw!r}", path=(*path, "levels"))
        levels = []
        for i, item in enumerate(raw):
            where = (*path, "levels", i)
            if not isinstance(item, Mapping) or set(item) - {"name", "after", "responds_within"}:
                raise TicketError(
                    f"a level is a mapping with name, after and responds_within, got {item!r}",
                    path=where,
                )
            after = parse_target(item.get("after", "0s"), path=(*where, "after"))
            within = item.get("responds_within")
            answer = (
                None if within is None else parse_target(within, path=(*where, "responds_within"))
            )
            try:
                levels.append(
                    EscalationLevel(
                        name=item.get("name"),  # type: ignore[arg-type]  # checked there
                        after=after,
                        responds_within=answer,
                    )
                )
            except TicketError as exc:
                raise TicketError(exc.message, path=(*where, *exc.path)) from None
        try:
            clock = Clock(data.get("clock", "wall"))
        except ValueError:
            raise TicketError(
                f"clock {data.get('clock')!r} is not 'business' or 'wall'", path=(*path, "clock")
            ) from None
        try:
            return cls(
                levels=tuple(levels),
                clock=clock,
                metrics=_metric_names(data.get("metrics"), ("metrics",)),
                notify_calendar=data.get("notify_calendar"),
                when=_when(data.get("when")),
            )
        except TicketError as exc:
            raise TicketError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal chain."""
        out: dict[str, Any] = {
            "levels": [_level_data(lv) for lv in self.levels],
            "clock": self.clock.value,
        }
        if self.metrics is not None:
            out["metrics"] = sorted(self.metrics)
        if self.notify_calendar is not None:
            out["notify_calendar"] = self.notify_calendar
        if self.when is not None:
            out["when"] = self.when.to_mapping()
        return out


def _level_data(level: EscalationLevel) -> dict[str, str]:
    out = {"name": level.name, "after": format_duration(level.after)}
    if level.responds_within is not None:
        out["responds_within"] = format_duration(level.responds_within)
    return out


def _when(value: object) -> Match | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TicketError(f"'when' must be a mapping, got {value!r}", path=("when",))
    return Match.from_mapping(value, path=("when",))
