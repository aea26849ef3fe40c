"""A slow, obviously correct model of ticket clocks to check the engine against.

It shares no code with ``sla_engine.clocks``: it reads the plain SLA mapping (the shape
``SLA.from_mapping`` takes) and a ticket's events, and counts business time with the reference
calendars of ``tests/reference_calendar.py``. Where the engine keeps running totals and records
crossings as segments close, the model keeps, per cycle, only facts:

* ``runs``: the half-open intervals ``[a, b)`` in which the cycle was open and not paused
  (``b`` is ``None`` while it still runs);
* ``epochs``: from each instant its target holds (the cycle's start, and each change of rule,
  calendar or target), with the anchor the count starts from and what a ``carry`` brought in;
* ``gaps``: the intervals ``[stop, reopen)`` a resumed cycle spent fulfilled.

Every answer is then a definition over those facts, computed by search:

* the count at ``u`` under an epoch = what it carried + the business time of the runs inside
  ``[anchor, u)`` on the epoch's calendar;
* the breach = the first instant, in a run (either end included) or at an epoch's beginning,
  at which the count exceeds the epoch's target;
* the ``severity_change`` and ``reopen`` strategies are the metric's own when it names them;
* the due time = the first such instant at which the count reaches the target, searched from
  the latest epoch that changed the target or found it not yet used up (an unchanged, used-up
  target keeps the due time it had);
* a warning = the first instant inside a run ``[a, b)`` at which the count reaches the
  warning's threshold (a share or a business lead), or, for a wall lead, the first instant of
  a run that is within the lead of the due time projected from it; shown only before the
  breach;
* a warning with ``when`` is looked for only while the ticket matches it, and the chain is the
  first that watches the metric and matches the ticket's attributes at the breach;
* escalation level ``k`` = ``offset_k`` after the breach, counted in wall time or in business
  time on the cycle's calendar, leaving out the gaps (an instant in a gap moves to its end);
  shown while the cycle is open.

A rule with ``customer_zone`` counts on its calendar read in the ticket's zone (the calendars
mapping answers ``name@zone``). The lifecycle is the default one (``Waiting on Customer``
pauses first response, when the policy says pauses count for it, and resolution; Resolved,
Verified and Closed are terminal).
Integer microseconds since the epoch throughout. Slow on purpose: use it on a few tickets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reference_calendar import Reference

HOUR_US = 3_600_000_000
TERMINAL = ("Resolved", "Verified", "Closed")
STATES = ("New", "Triaged", "In Progress", "Waiting on Customer", "Escalated", *TERMINAL)
PAUSING = {"Waiting on Customer": ("first_response", "resolution")}
ATTRS = {
    "severity_changed": "severity",
    "tier_changed": "tier",
    "channel_changed": "channel",
    "issue_class_changed": "issue_class",
}
ENTERS = {"created": "New", "resolved": "Resolved", "verified": "Verified", "closed": "Closed"}


def matches(when: Mapping[str, Sequence[str]], attrs: Mapping[str, str | None]) -> bool:
    """Whether attributes meet conditions (each a list of accepted values)."""
    return all(attrs.get(k) in v for k, v in when.items())


def duration_us(text: str) -> int:
    """``'90m'``, ``'2h'``, ``'45s'`` as microseconds (the subset the tests write)."""
    unit = {"s": 1_000_000, "m": 60_000_000, "h": HOUR_US}[text[-1]]
    return int(text[:-1]) * unit


@dataclass
class Trig:
    """``kind`` (an event kind), ``enter:S``, ``leave:S`` or ``custom:N``, maybe ``after X``."""

    what: str
    name: str | None
    after: str | None

    @classmethod
    def parse(cls, text: str) -> Trig:
        body, _, after = text.partition(" after ")
        what, _, name = body.partition(":")
        return cls(what, name or None, after or None)


@dataclass
class MetricSpec:
    name: str
    kind: str
    start: list[Trig]
    stop: list[Trig]
    pause: list[Trig]
    resume: list[Trig]
    reset: list[Trig]
    cancel: list[Trig]
    once: bool
    repeat: bool
    stop_on_terminal: bool
    change: str | None = None  # this metric's own strategies (None: the policy's)
    reopen: str | None = None


PRESETS: dict[str, dict[str, Any]] = {
    "first_response": {"start": ["created"], "stop": ["agent_reply"], "once": True},
    "next_response": {"start": ["customer_reply after agent_reply"], "stop": ["agent_reply"]},
    "periodic_update": {
        "start": ["custom:major_incident"],
        "stop": ["custom:status_update"],
        "cancel": ["custom:incident_resolved"],
        "repeat": True,
    },
    "workaround": {"start": ["created"], "stop": ["workaround_given"], "once": True},
    "resolution": {"start": ["created"], "once": True},
    "root_cause_plan": {"start": ["created"], "stop": ["root_cause_plan"], "once": True},
}


def metric_spec(data: Mapping[str, Any]) -> MetricSpec:
    kind = data.get("kind", "custom")
    base: dict[str, Any] = dict(PRESETS.get(kind, {}))
    if kind == "time_in_state":
        state = data["state"]
        base = {"start": [f"enter:{state}"], "stop": [f"leave:{state}"], "stop_on_terminal": False}
    base.update(data)
    trig = {
        k: [Trig.parse(t) for t in base.get(k, [])]
        for k in ("start", "stop", "pause", "resume", "reset", "cancel")
    }
    return MetricSpec(
        name=data["name"],
        kind=kind,
        once=bool(base.get("once", False)),
        repeat=bool(base.get("repeat", False)),
        stop_on_terminal=bool(base.get("stop_on_terminal", True)),
        change=data.get("severity_change"),
        reopen=data.get("reopen"),
        **trig,
    )


@dataclass
class Epoch:
    begin: int
    anchor: int
    carried: int
    calendar: str
    target: int | None
    rule: str
    attrs: dict[str, str | None] = field(default_factory=dict)  # the ticket's, at the begin


@dataclass
class RefCycle:
    metric: str
    no: int
    start: int
    epochs: list[Epoch]
    runs: list[list[int | None]] = field(default_factory=list)
    gaps: list[tuple[int, int]] = field(default_factory=list)
    stop: int | None = None
    how: str | None = None  # fulfilled, cancelled, reset
    by_terminal: bool = False


@dataclass(frozen=True)
class RefStatus:
    metric: str
    cycle: int
    state: str
    start: int
    stop: int | None
    due: int | None
    breached_at: int | None
    target: int
    elapsed: int
    rule: str


class ReferenceClock:
    """A ticket replayed under an SLA mapping; ask :meth:`answers` at an instant."""

    def __init__(
        self,
        sla: Mapping[str, Any],
        calendars: Mapping[str, Reference],
        attrs: Mapping[str, str | None],
        zone: str | None = None,
    ) -> None:
        self.sla = sla
        #: calendars by name; ``name@zone`` is that calendar read in another zone
        self.cals = calendars
        self.zone = zone
        self.metrics = [metric_spec(m) for m in sla["metrics"]]
        strategies = sla.get("strategies", {})
        self.change = strategies.get("severity_change", "recompute")
        self.reopen = strategies.get("reopen", "resume")
        self.fr_pauses = strategies.get("first_response_pauses", False)
        self.retroactive = strategies.get("retroactive_start", True)
        self.attrs = dict(attrs)
        self.initial_attrs = dict(attrs)
        #: (instant, attributes after the events at it) for each attribute change
        self.attr_log: list[tuple[int, dict[str, str | None]]] = []
        self.state: str | None = None
        self.seen: set[str] = set()
        self.cycles: dict[str, list[RefCycle]] = {m.name: [] for m in self.metrics}
        self.event_paused: dict[str, bool] = {m.name: False for m in self.metrics}
        self.last = -(1 << 62)
        self.n_events = 0
        #: instants of the escalation_answered events, by the level's name
        self.answers: dict[str, list[int]] = {}

    # -- the rules --------------------------------------------------------------------------
    def select(self, metric: str) -> tuple[str, int | None, str]:
        """(rule name, target or None, calendar) of the first rule matching the attributes."""
        for rule in self.sla["targets"][metric]:
            when = rule.get("when", {})
            if all(self.attrs.get(k) in v for k, v in when.items()):
                target = rule.get("target")
                cal = rule.get("calendar") or next(iter(self.sla["calendars"]))
                if rule.get("customer_zone") and self.zone is not None:
                    cal = f"{cal}@{self.zone}"  # the calendar read in the ticket's zone
                return rule["name"], None if target is None else duration_us(target), cal
        raise AssertionError("the generated policies end every rule list with a catch-all")

    def paused(self, m: MetricSpec) -> bool:
        by_state = m.name in PAUSING.get(self.state or "", ()) and (
            m.kind != "first_response" or self.fr_pauses
        )
        return by_state or self.event_paused[m.name]

    def open_cycle(self, m: MetricSpec) -> RefCycle | None:
        found = self.cycles[m.name]
        return found[-1] if found and found[-1].stop is None else None

    # -- counting -----------------------------------------------------------------------------
    def count(self, c: RefCycle, e: Epoch, u: int) -> int:
        """Business time of the cycle under epoch ``e`` at ``u``."""
        cal = self.cals[e.calendar]
        total = e.carried
        for a, b in c.runs:
            lo = max(a, e.anchor)  # type: ignore[type-var]
            hi = u if b is None else min(b, u)
            if hi > lo:  # type: ignore[operator]
                total += cal.elapsed(lo, hi)  # type: ignore[arg-type]
        return total

    def pieces(self, c: RefCycle, k: int, until: int | None) -> list[tuple[int, int | None]]:
        """The runs of the cycle inside epoch ``k``, clipped to it; a run still going ends at
        ``until`` (``None``: it goes on)."""
        e = c.epochs[k]
        end = c.epochs[k + 1].begin if k + 1 < len(c.epochs) else None
        out: list[tuple[int, int | None]] = []
        for a, b in c.runs:
            assert a is not None
            bb = b if b is not None else until
            lo = max(a, e.begin)
            hi = bb if end is None else (end if bb is None else min(bb, end))
            if hi is None or hi >= lo:
                out.append((lo, hi))
        return out

    def attrs_from(self, t: int) -> dict[str, str | None]:
        """The ticket's attributes after every event at or before ``t`` (fed so far)."""
        found = self.initial_attrs
        for at, attrs in self.attr_log:
            if at <= t:
                found = attrs
        return found

    def sub_pieces(
        self, c: RefCycle, k: int, until: int | None
    ) -> list[tuple[int, int | None, dict[str, str | None]]]:
        """The pieces of :meth:`pieces`, split where the attributes change, each with the
        attributes in force over it."""
        out = []
        for a, b in self.pieces(c, k, until):
            cuts = [t for t, _ in self.attr_log if a < t and (b is None or t < b)]
            starts = [a, *cuts]
            ends: list[int | None] = [*cuts, b]
            out += [(s, e, self.attrs_from(s)) for s, e in zip(starts, ends, strict=True)]
        return out

    def reach(
        self, c: RefCycle, k: int, threshold: int, *, strict: bool, until: int | None
    ) -> tuple[int, dict[str, str | None]] | None:
        """First instant in epoch ``k`` (its beginning, or in a run, ends included) at which the
        count reaches ``threshold`` (exceeds it with ``strict``), with the attributes in force
        there (at an epoch's beginning, those it began with)."""
        e = c.epochs[k]
        need_total = threshold + 1 if strict else threshold
        if self.count(c, e, e.begin) >= need_total:
            return e.begin, e.attrs
        cal = self.cals[e.calendar]
        for a, b, attrs in self.sub_pieces(c, k, until):
            have = self.count(c, e, a)
            need = need_total - have
            if need <= 0:
                return a, attrs
            if b is None or cal.elapsed(a, b) >= need:
                return cal.add(a, need), attrs
        return None

    def breach(self, c: RefCycle, until: int | None) -> int | None:
        found = self.breach_attrs(c, until)
        return None if found is None else found[0]

    def breach_attrs(
        self, c: RefCycle, until: int | None
    ) -> tuple[int, dict[str, str | None]] | None:
        for k, e in enumerate(c.epochs):
            if e.target is not None:
                found = self.reach(c, k, e.target, strict=True, until=until)
                if found is not None:
                    return found
        return None

    def due(self, c: RefCycle, until: int | None) -> int | None:
        """The due time (see the module's docstring); ``None`` if not reached by ``until``."""
        first = 0
        for k in range(1, len(c.epochs)):
            e, prev = c.epochs[k], c.epochs[k - 1]
            kept = (
                e.target is not None
                and prev.target == e.target
                and self.count(c, e, e.begin) >= e.target
            )
            if not kept:
                first = k
        for k in range(first, len(c.epochs)):
            t = c.epochs[k].target
            if t is not None:
                found = self.reach(c, k, t, strict=False, until=until)
                if found is not None:
                    return found[0]
        return None

    def warning(self, c: RefCycle, w: Mapping[str, Any], until: int | None) -> int | None:
        """The first instant of a run, while the ticket matches the warning's ``when``, at
        which the count reaches the threshold (or, for a wall lead, the due time projected
        from there is within the lead)."""
        when = w.get("when") or {}
        for k, e in enumerate(c.epochs):
            t = e.target
            if t is None:
                continue
            cal = self.cals[e.calendar]
            wall = "lead" in w and w.get("clock", "business") == "wall"
            if "share" in w:
                num, den = (int(x) for x in w["share"].split("/"))
                th = -(-t * num // den)
            else:
                th = max(0, t - duration_us(w["lead"]))
            for a, b, attrs in self.sub_pieces(c, k, until):
                if (b is not None and b == a) or not matches(when, attrs):
                    continue
                have = self.count(c, e, a)
                if wall:
                    projected = cal.add(a, t - have) if t > have else a
                    u = max(a, projected - duration_us(w["lead"]))
                else:
                    u = a if have >= th else cal.add(a, th - have)
                if b is None or u < b:
                    return u
        return None

    def escalations(
        self, c: RefCycle, breach: int, attrs: Mapping[str, str | None]
    ) -> list[tuple[str, int, int | None]]:
        """The levels of the first chain watching the metric whose ``when`` matches the
        ticket's attributes at the breach, each with its instant and, for a level with an
        answer time (``responds_within``), the first instant its count since it was reached
        exceeds it, unless an ``escalation_answered`` event naming it came at or after it was
        reached and before that instant."""
        chains = [*self.sla.get("escalations", []), self.sla.get("escalation")]
        for chain in chains:
            watches = chain and c.metric in chain.get("metrics", [c.metric])
            if watches and matches(chain.get("when") or {}, attrs):
                break
        else:
            return []
        out = []
        offset = 0
        for level in chain["levels"]:
            offset += duration_us(level.get("after", "0s"))
            wall = chain.get("clock", "wall") == "wall"
            u = self.past_gaps(c, wall, breach, offset)
            late = None
            if level.get("responds_within") is not None:
                late = self.past_gaps(c, wall, u, duration_us(level["responds_within"]) + 1)
                answered = [a for a in self.answers.get(level["name"], []) if a >= u]
                if answered and answered[0] < late:
                    late = None
            out.append((level["name"], u, late))
        return out

    def past_gaps(self, c: RefCycle, wall: bool, start: int, amount: int) -> int:
        """The instant ``amount`` after ``start`` on the chain's clock (wall, or business on
        the cycle's calendar), the cycle's fulfilled gaps left out."""
        cal = self.cals[c.epochs[-1].calendar]
        u, rem = start, amount
        for g0, g1 in c.gaps:
            if g1 <= u:
                continue
            if g0 > u:
                # the stretch [u, g0) before the gap: does the instant fall inside it?
                cand = u + rem if wall else cal.add(u, rem)
                if cand < g0:
                    return cand
                rem -= (g0 - u) if wall else cal.elapsed(u, g0)
            u = g1  # in the gap, or it reaches the gap: it moves to the gap's end
        return u + rem if wall else cal.add(u, rem)

    # -- events ---------------------------------------------------------------------------
    def _run_to(self, c: RefCycle, running: bool, at: int) -> None:
        """Open or close the cycle's current run so that it runs exactly when ``running``."""
        now = bool(c.runs) and c.runs[-1][1] is None
        if now and not running:
            c.runs[-1][1] = at
        elif running and not now:
            c.runs.append([at, None])

    def _sync(self, at: int) -> None:
        for m in self.metrics:
            c = self.open_cycle(m)
            if c is not None:
                self._run_to(c, not self.paused(m), at)

    def _open(self, m: MetricSpec, at: int) -> None:
        rule, target, cal = self.select(m.name)
        found = self.cycles[m.name]
        c = RefCycle(
            m.name, len(found) + 1, at, [Epoch(at, at, 0, cal, target, rule, dict(self.attrs))]
        )
        found.append(c)
        self._run_to(c, not self.paused(m), at)

    def _close(self, m: MetricSpec, at: int, how: str, *, terminal: bool = False) -> None:
        c = self.open_cycle(m)
        assert c is not None
        self._run_to(c, False, at)
        c.stop, c.how, c.by_terminal = at, how, terminal

    def _reselect(self, m: MetricSpec, c: RefCycle, at: int) -> None:
        rule, target, cal = self.select(m.name)
        e = c.epochs[-1]
        if (rule, target, cal) == (e.rule, e.target, e.calendar):
            return
        if target is None and e.target is not None and self.breach(c, at) is not None:
            # a breached cycle whose metric stops applying ends, breached
            self._close(m, at, "cancelled")
            return
        if e.target is None:
            anchor, carried = (e.anchor, e.carried) if self.retroactive else (at, 0)
        elif (m.change or self.change) == "restart":
            anchor, carried = at, 0
        elif (m.change or self.change) == "carry":
            anchor, carried = at, self.count(c, e, at)
        else:
            anchor, carried = e.anchor, e.carried
        c.epochs.append(Epoch(at, anchor, carried, cal, target, rule, dict(self.attrs)))

    def _fire(self, m: MetricSpec, action: str, at: int) -> None:
        c = self.open_cycle(m)
        terminal = self.state in TERMINAL
        if action == "start":
            blocked = (m.once and self.cycles[m.name]) or (m.stop_on_terminal and terminal)
            if c is None and not blocked:
                self._open(m, at)
        elif action == "stop":
            if c is not None:
                self._close(m, at, "fulfilled")
                if m.repeat and not (m.stop_on_terminal and terminal):
                    self._open(m, at)
        elif action in ("pause", "resume"):
            self.event_paused[m.name] = action == "pause"
            self._sync(at)
        elif action == "reset":
            if c is not None:
                self._close(m, at, "reset")
            self._open(m, at)
        elif action == "cancel" and c is not None:
            self._close(m, at, "cancelled")

    def _triggers(self, at: int, match: Any) -> None:
        for m in self.metrics:
            for action in ("start", "stop", "pause", "resume", "reset", "cancel"):
                for trig in getattr(m, action):
                    if match(trig) and (trig.after is None or trig.after in self.seen):
                        self._fire(m, action, at)

    def valid(self, kind: str, value: str | None) -> bool:
        """Whether the engine takes the event (the model mirrors its three refusals)."""
        if self.state is None:
            return kind == "created"
        if kind == "created":
            return False
        new = self._new_state(kind, value)
        if kind == "reopened":
            return self.state in TERMINAL and new in STATES and new not in TERMINAL
        if new not in STATES:
            return False
        return not (self.state in TERMINAL and new not in TERMINAL)

    def _new_state(self, kind: str, value: str | None) -> str | None:
        if kind == "status_changed":
            return value
        if kind == "reopened":
            return value or "In Progress"
        return ENTERS.get(kind, self.state)

    def feed(self, at: int, kind: str, value: str | None) -> None:
        assert at >= self.last and self.valid(kind, value)
        self.last = at
        self.n_events += 1
        if kind == "escalation_answered":
            assert value is not None
            self.answers.setdefault(value, []).append(at)
        changed = ATTRS.get(kind)
        if kind == "attribute_changed":
            assert value is not None
            changed, _, value = value.partition("=")
        if changed is not None:
            self.attrs[changed] = value
            if self.attr_log and self.attr_log[-1][0] == at:
                self.attr_log[-1] = (at, dict(self.attrs))
            else:
                self.attr_log.append((at, dict(self.attrs)))
            for m in self.metrics:
                c = self.open_cycle(m)
                if c is not None:
                    self._reselect(m, c, at)
        old, new = self.state, self._new_state(kind, value)
        if new != old:
            if old is not None:
                self._triggers(at, lambda t: t.what == "leave" and t.name == old)
            self.state = new
            if new in TERMINAL and old not in TERMINAL:
                for m in self.metrics:
                    if m.stop_on_terminal and self.open_cycle(m) is not None:
                        self._close(m, at, "fulfilled", terminal=True)
            if old in TERMINAL and new not in TERMINAL:
                for m in self.metrics:
                    found = self.cycles[m.name]
                    if not found or not found[-1].by_terminal or self.open_cycle(m):
                        continue
                    last = found[-1]
                    last.by_terminal = False
                    if (m.reopen or self.reopen) == "resume":
                        assert last.stop is not None
                        if at > last.stop:
                            last.gaps.append((last.stop, at))
                        last.stop, last.how = None, None
                        self._reselect(m, last, at)
                    else:
                        self._open(m, at)
            self._sync(at)
            self._triggers(at, lambda t: t.what == "enter" and t.name == new)
        if kind == "custom":
            self._triggers(at, lambda t: t.what == "custom" and t.name == value)
        else:
            self._triggers(at, lambda t: t.what == kind)
        self.seen.add(kind)

    # -- answers ----------------------------------------------------------------------------
    def statuses(self, as_of: int) -> list[RefStatus]:
        out = []
        for m in self.metrics:
            if not self.cycles[m.name] and self.n_events:
                rule, target, _ = self.select(m.name)
                if target is not None:
                    out.append(
                        RefStatus(m.name, 0, "pending", 0, None, None, None, target, 0, rule)
                    )
            for c in self.cycles[m.name]:
                e = c.epochs[-1]
                if e.target is None:
                    continue
                breach = self.breach(c, None)
                end = as_of if c.stop is None else c.stop
                elapsed = self.count(c, e, end)
                running = c.stop is None and bool(c.runs) and c.runs[-1][1] is None
                if c.stop is not None:
                    due = self.due(c, None)
                    if due is None:  # where the target would have run out had it gone on
                        due = self.cals[e.calendar].add(c.stop, e.target - elapsed)
                    if c.how == "fulfilled":
                        state = "breached" if breach is not None else "met"
                    else:
                        state = "breached" if breach is not None else "cancelled"
                else:
                    due = self.due(c, None)
                    if breach is not None and breach <= as_of:
                        state = "breached"
                    else:
                        state = "running" if running else "paused"
                out.append(
                    RefStatus(
                        metric=m.name,
                        cycle=c.no,
                        state=state,
                        start=c.start,
                        stop=c.stop,
                        due=due,
                        breached_at=breach if breach is not None and breach <= as_of else None,
                        target=e.target,
                        elapsed=elapsed,
                        rule=e.rule,
                    )
                )
        return out

    def timed(self) -> list[tuple[int, str, str, int, str, bool]]:
        """(instant, kind, metric, cycle, name) of every warning, breach and escalation of the
        cycles, reached or projected, and whether the cycle is open."""
        out = []
        for m in self.metrics:
            for c in self.cycles[m.name]:
                e = c.epochs[-1]
                if e.target is None:
                    continue
                found = self.breach_attrs(c, None)
                breach = None if found is None else found[0]
                live = c.stop is None
                for w in self.sla.get("warnings", []):
                    if "metrics" in w and m.name not in w["metrics"]:
                        continue
                    u = self.warning(c, w, None)
                    if u is None or (breach is not None and u >= breach):
                        continue
                    if c.stop is None or u < c.stop:
                        out.append((u, "warned", m.name, c.no, w["name"], live))
                if breach is None:
                    continue
                if c.stop is None or breach <= c.stop:
                    out.append((breach, "breached", m.name, c.no, "", live))
                assert found is not None
                for name, u, late in self.escalations(c, breach, found[1]):
                    if c.stop is None or u < c.stop:
                        out.append((u, "escalated", m.name, c.no, f"to {name}", live))
                    if late is not None and (c.stop is None or late < c.stop):
                        out.append((late, "escalation_answer_breached", m.name, c.no, name, live))
        return sorted(out)
