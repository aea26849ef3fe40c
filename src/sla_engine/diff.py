"""What changed between two versions of a policy, and in whose favour.

:func:`diff_policies` compares two checked policies and lists every change with its *kind*:

- ``stricter``: the provider commits to more (a shorter target, more open hours, fewer closed
  days, a larger credit, a longer claim window, fewer exclusions, a longer maintenance notice);
- ``looser``: the provider commits to less (the opposite);
- ``higher`` / ``lower``: a price went up or down;
- ``added`` / ``removed``: a tier, channel, metric or rule appeared or went away;
- ``changed``: something changed that has no direction (a time zone, a rule's conditions, a
  calendar swapped for another, the rounding mode).

Credit bands are compared piece by piece over the whole range of downtime (or uptime), so a band
that moved is reported exactly where the credit differs. The result depends only on the two
policies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from sla_engine._time import BusinessDays, format_duration, td_to_us
from sla_engine.calendar import BusinessCalendar
from sla_engine.clocks import SLA, EscalationChain, TargetRule
from sla_engine.credits import (
    Band,
    Cap,
    ClaimWindow,
    CreditRule,
    CreditSchedule,
    DowntimeBands,
    FlatStep,
    HourlyStep,
    LostTime,
    UptimeBands,
)
from sla_engine.data_versions import data_versions
from sla_engine.hours import DAY_TITLES

if TYPE_CHECKING:
    from sla_engine.policy.schema import PolicySpec, TierSpec

__all__ = ["KINDS", "Change", "ChangeKind", "ComparablePolicy", "PolicyDiff", "diff_policies"]

ChangeKind = Literal["stricter", "looser", "higher", "lower", "added", "removed", "changed"]
KINDS: Final[tuple[str, ...]] = (
    "stricter",
    "looser",
    "higher",
    "lower",
    "added",
    "removed",
    "changed",
)


class ComparablePolicy(Protocol):
    """What a diff reads from a policy (``sla_engine.policy.Policy`` provides it)."""

    @property
    def spec(self) -> PolicySpec: ...

    @property
    def calendars(self) -> Mapping[str, BusinessCalendar]: ...

    @property
    def sla(self) -> SLA | None: ...

    @property
    def credit_schedule(self) -> CreditSchedule | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One difference: where (a policy path), its kind, the old and new values, and a note."""

    path: str
    kind: ChangeKind
    old: str | None
    new: str | None
    detail: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"change kind {self.kind!r} is not one of {', '.join(KINDS)}")

    def to_mapping(self) -> dict[str, str | None]:
        """Plain data for JSON."""
        return {
            "path": self.path,
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
            "detail": self.detail,
        }

    def __str__(self) -> str:
        if self.old is None:
            what = f"{self.new}"
        elif self.new is None:
            what = f"{self.old}"
        else:
            what = f"{self.old} -> {self.new}"
        note = f"  ({self.detail})" if self.detail else ""
        return f"{self.kind:<8} {self.path}: {what}{note}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyDiff:
    """Every change from ``old`` to ``new``, in the order of the policy's sections."""

    old: str
    new: str
    changes: tuple[Change, ...]

    def count(self, kind: ChangeKind) -> int:
        """How many changes are of ``kind``."""
        return sum(1 for c in self.changes if c.kind == kind)

    def summary(self) -> dict[str, int]:
        """The number of changes of each kind (every kind listed, zeros included)."""
        return {kind: self.count(kind) for kind in KINDS}  # type: ignore[arg-type]

    def to_mapping(self) -> dict[str, Any]:
        """Plain data: the two versions, the summary and the changes."""
        return {
            "old": self.old,
            "new": self.new,
            "summary": self.summary(),
            "changes": [c.to_mapping() for c in self.changes],
            "data_versions": data_versions().to_mapping(),
        }

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, two-space indent, one trailing newline."""
        return json.dumps(self.to_mapping(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    def to_text(self) -> str:
        """One line per change, then a summary line."""
        lines = [f"{self.old} -> {self.new}"]
        if not self.changes:
            lines.append("no changes")
        lines += [str(c) for c in self.changes]
        counts = ", ".join(f"{n} {k}" for k, n in self.summary().items() if n)
        lines.append(counts or "0 changes")
        return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ helpers


def _dur(value: timedelta | BusinessDays | None) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, BusinessDays) else format_duration(value)


def _by_length(
    path: str, old: timedelta, new: timedelta, *, shorter: ChangeKind, detail: str = ""
) -> Change | None:
    """A change between two lengths; ``shorter`` says what a shorter new one means."""
    if old == new:
        return None
    longer: ChangeKind = "looser" if shorter == "stricter" else "stricter"
    return Change(
        path=path,
        kind=shorter if new < old else longer,
        old=format_duration(old),
        new=format_duration(new),
        detail=detail,
    )


def _by_amount(
    path: str, old: Decimal, new: Decimal, *, larger: ChangeKind, fmt: str = "{}", detail: str = ""
) -> Change | None:
    if old == new:
        return None
    smaller: ChangeKind = {"stricter": "looser", "looser": "stricter", "higher": "lower"}.get(
        larger, "changed"
    )  # type: ignore[assignment]
    return Change(
        path=path,
        kind=larger if new > old else smaller,
        old=fmt.format(old),
        new=fmt.format(new),
        detail=detail,
    )


def _plain(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _keyed(names: Iterable[str]) -> list[str]:
    """Keys that stay unique when a name repeats: ``name``, ``name#2`` ..."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


