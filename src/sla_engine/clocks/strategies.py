"""The named choices where SLA engines differ, each with its default (see DOMAIN.md).

``severity_change`` (a priority or severity change, or any change of tier, channel or issue class
that picks another target, on an open cycle):

- ``recompute`` (default): the new target applies as if it had held from the cycle's start; the
  business time elapsed since the start is re-counted on the new target's calendar.
- ``restart``: the cycle's counting starts again from zero at the change.
- ``carry``: the business time counted so far (on the old calendar) carries into the new target;
  counting goes on on the new target's calendar.

Whatever the choice, a breach already reached stays a breach: a later change never undoes an
alarm that was raised. If the new target is already used up, the cycle breaches at the change.

``reopen`` (a ``reopened`` event after the ticket entered a terminal state):

- ``resume`` (default): the cycles the terminal state fulfilled resume, elapsed time carried on;
  the time the ticket spent resolved is not counted.
- ``new_cycle``: those cycles stay as they were and a new cycle of each metric opens.

``first_response_pauses`` (default ``False``): whether pausing states pause first response too.
Most engines keep the first-response clock running while a ticket waits on the customer.

``retroactive_start`` (default ``True``): when a change makes a target apply to an open cycle that
had none (a ticket raised to Sev 1 gets a workaround target), the cycle counts from its start;
with ``False`` it counts from the change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sla_engine.errors import TicketError

__all__ = ["Reopen", "SeverityChange", "Strategies"]


class SeverityChange(StrEnum):
    """What a change of target does to an open cycle."""

    RECOMPUTE = "recompute"
    RESTART = "restart"
    CARRY = "carry"


class Reopen(StrEnum):
    """What a reopen does to the cycles a terminal state fulfilled."""

    RESUME = "resume"
    NEW_CYCLE = "new_cycle"


@dataclass(frozen=True, slots=True, kw_only=True)
class Strategies:
    """The policy's choices; every field has the default most engines use."""

    severity_change: SeverityChange = SeverityChange.RECOMPUTE
    reopen: Reopen = Reopen.RESUME
    first_response_pauses: bool = False
    retroactive_start: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.severity_change, SeverityChange):
            raise TicketError(
                f"severity_change must be a SeverityChange, got {self.severity_change!r}",
                path=("severity_change",),
            )
        if not isinstance(self.reopen, Reopen):
            raise TicketError(f"reopen must be a Reopen, got {self.reopen!r}", path=("reopen",))
        for key in ("first_response_pauses", "retroactive_start"):
            if not isinstance(getattr(self, key), bool):
                raise TicketError(f"{key} must be true or false", path=(key,))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, path: Sequence[str | int] = ()) -> Strategies:
        """Build from ``{"severity_change": "carry", "reopen": "new_cycle", ...}``."""
        if not isinstance(data, Mapping):
            raise TicketError(f"strategies must be a mapping, got {data!r}", path=path)
        keys = ("severity_change", "reopen", "first_response_pauses", "retroactive_start")
        unknown = sorted(set(data) - set(keys))
        if unknown:
            raise TicketError(
                f"unknown strategy {unknown[0]!r}; expected {', '.join(keys)}",
                path=(*path, unknown[0]),
            )
        fields: dict[str, Any] = dict(data)
        for key, enum in (("severity_change", SeverityChange), ("reopen", Reopen)):
            if key in fields:
                try:
                    fields[key] = enum(fields[key])
                except ValueError:
                    raise TicketError(
                        f"{key}: {fields[key]!r} is not one of " + ", ".join(m.value for m in enum),
                        path=(*path, key),
                    ) from None
        try:
            return cls(**fields)
        except TicketError as exc:
            raise TicketError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to equal strategies."""
        return {
            "severity_change": self.severity_change.value,
            "reopen": self.reopen.value,
            "first_response_pauses": self.first_response_pauses,
            "retroactive_start": self.retroactive_start,
        }
