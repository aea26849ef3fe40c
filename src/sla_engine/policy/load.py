"""``load_policy``: a file, text or mapping to a checked ``Policy``, compiled to the core's objects.

A policy that loads has its calendars compiled (``Policy.calendars``), its clocks
(``Policy.sla``, a :class:`~sla_engine.clocks.SLA`) and its credits
(``Policy.credit_schedule``, a :class:`~sla_engine.credits.CreditSchedule`). Checking reports every
problem at once: when some sections are malformed, the others are still linted.
"""

from __future__ import annotations

import decimal
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from sla_engine.calendar import BusinessCalendar
from sla_engine.errors import CalendarError, PolicyError, PolicyProblem, SLAEngineWarning
from sla_engine.policy._compile import (
    CompileError,
    build_billing_cycle,
    build_credit_schedule,
    build_sla,
)
from sla_engine.policy._problems import from_validation, sort_problems
from sla_engine.policy.lint import lint, lint_policy_set
from sla_engine.policy.schema import (
    TAGS,
    CalendarSpec,
    ComposedCalendarSpec,
    PolicySpec,
    TierSpec,
)
from sla_engine.policy.source import (
    MAX_TEXT,
    Format,
    Position,
    PositionMap,
    SourceDocument,
    check_values,
    format_path,
    guess_format,
    parse_text,
    path_key,
)

if TYPE_CHECKING:
    from sla_engine.clocks import SLA, Evaluation, Ticket
    from sla_engine.credits import BillingCycle, CreditSchedule, Fee

__all__ = ["Policy", "PolicySet", "Validation", "load_policy", "load_policy_set", "validate_policy"]

PolicySource = str | os.PathLike[str] | Mapping[str, Any]

