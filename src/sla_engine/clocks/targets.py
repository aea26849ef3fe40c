"""Which target applies to a ticket: the first matching rule, in order.

A rule matches on the ticket's tier, severity, channel and issue class (each a set of accepted
values, or any). Rules are tried in order; the first that matches wins, and a rule with no
conditions is the catch-all. A rule's target may be ``None``: the metric does not apply to such
tickets. Each target is counted on a calendar, named by the rule or else picked by the policy's
calendar rules (24×7 for Premium, business hours for Standard ...). The explanation trace says
which rule matched and why each earlier one did not.

A target is a length of business time on the rule's calendar (``"8h"``) or a count of business
days (``"7bd"``, :class:`~sla_engine._time.BusinessDays`). A business-day target is fixed when
the cycle starts: it becomes the business time from the start to the same local wall time that
many working days later, ``cal.elapsed(start, cal.add_business_days(start, n))`` on the rule's
calendar, and from there behaves like any business-time target (a pause extends it). Where a
target change makes counting begin at the change (the ``restart`` strategy, or
``retroactive_start: false``) the days are counted from the change instead.

``customer_zone: true`` on a target rule or a calendar rule reads the calendar in the ticket's
own time zone (``Ticket.timezone``): the same hours, holidays and closures, but local dates and
times are the customer's. A ticket without a zone falls back to the calendar's own zone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sla_engine._time import BusinessDays, format_duration, parse_duration
from sla_engine.clocks.events import ATTRIBUTE_NAME, ATTRIBUTES
from sla_engine.errors import DurationError, TicketError

__all__ = ["CalendarRule", "Match", "TargetRule", "parse_rule_target", "parse_target"]


def _values(value: object, path: Sequence[str | int]) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset({value})
    if (
        isinstance(value, Sequence | set | frozenset)
        and value
        and all(isinstance(v, str) and v for v in value)
    ):
        return frozenset(value)
    raise TicketError(f"expected a value or a non-empty list of values, got {value!r}", path=path)


def _check_name(name: object, path: Sequence[str | int]) -> None:
    if not isinstance(name, str) or not ATTRIBUTE_NAME.fullmatch(name):
        raise TicketError(
            f"attribute name {name!r} is not a name (expected lower-case letters, digits and "
            "'_', starting with a letter, e.g. 'region')",
            path=path,
        )
    if name in ATTRIBUTES:
        raise TicketError(
            f"{name!r} is a named attribute; give it as {name}=..., not among the others",
            path=path,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """Conditions on a ticket's attributes; ``None`` accepts any value (even an unset one).

    ``tier``, ``severity``, ``channel`` and ``issue_class`` are the named attributes;
    ``attributes`` holds conditions on any other attribute a service sends (region, customer,
    product, plan), as ``(name, accepted values)`` pairs sorted by name. A ticket without such
    an attribute does not match a condition on it. Build one with
    ``Match.from_mapping({"tier": "premium", "region": ["emea", "apac"]})``.
    """

    tier: frozenset[str] | None = None
    severity: frozenset[str] | None = None
    channel: frozenset[str] | None = None
    issue_class: frozenset[str] | None = None
    attributes: tuple[tuple[str, frozenset[str]], ...] = ()

    def __post_init__(self) -> None:
        named = [(name, getattr(self, name)) for name in ATTRIBUTES]
        if not isinstance(self.attributes, tuple):
            raise TicketError(
                f"match attributes: expected a tuple of (name, frozenset) pairs, got "
                f"{self.attributes!r}; use Match.from_mapping",
                path=("attributes",),
            )
        for pair in self.attributes:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise TicketError(
                    f"match attributes: expected (name, frozenset) pairs, got {pair!r}",
                    path=("attributes",),
                )
            _check_name(pair[0], ("attributes", str(pair[0])))
        names = [name for name, _ in self.attributes]
        if names != sorted(set(names)):
            raise TicketError(
                f"match attributes: names must be unique and sorted, got {names}; use "
                "Match.from_mapping",
                path=("attributes",),
            )
        for name, value in (*named, *self.attributes):
            if value is not None and (
                not isinstance(value, frozenset)
                or not value
                or not all(isinstance(v, str) for v in value)
            ):
                raise TicketError(
                    f"match {name}: expected None or a non-empty frozenset of strings, "
                    f"got {value!r}",
                    path=(name,),
                )

    def names(self) -> tuple[str, ...]:
        """The other attributes (beyond the named four) this match has conditions on."""
        return tuple(name for name, _ in self.attributes)

    def conditions(self, names: Sequence[str] = ATTRIBUTES) -> tuple[frozenset[str] | None, ...]:
        """The condition on each attribute of ``names`` (by default the named four), in that
        order; ``None`` where there is none."""
        others = dict(self.attributes)
        return tuple(
            getattr(self, name) if name in ATTRIBUTES else others.get(name) for name in names
        )

    def _all(self) -> tuple[tuple[str, frozenset[str] | None], ...]:
        named = tuple((name, getattr(self, name)) for name in ATTRIBUTES)
        return (*named, *self.attributes)

    def is_catch_all(self) -> bool:
        """True when the rule accepts every ticket."""
        return all(c is None for _, c in self._all())

    def mismatch(self, attributes: Mapping[str, str | None] | Sequence[str | None]) -> str | None:
        """Why a ticket with ``attributes`` (by name, or the named four in order) does not
        match (the first failing condition), or ``None``."""
        if not isinstance(attributes, Mapping):
            attributes = dict(zip(ATTRIBUTES, attributes, strict=True))
        for name, wanted in self._all():
            value = attributes.get(name)
            if wanted is not None and value not in wanted:
                return f"{name} is {value!r}, the rule wants {' or '.join(sorted(wanted))}"
        return None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, path: Sequence[str | int] = ()) -> Match:
        """Build from ``{"tier": ["enterprise"], "severity": "sev1", "region": "emea"}``;
        ``{}`` matches all. Keys other than the named four are conditions on other attributes.
        """
        if not isinstance(data, Mapping):
            raise TicketError(f"'when' must be a mapping, got {data!r}", path=path)
        others = []
        for key in sorted(k for k in data if k not in ATTRIBUTES):
            _check_name(key, (*path, key))
            values = _values(data[key], (*path, key))
            if values is not None:
                others.append((key, values))
        return cls(
            **{k: _values(v, (*path, k)) for k, v in data.items() if k in ATTRIBUTES},
            attributes=tuple(others),
        )

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal match."""
        return {name: sorted(value) for name, value in self._all() if value is not None}

    def __str__(self) -> str:
        parts = [
            f"{name} in {'|'.join(sorted(value))}"
            for name, value in self._all()
            if value is not None
        ]
        return " and ".join(parts) or "any ticket"


