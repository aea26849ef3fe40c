"""From incidents to a credit: merge, clip, exclude, measure, apply the rule, cap, round.

:func:`compute_credit` gives the full :class:`~sla_engine.credits.decision.CreditDecision`.
:class:`CreditRun` compiles a schedule for one billing period once (maintenance windows, the
service-hours calendar) and then credits many customers: ``run.decide(...)`` for decisions,
``run.amount_us(...)`` for the bare amount from integer-microsecond spans (a bill run over
millions of customers). Both share one measuring and settling path, so they always agree.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final, Protocol

from dateutil.relativedelta import relativedelta

from sla_engine._time import (
    US_PER_HOUR,
    format_duration,
    from_us,
    horizon_us,
    to_us,
    us_to_td,
)
from sla_engine.credits import _read
from sla_engine.credits.decision import CreditDecision, DowntimeStretch, IncidentLine
from sla_engine.credits.incident import COVERED, EXCLUSION_REASONS, Incident
from sla_engine.credits.maintenance import (
    MaintenanceOccurrence,
    MaintenanceWindow,
    RecurringMaintenance,
)
from sla_engine.credits.money import Fee, round_money
from sla_engine.credits.period import BillingCycle, BillingPeriod, utc_iso
from sla_engine.credits.schedule import CreditSchedule, LostTime, Outcome
from sla_engine.errors import CreditError

if TYPE_CHECKING:
    from sla_engine.credits._bulk import BulkCredits

__all__ = ["CreditRun", "ServiceCalendar", "compute_credit"]

_FEE_CACHE_LIMIT: Final = 4096
_FEE_WORDS: Final = {
    "month": "a monthly fee",
    "period": "the period's charges",
    "hour": "an hourly rate",
}


class ServiceCalendar(Protocol):
    """What a service-hours calendar must offer (``BusinessCalendar`` does)."""

    def segments_us(self, a_us: int, b_us: int) -> list[tuple[int, int]]:
        """Open segments ``[s, e)`` within ``[a_us, b_us)``, sorted, in µs."""
        ...


class _Measure:
    """Sorted disjoint intervals with a running total: the covered length of any ``[a, b)``."""

    __slots__ = ("cum", "ends", "starts", "total")

    def __init__(self, intervals: Sequence[tuple[int, int]]) -> None:
        self.starts = [s for s, _ in intervals]
        self.ends = [e for _, e in intervals]
        self.cum = []
        total = 0
        for s, e in intervals:
            self.cum.append(total)
            total += e - s
        self.total = total

    def before(self, t: int) -> int:
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(t, self.ends[i]) - self.starts[i]

    def between(self, a: int, b: int) -> int:
        if b <= a:
            return 0
        return self.before(b) - self.before(a)


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _subtract(base: list[tuple[int, int]], cut: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    j = 0
    for s, e in base:
        cur = s
        while j < len(cut) and cut[j][1] <= cur:
            j += 1
        k = j
        while k < len(cut) and cut[k][0] < e:
            if cut[k][0] > cur:
                out.append((cur, cut[k][0]))
            cur = max(cur, cut[k][1])
            k += 1
        if cur < e:
            out.append((cur, e))
    return out


_US_PER_MINUTE: Final = 60_000_000
_HUNDRED: Final = Fraction(100)


def _on_minutes(
    covered: list[tuple[int, int, int]],
    mode: str,
    p0: int,
    p1: int,
    excluded: list[dict[str, int]],
) -> list[tuple[int, int, int]]:
    """Downtime on the clock's minutes (UTC minute boundaries; every zone in use today is a
    whole number of minutes from UTC). ``touched``: each interval grows to the minutes it
    touches (within the period); ``full``: each merged stretch shrinks to the minutes wholly
    inside it, the rest excluded as ``partial_minute``."""
    m = _US_PER_MINUTE
    if mode == "touched":
        return [(max(p0, cs - cs % m), min(p1, -(-ce // m) * m), i) for cs, ce, i in covered]
    out: list[tuple[int, int, int]] = []
    ordered = sorted(covered)
    k = 0
    while k < len(ordered):
        end = ordered[k][1]
        j = k + 1
        while j < len(ordered) and ordered[j][0] <= end:
            end = max(end, ordered[j][1])
            j += 1
        lo = -(-ordered[k][0] // m) * m
        hi = end - end % m
        for cs, ce, i in ordered[k:j]:
            ns, ne = max(cs, lo), min(ce, hi)
            kept = max(0, ne - ns)
            if ce - cs - kept:
                excluded[i]["partial_minute"] = excluded[i].get("partial_minute", 0) + (
                    ce - cs - kept
                )
            if kept:
                out.append((ns, ne, i))
        k = j
    return out


def _owned(
    covered: list[tuple[int, int, int]],
    weights: Sequence[Fraction],
    excluded: list[dict[str, int]],
) -> list[tuple[int, int, int]]:
    """Split overlapping intervals so that each instant belongs to one incident: the one with
    the highest weight there (the first listed on a tie); the others record it as overlap."""
    if len(covered) < 2:
        return covered
    bounds = sorted({b for cs, ce, _ in covered for b in (cs, ce)})
    pieces: list[tuple[int, int, int]] = []
    for a, b in pairwise(bounds):
        active = [i for cs, ce, i in covered if cs <= a and b <= ce]
        if not active:
            continue
        owner = min(active, key=lambda i: (-weights[i], i))
        for i in active:
            if i != owner:
                excluded[i]["overlap"] = excluded[i].get("overlap", 0) + b - a
        if pieces and pieces[-1][2] == owner and pieces[-1][1] == a:
            pieces[-1] = (pieces[-1][0], b, owner)
        else:
            pieces.append((a, b, owner))
    return pieces


def _check_money(charges: object, credited_before: object) -> None:
    if charges is not None:
        if not isinstance(charges, Mapping):
            raise CreditError(
                "charges: expected a mapping of names to Decimal amounts, e.g. "
                "{'invoice': Decimal('1200.00')}",
                path=("charges",),
            )
        for name, value in charges.items():
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                raise CreditError(
                    f"charges[{name!r}]: expected a Decimal amount >= 0, got {value!r}",
                    path=("charges", str(name)),
                )
            # bounded like every number of credits: 1e999999999 would hang the exact sums
            _read.decimal(value, ("charges", str(name)), what=f"charges[{name!r}]")
    if credited_before is not None and (
        not isinstance(credited_before, Decimal)
        or not credited_before.is_finite()
        or credited_before < 0
    ):
        raise CreditError(
            f"credited_before: expected a Decimal amount >= 0, got {credited_before!r}",
            path=("credited_before",),
        )
    if credited_before is not None:
        _read.decimal(credited_before, ("credited_before",), what="credited_before")


def _claim_calendar(schedule: CreditSchedule, policy: object, given: Any) -> Any:
    """The calendar a business-day claim window counts on: ``given``, else the policy's
    calendar of that name."""
    claim = schedule.claim
    if claim is None or claim.calendar is None:
        return None
    if given is not None:
        if not hasattr(given, "add_business_days"):
            raise CreditError(
                f"claim_calendar: expected a BusinessCalendar, got {type(given).__name__}",
                path=("claim_calendar",),
            )
        return given
    calendars = getattr(policy, "calendars", None)
    found = calendars.get(claim.calendar) if isinstance(calendars, Mapping) else None
    if found is None:
        raise CreditError(
            f"claim: the window counts business days on the calendar {claim.calendar!r}; "
            "pass claim_calendar=BusinessCalendar(...) or a policy that has that calendar",
            path=("claim", "calendar"),
        )
    return found


def _schedule_of(value: object) -> CreditSchedule:
    return _context_of(value)[0]


def _context_of(value: object) -> tuple[CreditSchedule, BillingCycle | None, str | None]:
    """The schedule, and the billing cycle and currency of the policy that holds it."""
    if isinstance(value, CreditSchedule):
        return value, None, None
    for name in ("credit_schedule", "credits"):
        inner = getattr(value, name, None)
        if isinstance(inner, CreditSchedule):
            cycle = getattr(value, "billing_cycle", None)
            currency = getattr(value, "currency", None)
            return (
                inner,
                cycle if isinstance(cycle, BillingCycle) else None,
                currency if isinstance(currency, str) and currency else None,
            )
    raise CreditError(
        f"expected a CreditSchedule (or a policy with a credit_schedule), got "
        f"{type(value).__name__}; build one with CreditSchedule(...) or "
        "CreditSchedule.from_mapping(...)",
        path=("schedule",),
    )


def _show(value: Fraction, places: int) -> str:
    """An exact amount with at least ``places`` decimals; ``≈`` and 6 more when it is longer."""
    short = round_money(value, places, "half_even")
    if Fraction(short) == value:
        return f"{short:f}"
    return f"≈{round_money(value, places + 6, 'half_even'):f}"


@dataclass(slots=True)
class _Stretch:
    start: int
    end: int
    members: list[int]
    counted: list[int]
    total: int = 0
    months: list[int] | None = None


@dataclass(frozen=True, slots=True)
class _Settled:
    amount: Decimal
    exact: Fraction
    period_fee: Fraction
    outcome: Outcome | None
    per_stretch: tuple[tuple[Outcome, Fraction, bool], ...]
    cap_applied: str | None
    minimum_applied: bool
    before_caps: Fraction
    gated: bool


class CreditRun:
    """One schedule applied to one billing period, compiled once for many customers."""

    NO_CLAIM: Final = -(2**63)
    """In a numpy array of claim instants given to :meth:`bulk`: no claim filed."""

    __slots__ = (
        "_allowed",
        "_claim_calendar",
        "_claim_deadline",
        "_currency",
        "_fee_cache",
        "_maint",
        "_months",
        "_occurrences",
        "_plain",
        "end_us",
        "period",
        "period_us",
        "schedule",
        "start_us",
    )

    def __init__(
        self,
        schedule_or_policy: object,
        *,
        period: BillingPeriod,
        maintenance: Sequence[MaintenanceWindow | RecurringMaintenance] = (),
        service_calendar: ServiceCalendar | None = None,
        plan: str | None = None,
        claim_calendar: Any = None,
    ) -> None:
        schedule, billing, currency = _context_of(schedule_or_policy)
        if plan is not None and not isinstance(plan, str):
            raise CreditError(f"plan: expected a plan name, got {plan!r}", path=("plan",))
        schedule = schedule.for_plan(plan)
        if not isinstance(period, BillingPeriod):
            raise CreditError(
                f"period: expected a BillingPeriod (e.g. BillingPeriod.month(2026, 3)), got "
                f"{type(period).__name__}",
                path=("period",),
            )
        if billing is not None and not period.cycle.same_periods(billing):
            raise CreditError(
                f"period: {period.label()} is a period of a cycle {period.cycle.describe()}, "
                f"but the policy bills {billing.describe()}; name one of the policy's periods, "
                "e.g. BillingPeriod.parse('2026-03-15', cycle=policy.billing_cycle)",
                path=("period",),
            )
        self._currency = currency
        self._claim_calendar = _claim_calendar(schedule, schedule_or_policy, claim_calendar)
        self.schedule = schedule
        self.period = period
        self.start_us = p0 = period.start_us
        self.end_us = p1 = period.end_us
        occurrences: list[MaintenanceOccurrence] = []
        for i, window in enumerate(maintenance):
            if not isinstance(window, (MaintenanceWindow, RecurringMaintenance)):
                raise CreditError(
                    f"maintenance[{i}]: expected a MaintenanceWindow or RecurringMaintenance, "
                    f"got {type(window).__name__}",
                    path=("maintenance", i),
                )
            occurrences.extend(window.occurrences(p0, p1))
        occurrences.sort(key=lambda o: (o.start_us, o.end_us, o.id))
        self._occurrences = tuple(occurrences)
        if "scheduled_maintenance" in schedule.exclusions:
            noticed = [
                (max(o.start_us, p0), min(o.end_us, p1))
                for o in occurrences
                if self._noticed(o.notice_us)
            ]
        else:
            noticed = []
        maint = _merge(noticed)
        if service_calendar is None:
            service = [(p0, p1)]
        else:
            segments = getattr(service_calendar, "segments_us", None)
            if segments is None:
                raise CreditError(
                    "service_calendar: expected a BusinessCalendar (with segments_us), got "
                    f"{type(service_calendar).__name__}",
                    path=("service_calendar",),
                )
            service = _merge((max(s, p0), min(e, p1)) for s, e in segments(p0, p1))
        self._maint = _Measure(maint)
        self._allowed = _Measure(_subtract(service, maint))
        self._months = self._month_table(service)
        if schedule.planned_downtime == "out_of_period":
            self.period_us = self._allowed.total
        else:
            self.period_us = sum(e - s for s, e in service)
        self._plain = service_calendar is None and not maint
        self._fee_cache: dict[Fee, Fraction] = {}
        self._claim_deadline = self._period_deadline()

    def _month_table(self, service: list[tuple[int, int]]) -> tuple[list[int], list[int]] | None:
        """For calendar-month proration: each month's start (µs) and the length it counts
        (its service time, less maintenance taken out of the period)."""
        rule = self.schedule.rule
        if getattr(rule, "proration", "period") != "calendar_month":
            return None
        cycle = self.period.cycle
        if cycle.anchor.day != 1:
            raise CreditError(
                "proration by calendar month needs periods of whole calendar months; this "
                f"billing cycle starts on day {cycle.anchor.day}",
                path=("period",),
            )
        zone = cycle.zone
        first = self.period.first_day
        starts = [
            to_us(datetime.combine(first + relativedelta(months=k), time(0), tzinfo=zone))
            for k in range(cycle.months + 1)
        ]
        measure = (
            self._allowed
            if self.schedule.planned_downtime == "out_of_period"
            else _Measure(service)
        )
        lengths = [measure.between(a, b) for a, b in pairwise(starts)]
        return starts, lengths

    def _by_month(self, a: int, b: int) -> list[int]:
        """Counted time of ``[a, b)`` in each calendar month of the period."""
        assert self._months is not None
        starts, _ = self._months
        return [self._allowed.between(max(a, m0), min(b, m1)) for m0, m1 in pairwise(starts)]

    def _noticed(self, notice_us: int) -> bool:
        """Whether maintenance announced ``notice_us`` ahead is excluded."""
        notice = self.schedule.maintenance_notice
        return notice is None or notice_us >= notice // timedelta(microseconds=1)

    # -- claims ------------------------------------------------------------------------------

    def _add_days(self, t_us: int, days: int) -> int:
        zone = self.period.cycle.zone
        local = from_us(t_us).astimezone(zone)
        day: date = local.date() + timedelta(days=days)
        wall = time(local.hour, local.minute, local.second, local.microsecond)
        return to_us(datetime.combine(day, wall, tzinfo=zone).replace(fold=local.fold))

    def _add_months(self, t_us: int, months: int) -> int:
        zone = self.period.cycle.zone
        local = from_us(t_us).astimezone(zone)
        day: date = local.date() + relativedelta(months=months)
        wall = time(local.hour, local.minute, local.second, local.microsecond)
        return to_us(datetime.combine(day, wall, tzinfo=zone).replace(fold=local.fold))

    def _after_business_days(self, t_us: int, days: int) -> int:
        calendar = self._claim_calendar
        assert calendar is not None
        last = calendar.add_business_days(from_us(t_us), days)
        zone = calendar.zone
        following = last.astimezone(zone).date() + timedelta(days=1)
        return to_us(datetime.combine(following, time(0), tzinfo=zone))

    def _deadline_after(self, anchor_us: int, *, cycle_probe_us: int) -> int:
        claim = self.schedule.claim
        assert claim is not None
        if claim.days is not None:
            return self._add_days(anchor_us, claim.days)
        if claim.months is not None:
            return self._add_months(anchor_us, claim.months)
        if claim.business_days is not None:
            return self._after_business_days(anchor_us, claim.business_days)
        assert claim.cycles is not None
        cycle = self.period.cycle
        return cycle.start_us(cycle.index_containing_us(cycle_probe_us) + 1 + claim.cycles)

    def _period_deadline(self) -> int | None:
        claim = self.schedule.claim
        if claim is None or claim.per_incident:
            return None
        if claim.cycles is not None:
            return self.period.shifted(claim.cycles).end_us
        return self._deadline_after(self.end_us, cycle_probe_us=self.end_us - 1)

    def _incident_deadline(self, end_us: int, start_us: int) -> int:
        claim = self.schedule.claim
        assert claim is not None
        if claim.anchor == "incident_start":
            return self._deadline_after(start_us, cycle_probe_us=start_us)
        probe = end_us - 1 if end_us > start_us else end_us
        return self._deadline_after(end_us, cycle_probe_us=probe)

    # -- money -------------------------------------------------------------------------------

    def _period_fee(self, fee: Fee) -> Fraction:
        if not isinstance(fee, Fee):
            raise CreditError(
                f"fee: expected a Fee (e.g. Fee(amount=Decimal('2000.00'), currency='USD', "
                f"per='month')), got {type(fee).__name__} {fee!r}",
                path=("fee",),
            )
        cached = self._fee_cache.get(fee)
        if cached is not None:
            return cached
        if self._currency is not None and fee.currency != self._currency:
            raise CreditError(
                f"fee.currency: the fee is in {fee.currency} but the policy's credits are paid "
                f"in {self._currency}; convert the fee to {self._currency} first",
                path=("fee", "currency"),
            )
        basis = self.schedule.fee_basis
        if basis is not None and fee.per != basis:
            raise CreditError(
                f"fee.per: the schedule's credits are a share of {_FEE_WORDS[basis]} "
                f"(fee_basis {basis!r}), got a fee of {_FEE_WORDS[fee.per]} (per={fee.per!r}); "
                f"pass Fee(..., per={basis!r})",
                path=("fee", "per"),
            )
        amount = Fraction(fee.amount)
        if fee.per == "month":
            value = amount * self.period.cycle.months
        elif fee.per == "hour":
            value = amount * Fraction(self.period_us, US_PER_HOUR)
        else:
            value = amount
        if len(self._fee_cache) >= _FEE_CACHE_LIMIT:
            self._fee_cache.clear()
        self._fee_cache[fee] = value
        return value

    def _settle(
        self,
        counts: Sequence[int],
        fee: Fee,
        charges: Mapping[str, Decimal] | None = None,
        credited_before: Decimal | None = None,
        months: Sequence[Sequence[int]] | None = None,
    ) -> _Settled:
        schedule = self.schedule
        rule = schedule.rule
        period_fee = self._period_fee(fee)
        period_us = self.period_us
        monthly = self._months is not None
        if monthly:
            if fee.per != "month":
                raise CreditError(
                    f"fee.per: proration by calendar month prices each minute at its month's "
                    f"fee; pass a monthly fee (per='month'), got per={fee.per!r}",
                    path=("fee", "per"),
                )
            if months is None:
                raise CreditError(
                    "this schedule prorates by calendar month; credit it with decide() or "
                    "compute_credit, which know where each minute fell",
                    path=("schedule",),
                )

        def by_month(vector: Sequence[int]) -> Outcome:
            assert self._months is not None and isinstance(rule, LostTime)
            share = sum(
                (Fraction(d, n) for d, n in zip(vector, self._months[1], strict=True) if n),
                Fraction(0),
            )
            factor = Fraction(rule.multiple) * share / self.period.cycle.months
            return Outcome("period_fee", factor)

        def value(out: Outcome) -> Fraction:
            if out.base == "period_fee":
                return period_fee * out.factor if out.factor else Fraction(0)
            if fee.per != "hour":
                raise CreditError(
                    f"fee.per: the lost_time rule with rate 'hourly' needs an hourly fee "
                    f"(per='hour'), got per={fee.per!r}; use rate 'prorated' or an hourly fee",
                    path=("fee", "per"),
                )
            return Fraction(fee.amount) * out.factor

        cap_applied: str | None = None
        outcome: Outcome | None = None
        per_stretch: list[tuple[Outcome, Fraction, bool]] = []
        if schedule.basis == "period":
            if monthly:
                assert months is not None
                total = [sum(column) for column in zip(*months, strict=True)] if months else []
                outcome = by_month(total or [0] * len(self._months[1]))  # type: ignore[index]
            else:
                outcome = rule.evaluate(sum(counts), period_us)
            exact = value(outcome)
        else:
            exact = Fraction(0)
            cap = schedule.cap_per_incident
            limit = None if cap is None else cap.limit(period_fee, self.period.days, charges)
            for k, count in enumerate(counts):
                if monthly:
                    assert months is not None
                    out = by_month(months[k])
                else:
                    out = rule.evaluate(count, period_us)
                amount = value(out) if count else Fraction(0)
                capped = limit is not None and amount > limit
                if capped:
                    assert limit is not None
                    amount = limit
                    cap_applied = "incident"
                per_stretch.append((out, amount, capped))
                exact += amount
        gated = False
        if schedule.commitment is not None:
            downtime = sum(counts)
            uptime = Fraction(period_us - downtime, period_us) if period_us else Fraction(1)
            if uptime * _HUNDRED >= Fraction(schedule.commitment):
                gated = exact != 0
                exact = Fraction(0)
                per_stretch = [(out, Fraction(0), False) for out, _, _ in per_stretch]
                cap_applied = None
        before_caps = exact
        if schedule.cap_per_period is not None:
            limit = schedule.cap_per_period.limit(period_fee, self.period.days, charges)
            if exact > limit:
                exact = limit
                cap_applied = "period"
        if schedule.cap_per_12_months is not None:
            if credited_before is None:
                raise CreditError(
                    "credited_before: the schedule caps the credits of any 12 months; pass "
                    "what the 11 billing months before this one credited (Decimal('0.00') "
                    "for none)",
                    path=("credited_before",),
                )
            limit = schedule.cap_per_12_months.limit(period_fee, self.period.days, charges)
            room = max(Fraction(0), limit - Fraction(credited_before))
            if exact > room:
                exact = room
                cap_applied = "12_months"
        places = fee.places
        rounded = round_money(exact, places, schedule.rounding)
        minimum_applied = False
        if schedule.minimum_payout is not None and not schedule.minimum_payout.allows(rounded):
            minimum_applied = rounded != 0
            rounded = round_money(Fraction(0), places)
        return _Settled(
            amount=rounded,
            exact=exact,
            period_fee=period_fee,
            outcome=outcome,
            per_stretch=tuple(per_stretch),
            cap_applied=cap_applied,
            minimum_applied=minimum_applied,
            before_caps=before_caps,
            gated=gated,
        )

    def _trim(self, total: int) -> tuple[int, str | None]:
        """A stretch's counted time after the minimum-length and whole-unit rules."""
        schedule = self.schedule
        minimum = schedule.minimum_downtime // timedelta(microseconds=1)
        if minimum and (
            total < minimum or (total == minimum and "minimum_downtime" in schedule.strict)
        ):
            return 0, "below_minimum_length"
        if schedule.whole is not None:
            unit = schedule.whole // timedelta(microseconds=1)
            return total - total % unit, None
        return total, None

    # -- the fast path -----------------------------------------------------------------------

    def amount_us(
        self,
        spans: Iterable[tuple[int, int, str]],
        *,
        fee: Fee,
        claim_filed_us: int | None = None,
    ) -> Decimal:
        """The credit for incidents given as ``(start_us, end_us, cause)`` spans.

        Equal to ``decide(...).amount`` for the same incidents. Schedules that filter on
        services, error rate or affected share need :meth:`decide`, which has those inputs.
        """
        schedule = self.schedule
        if (
            schedule.services is not None
            or schedule.min_error_rate is not None
            or schedule.min_affected_share is not None
            or schedule.weight is not None
            or schedule.count_from != "start"
        ):
            raise CreditError(
                "amount_us: this schedule filters or weights on services, error rate, "
                "affected share or the report time, which spans do not carry; use decide() "
                "with Incident values",
                path=("schedule",),
            )
        p0, p1 = self.start_us, self.end_us
        exclusions = schedule.exclusions
        claim = schedule.claim
        per_incident_claim = claim is not None and claim.per_incident
        if claim is not None:
            if claim_filed_us is None:
                return round_money(Fraction(0), fee.places)
            if not per_incident_claim and claim_filed_us >= self._claim_deadline:  # type: ignore[operator]
                return round_money(Fraction(0), fee.places)
        covered: list[tuple[int, int]] = []
        any_late = False
        any_in_time = False
        for s, e, cause in spans:
            if e < s:
                raise CreditError(
                    f"span ({s}, {e}): end is before start; swap them or fix the end",
                    path=("spans",),
                )
            if cause != COVERED and cause in exclusions:
                continue
            if cause != COVERED and cause not in EXCLUSION_REASONS:
                self._check_cause(cause, len(covered), f"span {s}..{e}")
            cs = p0 if s < p0 else s
            ce = p1 if e > p1 else e
            if ce <= cs:
                continue
            if per_incident_claim:
                if claim_filed_us >= self._incident_deadline(e, s):  # type: ignore[operator]
                    any_late = True
                    continue
                any_in_time = True
            covered.append((cs, ce))
        if any_late and not any_in_time:
            return round_money(Fraction(0), fee.places)
        if schedule.minutes is not None:
            trash: list[dict[str, int]] = [{} for _ in covered]
            covered = [
                (s, e)
                for s, e, _ in _on_minutes(
                    [(s, e, k) for k, (s, e) in enumerate(covered)],
                    schedule.minutes,
                    p0,
                    p1,
                    trash,
                )
            ]
        covered.sort()
        counts: list[int] = []
        cur_s = cur_e = 0
        started = False
        plain = self._plain
        between = self._allowed.between
        for s, e in covered:
            if started and s <= cur_e:
                if e > cur_e:
                    cur_e = e
                continue
            if started:
                counts.append(cur_e - cur_s if plain else between(cur_s, cur_e))
            cur_s, cur_e, started = s, e, True
        if started:
            counts.append(cur_e - cur_s if plain else between(cur_s, cur_e))
        if schedule.minimum_downtime or schedule.whole is not None:
            counts = [self._trim(c)[0] for c in counts]
        return self._settle(counts, fee).amount

    # -- whole columns -----------------------------------------------------------------------

    def bulk_ready(self) -> bool:
        """Whether :meth:`bulk` can credit this schedule: numpy is installed and every choice
        of the schedule is measured on columns (basis ``period``; no service, error-rate or
        affected-share filter; no weighting, report time or clock minutes)."""
        s = self.schedule
        if (
            s.basis != "period"
            or s.services is not None
            or s.min_error_rate is not None
            or s.min_affected_share is not None
            or s.weight is not None
            or s.count_from != "start"
            or s.minutes is not None
            or s.cap_per_12_months is not None
            or getattr(s.rule, "proration", "period") != "period"
            or (s.cap_per_period is not None and s.cap_per_period.of != "period_fee")
        ):
            return False
        try:
            import numpy  # noqa: F401
        except ImportError:  # pragma: no cover - numpy is an optional extra
            return False
        return True

    def bulk(
        self,
        *,
        customer: Sequence[int],
        start_us: Sequence[int],
        end_us: Sequence[int],
        cause: Sequence[str] | Sequence[int],
        customers: int,
        fee_index: Sequence[int],
        fees: Sequence[Fee],
        claim_filed_us: Sequence[int | None] | Any,
        cause_names: Sequence[str] | None = None,
    ) -> BulkCredits:
        """Credits of ``customers`` customers at once, from incident columns.

        Incident ``k`` belongs to customer ``customer[k]`` (0 .. customers-1) and spans
        ``[start_us[k], end_us[k])`` with ``cause[k]``; customer ``c`` pays ``fees[fee_index[c]]``
        and filed a claim at ``claim_filed_us[c]`` (``None``: none). Each customer's downtime,
        band, percent, amount and claim equal :meth:`decide`'s for the same incidents. Needs
        numpy and a schedule :meth:`bulk_ready` accepts.

        Columns may be lists or numpy arrays. With ``cause_names``, ``cause`` holds integer
        codes into it (faster than names); a numpy array of claim instants marks a customer
        without a claim with :attr:`NO_CLAIM`.
        """
        if not self.bulk_ready():
            raise CreditError(
                "bulk: this schedule needs each incident's details (or numpy is missing); "
                "use billing_run, which decides each customer in turn, or decide()",
                path=("schedule",),
            )
        from sla_engine.credits._bulk import bulk

        return bulk(
            self,
            customer=customer,
            start_us=start_us,
            end_us=end_us,
            cause=cause,
            customers=customers,
            fee_index=fee_index,
            fees=fees,
            claim_filed_us=claim_filed_us,
            cause_names=cause_names,
        )

    # -- the full decision -------------------------------------------------------------------

    def decide(
        self,
        incidents: Sequence[Incident],
        *,
        fee: Fee,
        claim_filed_at: datetime | None = None,
        charges: Mapping[str, Decimal] | None = None,
        credited_before: Decimal | None = None,
    ) -> CreditDecision:
        """The full decision for one customer's incidents in this period. ``charges`` are the
        customer's own charges that caps refer to, by name (``{"invoice": ...}``);
        ``credited_before`` is what the 11 billing months before this one credited, for a
        12-month cap. Both are in the fee's currency."""
        schedule = self.schedule
        _check_money(charges, credited_before)
        p0, p1 = self.start_us, self.end_us
        period_fee = self._period_fee(fee)
        places = fee.places
        filed_us = (
            None
            if claim_filed_at is None
            else horizon_us(claim_filed_at, "claim_filed_at", path=("claim_filed_at",))
        )
        seen: set[str] = set()
        for i, inc in enumerate(incidents):
            if not isinstance(inc, Incident):
                raise CreditError(
                    f"incidents[{i}]: expected an Incident, got {type(inc).__name__}; build it "
                    "with Incident(...) or Incident.from_mapping(...)",
                    path=("incidents", i),
                )
            if inc.id in seen:
                raise CreditError(
                    f"incidents[{i}]: the id {inc.id!r} is used twice; give each incident its "
                    "own id",
                    path=("incidents", i, "id"),
                )
            seen.add(inc.id)

        trace: list[str] = []
        period = self.period
        trace.append(
            f"period {period.label()}: {utc_iso(p0)} .. {utc_iso(p1)}; "
            f"{format_duration(us_to_td(self.period_us))} of service counted"
        )
        for occ in self._occurrences:
            excluded_kind = "scheduled_maintenance" in schedule.exclusions
            notice_ok = self._noticed(occ.notice_us)
            needed = schedule.maintenance_notice or timedelta(0)
            status = (
                "its downtime is excluded"
                if excluded_kind and notice_ok
                else "scheduled maintenance is covered by this schedule; its downtime counts"
                if not excluded_kind
                else f"announced only {format_duration(us_to_td(max(occ.notice_us, 0)))} ahead "
                f"(needs {format_duration(needed)}); its downtime counts"
            )
            if schedule.planned_downtime == "out_of_period" and excluded_kind and notice_ok:
                status += " and taken out of the period's length"
            trace.append(
                f"maintenance {occ.id}: {utc_iso(occ.start_us)} .. {utc_iso(occ.end_us)}; {status}"
            )

        # claim
        claim = schedule.claim
        claim_accepted = True
        claim_reason = "no claim needed"
        if claim is not None:
            if filed_us is None:
                claim_accepted = False
                claim_reason = (
                    f"no claim filed; the schedule requires one within {claim.describe()}"
                )
            elif claim.anchor == "period_end":
                deadline = self._claim_deadline
                assert deadline is not None
                if filed_us < deadline:
                    claim_reason = (
                        f"claim filed {utc_iso(filed_us)}, before the deadline "
                        f"{utc_iso(deadline)} ({claim.describe()})"
                    )
                else:
                    claim_accepted = False
                    claim_reason = (
                        f"claim filed {utc_iso(filed_us)}, at or after the deadline "
                        f"{utc_iso(deadline)} ({claim.describe()}, which is already late); "
                        "no credit"
                    )
            else:
                claim_reason = (
                    f"claim filed {utc_iso(filed_us)}; each incident's deadline is "
                    f"{claim.describe()}"
                )

        # classify and clip each incident
        excluded: list[dict[str, int]] = []
        deadlines: list[int | None] = []
        covered: list[tuple[int, int, int]] = []
        late_ids: list[str] = []
        in_time = 0
        for i, inc in enumerate(incidents):
            s, e = inc.start_us, inc.end_us
            reasons: dict[str, int] = {}
            excluded.append(reasons)
            cs, ce = max(s, p0), min(e, p1)
            inside = max(0, ce - cs)
            if (e - s) - inside:
                reasons["outside_period"] = (e - s) - inside
            deadline = None
            if claim is not None and claim.per_incident:
                deadline = self._incident_deadline(e, s)
            deadlines.append(deadline)
            if not inside:
                continue
            reason = self._exclusion(inc, i)
            if (
                reason is None
                and deadline is not None
                and filed_us is not None
                and filed_us >= deadline
            ):
                reason = "claim_late"
                late_ids.append(inc.id)
            if reason is not None:
                reasons[reason] = reasons.get(reason, 0) + inside
                continue
            if deadline is not None and filed_us is not None:
                in_time += 1
            if schedule.count_from == "reported_at":
                if inc.reported_at is None:
                    raise CreditError(
                        f"incidents[{i}] ({inc.id!r}): the schedule counts downtime from the "
                        "customer's report; give the incident's reported_at",
                        path=("incidents", i, "reported_at"),
                    )
                reported = to_us(inc.reported_at)
                if reported > cs:
                    before = min(reported, ce) - cs
                    reasons["before_report"] = before
                    cs += before
                    if cs >= ce:
                        continue
            covered.append((cs, ce, i))
        if claim is not None and claim.per_incident and filed_us is not None:
            if late_ids and not in_time:
                claim_accepted = False
                claim_reason += (
                    f"; filed too late for every covered incident ({', '.join(late_ids)})"
                )
            elif late_ids:
                claim_reason += f"; too late for {', '.join(late_ids)}, which do not count"
            else:
                claim_reason += "; in time for every covered incident"

        # clock minutes, then (when weighting) one owner for each instant
        if schedule.minutes is not None:
            covered = _on_minutes(covered, schedule.minutes, p0, p1, excluded)
        weights: list[Fraction] | None = None
        if schedule.weight is not None:
            weights = [self._weight(inc, i) for i, inc in enumerate(incidents)]
            covered = _owned(covered, weights, excluded)

        # merge into stretches and measure
        covered.sort(key=lambda c: (c[0], c[1], c[2]))
        stretches: list[_Stretch] = []
        counted_by: dict[int, int] = {}
        stretch_of: dict[int, int] = {}
        cur_end = 0
        for cs, ce, i in covered:
            if stretches and cs <= cur_end:
                st = stretches[-1]
                overlap_end = min(ce, cur_end)
                if overlap_end > cs:
                    excluded[i]["overlap"] = excluded[i].get("overlap", 0) + overlap_end - cs
                new_s = overlap_end
                if ce > cur_end:
                    cur_end = ce
                    st.end = ce
            else:
                st = _Stretch(start=cs, end=ce, members=[], counted=[])
                stretches.append(st)
                new_s = cs
                cur_end = ce
            counted = maint = 0
            if ce > new_s:
                counted = self._allowed.between(new_s, ce)
                maint = self._maint.between(new_s, ce)
                outside = (ce - new_s) - counted - maint
                if maint:
                    excluded[i]["scheduled_maintenance"] = (
                        excluded[i].get("scheduled_maintenance", 0) + maint
                    )
                if outside:
                    excluded[i]["outside_service_hours"] = (
                        excluded[i].get("outside_service_hours", 0) + outside
                    )
                vector = None if self._months is None else self._by_month(new_s, ce)
                if weights is not None and weights[i] != 1:
                    if vector is not None:  # floor in each month: never adds time
                        vector = [int(d * weights[i]) for d in vector]
                        weighted = sum(vector)
                    else:
                        weighted = int(counted * weights[i])  # floor: never adds time
                    if counted - weighted:
                        excluded[i]["partial_outage"] = (
                            excluded[i].get("partial_outage", 0) + counted - weighted
                        )
                    counted = weighted
                if vector is not None:
                    if st.months is None:
                        st.months = [0] * len(vector)
                    st.months = [a + b for a, b in zip(st.months, vector, strict=True)]
            st.members.append(i)
            st.counted.append(counted)
            st.total += counted
            counted_by[i] = counted_by.get(i, 0) + counted
            stretch_of[i] = len(stretches) - 1

        # the minimum-length and whole-unit rules, attributed back to incidents
        counts: list[int] = []
        dropped: list[str | None] = []
        for st in stretches:
            kept, why = self._trim(st.total)
            counts.append(kept)
            dropped.append(why)
            removed = st.total - kept
            reason = why or "partial_unit"
            for i, c in zip(reversed(st.members), reversed(st.counted), strict=True):
                if removed <= 0:
                    break
                take = min(c, removed)
                if take:
                    counted_by[i] -= take
                    excluded[i][reason] = excluded[i].get(reason, 0) + take
                    removed -= take

        months: list[list[int]] | None = None
        if self._months is not None:
            months = []
            for st, kept in zip(stretches, counts, strict=True):
                vector = list(st.months or [0] * len(self._months[1]))
                removed = sum(vector) - kept
                for m in reversed(range(len(vector))):  # a trimmed tail leaves the last months
                    take = min(vector[m], removed)
                    vector[m] -= take
                    removed -= take
                months.append(vector)
        settled = self._settle(counts, fee, charges, credited_before, months)
        amount = settled.amount
        if not claim_accepted:
            amount = round_money(Fraction(0), places)

        # lines, stretches and trace
        lines: list[IncidentLine] = []
        for i, inc in enumerate(incidents):
            reasons = excluded[i]
            dl = deadlines[i]
            lines.append(
                IncidentLine(
                    id=inc.id,
                    cause=inc.cause,
                    start=inc.start,
                    end=inc.end,
                    counted=us_to_td(counted_by.get(i, 0)),
                    excluded=tuple((r, us_to_td(v)) for r, v in sorted(reasons.items()) if v),
                    stretch=stretch_of.get(i),
                    claim_deadline=None if dl is None else from_us(dl),
                )
            )
            parts = [f"{format_duration(us_to_td(counted_by.get(i, 0)))} counted"]
            parts += [
                f"{format_duration(us_to_td(v))} excluded ({r})"
                for r, v in sorted(reasons.items())
                if v
            ]
            trace.append(
                f"incident {inc.id} ({inc.cause}) {utc_iso(inc.start_us)} .. "
                f"{utc_iso(inc.end_us)}: {'; '.join(parts)}"
            )
        out_stretches: list[DowntimeStretch] = []
        for k, st in enumerate(stretches):
            ids = tuple(incidents[i].id for i in st.members)
            band = percent = None
            st_amount: Decimal | None = None
            capped = False
            if settled.per_stretch:
                out, value, capped = settled.per_stretch[k]
                band, percent = out.band, out.percent
                st_amount = round_money(value, places, schedule.rounding)
            out_stretches.append(
                DowntimeStretch(
                    index=k,
                    start=from_us(st.start),
                    end=from_us(st.end),
                    incident_ids=ids,
                    counted=us_to_td(counts[k]),
                    dropped=dropped[k],
                    band=band,
                    percent=percent,
                    amount=st_amount,
                    capped=capped,
                )
            )
            note = f"; dropped ({dropped[k]})" if dropped[k] else ""
            detail = ""
            if settled.per_stretch:
                detail = f"; credit {_show(settled.per_stretch[k][1], places)}"
                if band is not None or percent is not None:
                    detail += f" ({band or 'no band'}, {percent}%)"
                if capped:
                    detail += " capped per incident"
            trace.append(
                f"stretch {k} [{', '.join(ids)}] {utc_iso(st.start)} .. {utc_iso(st.end)}: "
                f"{format_duration(us_to_td(counts[k]))} counted{note}{detail}"
            )

        downtime = sum(counts)
        share = (
            Fraction(self.period_us - downtime, self.period_us) if self.period_us else Fraction(1)
        )
        trace.append(
            f"downtime {format_duration(us_to_td(downtime))} of "
            f"{format_duration(us_to_td(self.period_us))}; uptime "
            f"{_show(share * 100, 4)}%"
        )
        rule_band = rule_pct = None
        if settled.outcome is not None:
            rule_band, rule_pct = settled.outcome.band, settled.outcome.percent
            what = (
                f"band {rule_band} -> {rule_pct}%; "
                if rule_band is not None or rule_pct is not None
                else ""
            )
            trace.append(
                f"{schedule.rule.kind}: {what}credit {_show(settled.before_caps, places)} of "
                f"period fee {_show(period_fee, places)} {fee.currency}"
            )
        else:
            trace.append(
                f"{schedule.rule.kind} per incident: sum {_show(settled.before_caps, places)} of "
                f"period fee {_show(period_fee, places)} {fee.currency}"
            )
        if schedule.commitment is not None:
            below = share * 100 < Fraction(schedule.commitment)
            trace.append(
                f"commitment {schedule.commitment}%: uptime {_show(share * 100, 4)}% is "
                + ("below it; the credit is owed" if below else "not below it; no credit owed")
            )
        if settled.cap_applied == "period":
            assert schedule.cap_per_period is not None
            trace.append(
                f"capped at {schedule.cap_per_period.describe()} per period: "
                f"{_show(settled.exact, places)}"
            )
        if settled.cap_applied == "12_months":
            assert schedule.cap_per_12_months is not None and credited_before is not None
            trace.append(
                f"capped at {schedule.cap_per_12_months.describe()} over 12 months, of which "
                f"{credited_before:f} was credited before: {_show(settled.exact, places)}"
            )
        trace.append(
            f"rounded once, {schedule.rounding}, to {places} decimals: {settled.amount:f} "
            f"{fee.currency}"
        )
        if settled.minimum_applied:
            assert schedule.minimum_payout is not None
            mp = schedule.minimum_payout
            trace.append(
                f"minimum payout: paid only when the credit {mp.comparison} {mp.amount:f}; "
                f"credit is {amount:f}"
            )
        trace.append(f"claim: {claim_reason}")
        trace.append(f"credit: {amount:f} {fee.currency}")

        totals: dict[str, int] = {}
        for reasons in excluded:
            for r, v in reasons.items():
                if r not in ("outside_period", "overlap") and v:
                    totals[r] = totals.get(r, 0) + v
        return CreditDecision(
            period=period.label(),
            period_start=from_us(p0),
            period_end=from_us(p1),
            basis=schedule.basis,
            rule=schedule.rule.kind,
            period_length=us_to_td(self.period_us),
            downtime=us_to_td(downtime),
            excluded=tuple((r, us_to_td(v)) for r, v in sorted(totals.items())),
            uptime_share=share,
            band=rule_band,
            percent=rule_pct,
            fee=fee,
            period_fee=period_fee,
            amount=amount,
            currency=fee.currency,
            cap_applied=settled.cap_applied,
            minimum_applied=settled.minimum_applied,
            claim_accepted=claim_accepted,
            claim_reason=claim_reason,
            incidents=tuple(lines),
            stretches=tuple(out_stretches),
            trace=tuple(trace),
        )

    def _weight(self, inc: Incident, i: int) -> Fraction:
        """The share of its downtime an incident counts with, under ``schedule.weight``."""
        name = self.schedule.weight
        assert name is not None
        value = getattr(inc, name)
        if value is None:
            raise CreditError(
                f"incidents[{i}] ({inc.id!r}): the schedule weights downtime by {name}; give "
                f"the incident's {name} (1 for a full outage)",
                path=("incidents", i, name),
            )
        return Fraction(value)

    def _check_cause(self, cause: str, i: int, ident: str) -> None:
        schedule = self.schedule
        if cause == COVERED or cause in EXCLUSION_REASONS or cause in schedule.causes:
            return
        raise CreditError(
            f"incidents[{i}] ({ident!r}): cause {cause!r} is not declared by the schedule; "
            f"expected {COVERED}, one of "
            f"{', '.join((*EXCLUSION_REASONS, *sorted(schedule.causes)))}, or declare it under "
            "causes",
            path=("incidents", i, "cause"),
        )

    def _exclusion(self, inc: Incident, i: int) -> str | None:
        schedule = self.schedule
        self._check_cause(inc.cause, i, inc.id)
        if inc.cause != COVERED and inc.cause in schedule.exclusions:
            return inc.cause
        if (
            schedule.services is not None
            and inc.services
            and not (inc.services & schedule.services)
        ):
            return "service_not_covered"
        for name, value, threshold in (
            ("error_rate", inc.error_rate, schedule.min_error_rate),
            ("affected_share", inc.affected_share, schedule.min_affected_share),
        ):
            if threshold is None:
                continue
            if value is None:
                raise CreditError(
                    f"incidents[{i}] ({inc.id!r}): the schedule counts an incident only when "
                    f"its {name} is {'above' if f'min_{name}' in schedule.strict else 'at least'} "
                    f"{threshold}; give the incident's {name}",
                    path=("incidents", i, name),
                )
            if value < threshold or (value == threshold and f"min_{name}" in schedule.strict):
                return f"below_{name}"
        return None