MAX_USERS: Final = 10**6
"""The most users :meth:`Policy.fee` multiplies a per-user price by."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """A checked policy: its validated specification and the core objects compiled from it.

    - ``spec``: the pydantic model of the file; ``calendars``: the compiled calendars by name;
    - ``sla``: the clocks' :class:`~sla_engine.clocks.SLA` (``None`` without metrics);
    - ``credit_schedule``: the credits' :class:`~sla_engine.credits.CreditSchedule` (``None``
      without a credits section) and ``billing_cycle`` when the policy names one.

    Two policies are equal when their specifications are; ``load_policy(p.to_mapping()) == p``.
    Built directly, a policy compiles what it is not given.
    """

    spec: PolicySpec
    calendars: Mapping[str, BusinessCalendar] = field(compare=False, repr=False)
    source: str | None = field(default=None, compare=False)
    warnings: tuple[PolicyProblem, ...] = field(default=(), compare=False, repr=False)
    sla: SLA | None = field(default=None, compare=False, repr=False)
    credit_schedule: CreditSchedule | None = field(default=None, compare=False, repr=False)
    billing_cycle: BillingCycle | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if set(self.calendars) != set(self.spec.calendars):
            raise PolicyError(
                [
                    PolicyProblem(
                        path="calendars",
                        message="the compiled calendars do not match the policy's: "
                        f"{sorted(self.calendars)} != {sorted(self.spec.calendars)}",
                        source=self.source,
                    )
                ],
                source=self.source,
            )
        try:
            if self.sla is None and self.spec.metrics:
                object.__setattr__(self, "sla", build_sla(self.spec, self.calendars))
            if self.credit_schedule is None and self.spec.credits is not None:
                object.__setattr__(self, "credit_schedule", build_credit_schedule(self.spec))
            if self.billing_cycle is None and self.spec.credits is not None:
                object.__setattr__(self, "billing_cycle", build_billing_cycle(self.spec))
        except CompileError as exc:
            doc = SourceDocument(data={}, positions=PositionMap(), source=self.source)
            raise PolicyError([doc.problem(exc.path, exc.message)], source=self.source) from None

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], *, source: str | None = None) -> Policy:
        """Check and compile plain data (what ``to_mapping`` gives)."""
        return load_policy(mapping, source_name=source)

    @property
    def name(self) -> str:
        """The policy's name, shared by all its versions."""
        return self.spec.name

    @property
    def version(self) -> str:
        """This version's label."""
        return self.spec.version

    @property
    def effective_from(self) -> date:
        """The first day this version is in force."""
        return self.spec.effective_from

    @property
    def effective_until(self) -> date | None:
        """The last day this version is in force; ``None`` when open-ended."""
        return self.spec.effective_until

    @property
    def currency(self) -> str | None:
        """The policy's currency (ISO 4217), in which prices and credits are paid."""
        return self.spec.currency

    @property
    def timezone(self) -> str:
        """The zone effective dates are read in: the default calendar's (a credits-only policy
        without calendars: its billing cycle's zone, else UTC)."""
        calendar = self.calendars.get(self.spec.default_calendar_name())
        if calendar is not None:
            return calendar.timezone
        return self.billing_cycle.timezone if self.billing_cycle is not None else "UTC"

    def in_force(self, day: date) -> bool:
        """Whether this version is in force on ``day``."""
        until = self.spec.effective_until
        return self.spec.effective_from <= day and (until is None or day <= until)

    def in_force_at(self, instant: datetime) -> bool:
        """Whether this version is in force at ``instant`` (its local date in :attr:`timezone`)."""
        from zoneinfo import ZoneInfo

        from sla_engine._time import require_aware

        local = require_aware(instant, "instant").astimezone(ZoneInfo(self.timezone))
        return self.in_force(local.date())

    def fee(self, tier: str, *, users: int = 1) -> Fee:
        """What a customer of ``tier`` pays a month, for credits: the tier's price, times
        ``users`` when it is priced per user."""
        from sla_engine.credits import Fee

        price = self.tier(tier).price
        if price is None or price.per not in ("month", "user-month"):
            raise PolicyError(
                [
                    PolicyProblem(
                        path=format_path(("tiers", tier, "price")),
                        message="credits need a monthly price (per: month or user-month); "
                        + ("the tier has no price" if price is None else f"it is per {price.per}"),
                        source=self.source,
                    )
                ],
                source=self.source,
            )
        if isinstance(users, bool) or not isinstance(users, int) or not 1 <= users <= MAX_USERS:
            raise PolicyError(
                [
                    PolicyProblem(
                        path="",
                        message=f"users must be a whole number from 1 to {MAX_USERS:,}, "
                        f"got {users!r}",
                    )
                ],
                source=self.source,
            )
        amount = price.amount
        if price.per == "user-month":
            # exact: wide enough for any price the format admits times any number of users
            with decimal.localcontext() as ctx:
                ctx.prec = len(amount.as_tuple().digits) + len(str(users)) + 2
                ctx.traps[decimal.Inexact] = True
                ctx.traps[decimal.Rounded] = True
                amount = amount * users
        currency = price.currency or self.spec.currency or ""
        return Fee(amount=amount, currency=currency, per="month")

    def calendar(self, name: str) -> BusinessCalendar:
        """The compiled calendar called ``name``."""
        try:
            return self.calendars[name]
        except KeyError:
            raise PolicyError(
                [
                    PolicyProblem(
                        path=format_path(("calendars", name)),
                        message=f"no calendar {name!r}; the policy has "
                        + ", ".join(self.calendars),
                        source=self.source,
                    )
                ],
                source=self.source,
            ) from None

    def tier(self, name: str) -> TierSpec:
        """The tier called ``name``."""
        tiers = self.spec.tiers or {}
        if name not in tiers:
            raise PolicyError(
                [
                    PolicyProblem(
                        path=format_path(("tiers", name)),
                        message=f"no tier {name!r}; the policy has "
                        + (", ".join(tiers) or "no tiers"),
                        source=self.source,
                    )
                ],
                source=self.source,
            )
        return tiers[name]

    def to_mapping(self) -> dict[str, Any]:
        """Plain data in canonical form (durations, dates and amounts as text)."""
        out: dict[str, Any] = self.spec.model_dump(
            by_alias=True, exclude_none=True, exclude_defaults=True
        )
        out["format_version"] = self.spec.format_version
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Validation:
    """The outcome of checking a policy: the policy if it is valid, and every problem found."""

    policy: Policy | None
    problems: tuple[PolicyProblem, ...]
    source: str | None = None

    @property
    def ok(self) -> bool:
        """True when no problem is an error (warnings allowed)."""
        return self.policy is not None

    @property
    def errors(self) -> tuple[PolicyProblem, ...]:
        """The problems that make the policy invalid."""
        return tuple(p for p in self.problems if p.severity == "error")


