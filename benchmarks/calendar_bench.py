"""Business-time arithmetic: sla_engine against businesstimedelta and pandas, same inputs.

Run from the repository root (the peers come from the ``bench`` dependency group)::

    .venv/bin/pip install --group bench          # or: businesstimedelta==1.0.1 pandas
    .venv/bin/python benchmarks/calendar_bench.py [--quick] [--seed N]

Workloads (random inputs, fixed seed; instants are whole seconds in 2024-2027 UTC, because
businesstimedelta's ``difference`` drops the microseconds of its answer and would otherwise
differ almost everywhere for that reason alone):

* W1: add 8 business hours to instants, Mon-Fri 09:00-17:00 America/New_York, US holidays;
* W2: business time between pairs of instants up to 30 days apart, same calendar;
* W3: both again on a nightly 22:00-06:00 calendar (every day, no holidays), half of the
  instants within 36 hours of a US DST change.

For each workload the script prints operations a second for sla_engine one call at a time
(a Python loop over ``cal.add``/``cal.elapsed`` on aware datetimes), for the batch form
(``add_many``/``elapsed_many`` on ``datetime64[us]`` arrays) and for each peer; the ratios; and
how many of each peer's answers differ from sla_engine's (compared in UTC to the microsecond).
The slow peers run on a prefix of the same inputs, which the table marks. Every difference is
also put to an independent, obviously correct reference written below (zoneinfo + the
``holidays`` package, day by day), which says who is right under sla_engine's documented rules:
half-open intervals, a wall time in a DST gap moves forward by the gap, one in a fold is the
earlier instant, and ``add`` returns the earliest instant (a closing time, never the next
opening); then it is named by the known mistake that reproduces the peer's answer exactly.
A further random sample is checked against the reference whatever the peers say. The script
prints figures and whether targets are met; it never fails on time.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holidays_package
import numpy as np

from sla_engine.calendar import BusinessCalendar

ZONE = "America/New_York"
SEED = 20240901
FULL_N = 100_000
PEER_ADD_N = 20_000  # businesstimedelta and pandas add: a prefix of the inputs
PEER_ELAPSED_N = 5_000  # businesstimedelta elapsed walks day by day: slower still
REFERENCE_N = 2_000  # random inputs also checked against the reference, differences or not
DST_WINDOW = timedelta(hours=36)

TARGET_SCALAR = 250_000
TARGET_BATCH = 10_000_000
TARGET_PEER_RATIO = 50
TARGET_BUILD_MS = 50

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
US_PER_S = 1_000_000
EIGHT_HOURS = timedelta(hours=8)

WEEKDAY_HOURS = {"mon-fri": ["09:00-17:00"]}
NIGHTLY_HOURS = {"daily": ["22:00-06:00"]}


def to_us(t: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, any tzinfo (pytz's too)."""
    return (t - EPOCH) // US


def from_us(us: int) -> datetime:
    """The UTC datetime ``us`` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=us)


def local(us: int) -> str:
    """An instant as local wall time with its offset, for examples."""
    return from_us(us).astimezone(ZoneInfo(ZONE)).isoformat(sep=" ")


def fmt_td(us: int) -> str:
    sign = "-" if us < 0 else ""
    return sign + str(timedelta(microseconds=abs(us)))


# ---------------------------------------------------------------------------- inputs
@dataclass(frozen=True, slots=True, kw_only=True)
class Inputs:
    """One workload's random inputs as int64 microseconds since the epoch (UTC)."""

    starts: np.ndarray[Any, Any]  # add: the instants; elapsed: the pair starts
    ends: np.ndarray[Any, Any]  # elapsed: the pair ends


def dst_transitions(first_year: int, last_year: int) -> list[int]:
    """Instants (µs) at which the zone's UTC offset changes, found hour by hour."""
    zone = ZoneInfo(ZONE)
    out: list[int] = []
    t = datetime(first_year, 1, 1, tzinfo=UTC)
    stop = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    before = t.astimezone(zone).utcoffset()
    while t < stop:
        t += timedelta(hours=1)
        offset = t.astimezone(zone).utcoffset()
        if offset != before:
            out.append(to_us(t))
            before = offset
    return out


