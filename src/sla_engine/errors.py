"""Every error sla_engine raises, under one root.

Each leaf also subclasses the builtin it refines, so ``except ValueError`` keeps working for
callers that know nothing of this module::

    SLAEngineError
    ├── NaiveDatetimeError        (TypeError)    a datetime without a zone
    ├── CalendarError             (ValueError)   a calendar that cannot be built
    │   └── UnknownTimeZoneError  (LookupError)  an IANA name the zone database does not know
    ├── HorizonError              (OverflowError) a search past the supported range of instants
    ├── DurationError             (ValueError)   a duration that cannot be read
    ├── TicketError               (ValueError)   a ticket history that cannot be evaluated
    ├── TableError                (ValueError)   a ticket or event table with a bad row or column
    ├── CreditError               (ValueError)   incidents, fees or schedules that fail
    ├── ReportError               (ValueError)   a report asked for with unusable arguments
    └── PolicyError               (ValueError)   a policy file with one or more problems

``SLAEngineWarning`` marks risky but legal input (a window inside a DST gap, say).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CalendarError",
    "CreditError",
    "DurationError",
    "HorizonError",
    "NaiveDatetimeError",
    "PolicyError",
    "PolicyProblem",
    "ReportError",
    "SLAEngineError",
    "SLAEngineWarning",
    "TableError",
    "TicketError",
    "UnknownTimeZoneError",
]


class SLAEngineError(Exception):
    """The root of every error raised by sla_engine.

    ``path`` says where in the input the problem is, as keys and indexes from the top of the
    mapping or call that was given (``("hours", "mon-fri", 0)``); empty when it is the whole.
    """

    def __init__(self, message: str, *, path: Sequence[str | int] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path: tuple[str | int, ...] = tuple(path)


class SLAEngineWarning(UserWarning):
    """Input that is legal but probably not what was meant."""


class NaiveDatetimeError(SLAEngineError, TypeError):
    """A datetime without a time zone was given where an instant is needed."""


class CalendarError(SLAEngineError, ValueError):
    """A business calendar cannot be built from what was given."""


class UnknownTimeZoneError(CalendarError, LookupError):
    """The time zone name is not in the IANA database."""


class HorizonError(SLAEngineError, OverflowError):
    """A computation would have to search past the supported range of instants."""


class DurationError(SLAEngineError, ValueError):
    """A duration cannot be read."""


class TicketError(SLAEngineError, ValueError):
    """A ticket's event log cannot be evaluated."""


class TableError(SLAEngineError, ValueError):
    """A ticket or event table cannot be evaluated: a missing or mistyped column, or a bad row.

    ``table`` is ``"tickets"`` or ``"events"``; ``row`` the 0-based row in that table (``None``
    for a whole column); ``column`` the column; ``ticket_id`` the ticket, when known;
    ``reason`` what is wrong, without the where.
    """

    def __init__(
        self,
        message: str,
        *,
        table: str,
        row: int | None = None,
        column: str | None = None,
        ticket_id: str | None = None,
        reason: str | None = None,
    ) -> None:
        path: tuple[str | int, ...] = (table,)
        if row is not None:
            path = (*path, row)
        if column is not None:
            path = (*path, column)
        super().__init__(message, path=path)
        self.table = table
        self.row = row
        self.column = column
        self.ticket_id = ticket_id
        self.reason = message if reason is None else reason


class CreditError(SLAEngineError, ValueError):
    """Incidents, a fee or a credit schedule cannot be turned into a credit."""


class ReportError(SLAEngineError, ValueError):
    """A report or replay was asked for with an argument it cannot use (a period, a column)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyProblem:
    """One problem found in a policy: where it is, what is wrong, and how to fix it."""

    path: str
    message: str
    source: str | None = None
    line: int | None = None
    column: int | None = None
    severity: str = "error"

    def location(self) -> str:
        """``file:line:column`` as far as it is known."""
        parts = [self.source or "<policy>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.location()}: {where}{self.message}"


class PolicyError(SLAEngineError, ValueError):
    """A policy has one or more problems; ``problems`` lists every one of them."""

    def __init__(self, problems: Sequence[PolicyProblem], *, source: str | None = None) -> None:
        self.problems: tuple[PolicyProblem, ...] = tuple(problems)
        self.source = source
        errors = [p for p in self.problems if p.severity == "error"]
        if errors:
            count, noun = len(errors), "error"
        else:
            count, noun = len(self.problems), "warning"
        head = f"{count} {noun}{'' if count == 1 else 's'} in {source or 'policy'}"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))