def _read(
    path: str | os.PathLike[str], format: Format | None, label: str | None = None
) -> SourceDocument:
    name = label or os.fspath(path)
    fmt = format or guess_format(os.fspath(path))
    if fmt is None:
        raise PolicyError(
            [
                PolicyProblem(
                    path="",
                    message="cannot tell the format from the file name; use a .yaml, .yml, "
                    ".json or .toml suffix, or pass format='yaml'",
                    source=name,
                )
            ],
            source=name,
        )
    limit = 4 * MAX_TEXT
    with open(path, "rb") as file:  # devices report no size: bound what is read, not st_size
        raw = file.read(limit + 1)
    if len(raw) > limit:
        raise PolicyError(
            [
                PolicyProblem(
                    path="",
                    message=f"the file is longer than {limit:,} bytes; a policy is at most "
                    f"{MAX_TEXT:,} characters",
                    source=name,
                )
            ],
            source=name,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise PolicyError(
            [
                PolicyProblem(
                    path="",
                    message="the file is not UTF-8 text; save it as UTF-8",
                    source=name,
                    line=line,
                    column=column,
                )
            ],
            source=name,
        ) from None
    return parse_text(text, format=fmt, source=name)


def read_document(path: str | os.PathLike[str]) -> SourceDocument:
    """The parsed text of a policy file (YAML, JSON or TOML by its suffix), with positions,
    before any check of its contents."""
    return _read(path, None)


def _document(
    source: PolicySource | None,
    *,
    text: str | None,
    format: Format | None,
    name: str | None,
) -> SourceDocument:
    if text is not None:
        if source is not None:
            raise TypeError("give either a path or mapping, or text=..., not both")
        return parse_text(text, format=format or "yaml", source=name)
    if isinstance(source, Mapping):
        doc = SourceDocument(data=source, positions=PositionMap(), source=name)
        problems = check_values(doc)
        if problems:
            raise PolicyError(problems, source=name)
        return doc
    if isinstance(source, (str, os.PathLike)):
        return _read(source, format, name)
    raise TypeError(f"load_policy takes a path, a mapping or text=..., got {type(source).__name__}")


def _core_mapping(entry: Any, built: Mapping[str, BusinessCalendar]) -> dict[str, Any]:
    if isinstance(entry, CalendarSpec):
        return entry.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True) | {
            "timezone": entry.timezone,
            "hours": entry.hours,
        }
    assert isinstance(entry, ComposedCalendarSpec)
    parts = [built[p] if isinstance(p, str) else _core_mapping(p, built) for p in entry.parts]
    out: dict[str, Any] = {entry.kind: parts}
    if entry.name is not None:
        out["name"] = entry.name
    return out


def _compile(
    spec: PolicySpec, doc: SourceDocument, skip: Mapping[str, AbstractSet[str | int | None]]
) -> tuple[dict[str, BusinessCalendar], list[PolicyProblem]]:
    built: dict[str, BusinessCalendar] = {}
    problems: list[PolicyProblem] = []
    failed = set(skip)
    # A calendar lint already faulted is not built, but its other parts are still checked, so
    # a bad zone and a bad window in one calendar are reported together.
    for name, reported in skip.items():
        entry = spec.calendars.get(name)
        if isinstance(entry, CalendarSpec) and None not in reported:
            for exc in BusinessCalendar.problems(_core_mapping(entry, built)):
                if exc.path[:1] and exc.path[0] not in reported:
                    problems.append(doc.problem(("calendars", name, *exc.path), _strip(exc)))
    pending = [n for n in spec.calendars if n not in failed]
    progress = True
    while pending and progress:
        progress = False
        for name in list(pending):
            entry = spec.calendars[name]
            needs = _direct_refs(entry)
            if needs & failed:
                failed.add(name)
                pending.remove(name)
                progress = True
                continue
            if not needs <= set(built):
                continue
            pending.remove(name)
            progress = True
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", SLAEngineWarning)
                    core = _core_mapping(entry, built)
                    calendar = BusinessCalendar.from_mapping(core)
            except CalendarError:
                failed.add(name)
                for exc in BusinessCalendar.problems(core):
                    problems.append(doc.problem(("calendars", name, *exc.path), _strip(exc)))
                continue
            for w in caught:
                problems.append(
                    doc.problem(("calendars", name), str(w.message), severity="warning")
                )
            if calendar.name is None:
                calendar.name = name
            built[name] = calendar
    return built, problems


