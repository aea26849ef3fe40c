"""Readers for plain data (from YAML, JSON or TOML) into credit values, with error paths.

Every reader takes the path of the value it reads and raises ``CreditError(path=...)`` with a
message that names the value, what was expected and how to fix it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from decimal import MAX_PREC, Context, Decimal, InvalidOperation

from sla_engine._bounds import refuse_huge_ints
from sla_engine._time import parse_timedelta, require_aware
from sla_engine.errors import CreditError, DurationError, NaiveDatetimeError

Path = tuple[str | int, ...]

MAX_DIGITS = 36
"""Numbers read for credits are below ``10**MAX_DIGITS``, with at most as many decimals."""

EXACT = Context(prec=MAX_PREC)
"""Arithmetic that never rounds (a percentage turned into a share)."""

_FLOAT_HINT = "write money and percentages as strings or Decimal, e.g. '49.99' or Decimal('49.99')"


def mapping(value: object, path: Path, *, allowed: Collection[str]) -> Mapping[str, object]:
    """``value`` as a mapping with only ``allowed`` keys (and no integer too large to show)."""
    refuse_huge_ints(value, path, CreditError)
    if not isinstance(value, Mapping):
        raise CreditError(f"expected a mapping, got {type(value).__name__} {value!r}", path=path)
    for key in value:
        if key not in allowed:
            raise CreditError(
                f"unknown key {key!r}; expected one of {', '.join(sorted(allowed))}",
                path=(*path, str(key)),
            )
    return value


def required(data: Mapping[str, object], key: str, path: Path) -> object:
    """The value under ``key``, or a clear error saying it is missing."""
    if key not in data:
        raise CreditError(f"missing required key {key!r}", path=path)
    return data[key]


def decimal(value: object, path: Path, *, what: str = "amount") -> Decimal:
    """A finite Decimal from a Decimal, int or numeric string; floats are refused."""
    if isinstance(value, bool):
        raise CreditError(f"{what}: expected a number, got {value!r}", path=path)
    if isinstance(value, float):
        raise CreditError(f"{what}: got the float {value!r}; {_FLOAT_HINT}", path=path)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace("_", ""))
        except InvalidOperation:
            raise CreditError(
                f"{what}: {value!r} is not a number (expected e.g. '49.99')", path=path
            ) from None
    else:
        raise CreditError(
            f"{what}: expected a Decimal or a numeric string, got {type(value).__name__} {value!r}",
            path=path,
        )
    if not result.is_finite():
        raise CreditError(f"{what}: {value!r} is not a finite number", path=path)
    exponent = result.as_tuple().exponent
    assert isinstance(exponent, int)
    if result.adjusted() >= MAX_DIGITS or not -MAX_DIGITS <= exponent <= MAX_DIGITS:
        raise CreditError(
            f"{what}: {result:.6E} is out of bounds; numbers here are below 10**{MAX_DIGITS} "
            f"with at most {MAX_DIGITS} decimals",
            path=path,
        )
    return result


def percent(value: object, path: Path, *, what: str = "percentage") -> Decimal:
    """A percentage in percent units: ``'99.9%'`` -> ``Decimal('99.9')``; the ``%`` is required."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return decimal(value.strip()[:-1], path, what=what)
    if isinstance(value, float):
        raise CreditError(f"{what}: got the float {value!r}; {_FLOAT_HINT}", path=path)
    raise CreditError(
        f"{what}: expected a percentage string such as '10%' or '99.95%', got {value!r}",
        path=path,
    )


def share(value: object, path: Path, *, what: str = "share") -> Decimal:
    """A share between 0 and 1, written as a share (``0.05``, ``'0.05'``) or a percentage
    (``'5%'``): error rates and affected shares read the same way in every file."""
    if isinstance(value, str) and value.strip().endswith("%"):
        result = EXACT.divide(decimal(value.strip()[:-1], path, what=what), 100)
    else:
        result = decimal(value, path, what=what)
    if not 0 <= result <= 1:
        raise CreditError(
            f"{what}: {value!r} is not a share between 0 and 1; write 5 % as 0.05 or '5%'",
            path=path,
        )
    return result


def duration(value: object, path: Path, *, what: str = "duration") -> timedelta:
    """A length of time from ``'1h'``/``'30m'``/``'PT2H'`` or a timedelta."""
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise CreditError(
            f"{what}: expected a duration string such as '1h' or '30m', got {value!r}", path=path
        )
    try:
        return parse_timedelta(value)
    except DurationError as exc:
        raise CreditError(f"{what}: {exc.message}", path=path) from None


def instant(value: object, path: Path, *, what: str = "instant") -> datetime:
    """An aware datetime from a datetime or an ISO 8601 string with an offset or ``Z``."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise CreditError(
                f"{what}: {value!r} is not an ISO 8601 instant (expected e.g. "
                "'2026-03-01T09:00:00Z')",
                path=path,
            ) from None
    try:
        return require_aware(value, what)
    except NaiveDatetimeError as exc:
        raise CreditError(exc.message, path=path) from None


def local_date(value: object, path: Path, *, what: str = "date") -> date:
    """A calendar date from a ``date`` or ``'YYYY-MM-DD'``."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CreditError(f"{what}: expected a date such as '2026-01-31', got {value!r}", path=path)


def integer(value: object, path: Path, *, what: str, minimum: int = 0) -> int:
    """A whole number ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise CreditError(f"{what}: expected a whole number >= {minimum}, got {value!r}", path=path)
    return value


def text(value: object, path: Path, *, what: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise CreditError(f"{what}: expected a non-empty string, got {value!r}", path=path)
    return value


def choice(value: object, path: Path, *, what: str, options: Collection[str]) -> str:
    """One of ``options``."""
    if not isinstance(value, str) or value not in options:
        raise CreditError(
            f"{what}: {value!r} is not one of {', '.join(sorted(options))}", path=path
        )
    return value


def boolean(value: object, path: Path, *, what: str) -> bool:
    """A real ``bool`` (``true``/``false`` in YAML)."""
    if not isinstance(value, bool):
        raise CreditError(f"{what}: expected true or false, got {value!r}", path=path)
    return value


def string_set(value: object, path: Path, *, what: str) -> frozenset[str]:
    """A set of names from a list of strings."""
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise CreditError(f"{what}: expected a list of names, got {value!r}", path=path)
    return frozenset(text(item, (*path, i), what=what) for i, item in enumerate(value))


def format_decimal(value: Decimal) -> str:
    """A Decimal as plain text, never in exponent form (``1E+1`` -> ``10``)."""
    return f"{value:f}"


def format_percent(value: Decimal) -> str:
    """A percent-unit Decimal as ``'10%'``."""
    return f"{format_decimal(value)}%"


def is_float(value: object) -> bool:
    """Whether ``value`` is a float (refused for money and percentages everywhere)."""
    return isinstance(value, float)
