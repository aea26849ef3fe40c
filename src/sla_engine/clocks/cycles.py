"""Wide integer rows: every field of :func:`evaluate`'s :class:`CycleStatus` that a table holds.

:class:`CycleRows` is the engine of the table layer (``sla_engine.tables``): one ticket at a
time, given as an integer log, it answers per metric and cycle with ``(metric, cycle, state,
rule, calendar, target_us, start_us, due_us, stop_us, breached_at_us, elapsed_us,
remaining_us)``, the values of the matching :class:`CycleStatus` fields (instants as µs since
the epoch, durations as µs), without the event stream and explanation trace that
:func:`evaluate` also builds. The state, due, breach, elapsed and remaining are computed exactly
by :func:`rows_many_us`'s own function, widened with the fields it leaves out; the tests check
every field against :func:`evaluate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sla_engine.clocks._engine import Run
from sla_engine.clocks.evaluate import EventUs, TicketClock, _check_event_us, _rows_us
from sla_engine.clocks.sla import SLA
from sla_engine.errors import TicketError

__all__ = ["CycleRow", "CycleRows"]

#: (metric, cycle, state, rule, calendar, target_us, start_us, due_us, stop_us, breached_at_us,
#: elapsed_us, remaining_us)
CycleRow = tuple[
    str,
    int,
    str,
    str | None,
    str | None,
    int | None,
    int | None,
    int | None,
    int | None,
    int | None,
    int,
    int | None,
]


class CycleRows:
    """Evaluate tickets one after another on one reused run; each call is independent."""

    __slots__ = ("_run", "sla")

    def __init__(self, sla: SLA) -> None:
        if not isinstance(sla, SLA):
            raise TicketError(f"expected an SLA, got {type(sla).__name__}")
        self.sla = sla
        self._run = Run(sla.engine, "", (None, None, None, None), None, trace=False)

    def rows(
        self,
        ticket_id: str,
        attrs: Mapping[str, str | None],
        events: Iterable[EventUs],
        as_of_us: int,
    ) -> list[CycleRow]:
        """The rows of one ticket at ``as_of_us`` (events after it are ignored).

        ``attrs`` maps any of tier, severity, channel, issue_class and timezone to text or
        ``None``; ``events`` are ``(at_us, EventKind, value)`` in time order. A bad ticket
        raises the :class:`TicketError` :func:`rows_many_us` raises, whose ``path`` names the
        event (``("events", i, ...)``) or the attribute.
        """
        get = attrs.get
        values = (get("tier"), get("severity"), get("channel"), get("issue_class"))
        zone = get("timezone")
        if (
            ticket_id.__class__ is not str
            or zone is not None
            or any(v is not None and (v.__class__ is not str or not v) for v in values)
        ):
            TicketClock(  # raises the clock's error for a bad id, attribute or zone
                self.sla,
                ticket_id=ticket_id,
                tier=values[0],
                severity=values[1],
                channel=values[2],
                issue_class=values[3],
                timezone=zone,
            )
        run = self._run
        run.begin(ticket_id, values, zone)
        run.feed_many(events, as_of_us, _check_event_us)
        return _cycle_rows(run, as_of_us)


def _cycle_rows(run: Run, as_of: int) -> list[CycleRow]:
    """:func:`rows_many_us`'s rows (state, due, breach, elapsed, remaining: computed by the
    same function) widened with each cycle's rule, calendar, target, start and stop."""
    base = _rows_us(run, as_of)
    if not base:
        return []
    extra = _extras(run, as_of)
    return [
        (metric, no, state, rule, calendar, target, start, due, stop, breach, elapsed, left)
        for (metric, no, state, due, breach, elapsed, left), (
            rule,
            calendar,
            target,
            start,
            stop,
        ) in zip(base, extra, strict=True)
    ]


def _extras(run: Run, as_of: int) -> list[tuple[str, str, int | None, int | None, int | None]]:
    """(rule, calendar, target, start, stop) of each row of ``_rows_us``, in its order."""
    eng = run.engine
    names = eng.cal_names
    out: list[tuple[str, str, int | None, int | None, int | None]] = []
    append = out.append
    for plan in eng.plans:
        cycles = run.cycles[plan.index]
        if not cycles:
            if run.count:
                sel = run.sels[plan.index]
                if sel[1] is not None or sel[4]:
                    rule = plan.rules[sel[0]]
                    cal = run.resolve(plan, (*sel[:4], 0, 0), as_of)[2]
                    append((rule.name, names[cal], rule.target, None, None))
            continue
        rules = plan.rules
        for c in cycles:
            if c.target is not None:
                append((rules[c.rule].name, names[c.cal], c.target, c.start, c.stop))
    return out
