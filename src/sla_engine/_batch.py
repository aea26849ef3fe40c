"""Arrays of instants and durations for the calendar's batch forms, from whatever holds them.

:func:`as_us_array` turns each accepted spelling into int64 microseconds (instants since the
epoch, UTC; durations as a count):

- numpy ``datetime64`` (read as UTC) and ``timedelta64`` of any unit, and int64 microseconds;
- Arrow arrays and chunked arrays of ``timestamp`` with a zone and of ``duration``, any unit
  (recognised by their type's module: pyarrow itself is never imported here);
- sequences (lists, tuples, object arrays, pandas Series of Timestamps) of aware ``datetime``
  or of ``timedelta``, and a single ``datetime`` or ``timedelta`` (broadcast by the caller).

A naive instant is refused (naming its position), as are nulls and NaT.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sla_engine._time import td_to_us, to_us
from sla_engine.errors import CalendarError, NaiveDatetimeError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["as_us_array"]


def _from_arrow(values: Any, what: str) -> Any:
    import numpy as np

    typ = values.type
    if values.null_count:
        raise CalendarError(f"{what}: {values.null_count} null value(s); every element is needed")
    if hasattr(typ, "tz"):  # a timestamp type
        if typ.tz is None:
            raise NaiveDatetimeError(
                f"{what}: an Arrow {typ} array has no time zone; store instants as "
                "timestamp with tz='UTC' (or any zone)"
            )
        # the stored values are UTC whatever the zone: numpy reads them as they are
        return np.asarray(values.to_numpy(zero_copy_only=False))
    if str(typ).startswith("duration"):
        return np.asarray(values.to_numpy(zero_copy_only=False))
    if str(typ) in ("int64", "int32"):
        return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.int64)
    raise CalendarError(f"{what}: expected an Arrow timestamp or duration array, got {typ}")


def _from_objects(values: Sequence[Any], what: str) -> list[int]:
    out: list[int] = []
    append = out.append
    for i, value in enumerate(values):
        if isinstance(value, datetime):
            if value.utcoffset() is None:
                raise NaiveDatetimeError(
                    f"{what}[{i}]: {value.isoformat()} has no time zone; attach one, e.g. "
                    "dt.replace(tzinfo=timezone.utc)"
                )
            append(to_us(value, f"{what}[{i}]"))
        elif isinstance(value, timedelta):
            append(td_to_us(value, f"{what}[{i}]"))
        else:
            raise CalendarError(
                f"{what}[{i}]: expected an aware datetime or a timedelta, got "
                f"{type(value).__name__} {value!r}"
            )
    return out


def as_us_array(values: Any, what: str) -> npt.NDArray[np.int64]:
    """``values`` as int64 microseconds (see the module's docstring for what is accepted)."""
    import numpy as np

    if type(values).__module__.split(".")[0] == "pyarrow":
        values = _from_arrow(values, what)
    elif isinstance(values, datetime | timedelta):
        return np.asarray(_from_objects([values], what)[0], dtype=np.int64)
    elif isinstance(values, list | tuple):
        return np.asarray(_from_objects(values, what), dtype=np.int64)
    arr = np.asarray(values)
    if arr.dtype.kind == "O":
        flat = _from_objects(arr.ravel().tolist(), what)
        return np.asarray(flat, dtype=np.int64).reshape(arr.shape)
    if arr.dtype.kind == "M":
        if np.isnat(arr).any():
            raise CalendarError(f"{what}: NaT is not an instant")
        return arr.astype("datetime64[us]").astype(np.int64)
    if arr.dtype.kind == "m":
        if np.isnat(arr).any():
            raise CalendarError(f"{what}: NaT is not a duration")
        return arr.astype("timedelta64[us]").astype(np.int64)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    raise CalendarError(
        f"{what}: expected instants (numpy datetime64, an Arrow timestamp array, aware "
        "datetimes), durations (timedelta64, Arrow duration, timedelta) or int64 microseconds, "
        f"got dtype {arr.dtype}"
    )