# ------------------------------------------------------------------------------ envelope, tiers


def _members(
    path: str,
    old: Sequence[str],
    new: Sequence[str],
    *,
    added: tuple[ChangeKind, str],
    removed: tuple[ChangeKind, str],
) -> list[Change]:
    """One change per entry found in only one of two lists, in the order of each list."""
    out = [
        Change(path=path, kind=added[0], old=None, new=entry, detail=added[1])
        for entry in new
        if entry not in old
    ]
    out += [
        Change(path=path, kind=removed[0], old=entry, new=None, detail=removed[1])
        for entry in old
        if entry not in new
    ]
    return out


def _envelope(old: PolicySpec, new: PolicySpec) -> list[Change]:
    out = []
    for key in ("name", "effective_from", "effective_until", "currency"):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            out.append(
                Change(
                    path=key,
                    kind="changed",
                    old=None if a is None else str(a),
                    new=None if b is None else str(b),
                )
            )
    return out


def _price_text(tier: TierSpec, currency: str | None) -> str | None:
    if tier.price is None:
        return None
    code = tier.price.currency or currency
    return (
        f"{tier.price.amount} {code} per {tier.price.per}"
        if code
        else (f"{tier.price.amount} per {tier.price.per}")
    )


def _tiers(old: PolicySpec, new: PolicySpec) -> list[Change]:
    out: list[Change] = []
    a, b = old.tiers or {}, new.tiers or {}
    for name in [*a, *(t for t in b if t not in a)]:
        path = f"tiers.{name}"
        if name not in b:
            out.append(
                Change(path=path, kind="removed", old=_price_text(a[name], old.currency), new=None)
            )
            continue
        if name not in a:
            out.append(
                Change(
                    path=path,
                    kind="added",
                    old=None,
                    new=_price_text(b[name], new.currency) or name,
                )
            )
            continue
        x, y = a[name], b[name]
        px, py = x.price, y.price
        code_x = (px.currency if px else None) or old.currency
        code_y = (py.currency if py else None) or new.currency
        if px is not None and py is not None and px.per == py.per and code_x == code_y:
            change = _by_amount(
                f"{path}.price",
                px.amount,
                py.amount,
                larger="higher",
                fmt="{}" + (f" {code_y}" if code_y else "") + f" per {py.per}",
            )
            if change is not None:
                out.append(change)
        elif _price_text(x, old.currency) != _price_text(y, new.currency):
            out.append(
                Change(
                    path=f"{path}.price",
                    kind="changed",
                    old=_price_text(x, old.currency),
                    new=_price_text(y, new.currency),
                )
            )
        if x.calendar != y.calendar:
            out.append(
                Change(
                    path=f"{path}.calendar",
                    kind="changed",
                    old=x.calendar,
                    new=y.calendar,
                    detail="counted on another calendar",
                )
            )
        # A tier that names no channels offers them all: only lists on both sides compare.
        if x.channels is not None and y.channels is not None:
            out += _members(
                f"{path}.channels",
                x.channels,
                y.channels,
                added=("stricter", "a channel added"),
                removed=("looser", "a channel removed"),
            )
        out += _members(
            f"{path}.features",
            x.features or [],
            y.features or [],
            added=("added", ""),
            removed=("removed", ""),
        )
    return out