def _strip(exc: CalendarError) -> str:
    """The core prefixes some messages with the section ('hours: ...'); the path says it."""
    message = exc.message
    if exc.path and isinstance(exc.path[0], str) and message.startswith(f"{exc.path[0]}: "):
        return message[len(exc.path[0]) + 2 :]
    return message


def _direct_refs(entry: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(entry, ComposedCalendarSpec):
        for part in entry.parts:
            if isinstance(part, str):
                out.add(part)
            else:
                out |= _direct_refs(part)
    return out


def _check(doc: SourceDocument) -> tuple[Policy | None, PolicySpec | None, list[PolicyProblem]]:
    if not isinstance(doc.data, Mapping):
        where = doc.positions.locate(()) or Position(line=1, column=1)
        problem = PolicyProblem(
            path="",
            message="a policy is a mapping of keys to values, starting with "
            f"'format_version: 1'; got {type(doc.data).__name__}",
            source=doc.source,
            line=where.line if doc.positions.values else None,
            column=where.column if doc.positions.values else None,
        )
        return None, None, [problem]
    try:
        spec = PolicySpec.model_validate(dict(doc.data))
    except ValidationError as exc:
        shape = from_validation(exc, doc)
        return None, None, sort_problems(_dedupe([*shape, *_lint_the_rest(doc, exc)]))
    ctx = lint(spec, doc)
    calendars, compile_problems = _compile(spec, doc, ctx.bad_calendars)
    problems = [*ctx.problems, *compile_problems]

    in_credits = [_top(p.path) == "credits" for p in problems if p.severity == "error"]
    compiled: dict[str, Any] = {}
    if (
        spec.metrics
        and not any(not c for c in in_credits)
        and set(calendars) == set(spec.calendars)
    ):
        try:
            compiled["sla"] = build_sla(spec, calendars)
        except CompileError as exc:
            problems.append(doc.problem(exc.path, exc.message))
    if spec.credits is not None and not any(in_credits):
        try:
            compiled["credit_schedule"] = build_credit_schedule(spec)
            compiled["billing_cycle"] = build_billing_cycle(spec)
        except CompileError as exc:
            problems.append(doc.problem(exc.path, exc.message))
    problems = sort_problems(problems)
    if any(p.severity == "error" for p in problems) or set(calendars) != set(spec.calendars):
        return None, spec, problems
    policy = Policy(
        spec=spec,
        calendars=calendars,
        source=doc.source,
        warnings=tuple(p for p in problems if p.severity == "warning"),
        **compiled,
    )
    return policy, spec, problems


def _top(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _dedupe(problems: list[PolicyProblem]) -> list[PolicyProblem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for problem in problems:
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            out.append(problem)
    return out


_NAMED_SECTIONS: Final = {
    "calendars": "calendar",
    "channels": "channel",
    "issue_classes": "issue class",
    "tiers": "tier",
    "metrics": "metric",
    "rules": "metric rules",
}
_LIST_SECTIONS: Final = {"severities": "severity", "states": "state"}
_PLACEHOLDERS: Final[dict[str, Any]] = {
    "name": "policy",
    "version": "0",
    "effective_from": "2000-01-01",
    "calendars": {},
}
_ATTEMPTS: Final = 4


def _lint_the_rest(doc: SourceDocument, exc: ValidationError) -> list[PolicyProblem]:
    """Lint the sections that are well formed, leaving out the malformed ones.

    Each malformed entry of a named section (a calendar, tier, metric...) is left out alone,
    a malformed list section or other key as a whole; references to what was left out are not
    reported. Nothing is linted when the format version itself is wrong.
    """
    data: dict[Any, Any] = dict(doc.data)
    broken: dict[str, set[str] | None] = {}
    for _ in range(_ATTEMPTS):
        for err in exc.errors(include_url=False):
            loc = [
                e for e in err["loc"] if not (isinstance(e, str) and (e in TAGS or e == "[key]"))
            ]
            if not loc or loc[0] == "format_version":
                return []
            _leave_out(data, loc, broken)
        try:
            spec = PolicySpec.model_validate(data)
        except ValidationError as again:
            exc = again
            continue
        ctx = lint(spec, doc, broken=broken)
        _, compile_problems = _compile(spec, doc, ctx.bad_calendars)
        return [*ctx.problems, *compile_problems]
    return []


def _leave_out(
    data: dict[Any, Any], loc: list[str | int], broken: dict[str, set[str] | None]
) -> None:
    head = loc[0]
    key = head if head in data else next((k for k in data if path_key(k) == head), None)
    broken.setdefault("section", set())
    sections = broken["section"]
    assert sections is not None
    sections.add(str(head))
    if head in ("severities", "channels", "issue_classes"):
        broken["target key"] = None
    if key is None:
        if head in _PLACEHOLDERS:
            data[head] = _PLACEHOLDERS[head]
        return
    section = data[key]
    if head in _NAMED_SECTIONS and len(loc) >= 2 and isinstance(section, Mapping):
        kind = _NAMED_SECTIONS[str(head)]
        name = (
            loc[1]
            if loc[1] in section
            else next((k for k in section if path_key(k) == loc[1]), None)
        )
        if name is not None:
            data[key] = {k: v for k, v in section.items() if k != name}
            names = broken.setdefault(kind, set())
            if names is not None:
                names.add(path_key(name))
            return
    if head in _NAMED_SECTIONS:
        broken[_NAMED_SECTIONS[str(head)]] = None
    if head in _LIST_SECTIONS:
        broken[_LIST_SECTIONS[str(head)]] = None
    if head in _PLACEHOLDERS:
        data[key] = _PLACEHOLDERS[str(head)]
    else:
        del data[key]


def validate_policy(
    source: PolicySource | None = None,
    /,
    *,
    text: str | None = None,
    format: Format | None = None,
    source_name: str | None = None,
) -> Validation:
    """Check a policy without raising for its problems; see :func:`load_policy`."""
    validation, _ = _validate(source, text=text, format=format, name=source_name)
    return validation


def _validate(
    source: PolicySource | None,
    *,
    text: str | None,
    format: Format | None,
    name: str | None,
) -> tuple[Validation, tuple[PolicySpec, SourceDocument] | None]:
    try:
        doc = _document(source, text=text, format=format, name=name)
    except PolicyError as exc:
        return Validation(policy=None, problems=exc.problems, source=exc.source), None
    policy, spec, problems = _check(doc)
    validation = Validation(policy=policy, problems=tuple(problems), source=doc.source)
    return validation, ((spec, doc) if spec is not None else None)


def load_policy(
    source: PolicySource | None = None,
    /,
    *,
    text: str | None = None,
    format: Format | None = None,
    source_name: str | None = None,
    strict: bool = False,
) -> Policy:
    """Load a policy from a file path, from ``text=`` (YAML unless ``format`` says otherwise), or
    from a mapping; check it and compile its calendars.

    Every problem is found at once: a :class:`~sla_engine.errors.PolicyError` lists them all,
    each with file, line, column and policy path. Warnings (risky but legal input) are kept in
    ``policy.warnings`` and issued as :class:`~sla_engine.errors.SLAEngineWarning`; with
    ``strict=True`` they are errors.
    """
    validation = validate_policy(source, text=text, format=format, source_name=source_name)
    if validation.policy is None or (strict and validation.problems):
        raise PolicyError(validation.problems, source=validation.source)
    for problem in validation.policy.warnings:
        warnings.warn(str(problem), SLAEngineWarning, stacklevel=2)
    return validation.policy


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicySet:
    """The versions of one policy, by effective date; no two in force on the same day."""

    versions: tuple[Policy, ...]

    def __post_init__(self) -> None:
        names = {p.name for p in self.versions}
        if len(names) > 1:
            raise PolicyError(
                [
                    PolicyProblem(
                        path="name",
                        message="a policy set holds versions of one policy; got "
                        + ", ".join(sorted(names)),
                    )
                ]
            )
        ordered = sorted(self.versions, key=lambda p: p.effective_from)
        if list(self.versions) != ordered:
            raise PolicyError(
                [PolicyProblem(path="effective_from", message="versions must be in date order")]
            )
        problems = lint_policy_set(
            [
                (p.spec, SourceDocument(data={}, positions=PositionMap(), source=p.source))
                for p in ordered
            ]
        )
        if problems:
            raise PolicyError(problems)

    def in_force(self, day: date) -> Policy:
        """The version in force on ``day``."""
        for policy in self.versions:
            if policy.in_force(day):
                return policy
        raise self._none_in_force(str(day))

    def for_instant(self, instant: datetime) -> Policy:
        """The version in force at ``instant``: clocks pass a cycle's (or ticket's) start,
        credits the instant an incident happened. Effective dates are read in each version's
        :attr:`Policy.timezone`."""
        for policy in self.versions:
            if policy.in_force_at(instant):
                return policy
        raise self._none_in_force(instant.isoformat())

    def governing(self, ticket: Ticket, *, as_of: datetime, governs: str = "creation") -> Policy:
        """The version whose clocks govern ``ticket`` when asked at ``as_of``.

        ``governs`` names the choice: ``"creation"`` (the default) the version in force when
        the ticket was created, so the due times told at opening stay true; ``"cycle_start"``
        the version in force when the ticket's current cycle began (its creation, or its last
        ``reopened`` event at or before ``as_of``), so a ticket reopened after a new version
        took effect is held to that version; ``"latest"`` the version in force at ``as_of``,
        so a later version (an added holiday, changed hours) reaches open tickets. Whichever
        version governs, the ticket is replayed under it from its creation.
        """
        if governs not in _GOVERNS:
            raise PolicyError(
                [
                    PolicyProblem(
                        path="governs",
                        message=f"governs {governs!r} is not one of {', '.join(_GOVERNS)}",
                    )
                ]
            )
        from sla_engine._time import require_aware
        from sla_engine.clocks import EventKind

        if governs == "latest":
            return self.for_instant(require_aware(as_of, "as_of"))
        if not ticket.events:
            raise PolicyError(
                [PolicyProblem(path="events", message=f"ticket {ticket.id!r} has no events")]
            )
        if governs == "cycle_start":
            limit = require_aware(as_of, "as_of")
            start = ticket.events[0].at
            for event in ticket.events:
                if event.at > limit:
                    break
                if event.kind is EventKind.REOPENED:
                    start = event.at
            return self.for_instant(start)
        return self.for_instant(ticket.events[0].at)

    def evaluate(self, ticket: Ticket, *, as_of: datetime, governs: str = "creation") -> Evaluation:
        """:func:`~sla_engine.clocks.evaluate.evaluate` under :meth:`governing`'s version."""
        from sla_engine.clocks import evaluate

        policy = self.governing(ticket, as_of=as_of, governs=governs)
        if policy.sla is None:
            raise PolicyError(
                [
                    PolicyProblem(
                        path="metrics",
                        message=f"version {policy.version!r} defines no metrics to evaluate",
                    )
                ]
            )
        return evaluate(policy.sla, ticket, as_of=as_of)

    def _none_in_force(self, when: str) -> PolicyError:
        return PolicyError(
            [
                PolicyProblem(
                    path="effective_from",
                    message=f"no version is in force on {when}; versions cover "
                    + ", ".join(
                        f"{p.effective_from}..{p.effective_until or ''}" for p in self.versions
                    ),
                )
            ]
        )


#: the choices of :meth:`PolicySet.governing`
_GOVERNS: Final = ("creation", "cycle_start", "latest")


def load_policy_set(paths: Sequence[str | os.PathLike[str]]) -> PolicySet:
    """Load several versions of one policy and check that their effective ranges do not overlap."""
    problems: list[PolicyProblem] = []
    checked: list[tuple[PolicySpec, SourceDocument]] = []
    policies: list[Policy] = []
    for path in paths:
        validation, pair = _validate(path, text=None, format=None, name=None)
        problems.extend(validation.problems if validation.policy is None else ())
        if validation.policy is not None and pair is not None:
            policies.append(validation.policy)
            checked.append(pair)
    problems.extend(lint_policy_set(checked))
    if problems:
        raise PolicyError(problems, source=", ".join(os.fspath(p) for p in paths))
    return PolicySet(versions=tuple(sorted(policies, key=lambda p: p.effective_from)))