def compute_credit(
    schedule_or_policy: object,
    incidents: Sequence[Incident],
    *,
    period: BillingPeriod,
    fee: Fee,
    claim_filed_at: datetime | None = None,
    maintenance: Sequence[MaintenanceWindow | RecurringMaintenance] = (),
    service_calendar: ServiceCalendar | None = None,
    plan: str | None = None,
    claim_calendar: Any = None,
    charges: Mapping[str, Decimal] | None = None,
    credited_before: Decimal | None = None,
) -> CreditDecision:
    """The credit for one customer's ``incidents`` in one billing ``period``.

    Incidents outside the period are clipped to it (a period's credit depends only on it);
    overlapping or touching covered incidents are merged; excluded causes, noticed maintenance
    and time outside ``service_calendar`` (when given) are dropped with their reason; then the
    schedule's rule, caps, rounding (once), minimum payout and claim window apply. ``plan``
    picks the schedule of the customer's plan (``CreditSchedule.plans``); ``claim_calendar`` is
    the calendar a claim window in business days counts on (default: the policy's calendar the
    window names). ``charges`` and ``credited_before`` feed caps of the customer's own charges
    and over 12 months (see :meth:`CreditRun.decide`).
    """
    run = CreditRun(
        schedule_or_policy,
        period=period,
        maintenance=maintenance,
        service_calendar=service_calendar,
        plan=plan,
        claim_calendar=claim_calendar,
    )
    return run.decide(
        incidents,
        fee=fee,
        claim_filed_at=claim_filed_at,
        charges=charges,
        credited_before=credited_before,
    )