def _channels(old: PolicySpec, new: PolicySpec) -> list[Change]:
    out: list[Change] = []
    a, b = old.channels or {}, new.channels or {}
    for name in [*a, *(c for c in b if c not in a)]:
        path = f"channels.{name}"
        if name not in b:
            out.append(Change(path=path, kind="removed", old=name, new=None))
        elif name not in a:
            out.append(Change(path=path, kind="added", old=None, new=name))
        else:
            ca = a[name].calendar if a[name] is not None else None  # type: ignore[union-attr]
            cb = b[name].calendar if b[name] is not None else None  # type: ignore[union-attr]
            if ca != cb:
                out.append(Change(path=f"{path}.calendar", kind="changed", old=ca, new=cb))
    return out


# ------------------------------------------------------------------------------ clocks


def _rule_target(rule: TargetRule) -> str:
    target = _dur(rule.target) or "not applicable"
    return f"{target} on {rule.calendar}" if rule.calendar and rule.target else target


def _by_target(
    path: str,
    old: timedelta | BusinessDays,
    new: timedelta | BusinessDays,
    *,
    detail: str = "",
) -> Change | None:
    """Shorter is stricter; business days compare with business days only."""
    if isinstance(old, timedelta) and isinstance(new, timedelta):
        return _by_length(path, old, new, shorter="stricter", detail=detail)
    if old == new:
        return None
    if isinstance(old, BusinessDays) and isinstance(new, BusinessDays):
        kind: ChangeKind = "stricter" if new.days < old.days else "looser"
        return Change(path=path, kind=kind, old=_dur(old), new=_dur(new), detail=detail)
    return Change(
        path=path,
        kind="changed",
        old=_dur(old),
        new=_dur(new),
        detail="business days and business time do not compare" + (f"; {detail}" if detail else ""),
    )


def _rules(metric: str, old: Sequence[TargetRule], new: Sequence[TargetRule]) -> list[Change]:
    out: list[Change] = []
    ka = dict(zip(_keyed(r.name for r in old), old, strict=True))
    kb = dict(zip(_keyed(r.name for r in new), new, strict=True))
    for key in [*ka, *(k for k in kb if k not in ka)]:
        path = f"targets.{metric}[{key}]"
        x, y = ka.get(key), kb.get(key)
        if y is None:
            assert x is not None
            out.append(
                Change(
                    path=path,
                    kind="removed",
                    old=_rule_target(x),
                    new=None,
                    detail=f"when {x.when}",
                )
            )
            continue
        if x is None:
            out.append(
                Change(
                    path=path, kind="added", old=None, new=_rule_target(y), detail=f"when {y.when}"
                )
            )
            continue
        if x.when != y.when:
            out.append(
                Change(
                    path=f"{path}.when",
                    kind="changed",
                    old=str(x.when),
                    new=str(y.when),
                    detail="applies to other tickets",
                )
            )
        if x.target != y.target:
            if x.target is None:
                out.append(
                    Change(
                        path=path,
                        kind="stricter",
                        old="not applicable",
                        new=_rule_target(y),
                        detail="the metric now applies",
                    )
                )
            elif y.target is None:
                out.append(
                    Change(
                        path=path,
                        kind="looser",
                        old=_rule_target(x),
                        new="not applicable",
                        detail="the metric no longer applies",
                    )
                )
            else:
                same = x.calendar == y.calendar
                change = _by_target(
                    path,
                    x.target,
                    y.target,
                    detail="" if same else f"calendar {x.calendar} -> {y.calendar}",
                )
                if change is not None:
                    out.append(
                        change
                        if same
                        else Change(
                            path=path,
                            kind="changed",
                            old=_rule_target(x),
                            new=_rule_target(y),
                            detail="target and calendar both changed",
                        )
                    )
        elif x.calendar != y.calendar and x.target is not None:
            out.append(
                Change(
                    path=f"{path}.calendar",
                    kind="changed",
                    old=x.calendar,
                    new=y.calendar,
                    detail="counted on another calendar",
                )
            )
    order_a = [k for k in ka if k in kb]
    order_b = [k for k in kb if k in ka]
    if order_a != order_b:
        out.append(
            Change(
                path=f"targets.{metric}",
                kind="changed",
                old=", ".join(order_a),
                new=", ".join(order_b),
                detail="rules reordered: the first match wins",
            )
        )
    return out


