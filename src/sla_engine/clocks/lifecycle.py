"""Ticket lifecycle states: which clocks each pauses and whether it ends the ticket's work.

The default is the customer's (``seeds/001``): New → Triaged → In Progress → Waiting on Customer
→ Escalated → Resolved → Verified → Closed. Waiting on Customer pauses resolution (and first
response, when the policy lets pauses count for it). Resolved, Verified and Closed are terminal:
a ticket leaves them for a working state only through a ``reopened`` event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sla_engine.errors import TicketError

__all__ = ["Lifecycle", "State"]


def _names(value: object, path: Sequence[str | int]) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Sequence | frozenset | set):
        raise TicketError(f"expected a list of names, got {value!r}", path=path)
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise TicketError(f"expected a non-empty name, got {item!r}", path=(*path, i))
    return frozenset(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    """A lifecycle state: its name, the metrics it pauses, and whether it is terminal."""

    name: str
    pauses: frozenset[str] = frozenset()
    terminal: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TicketError(f"a state needs a non-empty name, got {self.name!r}", path=("name",))
        if not isinstance(self.pauses, frozenset) or not all(
            isinstance(p, str) for p in self.pauses
        ):
            raise TicketError(
                f"state {self.name!r}: pauses must be a frozenset of metric names, "
                f"got {self.pauses!r}",
                path=("pauses",),
            )
        if not isinstance(self.terminal, bool):
            raise TicketError(
                f"state {self.name!r}: terminal must be true or false, got {self.terminal!r}",
                path=("terminal",),
            )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, path: Sequence[str | int] = ()) -> State:
        """Build from ``{"name": "Waiting on Customer", "pauses": ["resolution"]}``."""
        if not isinstance(data, Mapping):
            raise TicketError(f"a state must be a mapping, got {data!r}", path=path)
        unknown = sorted(set(data) - {"name", "pauses", "terminal"})
        if unknown:
            raise TicketError(
                f"unknown state keys {unknown}; expected name, pauses, terminal",
                path=(*path, unknown[0]),
            )
        try:
            return cls(
                name=data.get("name"),  # type: ignore[arg-type]  # checked in __post_init__
                pauses=_names(data.get("pauses", ()), (*path, "pauses")),
                terminal=data.get("terminal", False),
            )
        except TicketError as exc:
            raise TicketError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal state."""
        out: dict[str, Any] = {"name": self.name}
        if self.pauses:
            out["pauses"] = sorted(self.pauses)
        if self.terminal:
            out["terminal"] = True
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Lifecycle:
    """The states a ticket moves through, and which states the lifecycle events enter.

    ``resolved``, ``verified`` and ``closed`` name the states the events of those kinds enter;
    ``reopen`` the state a ``reopened`` event without a value enters (it must not be terminal).
    """

    states: tuple[State, ...]
    initial: str = "New"
    resolved: str = "Resolved"
    verified: str = "Verified"
    closed: str = "Closed"
    reopen: str = "In Progress"

    def __post_init__(self) -> None:
        if not isinstance(self.states, tuple) or not self.states:
            raise TicketError("a lifecycle needs a non-empty tuple of states", path=("states",))
        seen: set[str] = set()
        for i, state in enumerate(self.states):
            if not isinstance(state, State):
                raise TicketError(f"states[{i}] is not a State: {state!r}", path=("states", i))
            if state.name in seen:
                raise TicketError(
                    f"state {state.name!r} is listed twice; give each state one entry",
                    path=("states", i),
                )
            seen.add(state.name)
        for key in ("initial", "resolved", "verified", "closed", "reopen"):
            name = getattr(self, key)
            if name not in seen:
                raise TicketError(
                    f"{key}: {name!r} is not a state of this lifecycle (states: "
                    f"{', '.join(s.name for s in self.states)})",
                    path=(key,),
                )
        if self.state(self.initial).terminal:
            raise TicketError(
                f"initial state {self.initial!r} must not be terminal", path=("initial",)
            )
        if self.state(self.reopen).terminal:
            raise TicketError(
                f"reopen state {self.reopen!r} must not be terminal", path=("reopen",)
            )

    @classmethod
    def default(cls) -> Lifecycle:
        """The customer's lifecycle, New → ... → Closed (``seeds/001``)."""
        return cls(
            states=(
                State(name="New"),
                State(name="Triaged"),
                State(name="In Progress"),
                State(
                    name="Waiting on Customer", pauses=frozenset({"first_response", "resolution"})
                ),
                State(name="Escalated"),
                State(name="Resolved", terminal=True),
                State(name="Verified", terminal=True),
                State(name="Closed", terminal=True),
            )
        )

    def state(self, name: str) -> State:
        """The state called ``name``; ``LookupError`` if there is none."""
        for state in self.states:
            if state.name == name:
                return state
        raise LookupError(name)

    def names(self) -> tuple[str, ...]:
        """State names in the order listed."""
        return tuple(s.name for s in self.states)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, path: Sequence[str | int] = ()) -> Lifecycle:
        """Build from ``{"states": [...], "initial": "New", "reopen": "In Progress", ...}``."""
        if not isinstance(data, Mapping):
            raise TicketError(f"a lifecycle must be a mapping, got {data!r}", path=path)
        keys = {"states", "initial", "resolved", "verified", "closed", "reopen"}
        unknown = sorted(set(data) - keys)
        if unknown:
            raise TicketError(
                f"unknown lifecycle keys {unknown}; expected {', '.join(sorted(keys))}",
                path=(*path, unknown[0]),
            )
        raw = data.get("states")
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            raise TicketError(f"states must be a list, got {raw!r}", path=(*path, "states"))
        states = tuple(State.from_mapping(s, path=(*path, "states", i)) for i, s in enumerate(raw))
        extra = {k: data[k] for k in keys - {"states"} if k in data}
        for key, value in extra.items():
            if not isinstance(value, str):
                raise TicketError(f"{key} must be a state name, got {value!r}", path=(*path, key))
        try:
            return cls(states=states, **extra)
        except TicketError as exc:
            raise TicketError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal lifecycle."""
        return {
            "states": [s.to_mapping() for s in self.states],
            "initial": self.initial,
            "resolved": self.resolved,
            "verified": self.verified,
            "closed": self.closed,
            "reopen": self.reopen,
        }
