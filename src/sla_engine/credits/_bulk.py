"""Credits over whole columns with numpy: the measuring of :meth:`CreditRun.decide`, for many
customers at once, and the money settled once per distinct (fee, band) by ``CreditRun._settle``.

Only schedules whose choices are all measured here go through this path (``bulk_ready``):
basis ``period``, no service, error-rate or affected-share filter, no weighting, no report time
and no clock minutes. Every answer equals the full decision's; the tests check it on random
tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import numpy as np

from sla_engine._time import US_PER_DAY, td_to_us
from sla_engine.credits.incident import COVERED
from sla_engine.credits.money import Fee, round_money
from sla_engine.credits.schedule import (
    DowntimeBands,
    FlatStep,
    HourlyStep,
    UptimeBands,
)
from sla_engine.errors import CreditError

if TYPE_CHECKING:
    from sla_engine.credits.compute import CreditRun

__all__ = ["NO_CLAIM", "BulkCredits", "bulk"]

_NOT_NEEDED, _NOT_FILED, _IN_TIME, _AFTER, _ALL_LATE, _SOME_LATE = range(6)
T = TypeVar("T")
NO_CLAIM: Final = -(2**63)
"""In a numpy array of claim instants: this customer filed no claim (``CreditRun.NO_CLAIM``)."""
_I64 = np.int64
_MAX = np.iinfo(np.int64).max


class Indexed(Sequence[T]):
    """A column of few distinct values: ``values[index[i]]`` for row ``i``."""

    __slots__ = ("positions", "values")

    def __init__(self, values: Sequence[T], index: Any) -> None:
        self.values = values
        self.positions = index

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...
    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        if isinstance(i, slice):
            return [self.values[k] for k in self.positions[i].tolist()]
        return self.values[int(self.positions[i])]


class Ints(Sequence[int]):
    """A numpy column read as Python ints (or bools)."""

    __slots__ = ("array",)

    def __init__(self, array: Any) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[int]: ...
    def __getitem__(self, i: int | slice) -> int | Sequence[int]:
        if isinstance(i, slice):
            return list(self.array[i].tolist())
        return self.array[i].item()  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class BulkCredits:
    """Per customer: counted and excluded downtime (µs), band, percent, amount, whether the
    claim was accepted, and a claim note (an index into ``billing.CLAIM_NOTES``). Columns are
    read-only sequences over numpy arrays."""

    downtime_us: Sequence[int]
    excluded_us: Sequence[int]
    band: Sequence[str | None]
    percent: Sequence[Decimal | None]
    amount: Sequence[Decimal]
    claim_accepted: Sequence[bool]
    claim_note: Sequence[int]


def _sum_by(owner: Any, values: Any, n: int) -> Any:
    """Exact int64 sums of ``values`` by ``owner`` (0..n-1)."""
    out = np.zeros(n, dtype=_I64)
    if len(owner) == 0:
        return out
    if np.any(owner[1:] < owner[:-1]):
        order = np.argsort(owner, kind="stable")
        owner, values = owner[order], values[order]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    out[owner[starts]] = np.add.reduceat(values, starts)
    return out


def _before(measure_starts: Any, measure_ends: Any, measure_cum: Any, t: Any) -> Any:
    """Covered length of ``[-inf, t)`` for each ``t``: the vector form of ``_Measure.before``."""
    if len(measure_starts) == 0:
        return np.zeros_like(t)
    i = np.searchsorted(measure_starts, t, side="right") - 1
    j = np.maximum(i, 0)
    inside = np.minimum(t, measure_ends[j]) - measure_starts[j]
    return np.where(i < 0, 0, measure_cum[j] + inside)


def _deadlines(run: CreditRun, e: Any, s: Any) -> Any:
    """Each incident's claim deadline (µs), as ``CreditRun._incident_deadline`` gives it."""
    claim = run.schedule.claim
    assert claim is not None
    cycle = run.period.cycle
    anchor = s if claim.anchor == "incident_start" else e
    if claim.days is not None and cycle.timezone == "UTC":
        return anchor + claim.days * US_PER_DAY
    if claim.cycles is None or len(e) == 0:
        return np.array(
            [run._incident_deadline(a, b) for a, b in zip(e.tolist(), s.tolist(), strict=True)],
            dtype=_I64,
        )
    probe = s if claim.anchor == "incident_start" else np.where(e > s, e - 1, e)
    lo = cycle.index_containing_us(int(probe.min()))
    hi = cycle.index_containing_us(int(probe.max()))
    starts = np.array([cycle.start_us(k) for k in range(lo, hi + 2)], dtype=_I64)
    index = lo + np.searchsorted(starts, probe, side="right") - 1
    table = np.array([cycle.start_us(k + 1 + claim.cycles) for k in range(lo, hi + 1)], dtype=_I64)
    return table[index - lo]