def _escalation(old: EscalationChain | None, new: EscalationChain | None) -> list[Change]:
    if old is None and new is None:
        return []
    if old is None:
        assert new is not None
        return [
            Change(
                path="escalation",
                kind="added",
                old=None,
                new=" -> ".join(lv.name for lv in new.levels),
            )
        ]
    if new is None:
        return [
            Change(
                path="escalation",
                kind="removed",
                old=" -> ".join(lv.name for lv in old.levels),
                new=None,
            )
        ]
    out: list[Change] = []
    oa = dict(zip((lv.name for lv in old.levels), old.offsets(), strict=True))
    ob = dict(zip((lv.name for lv in new.levels), new.offsets(), strict=True))
    for name in [*oa, *(n for n in ob if n not in oa)]:
        path = f"escalation.levels[{name}]"
        if name not in ob:
            out.append(Change(path=path, kind="removed", old=format_duration(oa[name]), new=None))
        elif name not in oa:
            out.append(Change(path=path, kind="added", old=None, new=format_duration(ob[name])))
        else:
            change = _by_length(
                path,
                oa[name],
                ob[name],
                shorter="stricter",
                detail="reached this long after the breach",
            )
            if change is not None:
                out.append(change)
    if old.clock != new.clock:
        out.append(
            Change(
                path="escalation.clock", kind="changed", old=old.clock.value, new=new.clock.value
            )
        )
    return out


def _clocks(old: SLA | None, new: SLA | None) -> list[Change]:
    if old is None and new is None:
        return []
    if old is None or new is None:
        return [
            Change(
                path="metrics",
                kind="added" if old is None else "removed",
                old=None if old is None else ", ".join(m.name for m in old.metrics),
                new=None if new is None else ", ".join(m.name for m in new.metrics),
            )
        ]
    out: list[Change] = []
    ma = {m.name: m for m in old.metrics}
    mb = {m.name: m for m in new.metrics}
    for name in [*ma, *(m for m in mb if m not in ma)]:
        if name not in mb:
            out.append(Change(path=f"metrics.{name}", kind="removed", old=name, new=None))
        elif name not in ma:
            out.append(Change(path=f"metrics.{name}", kind="added", old=None, new=name))
        elif ma[name] != mb[name]:
            out.append(
                Change(
                    path=f"metrics.{name}",
                    kind="changed",
                    old=_plain(ma[name].to_mapping()),
                    new=_plain(mb[name].to_mapping()),
                    detail="when the clock starts, stops or pauses",
                )
            )
    for name in [*ma, *(m for m in mb if m not in ma)]:
        out += _rules(name, old.targets.get(name, ()), new.targets.get(name, ()))
    if old.calendar_rules != new.calendar_rules:
        out.append(
            Change(
                path="calendar_rules",
                kind="changed",
                old=_plain([r.to_mapping() for r in old.calendar_rules]),
                new=_plain([r.to_mapping() for r in new.calendar_rules]),
            )
        )
    if old.lifecycle != new.lifecycle:
        out.append(
            Change(
                path="states",
                kind="changed",
                old=_plain(old.lifecycle.to_mapping()),
                new=_plain(new.lifecycle.to_mapping()),
            )
        )
    if old.warnings != new.warnings:
        out.append(
            Change(
                path="warnings",
                kind="changed",
                old=", ".join(f"{w.name}: {w.describe()}" for w in old.warnings),
                new=", ".join(f"{w.name}: {w.describe()}" for w in new.warnings),
            )
        )
    out += _escalation(old.escalation, new.escalation)
    return out


#: The compliance target of a metric that names none (as the reports use).
_DEFAULT_COMPLIANCE = Decimal(95)