def parse_target(value: object, *, path: Sequence[str | int] = ()) -> timedelta:
    """A target length from ``timedelta`` or text (``"2h"``, ``"30s"``, ``"PT8H"``)."""
    if isinstance(value, timedelta):
        parsed: timedelta | BusinessDays = value
    else:
        try:
            parsed = parse_duration(value)  # type: ignore[arg-type]  # checked there
        except DurationError as exc:
            raise TicketError(exc.message, path=path) from None
    if isinstance(parsed, BusinessDays):
        raise TicketError(
            f"{value!r}: a clock target is a length of business time; write it in hours on the "
            "target's calendar, e.g. '8h' for one 9-to-5 day",
            path=path,
        )
    if parsed < timedelta(0):
        raise TicketError(f"{value!r}: a target must not be negative", path=path)
    return parsed


def parse_rule_target(value: object, *, path: Sequence[str | int] = ()) -> timedelta | BusinessDays:
    """A target rule's target: business time (``"8h"``) or business days (``"7bd"``, at least 1)."""
    if isinstance(value, BusinessDays):
        parsed: timedelta | BusinessDays = value
    elif isinstance(value, timedelta):
        parsed = value
    else:
        try:
            parsed = parse_duration(value)  # type: ignore[arg-type]  # checked there
        except DurationError as exc:
            raise TicketError(exc.message, path=path) from None
    if isinstance(parsed, BusinessDays):
        if parsed.days < 1:
            raise TicketError(
                f"{value!r}: a business-day target needs at least 1 day (e.g. '1bd'); "
                "write null if the metric does not apply",
                path=path,
            )
        return parsed
    return parse_target(parsed, path=path)