def make_inputs(n: int, *, seed: int) -> dict[str, Inputs]:
    rng = np.random.default_rng(seed)
    lo = to_us(datetime(2024, 1, 1, tzinfo=UTC)) // US_PER_S
    hi = to_us(datetime(2028, 1, 1, tzinfo=UTC)) // US_PER_S
    month = 30 * 86_400

    def uniform(size: int) -> Any:
        return rng.integers(lo, hi, size, dtype=np.int64)

    weekday_starts = uniform(n)
    weekday_ends = weekday_starts + rng.integers(0, month + 1, n, dtype=np.int64)
    # W3: half uniform, half within ±36 h of a DST change, interleaved so a prefix has both.
    transitions = np.asarray(dst_transitions(2024, 2027), dtype=np.int64) // US_PER_S
    window = DST_WINDOW // timedelta(seconds=1)
    near = transitions[rng.integers(0, len(transitions), n)] + rng.integers(
        -window, window + 1, n, dtype=np.int64
    )
    night_starts = np.where(np.arange(n) % 2 == 0, uniform(n), near)
    night_ends = np.where(
        np.arange(n) % 2 == 0,
        night_starts + rng.integers(0, month + 1, n, dtype=np.int64),
        night_starts + rng.integers(0, 2 * window + 1, n, dtype=np.int64),
    )
    return {
        "weekday": Inputs(starts=weekday_starts * US_PER_S, ends=weekday_ends * US_PER_S),
        "nightly": Inputs(starts=night_starts * US_PER_S, ends=night_ends * US_PER_S),
    }


# ---------------------------------------------------------------------------- reference
class Reference:
    """Slow and obviously correct: each local date's windows turned into UTC by zoneinfo.

    ``datetime(..., tzinfo=ZoneInfo)`` with ``fold=0`` is the project's DST rule: a wall time
    in a gap takes the offset from before the change (it moves forward by the gap) and one in
    a fold is the earlier instant. Windows ending at or before they start run overnight.
    """

    def __init__(self, *, days: Sequence[int], start: clock, end: clock, closed: set[date]) -> None:
        self.zone = ZoneInfo(ZONE)
        self.days = set(days)
        self.start, self.end = start, end
        self.closed = closed

    def windows(self, day: date) -> list[tuple[int, int]]:
        if day.weekday() not in self.days or day in self.closed:
            return []
        end_day = day + timedelta(days=1) if self.end <= self.start else day
        s = datetime.combine(day, self.start, tzinfo=self.zone)
        e = datetime.combine(end_day, self.end, tzinfo=self.zone)
        return [(to_us(s), to_us(e))]

    def _day(self, us: int) -> date:
        return from_us(us).astimezone(self.zone).date()

    def elapsed(self, a: int, b: int) -> int:
        if b < a:
            return -self.elapsed(b, a)
        total = 0
        day, last = self._day(a) - timedelta(days=1), self._day(b)
        while day <= last:
            for s, e in self.windows(day):
                total += max(0, min(e, b) - max(s, a))
            day += timedelta(days=1)
        return total

    def add(self, t: int, d: int) -> int:
        """The earliest ``u`` with ``elapsed(t, u) == d``, for ``d > 0``."""
        day = self._day(t) - timedelta(days=1)
        left = d
        while True:
            for s, e in self.windows(day):
                s = max(s, t)
                if e > s:
                    if e - s >= left:
                        return s + left
                    left -= e - s
            day += timedelta(days=1)


# ---------------------------------------------------------------------------- timing
def best_time(fn: Callable[[], object], *, repeat: int, budget: float = 1.0) -> float:
    """The fastest of up to ``repeat`` runs (fewer once ``budget`` seconds are spent)."""
    best = float("inf")
    spent = 0.0
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        spent += dt
        if spent > budget:
            break
    return best


@dataclass(slots=True, kw_only=True)
class Row:
    name: str
    n: int
    ops: float | None  # None: cannot express
    results: np.ndarray[Any, Any] | None = None  # int64 µs (add) or µs durations (elapsed)
    note: str = ""
    sampled: bool = False


@dataclass(slots=True, kw_only=True)
class Kind:
    label: str
    count: int = 0
    example: str = ""


