"""From incidents to a credit: merge, clip, exclude, measure, apply the rule, cap, round.

:func:`compute_credit` gives the full :class:`~sla_engine.credits.decision.CreditDecision`.
:class:`CreditRun` compiles a schedule for one billing period once (maintenance windows, the
service-hours calendar) and then credits many customers: ``run.decide(...)`` for decisions,
``run.amount_us(...)`` for the bare amount from integer-microsecond spans (a bill run over
millions of customers). Both share one measuring and settling path, so they always agree.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Final, Protocol

from sla_engine._time import (
    US_PER_HOUR,
    format_duration,
    from_us,
    horizon_us,
    to_us,
    us_to_td,
)
from sla_engine.credits.decision import CreditDecision, DowntimeStretch, IncidentLine
from sla_engine.credits.incident import COVERED, Incident
from sla_engine.credits.maintenance import (
    MaintenanceOccurrence,
    MaintenanceWindow,
    RecurringMaintenance,
)
from sla_engine.credits.money import Fee, round_money
from sla_engine.credits.period import BillingPeriod, utc_iso
from sla_engine.credits.schedule import CreditSchedule, Outcome
from sla_engine.errors import CreditError

__all__ = ["CreditRun", "ServiceCalendar", "compute_credit"]

_FEE_CACHE_LIMIT: Final = 4096


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


def _schedule_of(value: object) -> CreditSchedule:
    if isinstance(value, CreditSchedule):
        return value
    for name in ("credit_schedule", "credits"):
        inner = getattr(value, name, None)
        if isinstance(inner, CreditSchedule):
            return inner
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


class CreditRun:
    """One schedule applied to one billing period, compiled once for many customers."""

    __slots__ = (
        "_allowed",
        "_claim_deadline",
        "_fee_cache",
        "_maint",
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
    ) -> None:
        schedule = _schedule_of(schedule_or_policy)
        if not isinstance(period, BillingPeriod):
            raise CreditError(
                f"period: expected a BillingPeriod (e.g. BillingPeriod.month(2026, 3)), got "
                f"{type(period).__name__}",
                path=("period",),
            )
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
        notice = schedule.maintenance_notice // timedelta(microseconds=1)
        if "scheduled_maintenance" in schedule.exclusions:
            noticed = [
                (max(o.start_us, p0), min(o.end_us, p1))
                for o in occurrences
                if o.notice_us >= notice
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
        self.period_us = sum(e - s for s, e in service)
        self._maint = _Measure(maint)
        self._allowed = _Measure(_subtract(service, maint))
        self._plain = service_calendar is None and not maint
        self._fee_cache: dict[Fee, Fraction] = {}
        self._claim_deadline = self._period_deadline()

    # -- claims ------------------------------------------------------------------------------

    def _add_days(self, t_us: int, days: int) -> int:
        zone = self.period.cycle.zone
        local = from_us(t_us).astimezone(zone)
        day: date = local.date() + timedelta(days=days)
        wall = time(local.hour, local.minute, local.second, local.microsecond)
        return to_us(datetime.combine(day, wall, tzinfo=zone).replace(fold=local.fold))

    def _period_deadline(self) -> int | None:
        claim = self.schedule.claim
        if claim is None or claim.anchor != "period_end":
            return None
        if claim.days is not None:
            return self._add_days(self.end_us, claim.days)
        assert claim.cycles is not None
        return self.period.shifted(claim.cycles).end_us

    def _incident_deadline(self, end_us: int, start_us: int) -> int:
        claim = self.schedule.claim
        assert claim is not None
        if claim.days is not None:
            return self._add_days(end_us, claim.days)
        assert claim.cycles is not None
        cycle = self.period.cycle
        index = cycle.index_containing_us(end_us - 1 if end_us > start_us else end_us)
        return cycle.start_us(index + 1 + claim.cycles)

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

    def _settle(self, counts: Sequence[int], fee: Fee) -> _Settled:
        schedule = self.schedule
        rule = schedule.rule
        period_fee = self._period_fee(fee)
        period_us = self.period_us

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
            outcome = rule.evaluate(sum(counts), period_us)
            exact = value(outcome)
        else:
            exact = Fraction(0)
            cap = schedule.cap_per_incident
            limit = None if cap is None else cap.limit(period_fee, self.period.days)
            for count in counts:
                out = rule.evaluate(count, period_us)
                amount = value(out) if count else Fraction(0)
                capped = limit is not None and amount > limit
                if capped:
                    assert limit is not None
                    amount = limit
                    cap_applied = "incident"
                per_stretch.append((out, amount, capped))
                exact += amount
        before_caps = exact
        if schedule.cap_per_period is not None:
            limit = schedule.cap_per_period.limit(period_fee, self.period.days)
            if exact > limit:
                exact = limit
                cap_applied = "period"
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
        )

    def _trim(self, total: int) -> tuple[int, str | None]:
        """A stretch's counted time after the minimum-length and whole-unit rules."""
        schedule = self.schedule
        minimum = schedule.minimum_downtime // timedelta(microseconds=1)
        if minimum and total < minimum:
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
        ):
            raise CreditError(
                "amount_us: this schedule filters on services, error rate or affected share, "
                "which spans do not carry; use decide() with Incident values",
                path=("schedule",),
            )
        p0, p1 = self.start_us, self.end_us
        exclusions = schedule.exclusions
        claim = schedule.claim
        per_incident_claim = claim is not None and claim.anchor == "incident_end"
        if claim is not None:
            if claim_filed_us is None:
                return round_money(Fraction(0), fee.places)
            if not per_incident_claim and claim_filed_us > self._claim_deadline:  # type: ignore[operator]
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
            cs = p0 if s < p0 else s
            ce = p1 if e > p1 else e
            if ce <= cs:
                continue
            if per_incident_claim:
                if claim_filed_us > self._incident_deadline(e, s):  # type: ignore[operator]
                    any_late = True
                    continue
                any_in_time = True
            covered.append((cs, ce))
        if any_late and not any_in_time:
            return round_money(Fraction(0), fee.places)
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

    # -- the full decision -------------------------------------------------------------------

    def decide(
        self,
        incidents: Sequence[Incident],
        *,
        fee: Fee,
        claim_filed_at: datetime | None = None,
    ) -> CreditDecision:
        """The full decision for one customer's incidents in this period."""
        schedule = self.schedule
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
            notice_ok = occ.notice_us >= schedule.maintenance_notice // timedelta(microseconds=1)
            status = (
                "its downtime is excluded"
                if excluded_kind and notice_ok
                else "scheduled maintenance is covered by this schedule; its downtime counts"
                if not excluded_kind
                else f"announced only {format_duration(us_to_td(max(occ.notice_us, 0)))} ahead "
                f"(needs {format_duration(schedule.maintenance_notice)}); its downtime counts"
            )
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
                if filed_us <= deadline:
                    claim_reason = (
                        f"claim filed {utc_iso(filed_us)}, by the deadline {utc_iso(deadline)} "
                        f"({claim.describe()})"
                    )
                else:
                    claim_accepted = False
                    claim_reason = (
                        f"claim filed {utc_iso(filed_us)}, after the deadline {utc_iso(deadline)} "
                        f"({claim.describe()}); no credit"
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
            if claim is not None and claim.anchor == "incident_end":
                deadline = self._incident_deadline(e, s)
            deadlines.append(deadline)
            if not inside:
                continue
            reason = self._exclusion(inc, i)
            if (
                reason is None
                and deadline is not None
                and filed_us is not None
                and filed_us > deadline
            ):
                reason = "claim_late"
                late_ids.append(inc.id)
            if reason is not None:
                reasons[reason] = reasons.get(reason, 0) + inside
                continue
            if deadline is not None and filed_us is not None:
                in_time += 1
            covered.append((cs, ce, i))
        if claim is not None and claim.anchor == "incident_end" and filed_us is not None:
            if late_ids and not in_time:
                claim_accepted = False
                claim_reason += (
                    f"; filed too late for every covered incident ({', '.join(late_ids)})"
                )
            elif late_ids:
                claim_reason += f"; too late for {', '.join(late_ids)}, which do not count"
            else:
                claim_reason += "; in time for every covered incident"

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
                    excluded[i]["overlap"] = overlap_end - cs
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
                    excluded[i]["outside_service_hours"] = outside
            st.members.append(i)
            st.counted.append(counted)
            st.total += counted
            counted_by[i] = counted
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

        settled = self._settle(counts, fee)
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
        if settled.cap_applied == "period":
            assert schedule.cap_per_period is not None
            trace.append(
                f"capped at {schedule.cap_per_period.describe()} per period: "
                f"{_show(settled.exact, places)}"
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

    def _exclusion(self, inc: Incident, i: int) -> str | None:
        schedule = self.schedule
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
                    f"its {name} is at least {threshold}; give the incident's {name}",
                    path=("incidents", i, name),
                )
            if value < threshold:
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
) -> CreditDecision:
    """The credit for one customer's ``incidents`` in one billing ``period``.

    Incidents outside the period are clipped to it (a period's credit depends only on it);
    overlapping or touching covered incidents are merged; excluded causes, noticed maintenance
    and time outside ``service_calendar`` (when given) are dropped with their reason; then the
    schedule's rule, caps, rounding (once), minimum payout and claim window apply.
    """
    run = CreditRun(
        schedule_or_policy,
        period=period,
        maintenance=maintenance,
        service_calendar=service_calendar,
    )
    return run.decide(incidents, fee=fee, claim_filed_at=claim_filed_at)