def _compliance(old: PolicySpec, new: PolicySpec) -> list[Change]:
    """A metric's compliance target (reports hold its attainment against it; 95 % unless
    given): a higher one is stricter."""
    out: list[Change] = []
    ma, mb = old.metrics or {}, new.metrics or {}
    for name in [m for m in ma if m in mb]:
        a, b = ma[name], mb[name]
        before = a.compliance if a is not None else None
        after = b.compliance if b is not None else None
        if before == after:
            continue
        low, high = before or _DEFAULT_COMPLIANCE, after or _DEFAULT_COMPLIANCE
        out.append(
            Change(
                path=f"metrics.{name}.compliance",
                kind="stricter" if high > low else "looser" if high < low else "changed",
                old=f"{before}%" if before is not None else "not given",
                new=f"{after}%" if after is not None else "not given",
                detail="" if before and after else "95% when not given",
            )
        )
    return out


# ------------------------------------------------------------------------------ calendars


def _hours_text(seconds: int) -> str:
    return format_duration(timedelta(seconds=seconds))


def _calendars(
    old: Mapping[str, BusinessCalendar], new: Mapping[str, BusinessCalendar]
) -> list[Change]:
    out: list[Change] = []
    for name in [*old, *(c for c in new if c not in old)]:
        path = f"calendars.{name}"
        if name not in new:
            out.append(Change(path=path, kind="removed", old=name, new=None))
            continue
        if name not in old:
            out.append(Change(path=path, kind="added", old=None, new=name))
            continue
        a, b = old[name], new[name]
        if a == b:
            continue
        if a.kind != "hours" or b.kind != "hours":
            out.append(
                Change(
                    path=path,
                    kind="changed",
                    old=_plain(a.to_mapping()),
                    new=_plain(b.to_mapping()),
                )
            )
            continue
        if a.timezone != b.timezone:
            out.append(
                Change(path=f"{path}.timezone", kind="changed", old=a.timezone, new=b.timezone)
            )
        for i in range(7):
            wa, wb = a.weekly_hours.windows(i), b.weekly_hours.windows(i)
            if wa == wb:
                continue
            sa, sb = sum(w.seconds for w in wa), sum(w.seconds for w in wb)
            kind: ChangeKind = "stricter" if sb > sa else "looser" if sb < sa else "changed"
            out.append(
                Change(
                    path=f"{path}.hours.{DAY_TITLES[i].lower()[:3]}",
                    kind=kind,
                    old=", ".join(str(w) for w in wa) or "closed",
                    new=", ".join(str(w) for w in wb) or "closed",
                    detail=f"open {_hours_text(sa)} -> {_hours_text(sb)}",
                )
            )
        ma, mb = a.to_mapping(), b.to_mapping()
        if ma.get("holidays") != mb.get("holidays"):
            out.append(
                Change(
                    path=f"{path}.holidays",
                    kind="changed",
                    old=_plain(ma.get("holidays")),
                    new=_plain(mb.get("holidays")),
                )
            )
        out += _members(
            f"{path}.closed",
            [_plain(c) for c in ma.get("closed", [])],
            [_plain(c) for c in mb.get("closed", [])],
            added=("looser", "closed on more days"),
            removed=("stricter", "open on more days"),
        )
        if ma.get("special") != mb.get("special"):
            out.append(
                Change(
                    path=f"{path}.special",
                    kind="changed",
                    old=_plain(ma.get("special")),
                    new=_plain(mb.get("special")),
                )
            )
    return out


# ------------------------------------------------------------------------------ credits


@dataclass(frozen=True, slots=True)
class _Piece:
    lo: Fraction | None
    lo_in: bool
    hi: Fraction | None
    hi_in: bool
    sample: Fraction


def _key(bound: object) -> Fraction:
    if isinstance(bound, timedelta):
        return Fraction(td_to_us(bound))
    assert isinstance(bound, Decimal)
    return Fraction(bound)


def _percent_at(bands: Sequence[Band], x: Fraction) -> Decimal:
    for band in bands:
        lo = None if band.lower is None else _key(band.lower)
        hi = None if band.upper is None else _key(band.upper)
        above = lo is None or x > lo or (x == lo and band.lower_inclusive)
        below = hi is None or x < hi or (x == hi and band.upper_inclusive)
        if above and below:
            return band.percent
    return Decimal(0)


