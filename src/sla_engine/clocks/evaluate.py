"""Where every clock of a ticket stands at a moment, what happens next, and why.

- :func:`evaluate` ``(sla, ticket, *, as_of)`` returns an :class:`Evaluation`: per metric and
  cycle a :class:`CycleStatus`, the event stream (activated, paused, resumed, warned, breached,
  escalated, fulfilled ... each with its instant) and an explanation trace.
- :func:`next_deadlines` lists every later instant at which something changes if no event comes
  (a warning, a breach, an escalation), so a service can set timers instead of polling.
- :class:`TicketClock` is the incremental form: feed events one at a time (cost per event bounded
  by the number of metrics, not the length of the log) and ask at any moment; its answers are the
  batch answers, since :func:`evaluate` is a ``TicketClock`` fed the whole log.
- The integer fast paths give :func:`evaluate`'s answers as rows (metric, cycle, state, due,
  breached at, business elapsed, remaining; µs integers): :meth:`TicketClock.rows_us`,
  :func:`evaluate_many` for many :class:`Ticket` objects and :func:`rows_many_us` for many
  tickets kept as integer logs. They keep no event log, so they are the volume path of a
  service that needs where the clocks stand, not why.

Events later than ``as_of`` are not yet known and are ignored, so a log can be replayed at any
moment. All instants returned are UTC.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any, Final

from sla_engine._time import HORIZON_US, format_duration, from_us, horizon_us, to_us, us_to_td
from sla_engine.clocks._engine import (
    NEVER,
    SNAPSHOT_FORMAT,
    SNAPSHOT_VERSION,
    Cycle,
    MetricPlan,
    Run,
    breach_at,
    due_at,
    dump_run,
    load_run,
)
from sla_engine.clocks.events import (
    VALUE_REQUIRED,
    Event,
    EventKind,
    Ticket,
    check_attributes,
    check_zone,
)
from sla_engine.clocks.sla import SLA
from sla_engine.data_versions import DataVersions, data_versions
from sla_engine.errors import NaiveDatetimeError, SLAEngineWarning, TicketError

__all__ = [
    "ClockEvent",
    "CycleState",
    "CycleStatus",
    "Evaluation",
    "StreamKind",
    "TicketClock",
    "evaluate",
    "evaluate_many",
    "next_deadlines",
    "next_deadlines_many",
    "rows_many_us",
]

#: A row of the integer fast path: (metric, cycle, state, due_us, breached_at_us, elapsed_us,
#: remaining_us).
Row = tuple[str, int, str, int | None, int | None, int, int | None]
#: An event on the integer fast path: (µs since the epoch, kind, value).
EventUs = tuple[int, EventKind, str | None]

_ATTRIBUTE_NAMES = ("tier", "severity", "channel", "issue_class")


class CycleState(StrEnum):
    """Where a metric cycle stands."""

    PENDING = "pending"  # the metric applies but no cycle has started
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"  # stopped with business elapsed <= target
    BREACHED = "breached"  # elapsed passed the target (open or stopped)
    CANCELLED = "cancelled"


class StreamKind(StrEnum):
    """Kinds of entries in the event stream."""

    ACTIVATED = "activated"
    PAUSED = "paused"
    RESUMED = "resumed"
    WARNED = "warned"
    BREACHED = "breached"
    ESCALATED = "escalated"
    #: an escalation level did not answer within its ``responds_within``
    ESCALATION_ANSWER_BREACHED = "escalation_answer_breached"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    RESET = "reset"
    REOPENED = "reopened"


@dataclass(frozen=True, slots=True, kw_only=True)
class CycleStatus:
    """One cycle of one metric at ``as_of``.

    ``due`` is projected (the instant business elapsed reaches the target if nothing pauses it);
    ``None`` while paused before reaching it. ``wall_until_due`` is negative when overdue.
    ``share_used`` is exact: elapsed / target as a ``Fraction``; a breach is decided on the
    integer microseconds, never on a rounded share. ``zone`` is the customer's zone the
    calendar was read in (a ``customer_zone`` rule and a ticket with a ``timezone`` other than
    the calendar's own); ``None`` when the calendar is read in its own zone.
    """

    metric: str
    cycle: int
    state: CycleState
    start: datetime | None
    stop: datetime | None
    due: datetime | None
    breached_at: datetime | None
    target: timedelta | None
    calendar: str | None
    rule: str | None
    business_elapsed: timedelta
    business_remaining: timedelta | None
    wall_until_due: timedelta | None
    share_used: Fraction
    zone: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.state, CycleState):
            raise TicketError(f"state must be a CycleState, got {self.state!r}")
        if not isinstance(self.share_used, Fraction):
            raise TicketError(f"share_used must be a Fraction, got {self.share_used!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockEvent:
    """Something that happened (or, from :func:`next_deadlines`, will happen) to a cycle."""

    at: datetime
    kind: StreamKind
    metric: str
    cycle: int
    detail: str

    def __post_init__(self) -> None:
        if not isinstance(self.kind, StreamKind):
            raise TicketError(f"kind must be a StreamKind, got {self.kind!r}")

    def __str__(self) -> str:
        return (
            f"{self.at.isoformat()}  {self.metric} #{self.cycle} {self.kind.value}: {self.detail}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    """A ticket's clocks at ``as_of``: statuses, the event stream and the explanation trace."""

    ticket_id: str
    as_of: datetime
    state: str | None
    cycles: tuple[CycleStatus, ...]
    events: tuple[ClockEvent, ...]
    trace: tuple[str, ...]
    data_versions: DataVersions = field(default_factory=data_versions)

    def of(self, metric: str) -> tuple[CycleStatus, ...]:
        """The cycles of ``metric`` (empty if it does not apply to this ticket)."""
        return tuple(c for c in self.cycles if c.metric == metric)

    def current(self, metric: str) -> CycleStatus | None:
        """The latest cycle of ``metric``, or ``None`` if it does not apply."""
        found = self.of(metric)
        return found[-1] if found else None


_LOG_KIND = {
    "activated": StreamKind.ACTIVATED,
    "paused": StreamKind.PAUSED,
    "resumed": StreamKind.RESUMED,
    "fulfilled": StreamKind.FULFILLED,
    "cancelled": StreamKind.CANCELLED,
    "reset": StreamKind.RESET,
    "reopened": StreamKind.REOPENED,
}


def _detail(what: str, index: int, detail: object) -> str:
    """The text of a cycle log entry, built only when rendered."""
    if what == "paused" or what == "resumed":
        if detail is None:
            return "already paused on opening"
        return f"{what} by {detail} (event {index})"
    return detail if isinstance(detail, str) else what


# a raw status row: (plan, cycle, state, elapsed, due, breach, warn instants, escalation instants)
_Row = tuple[
    MetricPlan,
    Cycle | None,
    CycleState,
    int,
    int | None,
    int | None,
    list[int | None],
    list[tuple[str, int, int | None, int]],
]


def _require_as_of(ticket_id: str, as_of: object) -> int:
    if not isinstance(as_of, datetime) or as_of.utcoffset() is None:
        shown = as_of.isoformat() if isinstance(as_of, datetime) else repr(as_of)
        raise NaiveDatetimeError(
            f"ticket {ticket_id!r}: as_of={shown} has no time zone; pass an aware datetime, e.g. "
            "datetime(2026, 3, 9, 9, 0, tzinfo=timezone.utc)",
            path=("as_of",),
        )
    return horizon_us(as_of, f"ticket {ticket_id!r}: as_of", path=("as_of",))


class TicketClock:
    """One ticket's clocks, fed one event at a time::

        clock = TicketClock(sla, ticket_id="T-1", tier="enterprise", channel="email")
        clock.feed(Event(kind=EventKind.CREATED, at=t0))
        clock.evaluate(as_of=t1)

    A refused event changes nothing. ``feed_us`` and ``rows_us`` are the integer fast paths.
    ``timezone`` is the customer's IANA zone, for calendars marked ``customer_zone``;
    ``attributes`` any other attributes the service sends (``{"region": "emea"}``), that
    rules may match on.
    """

    __slots__ = ("_run", "sla")

    def __init__(
        self,
        sla: SLA,
        *,
        ticket_id: str,
        tier: str | None = None,
        severity: str | None = None,
        channel: str | None = None,
        issue_class: str | None = None,
        timezone: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> None:
        if not isinstance(sla, SLA):
            raise TicketError(f"expected an SLA, got {type(sla).__name__}")
        self.sla = sla
        attrs: tuple[str | None, ...] = (tier, severity, channel, issue_class)
        if attributes is not None:
            check_attributes(ticket_id, attributes)
        extra = sla.engine.extra
        if extra:
            others = attributes or {}
            attrs = (*attrs, *(others.get(name) for name in extra))
        for name, value in zip(_ATTRIBUTE_NAMES, attrs, strict=False):
            if value is not None and (value.__class__ is not str or not value):
                if isinstance(value, str) and value:
                    continue
                raise TicketError(
                    f"ticket {ticket_id!r}: {name} must be a non-empty string or None, got "
                    f"{value!r}",
                    path=(name,),
                )
        if timezone is not None:
            check_zone(ticket_id, timezone)
        self._run = Run(sla.engine, ticket_id, attrs, timezone)

    @classmethod
    def for_ticket(cls, sla: SLA, ticket: Ticket) -> TicketClock:
        """A clock with ``ticket``'s id and attributes and no events fed yet."""
        return cls(
            sla,
            ticket_id=ticket.id,
            tier=ticket.tier,
            severity=ticket.severity,
            channel=ticket.channel,
            issue_class=ticket.issue_class,
            timezone=ticket.timezone,
            attributes=ticket.attributes,
        )

    @property
    def ticket_id(self) -> str:
        """The ticket's id."""
        return self._run.ticket_id

    @property
    def events_fed(self) -> int:
        """How many events have been applied."""
        return self._run.count

    def feed(self, event: Event) -> None:
        """Apply the next event; on error nothing changes and the message names the event."""
        if not isinstance(event, Event):
            raise TicketError(
                f"ticket {self._run.ticket_id!r}: expected an Event, got {type(event).__name__}"
            )
        self._run.feed(event.at_us, event.kind, event.value)

    def feed_us(self, at_us: int, kind: EventKind, value: str | None = None) -> None:
        """:meth:`feed` on the integer fast path: ``at_us`` is µs since the epoch (UTC), inside
        the horizon (1900-01-01T00:00Z up to 2200-01-01T00:00Z)."""
        if at_us.__class__ is not int or not HORIZON_US[0] <= at_us < HORIZON_US[1]:
            from sla_engine.errors import HorizonError

            raise HorizonError(
                f"ticket {self._run.ticket_id!r}: at_us={at_us!r} is not µs since the epoch "
                "inside the horizon, 1900-01-01T00:00:00Z up to 2200-01-01T00:00:00Z",
                path=("at_us",),
            )
        if kind.__class__ is not EventKind or (
            kind in VALUE_REQUIRED if value is None else value.__class__ is not str or not value
        ):
            _check_event_us(self._run, kind, value)
        self._run.feed(at_us, kind, value)

    # ------------------------------------------------------------------ answers
    def _as_of(self, as_of: datetime) -> int:
        t = _require_as_of(self._run.ticket_id, as_of)
        if t < self._run.last:
            raise TicketError(
                f"ticket {self._run.ticket_id!r}: as_of={as_of.isoformat()} is before event "
                f"{self._run.count - 1} at {from_us(self._run.last).isoformat()}; ask a clock at "
                "or after its last event, or use evaluate(sla, ticket, as_of=...) to replay",
                path=("as_of",),
            )
        return t

    def rows_us(self, as_of_us: int) -> list[Row]:
        """The integer fast path of :meth:`evaluate`: per applicable cycle
        ``(metric, cycle, state, due_us, breached_at_us, elapsed_us, remaining_us)``.

        The same answers as the matching :class:`CycleStatus` fields (``state`` as its text;
        ``remaining_us`` is ``None`` only for a pending business-day target, fixed when its
        cycle starts). ``as_of_us`` must not be before the last event fed.
        """
        return _rows_us(self._run, as_of_us)

    def evaluate(self, *, as_of: datetime) -> Evaluation:
        """Where every clock stands at ``as_of`` (not before the last event fed)."""
        return _evaluation(self._run, self._as_of(as_of), as_of)

    def next_deadlines(self, *, as_of: datetime) -> tuple[ClockEvent, ...]:
        """Every instant after ``as_of`` at which something changes if no event comes."""
        return _deadlines(self._run, self._as_of(as_of))

    # ------------------------------------------------------------------ persistence
    def snapshot(self) -> dict[str, Any]:
        """The clock's whole state as plain JSON data (``json.dumps`` takes it as is).

        It names its format and version and the policy it was taken under (the SLA's
        ``name``, ``version`` and :attr:`~sla_engine.clocks.sla.SLA.content_hash`);
        :meth:`restore` under that SLA gives a clock that answers exactly as this one, now and
        after any further events. Instants are µs since the epoch (UTC). ``data_versions``
        records the calendar data in use (:func:`~sla_engine.data_versions.data_versions`);
        restoring under other data warns.
        """
        state = dump_run(self._run)
        return {
            "format": SNAPSHOT_FORMAT,
            "format_version": SNAPSHOT_VERSION,
            "policy": _policy_id(self.sla),
            "data_versions": data_versions().to_mapping(),
            "clock": state,
            "digest": _digest(state),
        }

    @classmethod
    def restore(cls, sla: SLA, snapshot: Mapping[str, Any]) -> TicketClock:
        """A clock in the state :meth:`snapshot` wrote, under the same ``sla``.

        Raises ``TicketError`` if the snapshot is not one, is of another format version, was
        taken under another policy (name, version or content) or is malformed. A snapshot
        taken under other calendar data (another ``holidays`` release or time-zone database)
        is restored with an :class:`~sla_engine.errors.SLAEngineWarning`: the cycles keep what
        they counted, and what is counted from now on uses this process's data. A snapshot
        without ``data_versions`` (written before they were recorded) restores silently.
        """
        if not isinstance(sla, SLA):
            raise TicketError(f"expected an SLA, got {type(sla).__name__}")
        if not isinstance(snapshot, Mapping) or snapshot.get("format") != SNAPSHOT_FORMAT:
            raise TicketError(
                f"not a ticket clock snapshot (expected format {SNAPSHOT_FORMAT!r}); pass what "
                "TicketClock.snapshot() returned",
                path=("format",),
            )
        if snapshot.get("format_version") != SNAPSHOT_VERSION:
            raise TicketError(
                f"snapshot format_version {snapshot.get('format_version')!r} is not supported "
                f"(this library reads version {SNAPSHOT_VERSION}); replay the ticket's events",
                path=("format_version",),
            )
        taken = snapshot.get("policy")
        here = _policy_id(sla)
        if taken != here:
            shown = (
                f"{taken.get('name')!r} version {taken.get('version')!r} "
                f"(content {str(taken.get('hash'))[:12]})"
                if isinstance(taken, Mapping)
                else repr(taken)
            )
            raise TicketError(
                f"the snapshot was taken under policy {shown}, not under {here['name']!r} "
                f"version {here['version']!r} (content {here['hash'][:12]}); restore it under "
                "the policy it was taken under, or replay the ticket's events under this one",
                path=("policy",),
            )
        _check_data_versions(snapshot.get("data_versions", _UNRECORDED))
        try:
            intact = snapshot.get("digest") == _digest(snapshot.get("clock"))
        except (TypeError, ValueError, RecursionError):
            intact = False
        if not intact:
            raise TicketError(
                "the snapshot's clock state does not match its digest: it was changed after "
                "TicketClock.snapshot() wrote it; restore an unchanged snapshot, or replay the "
                "ticket's events",
                path=("digest",),
            )
        clock = cls.__new__(cls)
        clock.sla = sla
        try:
            clock._run = load_run(sla.engine, snapshot["clock"])
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise TicketError(
                f"the snapshot is malformed ({type(exc).__name__}: {exc}); pass what "
                "TicketClock.snapshot() returned, unchanged",
                path=("clock",),
            ) from None
        return clock

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle and deepcopy go through the snapshot
        return (TicketClock.restore, (self.sla, self.snapshot()))


def _digest(state: object) -> str:
    """SHA-256 of the canonical JSON of a snapshot's clock state."""
    import hashlib
    import json

    text = json.dumps(state, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _clock_for(sla: SLA, ticket: Ticket, as_of: datetime) -> tuple[TicketClock, int]:
    if not isinstance(ticket, Ticket):
        raise TicketError(f"expected a Ticket, got {type(ticket).__name__}")
    t = _require_as_of(ticket.id, as_of)
    clock = TicketClock.for_ticket(sla, ticket)
    run = clock._run
    for event in ticket.events:
        if event.at_us > t:
            break
        run.feed(event.at_us, event.kind, event.value)
    return clock, t


def evaluate(sla: SLA, ticket: Ticket, *, as_of: datetime, explain: bool = True) -> Evaluation:
    """Where every clock of ``ticket`` stands at ``as_of`` (later events are ignored).

    With ``explain=False`` the explanation trace is not built (``trace`` is empty): the
    statuses and events are the same, and a long-running ticket is evaluated faster.
    """
    clock, t = _clock_for(sla, ticket, as_of)
    return _evaluation(clock._run, t, as_of, explain=bool(explain))


def evaluate_many(
    sla: SLA, tickets: Iterable[Ticket], *, as_of: datetime
) -> Iterator[tuple[str, list[Row]]]:
    """The batch form of :func:`evaluate` on the integer fast path: yields
    ``(ticket id, rows)`` per ticket, the rows of :meth:`TicketClock.rows_us`, one ticket at a
    time (memory does not grow with the number of tickets). Events after ``as_of`` are ignored.
    """
    if not isinstance(sla, SLA):
        raise TicketError(f"expected an SLA, got {type(sla).__name__}")
    engine = sla.engine
    for ticket in tickets:
        if not isinstance(ticket, Ticket):
            raise TicketError(f"expected a Ticket, got {type(ticket).__name__}")
        t = _require_as_of(ticket.id, as_of)
        run = Run(
            engine,
            ticket.id,
            (ticket.tier, ticket.severity, ticket.channel, ticket.issue_class),
            ticket.timezone,
            trace=False,
        )
        feed = run.feed
        for event in ticket.events:
            at = event.at_us
            if at > t:
                break
            feed(at, event.kind, event.value)
        yield ticket.id, _rows_us(run, t)


def rows_many_us(
    sla: SLA,
    tickets: Iterable[tuple[str, Mapping[str, str | None], Iterable[EventUs]]],
    *,
    as_of_us: int,
) -> Iterator[list[Row]]:
    """Many tickets on the integer fast path, for a service that keeps its logs as integers.

    Each ticket is ``(ticket_id, attributes, events)``: ``attributes`` maps any of tier,
    severity, channel, issue_class, timezone and the other attributes the SLA's rules name
    (``region`` ...) to text (or ``None``), ``events`` are
    ``(at_us, EventKind, value)`` in time order. Yields, per ticket and in order, the rows of
    :meth:`TicketClock.rows_us` at ``as_of_us``: the answers of :func:`evaluate` (events after
    ``as_of_us`` are ignored). A bad ticket raises the error :class:`TicketClock` would, naming
    the ticket and the event; the tickets before it have been yielded.
    """
    if not isinstance(sla, SLA):
        raise TicketError(f"expected an SLA, got {type(sla).__name__}")
    if as_of_us.__class__ is not int:
        raise TicketError(f"as_of_us must be an int of µs since the epoch, got {as_of_us!r}")
    extra = sla.engine.extra
    run = Run(sla.engine, "", (None, None, None, None, *(None for _ in extra)), None, trace=False)
    begin = run.begin
    feed_many = run.feed_many
    for ticket_id, attrs, events in tickets:
        get = attrs.get
        tier = get("tier")
        severity = get("severity")
        channel = get("channel")
        issue_class = get("issue_class")
        values: tuple[str | None, ...] = (tier, severity, channel, issue_class)
        others: dict[str, str] | None = None
        if extra:
            # the other attributes a rule names, as keys of the mapping (a table's columns)
            others = {name: v for name in extra if (v := get(name)) is not None}
            values = (*values, *(others.get(name) for name in extra))
        zone = get("timezone")
        # each attribute None or a non-empty str (the common case); else the clock's check
        if (
            ticket_id.__class__ is not str
            or zone is not None
            or (tier is not None and (tier.__class__ is not str or not tier))
            or (severity is not None and (severity.__class__ is not str or not severity))
            or (channel is not None and (channel.__class__ is not str or not channel))
            or (issue_class is not None and (issue_class.__class__ is not str or not issue_class))
            or (others and not all(v.__class__ is str and v for v in others.values()))
        ):
            TicketClock(  # raises the clock's error for a bad id, attribute or zone
                sla,
                ticket_id=ticket_id,
                tier=values[0],
                severity=values[1],
                channel=values[2],
                issue_class=values[3],
                timezone=zone,
                attributes=others,
            )
        begin(ticket_id, values, zone)  # one run serves every ticket in turn
        feed_many(events, as_of_us, _check_event_us)
        yield _rows_us(run, as_of_us)


def next_deadlines(sla: SLA, ticket: Ticket, *, as_of: datetime) -> tuple[ClockEvent, ...]:
    """Every instant after ``as_of`` at which a warning, breach or escalation falls due,
    assuming no further event; sorted by time."""
    clock, t = _clock_for(sla, ticket, as_of)
    return _deadlines(clock._run, t)


def next_deadlines_many(
    clocks: Iterable[TicketClock], *, as_of: datetime, until: datetime | None = None
) -> list[tuple[str, ClockEvent]]:
    """What a timer service tracking many open tickets sets timers for: every
    :meth:`TicketClock.next_deadlines` entry of ``clocks`` after ``as_of`` (and not after
    ``until``, when given), as ``(ticket id, entry)`` sorted by instant, then ticket id."""
    limit = None if until is None else _require_as_of("", until)
    found: list[tuple[int, str, int, tuple[str, ClockEvent]]] = []
    for clock in clocks:
        if not isinstance(clock, TicketClock):
            raise TicketError(f"expected a TicketClock, got {type(clock).__name__}")
        for seq, entry in enumerate(clock.next_deadlines(as_of=as_of)):
            at = to_us(entry.at)
            if limit is None or at <= limit:
                found.append((at, clock.ticket_id, seq, (clock.ticket_id, entry)))
    found.sort(key=lambda x: x[:3])
    return [x[3] for x in found]


# ---------------------------------------------------------------------- internals
_UNRECORDED: Any = object()
#: what must be equal for the data to be the same (the path of the zone files need not be)
_COMPARED_VERSIONS: Final = ("holidays", "tzdb", "tzdb_source", "tzdata_package")


def _check_data_versions(taken: Any) -> None:
    """Warn if a snapshot's calendar data versions are not this process's (see ``restore``)."""
    if taken is _UNRECORDED:
        return
    if not isinstance(taken, Mapping) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in taken.items()
    ):
        raise TicketError(
            f"the snapshot's data_versions must map names to versions, got {taken!r}; pass "
            "what TicketClock.snapshot() returned, unchanged",
            path=("data_versions",),
        )
    here = data_versions().to_mapping()
    changed = [
        f"{key} {taken.get(key)!r} -> {here.get(key)!r}"
        for key in _COMPARED_VERSIONS
        if taken.get(key) != here.get(key)
    ]
    if changed:
        warnings.warn(
            "the snapshot was taken under other calendar data ("
            + ", ".join(changed)
            + "); the restored clock counts from now on with this process's data, so its due "
            "times may move; replay the ticket's events for answers wholly under this data",
            SLAEngineWarning,
            stacklevel=3,
        )


def _policy_id(sla: SLA) -> dict[str, Any]:
    return {"name": sla.name, "version": sla.version, "hash": sla.content_hash}


def _check_event_us(run: Run, kind: object, value: object) -> None:
    """Raise the error for an event kind or value the integer paths cannot take."""
    if not isinstance(kind, EventKind):
        raise TicketError(
            f"ticket {run.ticket_id!r}, event {run.count}: unknown event kind "
            f"{kind!r}; expected one of {', '.join(k.value for k in EventKind)}",
            path=("events", run.count, "kind"),
        )
    if kind in VALUE_REQUIRED and not value:
        raise TicketError(
            f"ticket {run.ticket_id!r}, event {run.count} ({kind.value}): needs "
            f"value= {VALUE_REQUIRED[kind]}",
            path=("events", run.count, "value"),
        )


def _applies(sel: object) -> bool:
    """Whether a selection says the metric applies (a target of time or of business days)."""
    return not isinstance(sel, str) and (sel[1] is not None or sel[4] > 0)  # type: ignore[index]


def _rows_us(run: Run, as_of: int) -> list[Row]:
    eng = run.engine
    add = eng.add
    out: list[Row] = []
    append = out.append
    for plan in eng.plans:
        cycles = run.cycles[plan.index]
        if not cycles:
            if run.count:
                sel = run.sels[plan.index]
                if sel[1] is not None or sel[4]:
                    append((plan.name, 0, "pending", None, None, 0, sel[1]))
            continue
        name = plan.name
        for c in cycles:
            t = c.target
            if t is None:
                continue
            elapsed = c.done
            due = c.due_at
            breach = c.breached_at
            a = c.seg
            if c.stop is not None:
                state = c.outcome
                if due is None:
                    due = c.due_stop
            elif a is None:
                state = "breached" if breach is not None else "paused"
            else:
                cal = c.cal
                if due is None:
                    due = due_at(add[cal], a, elapsed, t)
                if breach is None and t + 1 <= elapsed:
                    breach = a
                elapsed += eng.el[cal](a, as_of)
                if breach is None and elapsed > t:
                    # business time passed the target by as_of: the breach is reached
                    breach = breach_at(add[cal], a, c.done, t)
                state = "breached" if breach is not None and breach <= as_of else "running"
            append(
                (
                    name,
                    c.no,
                    state,  # type: ignore[arg-type]  # set when the cycle stopped
                    due,
                    breach if breach is not None and breach <= as_of else None,
                    elapsed,
                    t - elapsed if t > elapsed else 0,
                )
            )
    return out


def _rows(run: Run, as_of: int) -> list[_Row]:
    eng = run.engine
    rows: list[_Row] = []
    for plan in eng.plans:
        cycles = run.cycles[plan.index]
        if not cycles:
            if run.count:
                sel = eng.select(plan, run.attrs)
                if _applies(sel):
                    rows.append((plan, None, CycleState.PENDING, 0, None, None, [], []))
            continue
        for c in cycles:
            t = c.target
            if t is None:
                continue
            due, breach, warn = run.project(plan, c)
            if c.stop is not None:
                elapsed = c.done
                assert c.outcome is not None
                state = CycleState(c.outcome)
            else:
                elapsed = c.done if c.seg is None else c.done + eng.el[c.cal](c.seg, as_of)
                if breach is not None and breach <= as_of:
                    state = CycleState.BREACHED
                elif c.seg is not None:
                    state = CycleState.RUNNING
                else:
                    state = CycleState.PAUSED
            rows.append(
                (plan, c, state, elapsed, due, breach, warn, run.escalations(plan, c, breach))
            )
    return rows


def _visible(at: int | None, c: Cycle, breach: int | None) -> bool:
    return (
        at is not None
        and at != NEVER
        and (c.stop is None or at < c.stop)
        and (breach is None or at < breach)
    )


def _timed(
    plan: MetricPlan,
    c: Cycle,
    breach: int | None,
    warn: list[int | None],
    esc: list[tuple[str, int, int | None, int]],
) -> list[tuple[int, StreamKind, str]]:
    """(instant, kind, detail) of the time-driven entries of a cycle, reached or not."""
    out: list[tuple[int, StreamKind, str]] = []
    for w, at in zip(plan.warns, warn, strict=True):
        if _visible(at, c, breach):
            assert at is not None
            out.append((at, StreamKind.WARNED, f"{w.name}"))
    if breach is not None and (c.stop is None or breach <= c.stop):
        assert c.target is not None
        out.append(
            (breach, StreamKind.BREACHED, f"target {format_duration(us_to_td(c.target))} passed")
        )
    if esc:
        for name, at2, late, within in esc:
            if _visible(at2, c, None):
                out.append((at2, StreamKind.ESCALATED, f"to {name}"))
            if late is not None and _visible(late, c, None):
                out.append(
                    (
                        late,
                        StreamKind.ESCALATION_ANSWER_BREACHED,
                        f"{name} did not answer within {format_duration(us_to_td(within))}",
                    )
                )
    return out


def _deadlines(run: Run, as_of: int) -> tuple[ClockEvent, ...]:
    found: list[tuple[int, int, int, int, ClockEvent]] = []
    for plan, c, _, _, _, breach, warn, esc in _rows(run, as_of):
        if c is None or c.stop is not None:
            continue
        for seq, (at, kind, detail) in enumerate(_timed(plan, c, breach, warn, esc)):
            if at > as_of:
                event = ClockEvent(
                    at=from_us(at), kind=kind, metric=plan.name, cycle=c.no, detail=detail
                )
                found.append((at, plan.index, c.no, seq, event))
    found.sort(key=lambda x: x[:4])
    return tuple(x[4] for x in found)


def _evaluation(run: Run, as_of: int, as_of_dt: datetime, *, explain: bool = True) -> Evaluation:
    eng = run.engine
    statuses: list[CycleStatus] = []
    stream: list[tuple[int, int, int, int, ClockEvent]] = []
    trace: list[str] = []
    if not run.count and explain:
        trace.append(f"ticket {run.ticket_id!r} is not yet created at {from_us(as_of).isoformat()}")
    for plan, c, state, elapsed, due, breach, warn, esc in _rows(run, as_of):
        if c is None:
            sel = eng.select(plan, run.attrs)
            assert not isinstance(sel, str)
            rule = plan.rules[sel[0]]
            cal_index = run.resolve(plan, (*sel[:4], 0, 0), as_of)[2]
            statuses.append(
                CycleStatus(
                    metric=plan.name,
                    cycle=0,
                    state=CycleState.PENDING,
                    start=None,
                    stop=None,
                    due=None,
                    breached_at=None,
                    target=us_to_td(rule.target) if rule.target is not None else None,
                    calendar=eng.cal_names[cal_index],
                    rule=rule.name,
                    business_elapsed=timedelta(0),
                    business_remaining=us_to_td(rule.target) if rule.target is not None else None,
                    wall_until_due=None,
                    share_used=Fraction(0),
                    zone=eng.cal_zone[cal_index],
                )
            )
            if explain:
                trace.append(f"{plan.name}: pending (no cycle has started)")
            continue
        t = c.target
        assert t is not None
        running = c.stop is None and c.seg is not None
        shown_due = due if running else c.due_at
        if shown_due is None and c.stop is not None:
            # a stopped cycle's due: where the target would have run out had it gone on
            shown_due = c.due_stop
        statuses.append(
            CycleStatus(
                metric=plan.name,
                cycle=c.no,
                state=state,
                start=from_us(c.start),
                stop=None if c.stop is None else from_us(c.stop),
                due=None if shown_due is None else from_us(shown_due),
                breached_at=from_us(breach) if breach is not None and breach <= as_of else None,
                target=us_to_td(t),
                calendar=eng.cal_names[c.cal],
                rule=plan.rules[c.rule].name,
                business_elapsed=us_to_td(elapsed),
                business_remaining=us_to_td(max(0, t - elapsed)),
                wall_until_due=us_to_td(shown_due - as_of)
                if running and shown_due is not None
                else None,
                share_used=Fraction(elapsed, t),
                zone=eng.cal_zone[c.cal],
            )
        )
        seq = 0
        for at, what, index, detail in c.log:
            kind = _LOG_KIND.get(what)
            if kind is None:
                continue
            text = _detail(what, index, detail)
            stream.append(
                (
                    at,
                    plan.index,
                    c.no,
                    seq,
                    ClockEvent(
                        at=from_us(at), kind=kind, metric=plan.name, cycle=c.no, detail=text
                    ),
                )
            )
            seq += 1
        for at, kind, text in _timed(plan, c, breach, warn, esc):
            if at <= as_of:
                stream.append(
                    (
                        at,
                        plan.index,
                        c.no,
                        1000 + seq,
                        ClockEvent(
                            at=from_us(at), kind=kind, metric=plan.name, cycle=c.no, detail=text
                        ),
                    )
                )
                seq += 1
        if explain:
            trace.extend(_explain_cycle(run, plan, c, state, elapsed, as_of))
    stream.sort(key=lambda x: x[:4])
    state_name = eng.lifecycle.states[run.state].name if run.state >= 0 else None
    return Evaluation(
        ticket_id=run.ticket_id,
        as_of=from_us(as_of),
        state=state_name,
        cycles=tuple(statuses),
        events=tuple(x[4] for x in stream),
        trace=tuple(trace),
    )


def _explain_cycle(
    run: Run, plan: MetricPlan, c: Cycle, state: CycleState, elapsed: int, as_of: int
) -> list[str]:
    eng = run.engine
    head = f"{plan.name} #{c.no}"
    lines = []
    cal = eng.cals[c.cal]
    running_from: int | None = None
    paused_from: tuple[int, str] | None = None

    def counted(a: int, b: int) -> None:
        if b <= a:
            return
        for span in cal.explain(from_us(a), from_us(b)):
            mark = "counted" if span.counted else "not counted"
            lines.append(
                f"  {span.start.isoformat()} .. {span.end.isoformat()}  {mark}: {span.reason}"
            )

    for at, what, index, detail in c.log:
        if what == "target":
            rule_pos, attrs, cal_index, target = detail
            rule = plan.rules[rule_pos]
            for reason in eng.why_not(plan, attrs, rule_pos):
                lines.append(f"  {reason}")
            if target is None:
                lines.append(
                    f"  rule {rule.name!r} matched ({rule.text}): the metric does not apply"
                )
            else:
                cal_name = eng.cal_names[cal_index]
                zone = eng.cal_zone[cal_index]
                where = f" read in the customer's zone {zone}" if zone is not None else ""
                shown = format_duration(us_to_td(target))
                if rule.bdays:
                    shown = f"{rule.bdays}bd (= {shown} of business time from the cycle's start)"
                lines.append(
                    f"  rule {rule.name!r} matched ({rule.text}) at event {index}: target "
                    f"{shown} on calendar {cal_name!r}{where}"
                )
            continue
        if what in ("activated", "resumed", "reopened"):
            if what == "activated":
                lines.append(
                    f"{head}: activated at {from_us(at).isoformat()} by {detail} (event {index})"
                )
            if paused_from is not None:
                lines.append(
                    f"  {from_us(paused_from[0]).isoformat()} .. {from_us(at).isoformat()}  "
                    f"not counted: {paused_from[1]}"
                )
                paused_from = None
            running_from = at
        elif what == "paused":
            if running_from is not None:
                counted(running_from, at)
            running_from = None
            paused_from = (at, _detail(what, index, detail))
        elif what in ("fulfilled", "cancelled", "reset"):
            if running_from is not None:
                counted(running_from, at)
            running_from = None
            paused_from = None
            lines.append(f"  {what} at {from_us(at).isoformat()} by {detail} (event {index})")
    if c.stop is None:
        if c.seg is not None:
            counted(c.seg, as_of)
        elif paused_from is not None:
            lines.append(
                f"  {from_us(paused_from[0]).isoformat()} .. {from_us(as_of).isoformat()}  "
                f"not counted: {paused_from[1]} (still paused)"
            )
    assert c.target is not None
    lines.append(
        f"  {state.value}: {format_duration(us_to_td(elapsed))} of "
        f"{format_duration(us_to_td(c.target))} used"
    )
    return lines
