"""What a clock measures: metrics defined by start, stop, pause, resume, reset and cancel triggers.

A trigger is written as text:

- an event kind: ``agent_reply``, ``workaround_given``, ``created`` ...
- ``enter:<state>`` / ``leave:<state>``: the ticket enters or leaves a lifecycle state;
- ``custom:<name>``: a ``custom`` event with that value;
- any of these followed by ``after <event kind>``: only once such an event has happened
  (``customer_reply after agent_reply`` opens next-response cycles only after a first reply).

Lifecycle states pause metrics by name as well (see :mod:`sla_engine.clocks.lifecycle`). Entering
a terminal state fulfils every open cycle of a metric with ``stop_on_terminal`` (the default),
and such a metric opens no cycle while the ticket is in a terminal state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sla_engine.clocks.events import EventKind
from sla_engine.clocks.strategies import Reopen, SeverityChange
from sla_engine.errors import TicketError

__all__ = ["Metric", "MetricKind", "Trigger"]

_KINDS = ", ".join(k.value for k in EventKind if k is not EventKind.CUSTOM)
_TRIGGER_HINT = (
    f"expected an event kind ({_KINDS}), 'enter:<state>', 'leave:<state>' or 'custom:<name>', "
    "optionally followed by 'after <event kind>'"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    """A condition over a ticket's events and states; exactly one of the four is set."""

    event: EventKind | None = None
    enter: str | None = None
    leave: str | None = None
    custom: str | None = None
    after: EventKind | None = None

    def __post_init__(self) -> None:
        set_ = [k for k in ("event", "enter", "leave", "custom") if getattr(self, k) is not None]
        if len(set_) != 1:
            raise TicketError(
                f"a trigger sets exactly one of event, enter, leave, custom; got {set_ or 'none'}"
            )
        if self.event is not None and (
            not isinstance(self.event, EventKind) or self.event is EventKind.CUSTOM
        ):
            raise TicketError(
                f"trigger event {self.event!r}: {_TRIGGER_HINT}; for custom events use custom=name"
            )
        for key in ("enter", "leave", "custom"):
            value = getattr(self, key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise TicketError(f"trigger {key}: expected a non-empty name, got {value!r}")
        if self.after is not None and not isinstance(self.after, EventKind):
            raise TicketError(f"trigger after: expected an EventKind, got {self.after!r}")

    @classmethod
    def parse(cls, text: object) -> Trigger:
        """Read ``'agent_reply'``, ``'enter:In Progress'``, ``'custom:x after agent_reply'``."""
        if not isinstance(text, str) or not text.strip():
            raise TicketError(f"{text!r} is not a trigger ({_TRIGGER_HINT})")
        body = text.strip()
        after: EventKind | None = None
        m = re.fullmatch(r"(.+?)\s+after\s+(\w+)", body)
        if m:
            body = m.group(1).strip()
            try:
                after = EventKind(m.group(2))
            except ValueError:
                raise TicketError(
                    f"{text!r}: {m.group(2)!r} is not an event kind ({_KINDS})"
                ) from None
        prefix, sep, rest = body.partition(":")
        if sep:
            rest = rest.strip()
            if prefix == "enter" and rest:
                return cls(enter=rest, after=after)
            if prefix == "leave" and rest:
                return cls(leave=rest, after=after)
            if prefix == "custom" and rest:
                return cls(custom=rest, after=after)
            raise TicketError(f"{text!r} is not a trigger ({_TRIGGER_HINT})")
        try:
            kind = EventKind(body)
        except ValueError:
            raise TicketError(f"{text!r} is not a trigger ({_TRIGGER_HINT})") from None
        if kind is EventKind.CUSTOM:
            raise TicketError(f"{text!r}: write 'custom:<name>' to name the custom event")
        return cls(event=kind, after=after)

    def __str__(self) -> str:
        if self.event is not None:
            head = self.event.value
        elif self.enter is not None:
            head = f"enter:{self.enter}"
        elif self.leave is not None:
            head = f"leave:{self.leave}"
        else:
            head = f"custom:{self.custom}"
        return head if self.after is None else f"{head} after {self.after.value}"


class MetricKind(StrEnum):
    """The built-in metrics; ``custom`` is defined by its triggers alone."""

    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    PERIODIC_UPDATE = "periodic_update"
    WORKAROUND = "workaround"
    RESOLUTION = "resolution"
    ROOT_CAUSE_PLAN = "root_cause_plan"
    TIME_IN_STATE = "time_in_state"
    CUSTOM = "custom"


_TRIGGER_FIELDS = ("start", "stop", "pause", "resume", "reset", "cancel")


def _triggers(*texts: str) -> tuple[Trigger, ...]:
    return tuple(Trigger.parse(t) for t in texts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Metric:
    """One clock: when a cycle starts and stops, what pauses it, and how cycles follow.

    - ``start``: opens a cycle (while none is open); ``once`` allows a single cycle ever
      (a reopen under the ``new_cycle`` strategy still opens another).
    - ``stop``: fulfils the open cycle (met or breached); with ``repeat`` the next cycle opens
      at the same instant (a periodic update).
    - ``pause`` / ``resume``: stop and restart the counting (lifecycle states pause too).
    - ``reset``: ends the open cycle (breached if it breached, else cancelled) and opens a new one.
    - ``cancel``: ends the open cycle as cancelled, unless it had already breached.
    - ``state``: for ``time_in_state``, the state measured.
    - ``severity_change``, ``reopen``: this metric's own strategies; ``None`` (the default)
      takes the SLA's :class:`~sla_engine.clocks.strategies.Strategies`.
    """

    name: str
    kind: MetricKind = MetricKind.CUSTOM
    start: tuple[Trigger, ...] = ()
    stop: tuple[Trigger, ...] = ()
    pause: tuple[Trigger, ...] = ()
    resume: tuple[Trigger, ...] = ()
    reset: tuple[Trigger, ...] = ()
    cancel: tuple[Trigger, ...] = ()
    once: bool = False
    repeat: bool = False
    stop_on_terminal: bool = True
    state: str | None = None
    severity_change: SeverityChange | None = None
    reopen: Reopen | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z_][\w\-]*", self.name):
            raise TicketError(
                f"metric name {self.name!r} must be a word (letters, digits, _ or -), "
                "e.g. 'first_response'",
                path=("name",),
            )
        if not isinstance(self.kind, MetricKind):
            raise TicketError(f"metric {self.name!r}: kind {self.kind!r} is not a MetricKind")
        for key in _TRIGGER_FIELDS:
            value = getattr(self, key)
            if not isinstance(value, tuple) or not all(isinstance(t, Trigger) for t in value):
                raise TicketError(
                    f"metric {self.name!r}: {key} must be a tuple of Trigger, got {value!r}",
                    path=(key,),
                )
        if not self.start:
            raise TicketError(
                f"metric {self.name!r} has no start trigger; add one, e.g. start=('created',)",
                path=("start",),
            )
        for key, enum in (("severity_change", SeverityChange), ("reopen", Reopen)):
            value = getattr(self, key)
            if value is not None and not isinstance(value, enum):
                raise TicketError(
                    f"metric {self.name!r}: {key} must be a {enum.__name__} or None, got {value!r}",
                    path=(key,),
                )
        for key in ("once", "repeat", "stop_on_terminal"):
            if not isinstance(getattr(self, key), bool):
                raise TicketError(f"metric {self.name!r}: {key} must be true or false", path=(key,))
        if self.repeat and not self.stop:
            raise TicketError(
                f"metric {self.name!r}: repeat needs a stop trigger to end each cycle",
                path=("repeat",),
            )
        if self.kind is MetricKind.TIME_IN_STATE and not self.state:
            raise TicketError(
                f"metric {self.name!r}: time_in_state needs state=<the state measured>",
                path=("state",),
            )

    # -- the built-in metrics -------------------------------------------------------------

    @classmethod
    def first_response(cls, name: str = "first_response") -> Metric:
        """From creation to the first public agent reply; one cycle."""
        return cls(
            name=name,
            kind=MetricKind.FIRST_RESPONSE,
            start=_triggers("created"),
            stop=_triggers("agent_reply"),
            once=True,
        )

    @classmethod
    def next_response(cls, name: str = "next_response") -> Metric:
        """From a customer reply (after the first agent reply) to the next public agent reply."""
        return cls(
            name=name,
            kind=MetricKind.NEXT_RESPONSE,
            start=_triggers("customer_reply after agent_reply"),
            stop=_triggers("agent_reply"),
        )

    @classmethod
    def periodic_update(
        cls,
        name: str = "periodic_update",
        *,
        start: Sequence[str] = ("custom:major_incident",),
        update: Sequence[str] = ("custom:status_update",),
        end: Sequence[str] = ("custom:incident_resolved",),
    ) -> Metric:
        """Between ``start`` and ``end``, each ``update`` must follow the last within the target."""
        return cls(
            name=name,
            kind=MetricKind.PERIODIC_UPDATE,
            start=_triggers(*start),
            stop=_triggers(*update),
            cancel=_triggers(*end),
            repeat=True,
        )

    @classmethod
    def workaround(cls, name: str = "workaround") -> Metric:
        """From creation to a workaround or mitigation; one cycle."""
        return cls(
            name=name,
            kind=MetricKind.WORKAROUND,
            start=_triggers("created"),
            stop=_triggers("workaround_given"),
            once=True,
        )

    @classmethod
    def resolution(cls, name: str = "resolution") -> Metric:
        """From creation until the ticket enters a terminal state; one cycle."""
        return cls(name=name, kind=MetricKind.RESOLUTION, start=_triggers("created"), once=True)

    @classmethod
    def root_cause_plan(cls, name: str = "root_cause_plan") -> Metric:
        """From creation to the root-cause plan; one cycle."""
        return cls(
            name=name,
            kind=MetricKind.ROOT_CAUSE_PLAN,
            start=_triggers("created"),
            stop=_triggers("root_cause_plan"),
            once=True,
        )

    @classmethod
    def time_in_state(cls, state: str, name: str | None = None) -> Metric:
        """Each stay in ``state`` is a cycle (e.g. In Progress ≤ 48 h)."""
        slug = re.sub(r"\W+", "_", state.strip().lower()).strip("_") or "state"
        return cls(
            name=name or f"time_in_{slug}",
            kind=MetricKind.TIME_IN_STATE,
            start=(Trigger(enter=state),),
            stop=(Trigger(leave=state),),
            stop_on_terminal=False,
            state=state,
        )

    # -- plain data -------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, path: Sequence[str | int] = ()) -> Metric:
        """Build from ``{"name": ..., "kind": "resolution", "pause": ["custom:hold"], ...}``.

        A built-in ``kind`` supplies its triggers; keys given replace them.
        """
        if not isinstance(data, Mapping):
            raise TicketError(f"a metric must be a mapping, got {data!r}", path=path)
        keys = {
            "name",
            "kind",
            *_TRIGGER_FIELDS,
            "once",
            "repeat",
            "stop_on_terminal",
            "state",
            "severity_change",
            "reopen",
        }
        unknown = sorted(set(data) - keys)
        if unknown:
            raise TicketError(
                f"unknown metric keys {unknown}; expected {', '.join(sorted(keys))}",
                path=(*path, unknown[0]),
            )
        name = data.get("name")
        raw_kind = data.get("kind", "custom")
        try:
            kind = MetricKind(raw_kind)
        except ValueError:
            raise TicketError(
                f"metric {name!r}: unknown kind {raw_kind!r}; expected one of "
                + ", ".join(k.value for k in MetricKind),
                path=(*path, "kind"),
            ) from None
        try:
            base = _preset(kind, name, data.get("state"))
            fields: dict[str, Any] = {}
            for key in _TRIGGER_FIELDS:
                if key in data:
                    raw = data[key]
                    if isinstance(raw, str) or not isinstance(raw, Sequence):
                        raise TicketError(
                            f"metric {name!r}: {key} must be a list of triggers, got {raw!r}",
                            path=(key,),
                        )
                    items = []
                    for i, text in enumerate(raw):
                        try:
                            items.append(Trigger.parse(text))
                        except TicketError as exc:
                            raise TicketError(
                                f"metric {name!r}: {exc.message}", path=(key, i)
                            ) from None
                    fields[key] = tuple(items)
                elif base is not None:
                    fields[key] = getattr(base, key)
            for key in ("once", "repeat", "stop_on_terminal", "state"):
                if key in data:
                    fields[key] = data[key]
                elif base is not None:
                    fields[key] = getattr(base, key)
            for key, enum in (("severity_change", SeverityChange), ("reopen", Reopen)):
                if data.get(key) is not None:
                    try:
                        fields[key] = enum(data[key])
                    except ValueError:
                        raise TicketError(
                            f"metric {name!r}: {key} {data[key]!r} is not one of "
                            + ", ".join(m.value for m in enum),
                            path=(key,),
                        ) from None
            return cls(name=name, kind=kind, **fields)  # type: ignore[arg-type]
        except TicketError as exc:
            raise TicketError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal metric."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind.value}
        for key in _TRIGGER_FIELDS:
            out[key] = [str(t) for t in getattr(self, key)]
        out["once"] = self.once
        out["repeat"] = self.repeat
        out["stop_on_terminal"] = self.stop_on_terminal
        if self.state is not None:
            out["state"] = self.state
        if self.severity_change is not None:
            out["severity_change"] = self.severity_change.value
        if self.reopen is not None:
            out["reopen"] = self.reopen.value
        return out


def _preset(kind: MetricKind, name: object, state: object) -> Metric | None:
    if not isinstance(name, str):
        raise TicketError(f"a metric needs a name, got {name!r}", path=("name",))
    if kind is MetricKind.CUSTOM:
        return None
    if kind is MetricKind.TIME_IN_STATE:
        if not isinstance(state, str) or not state:
            raise TicketError(
                f"metric {name!r}: time_in_state needs state=<the state measured>",
                path=("state",),
            )
        return Metric.time_in_state(state, name)
    factory = {
        MetricKind.FIRST_RESPONSE: Metric.first_response,
        MetricKind.NEXT_RESPONSE: Metric.next_response,
        MetricKind.PERIODIC_UPDATE: Metric.periodic_update,
        MetricKind.WORKAROUND: Metric.workaround,
        MetricKind.RESOLUTION: Metric.resolution,
        MetricKind.ROOT_CAUSE_PLAN: Metric.root_cause_plan,
    }[kind]
    return factory(name)
