"""A ticket as an ordered event log.

A :class:`Ticket` is an id, the attributes that pick its targets (tier, severity, channel, issue
class, and any others a service sends in ``attributes``, such as region or plan) as they stood
when it was created, optionally the customer's IANA time zone (used by calendars marked
``customer_zone``), and its events in time order. Events that share an instant are applied in
the order given; an event earlier than the one before it is an error that names it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sla_engine._bounds import refuse_huge_fields, refuse_huge_ints
from sla_engine._time import from_us, horizon_us
from sla_engine.errors import HorizonError, NaiveDatetimeError, TicketError

__all__ = ["ATTRIBUTES", "Event", "EventKind", "Ticket"]

#: The ticket attributes that targets are chosen by, in the order rules list them.
ATTRIBUTES: tuple[str, ...] = ("tier", "severity", "channel", "issue_class")


class EventKind(StrEnum):
    """What happened to a ticket. ``value`` on the :class:`Event` carries the detail."""

    CREATED = "created"
    STATUS_CHANGED = "status_changed"  # value: the new lifecycle state
    SEVERITY_CHANGED = "severity_changed"  # value: the new severity (priority)
    TIER_CHANGED = "tier_changed"  # value: the new tier
    CHANNEL_CHANGED = "channel_changed"  # value: the new channel
    ISSUE_CLASS_CHANGED = "issue_class_changed"  # value: the new issue class
    AGENT_REPLY = "agent_reply"  # a public reply by an agent
    CUSTOMER_REPLY = "customer_reply"
    INTERNAL_NOTE = "internal_note"
    WORKAROUND_GIVEN = "workaround_given"
    ROOT_CAUSE_PLAN = "root_cause_plan"
    RESOLVED = "resolved"  # enters the lifecycle's resolved state
    VERIFIED = "verified"  # enters the lifecycle's verified state
    CLOSED = "closed"  # enters the lifecycle's closed state
    REOPENED = "reopened"  # value: the state to reopen into (default: the lifecycle's)
    ESCALATION_ANSWERED = "escalation_answered"  # value: the escalation level that answered
    ATTRIBUTE_CHANGED = "attribute_changed"  # value: "name=value" of another attribute
    CUSTOM = "custom"  # value: the custom event's name


#: Event kinds whose ``value`` is required, and what it names.
VALUE_REQUIRED: Mapping[EventKind, str] = {
    EventKind.STATUS_CHANGED: "the new state",
    EventKind.SEVERITY_CHANGED: "the new severity",
    EventKind.TIER_CHANGED: "the new tier",
    EventKind.CHANNEL_CHANGED: "the new channel",
    EventKind.ISSUE_CLASS_CHANGED: "the new issue class",
    EventKind.CUSTOM: "the custom event's name",
    EventKind.ESCALATION_ANSWERED: "the escalation level's name",
    EventKind.ATTRIBUTE_CHANGED: "the other attribute and its new value, e.g. 'plan=gold'",
}

#: how the name of an attribute beyond the named four is spelled (``region``, ``plan``)
ATTRIBUTE_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")


def split_attribute(value: str) -> tuple[str, str] | None:
    """``("plan", "gold")`` from an ``attribute_changed`` value ``"plan=gold"``; ``None`` if it
    is not ``name=value`` with a name other than the named four and a non-empty value."""
    name, sep, new = value.partition("=")
    if not sep or not new or not ATTRIBUTE_NAME.fullmatch(name) or name in ATTRIBUTES:
        return None
    return name, new


#: Attribute set by each attribute-changing event kind.
ATTRIBUTE_OF: Mapping[EventKind, str] = {
    EventKind.SEVERITY_CHANGED: "severity",
    EventKind.TIER_CHANGED: "tier",
    EventKind.CHANNEL_CHANGED: "channel",
    EventKind.ISSUE_CLASS_CHANGED: "issue_class",
}

_KIND_NAMES = ", ".join(k.value for k in EventKind)


def _describe(kind: object, at: object) -> str:
    when = at.isoformat() if isinstance(at, datetime) else repr(at)
    return f"{kind} at {when}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One thing that happened to a ticket, at an aware instant."""

    kind: EventKind
    at: datetime
    value: str | None = None
    at_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        refuse_huge_fields(self, ("kind", "at", "value"), TicketError)
        if not isinstance(self.kind, EventKind):
            raise TicketError(
                f"event kind {self.kind!r} is not an EventKind (expected one of {_KIND_NAMES}); "
                "use EventKind(...) or Event.from_mapping(...)",
                path=("kind",),
            )
        if not isinstance(self.at, datetime) or self.at.utcoffset() is None:
            shown = self.at.isoformat() if isinstance(self.at, datetime) else repr(self.at)
            raise NaiveDatetimeError(
                f"event {self.kind.value}: at={shown} has no time zone; attach one, e.g. "
                "at.replace(tzinfo=timezone.utc) or ZoneInfo('America/New_York')",
                path=("at",),
            )
        needed = VALUE_REQUIRED.get(self.kind)
        if needed is not None and (not isinstance(self.value, str) or not self.value):
            raise TicketError(
                f"event {_describe(self.kind.value, self.at)} needs value= {needed}, "
                f"got {self.value!r}",
                path=("value",),
            )
        if self.value is not None and not isinstance(self.value, str):
            raise TicketError(
                f"event {_describe(self.kind.value, self.at)}: value must be a string, "
                f"got {self.value!r}",
                path=("value",),
            )
        if self.kind is EventKind.ATTRIBUTE_CHANGED and split_attribute(self.value) is None:  # type: ignore[arg-type]  # checked above
            raise TicketError(
                f"event {_describe(self.kind.value, self.at)}: value {self.value!r} is not "
                "'name=value' of another attribute (e.g. 'plan=gold'); use tier_changed, "
                "severity_changed, channel_changed or issue_class_changed for those four",
                path=("value",),
            )
        object.__setattr__(
            self, "at_us", horizon_us(self.at, f"event {self.kind.value}: at", path=("at",))
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, path: Sequence[str | int] = ()) -> Event:
        """Build from ``{"kind": "status_changed", "at": datetime | ISO text, "value": ...}``."""
        refuse_huge_ints(data, tuple(path), TicketError)
        if not isinstance(data, Mapping):
            raise TicketError(f"an event must be a mapping, got {data!r}", path=path)
        unknown = sorted(set(data) - {"kind", "at", "value"})
        if unknown:
            raise TicketError(
                f"unknown event keys {unknown}; expected kind, at and value",
                path=(*path, unknown[0]),
            )
        raw_kind = data.get("kind")
        try:
            kind = EventKind(str(raw_kind))
        except ValueError:
            raise TicketError(
                f"unknown event kind {raw_kind!r}; expected one of {_KIND_NAMES} "
                "(use kind 'custom' with value=<name> for your own events)",
                path=(*path, "kind"),
            ) from None
        at = data.get("at")
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at)
            except ValueError:
                raise TicketError(
                    f"event {kind.value}: at={at!r} is not an ISO 8601 instant "
                    "(expected e.g. '2026-03-09T09:00:00-05:00')",
                    path=(*path, "at"),
                ) from None
        if not isinstance(at, datetime):
            raise TicketError(
                f"event {kind.value}: at must be an aware datetime or ISO text, got {at!r}",
                path=(*path, "at"),
            )
        try:
            return cls(kind=kind, at=at, value=data.get("value"))
        except HorizonError as exc:
            raise HorizonError(exc.message, path=(*path, *exc.path)) from None
        except (TicketError, NaiveDatetimeError) as exc:
            raise TicketError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal event."""
        out: dict[str, Any] = {"kind": self.kind.value, "at": self.at.isoformat()}
        if self.value is not None:
            out["value"] = self.value
        return out

    def describe(self) -> str:
        """``status_changed 'Waiting on Customer' at 2026-03-09T14:00:00+00:00`` (UTC)."""
        detail = f" {self.value!r}" if self.value is not None else ""
        return f"{self.kind.value}{detail} at {from_us(self.at_us).isoformat()}"


MAX_EVENTS: Final = 100_000
"""The most events one ticket may hold (each costs work at every evaluation)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Ticket:
    """A ticket: its id, its attributes when created, and its event log in time order.

    The first event must be ``created``. Later events change the attributes
    (``severity_changed`` ...) and the lifecycle state (``status_changed`` ...). ``timezone``
    is the customer's IANA zone: calendars marked ``customer_zone`` are read in it (without it,
    in their own zone).
    """

    id: str
    events: tuple[Event, ...]
    tier: str | None = None
    severity: str | None = None
    channel: str | None = None
    issue_class: str | None = None
    timezone: str | None = None
    #: any other attributes the service sends (region, customer, product, plan), by name;
    #: rules may match on them
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        refuse_huge_fields(
            self, ("id", "tier", "severity", "channel", "issue_class", "timezone"), TicketError
        )
        if not isinstance(self.id, str) or not self.id:
            raise TicketError(
                f"a ticket id must be a non-empty string, got {self.id!r}", path=("id",)
            )
        if not isinstance(self.events, tuple):
            raise TicketError(
                f"ticket {self.id!r}: events must be a tuple of Event, got "
                f"{type(self.events).__name__}; pass tuple(events)",
                path=("events",),
            )
        if len(self.events) > MAX_EVENTS:
            raise TicketError(
                f"ticket {self.id!r}: {len(self.events):,} events; a ticket holds at most "
                f"{MAX_EVENTS:,} (real tickets hold hundreds)",
                path=("events",),
            )
        for name in ATTRIBUTES:
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise TicketError(
                    f"ticket {self.id!r}: {name} must be a non-empty string or None, got {value!r}",
                    path=(name,),
                )
        check_zone(self.id, self.timezone)
        check_attributes(self.id, self.attributes)
        if not self.events:
            raise TicketError(
                f"ticket {self.id!r} has no events; its log must start with a 'created' event",
                path=("events",),
            )
        previous: Event | None = None
        for i, event in enumerate(self.events):
            if not isinstance(event, Event):
                raise TicketError(
                    f"ticket {self.id!r}: event {i} is {type(event).__name__}, not an Event",
                    path=("events", i),
                )
            check_order(self.id, i, event, previous)
            previous = event

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Ticket:
        """Build from ``{"id": ..., "tier": ..., "events": [{"kind": ..., "at": ...}, ...]}``."""
        refuse_huge_ints(data, (), TicketError)
        if not isinstance(data, Mapping):
            raise TicketError(f"a ticket must be a mapping, got {data!r}")
        ticket_id = data.get("id")
        unknown = sorted(set(data) - {"id", "events", "timezone", "attributes", *ATTRIBUTES})
        if unknown:
            raise TicketError(
                f"ticket {ticket_id!r}: unknown keys {unknown}; expected id, events, "
                + ", ".join(ATTRIBUTES)
                + ", timezone, attributes (other attributes go in 'attributes', e.g. "
                '{"region": "emea"})',
                path=(unknown[0],),
            )
        others = data.get("attributes", {})
        if not isinstance(others, Mapping):
            raise TicketError(
                f"ticket {ticket_id!r}: attributes must be a mapping of names to values, e.g. "
                f'{{"region": "emea", "plan": "gold"}}, got {others!r}',
                path=("attributes",),
            )
        raw_events = data.get("events")
        if not isinstance(raw_events, Sequence) or isinstance(raw_events, str):
            raise TicketError(
                f"ticket {ticket_id!r}: events must be a list of events, got {raw_events!r}",
                path=("events",),
            )
        events = []
        for i, raw in enumerate(raw_events):
            try:
                events.append(Event.from_mapping(raw, path=("events", i)))
            except (TicketError, HorizonError) as exc:
                raise type(exc)(
                    f"ticket {ticket_id!r}, event {i}: {exc.message}", path=exc.path
                ) from None
        return cls(
            id=ticket_id,  # type: ignore[arg-type]  # checked in __post_init__
            events=tuple(events),
            timezone=data.get("timezone"),
            attributes=dict(others),
            **{name: data.get(name) for name in ATTRIBUTES},
        )

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal ticket."""
        out: dict[str, Any] = {"id": self.id}
        for name in ATTRIBUTES:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.timezone is not None:
            out["timezone"] = self.timezone
        if self.attributes:
            out["attributes"] = dict(self.attributes)
        out["events"] = [e.to_mapping() for e in self.events]
        return out


def check_zone(ticket_id: str, zone: object) -> None:
    """Raise unless ``zone`` is ``None`` or an IANA time zone name."""
    if zone is None:
        return
    if isinstance(zone, str) and zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return
    raise TicketError(
        f"ticket {ticket_id!r}: timezone {zone!r} is not an IANA time zone; write a name such as "
        "'Europe/Berlin' or 'America/New_York', or leave it out to use each calendar's own zone",
        path=("timezone",),
    )


def check_attributes(ticket_id: str, attributes: object) -> None:
    """Raise unless ``attributes`` maps names (not the named four) to non-empty strings."""
    if not isinstance(attributes, Mapping):
        raise TicketError(
            f"ticket {ticket_id!r}: attributes must be a mapping of names to values, got "
            f"{attributes!r}",
            path=("attributes",),
        )
    for name, value in attributes.items():
        if not isinstance(name, str) or not name or name in ATTRIBUTES:
            raise TicketError(
                f"ticket {ticket_id!r}: attribute name {name!r} is not allowed among the other "
                f"attributes (give {', '.join(ATTRIBUTES)} as their own fields)",
                path=("attributes", str(name)),
            )
        if not isinstance(value, str) or not value:
            raise TicketError(
                f"ticket {ticket_id!r}: attribute {name!r} must be a non-empty string, "
                f"got {value!r}",
                path=("attributes", name),
            )


def check_order(ticket_id: str, index: int, event: Event, previous: Event | None) -> None:
    """Raise if ``event`` (number ``index``) cannot follow ``previous`` in a ticket's log."""
    if previous is None:
        if event.kind is not EventKind.CREATED:
            raise TicketError(
                f"ticket {ticket_id!r}: event 0 ({event.describe()}) must be 'created'; "
                "start the log with the ticket's creation",
                path=("events", 0),
            )
        return
    if event.kind is EventKind.CREATED:
        raise TicketError(
            f"ticket {ticket_id!r}: event {index} ({event.describe()}) is a second 'created'; "
            "a ticket is created once: remove it or start a new ticket",
            path=("events", index),
        )
    if event.at_us < previous.at_us:
        raise TicketError(
            f"ticket {ticket_id!r}: event {index} ({event.describe()}) is earlier than event "
            f"{index - 1} ({previous.describe()}); sort the log by time (events at the same "
            "instant keep the order given)",
            path=("events", index),
        )