def _pieces(points: list[Fraction], top: Fraction | None) -> list[_Piece]:
    out: list[_Piece] = []
    for i, p in enumerate(points):
        out.append(_Piece(p, True, p, True, p))
        nxt = points[i + 1] if i + 1 < len(points) else None
        if nxt is not None:
            out.append(_Piece(p, False, nxt, False, (p + nxt) / 2))
        elif top is None:
            out.append(_Piece(p, False, None, False, p + 1))
    return out


def _bands(path: str, old: Sequence[Band], new: Sequence[Band], *, uptime: bool) -> list[Change]:
    """Where the credit percentage differs, over the whole domain, merged into ranges."""
    low, top = Fraction(0), (Fraction(100) if uptime else None)
    shown: dict[Fraction, str] = {low: "0%" if uptime else "0s"}
    if top is not None:
        shown[top] = "100%"
    for band in (*old, *new):
        for bound in (band.lower, band.upper):
            if bound is not None:
                key = _key(bound)
                shown.setdefault(
                    key,
                    f"{bound}%" if isinstance(bound, Decimal) else format_duration(bound),
                )
    points = sorted(p for p in shown if p >= low and (top is None or p <= top))
    merged: list[tuple[_Piece, _Piece, Decimal, Decimal]] = []
    for piece in _pieces(points, top):
        a, b = _percent_at(old, piece.sample), _percent_at(new, piece.sample)
        if merged and merged[-1][2:] == (a, b):
            first = merged[-1][0]
            merged[-1] = (first, piece, a, b)
        else:
            merged.append((piece, piece, a, b))
    out = []
    what = "uptime" if uptime else "downtime"
    for first, last, a, b in merged:
        if a == b:
            continue
        lo = "[" if first.lo_in else "("
        hi = "]" if last.hi_in else ")"
        start = shown[first.lo] if first.lo is not None else "inf"
        end = shown[last.hi] if last.hi is not None else "inf"
        out.append(
            Change(
                path=f"{path}[{lo}{start}, {end}{hi}]",
                kind="stricter" if b > a else "looser",
                old=f"{a}%",
                new=f"{b}%",
                detail=f"credit for {what} in {lo}{start}, {end}{hi}",
            )
        )
    return out


def _rule(old: CreditRule, new: CreditRule) -> list[Change]:
    path = "credits.rule"
    if type(old) is not type(new):
        return [
            Change(
                path=path,
                kind="changed",
                old=_plain(old.to_mapping()),
                new=_plain(new.to_mapping()),
                detail="a different kind of rule",
            )
        ]
    if isinstance(old, DowntimeBands | UptimeBands):
        assert isinstance(new, DowntimeBands | UptimeBands)
        return _bands(f"{path}.bands", old.bands, new.bands, uptime=isinstance(old, UptimeBands))
    out: list[Change | None] = []
    if isinstance(old, FlatStep):
        assert isinstance(new, FlatStep)
        out.append(
            _by_length(f"{path}.threshold", old.threshold, new.threshold, shorter="stricter")
        )
        if old.inclusive != new.inclusive:
            out.append(
                Change(
                    path=f"{path}.inclusive",
                    kind="stricter" if new.inclusive else "looser",
                    old=str(old.inclusive),
                    new=str(new.inclusive),
                )
            )
        out.append(
            _by_amount(f"{path}.credit", old.percent, new.percent, larger="stricter", fmt="{}%")
        )
    elif isinstance(old, LostTime):
        assert isinstance(new, LostTime)
        if old.rate != new.rate:
            out.append(Change(path=f"{path}.rate", kind="changed", old=old.rate, new=new.rate))
        out.append(_by_amount(f"{path}.multiple", old.multiple, new.multiple, larger="stricter"))
    elif isinstance(old, HourlyStep):
        assert isinstance(new, HourlyStep)
        if isinstance(old.allowance, timedelta) and isinstance(new.allowance, timedelta):
            out.append(
                _by_length(f"{path}.allowance", old.allowance, new.allowance, shorter="stricter")
            )
        elif old.allowance != new.allowance:
            out.append(
                Change(
                    path=f"{path}.allowance",
                    kind="changed",
                    old=str(old.to_mapping()["allowance"]),
                    new=str(new.to_mapping()["allowance"]),
                )
            )
        out.append(_by_length(f"{path}.step", old.step, new.step, shorter="stricter"))
        out.append(
            _by_amount(
                f"{path}.credit_per_step",
                old.percent_per_step,
                new.percent_per_step,
                larger="stricter",
                fmt="{}%",
            )
        )
        if old.max_percent != new.max_percent:
            if old.max_percent is None or new.max_percent is None:
                out.append(
                    Change(
                        path=f"{path}.max_credit",
                        kind="looser" if new.max_percent is not None else "stricter",
                        old=None if old.max_percent is None else f"{old.max_percent}%",
                        new=None if new.max_percent is None else f"{new.max_percent}%",
                    )
                )
            else:
                out.append(
                    _by_amount(
                        f"{path}.max_credit",
                        old.max_percent,
                        new.max_percent,
                        larger="stricter",
                        fmt="{}%",
                    )
                )
    return [c for c in out if c is not None]