def _outcome_keys(run: CreditRun, d: Any) -> Any | None:
    """A small integer per customer such that equal keys give equal outcomes; ``None`` when
    the rule's outcome depends on the exact downtime (then the downtime is the key)."""
    rule = run.schedule.rule
    p = run.period_us
    if isinstance(rule, DowntimeBands):
        key = np.full(len(d), -1, dtype=_I64)
        for j, band in enumerate(rule.bands):
            ok = key < 0
            if band.lower is not None:
                lo = td_to_us(band.lower)  # type: ignore[arg-type]
                ok &= (d > lo) | ((d == lo) & band.lower_inclusive)
            if band.upper is not None:
                hi = td_to_us(band.upper)  # type: ignore[arg-type]
                ok &= (d < hi) | ((d == hi) & band.upper_inclusive)
            key[ok] = j
        return key + 1
    if isinstance(rule, UptimeBands):
        if p == 0:
            return np.zeros(len(d), dtype=_I64)
        key = np.full(len(d), -1, dtype=_I64)
        for j, band in enumerate(rule.bands):
            ok = key < 0
            # uptime = (p - d) / p * 100; the bound u in percent is the downtime x = p - u p / 100
            if band.lower is not None:
                x = p - Fraction(band.lower) * p / 100  # type: ignore[arg-type]
                ok &= d <= (floor(x) if band.lower_inclusive else ceil(x) - 1)
            if band.upper is not None:
                x = p - Fraction(band.upper) * p / 100  # type: ignore[arg-type]
                ok &= d >= (ceil(x) if band.upper_inclusive else floor(x) + 1)
            key[ok] = j
        return key + 1
    if isinstance(rule, FlatStep):
        lim = td_to_us(rule.threshold)
        hit = (d > lim) | ((d == lim) & rule.inclusive)
        return hit.astype(_I64)
    if isinstance(rule, HourlyStep) and not isinstance(rule.allowance, Decimal):
        steps = np.maximum(0, (d - td_to_us(rule.allowance)) // td_to_us(rule.step))
        return steps.astype(_I64)  # the band's label names the steps, so no cap here
    return None


def bulk(
    run: CreditRun,
    *,
    customer: Sequence[int],
    start_us: Sequence[int],
    end_us: Sequence[int],
    cause: Sequence[str] | Any,
    customers: int,
    fee_index: Sequence[int],
    fees: Sequence[Fee],
    claim_filed_us: Sequence[int | None] | Any,
    cause_names: Sequence[str] | None = None,
) -> BulkCredits:
    """See :meth:`CreditRun.bulk`."""
    schedule = run.schedule
    n = customers
    p0, p1 = run.start_us, run.end_us
    own = np.asarray(customer, dtype=_I64)
    s = np.asarray(start_us, dtype=_I64)
    e = np.asarray(end_us, dtype=_I64)
    if not (len(own) == len(s) == len(e) == len(cause)):
        raise CreditError("bulk: customer, start_us, end_us and cause differ in length")
    if len(fee_index) != n or len(claim_filed_us) != n:
        raise CreditError("bulk: fee_index and claim_filed_us need one entry per customer")
    if len(own) and (own.min() < 0 or own.max() >= n):
        raise CreditError(f"bulk: a customer number is outside 0..{n - 1}")
    bad = np.flatnonzero(e < s)
    if len(bad):
        k = int(bad[0])
        raise CreditError(
            f"incidents[{k}]: end {int(e[k])} is before start {int(s[k])}; swap them or fix "
            "the end",
            path=("incidents", k),
        )
    if cause_names is None:
        names = {c: k for k, c in enumerate(dict.fromkeys(cause))}
        codes = np.fromiter(map(names.__getitem__, cause), dtype=_I64, count=len(s))
    else:
        names = {c: k for k, c in enumerate(cause_names)}
        if len(names) != len(cause_names):
            raise CreditError("bulk: cause_names lists a cause twice")
        codes = np.asarray(cause, dtype=_I64)
        if len(codes) and (codes.min() < 0 or codes.max() >= len(names)):
            raise CreditError(f"bulk: a cause code is outside 0..{len(names) - 1}")
    excluded_name = np.array([c != COVERED and c in schedule.exclusions for c in names], dtype=bool)
    fee_of = np.asarray(fee_index, dtype=_I64)
    if isinstance(claim_filed_us, np.ndarray):
        filed = claim_filed_us.astype(_I64, copy=False)
        given = filed != NO_CLAIM
    else:
        given = np.array([f is not None for f in claim_filed_us], dtype=bool)
        filed = np.array([0 if f is None else f for f in claim_filed_us], dtype=_I64)

    cs = np.maximum(s, p0)
    ce = np.minimum(e, p1)
    inside = np.maximum(ce - cs, 0)
    has = inside > 0
    listed = list(names)
    for code in np.unique(codes[has]).tolist():
        if listed[code] != COVERED:
            k = int(np.flatnonzero(has & (codes == code))[0])
            run._check_cause(listed[code], k, f"incident {k}")
    cause_out = has & excluded_name[codes] if len(names) else has & False
    covered = has & ~cause_out
    excluded = _sum_by(own[cause_out], inside[cause_out], n)

    # the claim
    claim = schedule.claim
    ok = np.ones(n, dtype=bool)
    note = np.full(n, _NOT_NEEDED, dtype=_I64)
    if claim is not None:
        note[:] = _NOT_FILED
        ok = given.copy()
        if claim.anchor == "period_end":
            deadline = run._claim_deadline
            assert deadline is not None
            in_time = given & (filed < deadline)
            ok = in_time
            note[given] = _AFTER
            note[in_time] = _IN_TIME
        else:
            idx = np.flatnonzero(covered)
            dl = _deadlines(run, e[idx], s[idx])
            late_idx = idx[given[own[idx]] & (filed[own[idx]] >= dl)]
            late = np.zeros(len(s), dtype=bool)
            late[late_idx] = True
            counted_in = covered & ~late & given[own]
            n_late = np.bincount(own[late], minlength=n)
            n_in = np.bincount(own[counted_in], minlength=n)
            excluded += _sum_by(own[late], inside[late], n)
            covered &= ~late
            all_late = given & (n_late > 0) & (n_in == 0)
            ok = given & ~all_late
            note[given] = _IN_TIME
            note[given & (n_late > 0)] = _SOME_LATE
            note[all_late] = _ALL_LATE

    # merge each customer's covered incidents into stretches, measure, trim
    down = np.zeros(n, dtype=_I64)
    idx = np.flatnonzero(covered)
    if len(idx):
        span = p1 - p0 + 1
        co, a, b = own[idx], cs[idx] - p0, ce[idx] - p0
        limit = _MAX // span - 1
        if n > limit:  # keys would overflow int64: credit in slices of customers
            return _sliced(
                run, own, s, e, cause, n, fee_index, fees, claim_filed_us, limit, cause_names
            )
        ks = co * span + a
        order = np.argsort(ks, kind="stable") if np.any(ks[1:] < ks[:-1]) else None
        if order is not None:
            co, a, b, ks = co[order], a[order], b[order], ks[order]
        ke = co * span + b
        reach = np.maximum.accumulate(ke)
        new = np.r_[True, ks[1:] > reach[:-1]]
        first = np.flatnonzero(new)
        st_owner = co[first]
        st_start = a[first] + p0
        st_end = np.maximum.reduceat(ke, first) - st_owner * span + p0
        if run._plain:
            raw = st_end - st_start
        else:
            m = run._allowed
            ms = np.asarray(m.starts, dtype=_I64)
            me = np.asarray(m.ends, dtype=_I64)
            mc = np.asarray(m.cum, dtype=_I64)
            raw = _before(ms, me, mc, st_end) - _before(ms, me, mc, st_start)
        kept = raw
        minimum = td_to_us(schedule.minimum_downtime)
        if minimum:
            drop = (kept < minimum) | ((kept == minimum) & ("minimum_downtime" in schedule.strict))
            kept = np.where(drop, 0, kept)
        if schedule.whole is not None:
            unit = td_to_us(schedule.whole)
            kept = kept - kept % unit
        down = _sum_by(st_owner, kept, n)
        excluded += _sum_by(st_owner, (st_end - st_start) - kept, n)

    # settle once per distinct (fee, outcome, commitment, claim)
    gated = np.zeros(n, dtype=bool)
    p = run.period_us
    if schedule.commitment is not None:
        if p == 0:
            gated[:] = Fraction(100) >= Fraction(schedule.commitment)
        else:
            gated = down <= floor(p - Fraction(schedule.commitment) * p / 100)
    keys = _outcome_keys(run, down)
    amount_of: dict[
        tuple[int, int, bool, bool], tuple[int, tuple[Decimal, str | None, Decimal | None]]
    ] = {}
    if keys is not None:
        width = int(keys.max()) + 1 if n else 1
        combined = ((fee_of * width + keys) * 2 + gated) * 2 + ok
        _, first_row, pick = np.unique(combined, return_index=True, return_inverse=True)
        settled = [
            _settle_one(run, fees[int(fee_of[r])], int(down[r]), bool(ok[r]))
            for r in first_row.tolist()
        ]
        pick = pick.ravel()
    else:
        settled = []
        chosen: list[int] = []
        for f, dd, k_ok in zip(fee_of.tolist(), down.tolist(), ok.tolist(), strict=True):
            key = (f, dd, k_ok, False)
            got = amount_of.get(key)
            if got is None:
                got = amount_of[key] = (len(settled), _settle_one(run, fees[f], dd, k_ok))
                settled.append(got[1])
            chosen.append(got[0])
        pick = np.asarray(chosen, dtype=_I64)
    return BulkCredits(
        downtime_us=Ints(down),
        excluded_us=Ints(excluded),
        band=Indexed([x[1] for x in settled], pick),
        percent=Indexed([x[2] for x in settled], pick),
        amount=Indexed([x[0] for x in settled], pick),
        claim_accepted=Indexed([False, True], ok.astype(_I64)),
        claim_note=Ints(note),
    )


def _settle_one(
    run: CreditRun, fee: Fee, downtime: int, accepted: bool
) -> tuple[Decimal, str | None, Decimal | None]:
    settled = run._settle([downtime], fee)
    amount = settled.amount if accepted else round_money(Fraction(0), fee.places)
    outcome = settled.outcome
    assert outcome is not None
    return amount, outcome.band, outcome.percent


def _sliced(
    run: CreditRun,
    own: Any,
    s: Any,
    e: Any,
    cause: Sequence[str],
    n: int,
    fee_index: Sequence[int],
    fees: Sequence[Fee],
    claim_filed_us: Sequence[int | None],
    limit: int,
    cause_names: Sequence[str] | None,
) -> BulkCredits:
    parts: list[BulkCredits] = []
    causes = np.asarray(cause, dtype=object)
    for lo in range(0, n, limit):
        hi = min(n, lo + limit)
        pick = (own >= lo) & (own < hi)
        parts.append(
            bulk(
                run,
                customer=(own[pick] - lo).tolist(),
                start_us=s[pick].tolist(),
                end_us=e[pick].tolist(),
                cause=causes[pick].tolist(),
                customers=hi - lo,
                fee_index=fee_index[lo:hi],
                fees=fees,
                claim_filed_us=claim_filed_us[lo:hi],
                cause_names=cause_names,
            )
        )
    return BulkCredits(
        *([x for part in parts for x in getattr(part, name)] for name in BulkCredits.__slots__)
    )
