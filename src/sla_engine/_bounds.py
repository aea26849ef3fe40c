"""Plain data checked before it is read: no integer too large to show in a message.

Python refuses to turn an integer of more than 4,300 digits into text, so an error message that
shows such a value would itself fail. The readers of tickets, incidents, fees and schedules pass
their input through :func:`refuse_huge_ints` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from sla_engine.errors import SLAEngineError

MAX_INT_BITS: Final = 128
"""Integers in tickets, incidents, fees and schedules are below ``2**128`` in size."""


def refuse_huge_ints(
    data: object,
    path: tuple[str | int, ...],
    error: type[SLAEngineError],
) -> None:
    """Raise ``error`` at the path of the first integer of ``data`` (keys included) of
    ``MAX_INT_BITS`` bits or more; one pass, without recursion."""
    stack: list[tuple[tuple[str | int, ...], object]] = [(path, data)]
    seen: set[int] = set()  # containers met before (shared, or a cycle)
    while stack:
        where, value = stack.pop()
        if isinstance(value, (Mapping, list, tuple)):
            if id(value) in seen:
                continue
            seen.add(id(value))
        if isinstance(value, int) and not isinstance(value, bool):
            if value.bit_length() >= MAX_INT_BITS:
                raise error(
                    f"a whole number of about {value.bit_length() * 30103 // 100000 + 1:,} "
                    f"digits is out of bounds; numbers here are below 2**{MAX_INT_BITS}",
                    path=where,
                )
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, int):
                    stack.append((where, key))
                stack.append(((*where, key if isinstance(key, str) else "?"), item))
        elif isinstance(value, (list, tuple)):
            stack.extend(((*where, i), item) for i, item in enumerate(value))


def refuse_huge_fields(obj: object, names: tuple[str, ...], error: type[SLAEngineError]) -> None:
    """Raise ``error`` naming the first of ``obj``'s fields ``names`` that holds an integer of
    ``MAX_INT_BITS`` bits or more (checked before any message shows the field)."""
    for name in names:
        value = getattr(obj, name, None)
        if isinstance(value, int) and value.bit_length() >= MAX_INT_BITS:
            digits = value.bit_length() * 30103 // 100000 + 1
            raise error(
                f"{name}: a whole number of about {digits:,} digits is out of bounds; numbers "
                f"here are below 2**{MAX_INT_BITS}",
                path=(name,),
            )


def shown(value: object) -> str:
    """``repr(value)``, or a description when the value is too large to show."""
    if isinstance(value, int) and value.bit_length() >= MAX_INT_BITS:
        return f"a whole number of about {value.bit_length() * 30103 // 100000 + 1:,} digits"
    try:
        return repr(value)
    except ValueError:  # a container holding such a number
        return f"a {type(value).__name__} holding a number too large to show"