def _cap(path: str, old: Cap | None, new: Cap | None) -> list[Change]:
    if old == new:
        return []
    if old is None or new is None:
        return [
            Change(
                path=path,
                kind="looser" if old is None else "stricter",
                old=None if old is None else old.describe(),
                new=None if new is None else new.describe(),
                detail="a cap added" if old is None else "the cap removed",
            )
        ]
    for attr in ("percent", "amount", "days_of_service"):
        a, b = getattr(old, attr), getattr(new, attr)
        if a is not None and b is not None:
            change = _by_amount(path, a, b, larger="stricter")
            return (
                []
                if change is None
                else [Change(path=path, kind=change.kind, old=old.describe(), new=new.describe())]
            )
    return [Change(path=path, kind="changed", old=old.describe(), new=new.describe())]


def _claim(old: ClaimWindow | None, new: ClaimWindow | None) -> list[Change]:
    path = "credits.claim"
    if old == new:
        return []
    if old is None or new is None:
        return [
            Change(
                path=path,
                kind="looser" if old is None else "stricter",
                old="no claim needed" if old is None else old.describe(),
                new="no claim needed" if new is None else new.describe(),
            )
        ]
    if old.anchor == new.anchor and old.days is not None and new.days is not None:
        kind: ChangeKind = "stricter" if new.days > old.days else "looser"
        return [
            Change(
                path=path,
                kind=kind,
                old=old.describe(),
                new=new.describe(),
                detail="customers have longer to claim"
                if kind == "stricter"
                else "customers have less time to claim",
            )
        ]
    if old.anchor == new.anchor and old.cycles is not None and new.cycles is not None:
        kind = "stricter" if new.cycles > old.cycles else "looser"
        return [Change(path=path, kind=kind, old=old.describe(), new=new.describe())]
    return [Change(path=path, kind="changed", old=old.describe(), new=new.describe())]