def _check_zone_flag(owner: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TicketError(
            f"{owner}: customer_zone must be true or false, got {value!r}",
            path=("customer_zone",),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetRule:
    """``when`` a ticket matches, its metric's target is ``target`` on ``calendar``.

    ``target=None`` means the metric does not apply; ``calendar=None`` lets the policy's
    calendar rules pick the calendar. ``target`` may be :class:`BusinessDays` (fixed at the
    cycle's start, see the module docs). ``customer_zone=True`` reads the calendar in the
    ticket's time zone.
    """

    name: str
    when: Match = Match()
    target: timedelta | BusinessDays | None = None
    calendar: str | None = None
    customer_zone: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TicketError(f"a target rule needs a name, got {self.name!r}", path=("name",))
        if not isinstance(self.when, Match):
            raise TicketError(f"rule {self.name!r}: when must be a Match", path=("when",))
        target = self.target
        if target is not None and not (
            (isinstance(target, timedelta) and target > timedelta(0))
            or (isinstance(target, BusinessDays) and target.days >= 1)
        ):
            raise TicketError(
                f"rule {self.name!r}: target must be a timedelta above 0, BusinessDays of at "
                f"least 1 day, or None, got {target!r}",
                path=("target",),
            )
        if self.calendar is not None and (not isinstance(self.calendar, str) or not self.calendar):
            raise TicketError(
                f"rule {self.name!r}: calendar must be a calendar name or None", path=("calendar",)
            )
        _check_zone_flag(f"rule {self.name!r}", self.customer_zone)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, path: Sequence[str | int] = ()) -> TargetRule:
        """Build from ``{"name": "sev1", "when": {...}, "target": "2h", "calendar": "24x7"}``.

        ``target: null`` (or ``"none"``) says the metric does not apply to matching tickets;
        ``"7bd"`` is seven business days; ``customer_zone: true`` reads the calendar in the
        ticket's zone.
        """
        if not isinstance(data, Mapping):
            raise TicketError(f"a target rule must be a mapping, got {data!r}", path=path)
        unknown = sorted(set(data) - {"name", "when", "target", "calendar", "customer_zone"})
        if unknown:
            raise TicketError(
                f"unknown target rule keys {unknown}; expected name, when, target, calendar, "
                "customer_zone",
                path=(*path, unknown[0]),
            )
        if "target" not in data:
            raise TicketError(
                "a target rule needs 'target' (e.g. '2h'; null if the metric does not apply)",
                path=(*path, "target"),
            )
        raw = data["target"]
        target = (
            None if raw is None or raw == "none" else parse_rule_target(raw, path=(*path, "target"))
        )
        try:
            return cls(
                name=data.get("name"),  # type: ignore[arg-type]  # checked in __post_init__
                when=Match.from_mapping(data.get("when", {}), path=("when",)),
                target=target,
                calendar=data.get("calendar"),
                customer_zone=data.get("customer_zone", False),
            )
        except TicketError as exc:
            raise TicketError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal rule."""
        out: dict[str, Any] = {"name": self.name, "when": self.when.to_mapping()}
        if self.target is None:
            out["target"] = None
        elif isinstance(self.target, BusinessDays):
            out["target"] = str(self.target)
        else:
            out["target"] = format_duration(self.target)
        if self.calendar is not None:
            out["calendar"] = self.calendar
        if self.customer_zone:
            out["customer_zone"] = True
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarRule:
    """``when`` a ticket matches, its targets are counted on ``calendar`` (unless a rule says).

    ``customer_zone=True`` reads the calendar in the ticket's time zone.
    """

    name: str
    calendar: str
    when: Match = Match()
    customer_zone: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TicketError(f"a calendar rule needs a name, got {self.name!r}", path=("name",))
        if not isinstance(self.calendar, str) or not self.calendar:
            raise TicketError(
                f"calendar rule {self.name!r}: calendar must be a calendar name",
                path=("calendar",),
            )
        if not isinstance(self.when, Match):
            raise TicketError(f"calendar rule {self.name!r}: when must be a Match", path=("when",))
        _check_zone_flag(f"calendar rule {self.name!r}", self.customer_zone)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, path: Sequence[str | int] = ()
    ) -> CalendarRule:
        """Build from ``{"name": "premium", "when": {"tier": ["premium"]}, "calendar": "24x7"}``
        (and ``"customer_zone": true`` to read the calendar in the ticket's zone)."""
        if not isinstance(data, Mapping):
            raise TicketError(f"a calendar rule must be a mapping, got {data!r}", path=path)
        unknown = sorted(set(data) - {"name", "when", "calendar", "customer_zone"})
        if unknown:
            raise TicketError(
                f"unknown calendar rule keys {unknown}; expected name, when, calendar, "
                "customer_zone",
                path=(*path, unknown[0]),
            )
        try:
            return cls(
                name=data.get("name"),  # type: ignore[arg-type]  # checked in __post_init__
                calendar=data.get("calendar"),  # type: ignore[arg-type]
                when=Match.from_mapping(data.get("when", {}), path=("when",)),
                customer_zone=data.get("customer_zone", False),
            )
        except TicketError as exc:
            raise TicketError(exc.message, path=(*path, *exc.path)) from None

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that :meth:`from_mapping` reads back to an equal rule."""
        out: dict[str, Any] = {
            "name": self.name,
            "when": self.when.to_mapping(),
            "calendar": self.calendar,
        }
        if self.customer_zone:
            out["customer_zone"] = True
        return out