@dataclass(slots=True, kw_only=True)
class Verdict:
    """What the differences between one peer and sla_engine are, and who is right."""

    kinds: dict[str, Kind] = field(default_factory=dict)
    engine_wrong: list[str] = field(default_factory=list)

    def note(self, label: str, example: str) -> None:
        kind = self.kinds.setdefault(label, Kind(label=label))
        kind.count += 1
        if not kind.example:
            kind.example = example


def column(values: Sequence[datetime]) -> np.ndarray[Any, Any]:
    return np.fromiter((to_us(v) for v in values), dtype=np.int64, count=len(values))


# ---------------------------------------------------------------------------- sla_engine
def time_engine(
    cal: BusinessCalendar, op: str, inputs: Inputs, *, repeat: int
) -> tuple[list[Row], float]:
    """Scalar, integer and batch rows for ``op`` ('add' or 'elapsed'); also the batch peak."""
    starts, ends = inputs.starts, inputs.ends
    n = len(starts)
    a_dt = [from_us(int(x)) for x in starts]
    b_dt = [from_us(int(x)) for x in ends]
    a_list, b_list = starts.tolist(), ends.tolist()
    a_np = starts.astype("datetime64[us]")
    b_np = ends.astype("datetime64[us]")
    d_us = EIGHT_HOURS // US
    d_np = np.timedelta64(d_us, "us")
    out: dict[str, Any] = {}

    if op == "add":
        add, add_us, add_many = cal.add, cal.add_us, cal.add_many

        def scalar() -> None:
            out["scalar"] = [add(t, EIGHT_HOURS) for t in a_dt]

        def integer() -> None:
            out["integer"] = [add_us(t, d_us) for t in a_list]

        def batch() -> None:
            out["batch"] = add_many(a_np, d_np)

        names = ("cal.add", "cal.add_us", "cal.add_many")
    else:
        elapsed, elapsed_us, elapsed_many = cal.elapsed, cal.elapsed_us, cal.elapsed_many

        def scalar() -> None:
            out["scalar"] = [elapsed(a, b) for a, b in zip(a_dt, b_dt, strict=True)]

        def integer() -> None:
            out["integer"] = [elapsed_us(a, b) for a, b in zip(a_list, b_list, strict=True)]

        def batch() -> None:
            out["batch"] = elapsed_many(a_np, b_np)

        names = ("cal.elapsed", "cal.elapsed_us", "cal.elapsed_many")

    batch()  # warm: compiles the years the inputs reach and the numpy tables
    t_scalar = best_time(scalar, repeat=repeat, budget=3.0)
    t_integer = best_time(integer, repeat=repeat, budget=3.0)
    t_batch = best_time(batch, repeat=10 * repeat, budget=1.0)

    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    batch()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    if op == "add":
        scalar_us = column(out["scalar"])
        batch_us = out["batch"].astype(np.int64)
    else:
        scalar_us = np.fromiter((v // US for v in out["scalar"]), dtype=np.int64, count=n)
        batch_us = out["batch"].astype(np.int64)
    integer_us = np.asarray(out["integer"], dtype=np.int64)
    mismatch = int((scalar_us != batch_us).sum() + (scalar_us != integer_us).sum())
    rows = [
        Row(name=f"sla_engine scalar ({names[0]})", n=n, ops=n / t_scalar, results=scalar_us),
        Row(name=f"sla_engine ints ({names[1]})", n=n, ops=n / t_integer),
        Row(
            name=f"sla_engine batch ({names[2]})",
            n=n,
            ops=n / t_batch,
            note=f"batch/ints == scalar: {'yes' if mismatch == 0 else f'NO ({mismatch})'}",
        ),
    ]
    return rows, peak


# ---------------------------------------------------------------------------- peers
def btd_rule(btd: Any, pytz: Any, *, nightly: bool, us_holidays: Any) -> Any:
    """The calendar in businesstimedelta's words (it localizes with pytz, so a pytz zone)."""
    tz = pytz.timezone(ZONE)
    if nightly:
        return btd.Rules(
            [btd.WorkDayRule(start_time=clock(22), end_time=clock(6), working_days=range(7), tz=tz)]
        )
    return btd.Rules(
        [
            btd.WorkDayRule(
                start_time=clock(9), end_time=clock(17), working_days=[0, 1, 2, 3, 4], tz=tz
            ),
            btd.HolidayRule(us_holidays, tz=tz),
        ]
    )


def time_btd(btd: Any, rule: Any, op: str, inputs: Inputs, n: int) -> Row:
    a_dt = [from_us(int(x)) for x in inputs.starts[:n]]
    if op == "add":
        delta = btd.BusinessTimeDelta(rule, timedelta=EIGHT_HOURS)
        for t in a_dt[:50]:  # warm the holiday table
            _ = t + delta
        t0 = time.perf_counter()
        res = [t + delta for t in a_dt]
        dt = time.perf_counter() - t0
        results = column(res)
    else:
        b_dt = [from_us(int(x)) for x in inputs.ends[:n]]
        difference = rule.difference
        t0 = time.perf_counter()
        res = [difference(a, b) for a, b in zip(a_dt, b_dt, strict=True)]
        dt = time.perf_counter() - t0
        results = np.fromiter((r.timedelta // US for r in res), dtype=np.int64, count=n)
    return Row(name="businesstimedelta 1.0.1", n=n, ops=n / dt, results=results, sampled=True)


def time_pandas(pd: Any, offset: Any, op: str, inputs: Inputs, n: int) -> Row:
    name = f"pandas {pd.__version__} CustomBusinessHour"
    if op != "add":
        return Row(
            name=name,
            n=0,
            ops=None,
            note="cannot express: pandas has no business-time-between operation",
        )
    starts = inputs.starts[:n]
    # pandas counts on naive local wall time: convert ours to naive local and back with the
    # zone, reading a gap forward by an hour and a fold as its earlier (DST) instant.
    ambiguous = np.ones(n, dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PerformanceWarning: offsets apply element-wise
        _ = pd.DatetimeIndex(starts[:50].astype("datetime64[us]")) + offset
        t0 = time.perf_counter()
        naive = (
            pd.DatetimeIndex(starts.astype("datetime64[us]"))
            .tz_localize("UTC")
            .tz_convert(ZONE)
            .tz_localize(None)
        )
        moved = naive + offset
        back = moved.tz_localize(ZONE, ambiguous=ambiguous, nonexistent=pd.Timedelta(hours=1))
        results = back.tz_convert("UTC").tz_localize(None).as_unit("us").asi8.copy()
        dt = time.perf_counter() - t0
    return Row(name=name, n=n, ops=n / dt, results=results, sampled=True)


# ---------------------------------------------------------------------------- differences
class WallClock:
    """The same hours counted on naive local wall time, as if the zone had no DST.

    It is the calendar with the zone replaced by UTC: instants go in as their local wall
    time, answers come back through the zone (a gap forward, a fold's earlier instant).
    """

    def __init__(self, cal: BusinessCalendar, *, hours: Any, holidays: Any) -> None:
        self.zone = cal.zone
        self.cal = BusinessCalendar(timezone="UTC", hours=hours, holidays=holidays)

    def naive(self, us: int) -> int:
        return to_us(from_us(us).astimezone(self.zone).replace(tzinfo=UTC))

    def aware(self, us: int) -> int:
        return to_us(from_us(us).replace(tzinfo=self.zone))

    def add(self, t: int, d: int, *, next_open: bool = False) -> int:
        u = self.cal.add_us(self.naive(t), d)
        return self.aware(self.cal.next_open_us(u) if next_open else u)

    def elapsed(self, a: int, b: int) -> int:
        return self.cal.elapsed_us(self.naive(a), self.naive(b))


NEXT_OPENING = "returns the next opening instead of the closing time"
SKIPS_WINDOW = "skips the rest of the open window the start falls in"
WALL_CLOCK = "counts wall-clock hours across a DST change (ignores the shift)"


def add_hypotheses(cal: BusinessCalendar, wall: WallClock, t: int, d: int) -> list[tuple[str, int]]:
    """Answers that a known way of going wrong would give for ``add(t, d)``, labelled."""
    o = cal.add_us(t, d)
    out = [(NEXT_OPENING, cal.next_open_us(o))]
    if cal.is_open_us(t):
        later = cal.add_us(cal.next_open_us(cal.next_close_us(t)), d)
        out += [(SKIPS_WINDOW, later), (f"{SKIPS_WINDOW}; {NEXT_OPENING}", cal.next_open_us(later))]
    out += [
        (WALL_CLOCK, wall.add(t, d)),
        (f"{WALL_CLOCK}; {NEXT_OPENING}", wall.add(t, d, next_open=True)),
    ]
    return out


def elapsed_hypotheses(
    cal: BusinessCalendar, wall: WallClock, a: int, b: int
) -> list[tuple[str, int]]:
    """Answers that a known way of going wrong would give for ``elapsed(a, b)``, labelled."""
    out = []
    if cal.is_open_us(a):
        later = cal.next_open_us(cal.next_close_us(a))
        out.append((SKIPS_WINDOW, max(0, cal.elapsed_us(later, b))))
    out.append((WALL_CLOCK, wall.elapsed(a, b)))
    return out


def classify(
    *,
    op: str,
    peer: str,
    cal: BusinessCalendar,
    wall: WallClock,
    ref: Reference,
    inputs: Inputs,
    ours: np.ndarray[Any, Any],
    theirs: np.ndarray[Any, Any],
) -> Verdict:
    """Put each difference to the reference, then name the mistake that reproduces the peer's
    answer exactly (the first that does, of a short list of known ones)."""
    verdict = Verdict()
    d = EIGHT_HOURS // US
    for i in np.flatnonzero(ours != theirs).tolist():
        t, b = int(inputs.starts[i]), int(inputs.ends[i])
        o, p = int(ours[i]), int(theirs[i])
        if op == "add":
            r = ref.add(t, d)
            example = f"t={local(t)}: sla_engine {local(o)}, {peer} {local(p)}"
            hypotheses = add_hypotheses(cal, wall, t, d)
        else:
            r = ref.elapsed(t, b)
            example = f"[{local(t)}, {local(b)}): sla_engine {fmt_td(o)}, {peer} {fmt_td(p)}"
            hypotheses = elapsed_hypotheses(cal, wall, t, b)
        if r != o:
            verdict.engine_wrong.append(f"{example}; the reference says {r}")
            continue
        label = next((why for why, answer in hypotheses if answer == p), None)
        if label is None:
            if op == "add":
                label = f"other: its answer is {fmt_td(cal.elapsed_us(t, p))} of business time on"
            else:
                label = f"other: off by {fmt_td(p - o)}"
        verdict.note(label, example)
    return verdict


# ---------------------------------------------------------------------------- output
def fmt_ops(ops: float | None) -> str:
    if ops is None:
        return "—"
    return f"{ops:,.0f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "—"
    return f"{a / b:,.0f}×" if a / b >= 10 else f"{a / b:,.1f}×"


def print_table(title: str, rows: list[Row], ours: np.ndarray[Any, Any]) -> None:
    print(f"\n{title}")
    scalar, _, batch = rows[0].ops, rows[1].ops, rows[2].ops
    head = (
        f"  {'implementation':<45} {'inputs':>8} {'ops/s':>12} {'scalar ÷ it':>12} "
        f"{'batch ÷ it':>11}  differ from sla_engine"
    )
    print(head)
    print("  " + "-" * (len(head) + 6))
    for row in rows:
        peer = row.name.startswith(("businesstimedelta", "pandas"))
        n = f"{row.n:,}{'*' if row.sampled else ''}" if row.n else "—"
        if row.results is not None and peer:
            k = len(row.results)
            differ = f"{int((row.results != ours[:k]).sum()):,} of {k:,}"
        else:
            differ = row.note
        line = f"  {row.name:<45} {n:>8} {fmt_ops(row.ops):>12}"
        if peer:
            line += f" {ratio(scalar, row.ops):>12} {ratio(batch, row.ops):>11}  {differ}"
        else:
            line += f" {'':>12} {'':>11}  {differ}"
        print(line)


def print_verdicts(verdicts: list[tuple[str, Verdict]]) -> list[str]:
    wrong: list[str] = []
    for peer, verdict in verdicts:
        if not verdict.kinds and not verdict.engine_wrong:
            continue
        print(f"  differences with {peer}:")
        for kind in sorted(verdict.kinds.values(), key=lambda k: -k.count):
            print(f"    {kind.count:>6,}  {peer} {kind.label}")
            print(f"            e.g. {kind.example}")
        if verdict.engine_wrong:
            print(f"    {len(verdict.engine_wrong):>6,}  SLA_ENGINE DISAGREES WITH THE REFERENCE")
            for ex in verdict.engine_wrong[:3]:
                print(f"            e.g. {ex}")
            wrong.extend(verdict.engine_wrong)
        else:
            print("            the reference sides with sla_engine in every one")
    return wrong


# ---------------------------------------------------------------------------- build time
COLD_BUILD = """
import time
from sla_engine.calendar import BusinessCalendar
t0 = time.perf_counter()
BusinessCalendar(
    timezone="America/New_York", hours={"mon-fri": ["09:00-17:00"]}, holidays={"country": "US"}
).precompute(2024, 2033)
print(time.perf_counter() - t0)
"""
COLD_HOLIDAYS = """
import time
import holidays
import sla_engine.calendar
t0 = time.perf_counter()
holidays.country_holidays("US", years=range(2022, 2035))
print(time.perf_counter() - t0)
"""


def cold_ms(code: str, *, runs: int) -> float:
    """The least, over ``runs`` fresh interpreters, of what ``code`` prints, in milliseconds
    (imports not counted; the least is the one a busy machine disturbed least)."""
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(float(done.stdout) * 1e3)
    return min(times)


def time_build(*, repeat: int, runs: int) -> tuple[float, float, float, float]:
    """Milliseconds to build ten years (2024-2033) of a fresh calendar: the W1 calendar cold
    (a fresh interpreter: the holidays package builds US holidays for the first time), the US
    holidays alone cold, the W1 calendar warm (a second fresh calendar in one process) and the
    nightly calendar warm."""

    def build(hours: dict[str, list[str]], holidays: dict[str, str] | None) -> None:
        BusinessCalendar(timezone=ZONE, hours=hours, holidays=holidays).precompute(2024, 2033)

    cold = cold_ms(COLD_BUILD, runs=runs)
    cold_holidays = cold_ms(COLD_HOLIDAYS, runs=runs)
    us_holidays = {"country": "US"}
    build(WEEKDAY_HOURS, us_holidays)
    warm = best_time(lambda: build(WEEKDAY_HOURS, us_holidays), repeat=repeat)
    night = best_time(lambda: build(NIGHTLY_HOURS, None), repeat=repeat)
    return cold, cold_holidays, warm * 1e3, night * 1e3


def check_reference(
    cal: BusinessCalendar, ref: Reference, op: str, inputs: Inputs, k: int
) -> list[str]:
    """sla_engine against the reference on ``k`` random inputs; the disagreements."""
    bad: list[str] = []
    d = EIGHT_HOURS // US
    for t, b in zip(inputs.starts[-k:].tolist(), inputs.ends[-k:].tolist(), strict=True):
        if op == "add":
            o, r = cal.add_us(t, d), ref.add(t, d)
        else:
            o, r = cal.elapsed_us(t, b), ref.elapsed(t, b)
        if o != r:
            bad.append(f"{op} t={local(t)} b={local(b)}: sla_engine {o}, reference {r}")
    return bad


EDGE_DURATIONS = (
    timedelta(microseconds=1),
    timedelta(minutes=30),
    timedelta(hours=7),
    timedelta(hours=8),
    timedelta(hours=8, microseconds=1),
    timedelta(hours=9),
    timedelta(hours=24),
)


def edge_points(ref: Reference, around: date) -> list[int]:
    """Instants where mistakes hide near a local date: each window's edges, the zone's
    changes, one microsecond either side of each, and the middle of any gap or fold."""
    points: set[int] = set()
    day = around - timedelta(days=2)
    while day <= around + timedelta(days=2):
        for s, e in ref.windows(day):
            points.update((s, e))
        for h in (0, 2, 9, 17, 22):
            points.add(to_us(datetime.combine(day, clock(h), tzinfo=ref.zone)))
        day += timedelta(days=1)
    lo, hi = min(points), max(points)
    for x in dst_transitions(around.year, around.year):
        if lo <= x <= hi:
            points.update((x, x - 1_800 * US_PER_S, x + 1_800 * US_PER_S))
    return sorted({p + e for p in points for e in (-1, 0, 1)})


def check_edges(
    cal: BusinessCalendar, ref: Reference, days: Sequence[date]
) -> tuple[int, list[str]]:
    """sla_engine against the reference at edge instants near ``days``: ``add`` for a few
    durations and ``elapsed`` between every pair of edge instants. Questions asked, and
    the disagreements."""
    bad: list[str] = []
    asked = 0
    for around in days:
        points = edge_points(ref, around)
        for t in points:
            for dur in EDGE_DURATIONS:
                d = dur // US
                o, r = cal.add_us(t, d), ref.add(t, d)
                asked += 1
                if o != r:
                    bad.append(
                        f"add(t={local(t)}, {dur}): sla_engine {local(o)}, reference {local(r)}"
                    )
            for b in points:
                o, r = cal.elapsed_us(t, b), ref.elapsed(t, b)
                asked += 1
                if o != r:
                    bad.append(
                        f"elapsed({local(t)}, {local(b)}): sla_engine {fmt_td(o)}, "
                        f"reference {fmt_td(r)}"
                    )
    return asked, bad


# ---------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer inputs")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed ({SEED})")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    n = FULL_N // scale
    repeat = 3 if not args.quick else 2
    started = time.perf_counter()

    cold, cold_holidays, warm, night = time_build(repeat=5, runs=5)

    try:
        import businesstimedelta as btd
        import pandas as pd
        import pytz
    except ImportError as exc:
        print(f"the peers are missing ({exc}); run: .venv/bin/pip install --group bench")
        return 2

    us_holidays = holidays_package.country_holidays("US", years=range(2023, 2030))
    holiday_dates = set(us_holidays)
    weekday = BusinessCalendar(timezone=ZONE, hours=WEEKDAY_HOURS, holidays={"country": "US"})
    nightly = BusinessCalendar(timezone=ZONE, hours=NIGHTLY_HOURS)
    refs = {
        "weekday": Reference(days=range(5), start=clock(9), end=clock(17), closed=holiday_dates),
        "nightly": Reference(days=range(7), start=clock(22), end=clock(6), closed=set()),
    }
    rules = {
        "weekday": btd_rule(btd, pytz, nightly=False, us_holidays=us_holidays),
        "nightly": btd_rule(btd, pytz, nightly=True, us_holidays=us_holidays),
    }
    offsets = {
        "weekday": pd.offsets.CustomBusinessHour(
            n=8, start="09:00", end="17:00", holidays=sorted(holiday_dates)
        ),
        "nightly": pd.offsets.CustomBusinessHour(
            n=8, start="22:00", end="06:00", weekmask="Mon Tue Wed Thu Fri Sat Sun"
        ),
    }
    cals = {"weekday": weekday, "nightly": nightly}
    inputs = make_inputs(n, seed=args.seed)
    walls = {
        "weekday": WallClock(weekday, hours=WEEKDAY_HOURS, holidays={"country": "US"}),
        "nightly": WallClock(nightly, hours=NIGHTLY_HOURS, holidays=None),
    }
    peer_add_n = PEER_ADD_N // scale
    peer_elapsed_n = PEER_ELAPSED_N // scale

    print(
        f"sla_engine calendar benchmark  (python {sys.version.split()[0]}, numpy "
        f"{np.__version__}, seed {args.seed}, {n:,} inputs{', --quick' if args.quick else ''})"
    )
    print(
        f"* peers are timed, and compared, on the first {peer_add_n:,} inputs (add) or "
        f"{peer_elapsed_n:,} pairs (businesstimedelta elapsed): they are slow."
    )
    print(
        "  'scalar ÷ it' / 'batch ÷ it': sla_engine's ops/s over the peer's. Differences are "
        "counted in UTC to the microsecond;\n  inputs are whole seconds (businesstimedelta's "
        "elapsed truncates to the second)."
    )

    workloads = [
        ("W1", "weekday", "add", "add 8 business hours; Mon-Fri 09:00-17:00 New York, US holidays"),
        ("W2", "weekday", "elapsed", "business time between pairs ≤ 30 days apart; same calendar"),
        ("W3 add", "nightly", "add", "add 8 business hours; nightly 22:00-06:00, half near DST"),
        ("W3 elapsed", "nightly", "elapsed", "business time between pairs; nightly, half near DST"),
    ]
    summary: dict[str, tuple[float, float, dict[str, float]]] = {}
    peaks: dict[str, int] = {}
    engine_wrong: list[str] = []
    for label, which, op, title in workloads:
        cal, data = cals[which], inputs[which]
        rows, peak = time_engine(cal, op, data, repeat=repeat)
        peaks[label] = peak
        ours = rows[0].results
        assert ours is not None
        k = peer_add_n if op == "add" else peer_elapsed_n
        peers = [
            time_btd(btd, rules[which], op, data, k),
            time_pandas(pd, offsets[which], op, data, peer_add_n),
        ]
        rows += peers
        print_table(f"{label}: {title}", rows, ours)
        verdicts: list[tuple[str, Verdict]] = []
        for peer in peers:
            if peer.results is None:
                continue
            short = peer.name.split()[0]
            verdicts.append(
                (
                    short,
                    classify(
                        op=op,
                        peer=short,
                        cal=cal,
                        wall=walls[which],
                        ref=refs[which],
                        inputs=data,
                        ours=ours[: len(peer.results)],
                        theirs=peer.results,
                    ),
                )
            )
        engine_wrong += print_verdicts(verdicts)
        checked = check_reference(cal, refs[which], op, data, REFERENCE_N // scale)
        print(
            f"  reference check on {REFERENCE_N // scale:,} further random inputs: "
            f"{len(checked)} disagreements with sla_engine"
        )
        engine_wrong += checked
        peer_ops = {p.name.split()[0]: p.ops for p in peers if p.ops is not None}
        assert rows[0].ops is not None and rows[2].ops is not None
        summary[label] = (rows[0].ops, rows[2].ops, peer_ops)

    change_days = [
        from_us(x).astimezone(ZoneInfo(ZONE)).date() for x in dst_transitions(2024, 2027)
    ]
    edge_days = {
        "weekday": sorted(d for d in holiday_dates if 2024 <= d.year <= 2027)[:: 2 * scale]
        + change_days[::scale],
        "nightly": change_days[::scale],
    }
    print(
        "\nEdge instants (window edges, DST changes, ±1 µs, mid-gap and mid-fold) vs the reference:"
    )
    for which, days in edge_days.items():
        asked, bad = check_edges(cals[which], refs[which], days)
        print(
            f"  {which:<8} {asked:>8,} questions near {len(days)} dates: "
            f"{len(bad)} disagreements with sla_engine"
        )
        engine_wrong += bad

    print("\nBuild ten years of a fresh calendar, precompute(2024, 2033):")
    print(f"  W1 calendar, cold (fresh interpreters, best of 5)     {cold:7.1f} ms")
    print(
        f"    the holidays package's first US table alone, cold   {cold_holidays:7.1f} ms"
        "  (mostly its lazy import of the US module)"
    )
    print(f"  W1 calendar, warm (a second fresh calendar, best of 5) {warm:7.1f} ms")
    print(f"  W3 calendar (no holidays), warm                        {night:7.1f} ms")
    print("\nPeak memory (tracemalloc) of one batch run over all inputs:")
    for label, peak in peaks.items():
        print(f"  {label:<11} {peak / 2**20:6.1f} MiB")

    print("\nTargets:")

    def met(ok: bool) -> str:
        return "met" if ok else "NOT MET"

    for label, (scalar, batch, peer_ops) in summary.items():
        print(
            f"  {label:<11} scalar {scalar:>9,.0f} ops/s (≥ {TARGET_SCALAR:,}: "
            f"{met(scalar >= TARGET_SCALAR)});  batch {batch:>11,.0f} ops/s "
            f"(≥ {TARGET_BATCH:,}: {met(batch >= TARGET_BATCH)})"
        )
        ratios = [
            f"÷ {peer} {scalar / ops:,.0f}× ({met(scalar / ops >= TARGET_PEER_RATIO)})"
            for peer, ops in peer_ops.items()
        ]
        print(f"  {'':<11} scalar vs peers (≥ {TARGET_PEER_RATIO}×): {';  '.join(ratios)}")
    print(
        f"  build ten years < {TARGET_BUILD_MS} ms: cold {cold:.1f} ms "
        f"({met(cold < TARGET_BUILD_MS)}), warm {warm:.1f} ms ({met(warm < TARGET_BUILD_MS)})"
    )
    if engine_wrong:
        print(f"\n!!! sla_engine disagrees with the reference in {len(engine_wrong)} cases, e.g.:")
        for ex in engine_wrong[:5]:
            print(f"    {ex}")
    else:
        print("\nsla_engine agreed with the reference on every input put to it.")
    print(f"(total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