def _credits(old: CreditSchedule | None, new: CreditSchedule | None) -> list[Change]:
    if old is None and new is None:
        return []
    if old is None or new is None:
        return [
            Change(
                path="credits",
                kind="stricter" if old is None else "looser",
                old=None if old is None else _plain(old.to_mapping()),
                new=None if new is None else _plain(new.to_mapping()),
                detail="credits offered" if old is None else "credits withdrawn",
            )
        ]
    out: list[Change | None] = []
    if old.basis != new.basis:
        out.append(Change(path="credits.basis", kind="changed", old=old.basis, new=new.basis))
    out += _rule(old.rule, new.rule)
    for reason in sorted(new.exclusions - old.exclusions):
        out.append(
            Change(
                path="credits.exclusions",
                kind="looser",
                old=None,
                new=reason,
                detail="a new exclusion",
            )
        )
    for reason in sorted(old.exclusions - new.exclusions):
        out.append(
            Change(
                path="credits.exclusions",
                kind="stricter",
                old=reason,
                new=None,
                detail="no longer excluded",
            )
        )
    if old.services != new.services:
        sa, sb = old.services, new.services
        kind: ChangeKind = (
            "stricter"
            if sb is None or (sa is not None and sa < sb)
            else "looser"
            if sa is None or sb < sa
            else "changed"
        )
        out.append(
            Change(
                path="credits.services",
                kind=kind,
                old="all" if sa is None else ", ".join(sorted(sa)),
                new="all" if sb is None else ", ".join(sorted(sb)),
            )
        )
    out.append(
        _by_length(
            "credits.minimum_downtime",
            old.minimum_downtime,
            new.minimum_downtime,
            shorter="stricter",
        )
    )
    if old.maintenance_notice is not None and new.maintenance_notice is not None:
        out.append(
            _by_length(
                "credits.maintenance_notice",
                old.maintenance_notice,
                new.maintenance_notice,
                shorter="looser",
                detail="how far ahead maintenance must be announced",
            )
        )
    elif old.maintenance_notice != new.maintenance_notice:
        out.append(
            Change(
                path="credits.maintenance_notice",
                kind="looser" if new.maintenance_notice is None else "stricter",
                old=str(old.to_mapping()["maintenance_notice"]),
                new=str(new.to_mapping()["maintenance_notice"]),
                detail="how far ahead maintenance must be announced",
            )
        )
    for key in (
        "fee_basis",
        "strict",
        "weight",
        "commitment",
        "planned_downtime",
        "count_from",
        "minutes",
        "causes",
        "plans",
    ):
        a, b = old.to_mapping().get(key), new.to_mapping().get(key)
        if a != b:
            out.append(
                Change(
                    path=f"credits.{key}",
                    kind="changed",
                    old=None if a is None else str(a),
                    new=None if b is None else str(b),
                )
            )
    for key in ("min_error_rate", "min_affected_share"):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            if a is None or b is None:
                out.append(
                    Change(
                        path=f"credits.{key}",
                        kind="looser" if a is None else "stricter",
                        old=None if a is None else str(a),
                        new=None if b is None else str(b),
                    )
                )
            else:
                out.append(_by_amount(f"credits.{key}", a, b, larger="looser"))
    if old.whole != new.whole:
        out.append(
            Change(path="credits.whole", kind="changed", old=_dur(old.whole), new=_dur(new.whole))
        )
    out += _cap("credits.cap_per_incident", old.cap_per_incident, new.cap_per_incident)
    out += _cap("credits.cap_per_period", old.cap_per_period, new.cap_per_period)
    if old.minimum_payout != new.minimum_payout:
        a_m, b_m = old.minimum_payout, new.minimum_payout
        if a_m is None or b_m is None:
            out.append(
                Change(
                    path="credits.minimum_payout",
                    kind="looser" if a_m is None else "stricter",
                    old=None if a_m is None else f"{a_m.comparison} {a_m.amount}",
                    new=None if b_m is None else f"{b_m.comparison} {b_m.amount}",
                )
            )
        else:
            out.append(
                Change(
                    path="credits.minimum_payout",
                    kind="looser"
                    if (b_m.amount, b_m.comparison == ">") > (a_m.amount, a_m.comparison == ">")
                    else "stricter",
                    old=f"{a_m.comparison} {a_m.amount}",
                    new=f"{b_m.comparison} {b_m.amount}",
                )
            )
    out += _claim(old.claim, new.claim)
    if old.rounding != new.rounding:
        out.append(
            Change(path="credits.rounding", kind="changed", old=old.rounding, new=new.rounding)
        )
    return [c for c in out if c is not None]


# ------------------------------------------------------------------------------ entry point


def _label(policy: ComparablePolicy) -> str:
    return f"{policy.spec.name} {policy.spec.version}"


def diff_policies(old: ComparablePolicy, new: ComparablePolicy) -> PolicyDiff:
    """Every change from ``old`` to ``new``: envelope, tiers and prices, channels, clocks
    (metrics, targets, warnings, escalation), calendars, then credits."""
    changes = [
        *_envelope(old.spec, new.spec),
        *_tiers(old.spec, new.spec),
        *_channels(old.spec, new.spec),
        *_clocks(old.sla, new.sla),
        *_compliance(old.spec, new.spec),
        *_calendars(old.calendars, new.calendars),
        *_credits(old.credit_schedule, new.credit_schedule),
    ]
    return PolicyDiff(old=_label(old), new=_label(new), changes=tuple(changes))
