"""The billing run: the credits of every customer of one period at once.

:func:`billing_run` takes two tables as rows (any iterable of mappings, such as a
``csv.DictReader``): customers (``customer``, ``fee``, and optionally ``plan``, ``currency``,
``fee_per``, ``claim_filed_at``) and incidents (``customer``, ``start``, ``end``, and optionally
``id``, ``cause``, ``error_rate``, ``affected_share``, ``reported_at``). It answers a
:class:`CreditTable`: one :class:`CreditRow` per customer, in the customers' order, with the
trace only when asked for.

Every row equals what :func:`~sla_engine.credits.compute.compute_credit` decides for that
customer alone. When numpy is installed and the schedule's choices allow it, the measuring is
done over whole columns at once (:meth:`CreditRun.bulk`) and the money is settled once per
distinct (fee, band) by the same code the full decision uses; otherwise each customer is
decided in turn.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import MAX_PREC, Decimal, Inexact, localcontext
from fractions import Fraction
from typing import IO, Any, Final

from sla_engine._time import format_duration, horizon_us, us_to_td
from sla_engine.credits import _read
from sla_engine.credits.compute import CreditRun, ServiceCalendar, _context_of
from sla_engine.credits.decision import CreditDecision
from sla_engine.credits.incident import _CAUSE_NAME, CAUSES, COVERED, Incident
from sla_engine.credits.maintenance import MaintenanceWindow, RecurringMaintenance
from sla_engine.credits.money import FEE_BASES, Fee
from sla_engine.credits.period import BillingPeriod
from sla_engine.errors import CreditError

__all__ = ["CLAIM_NOTES", "CreditRow", "CreditTable", "billing_run"]

CLAIM_NOTES: Final[tuple[str, ...]] = (
    "no claim needed",
    "no claim filed",
    "filed in time",
    "filed after the deadline",
    "filed too late for every covered incident",
    "filed too late for some incidents, which do not count",
)
"""The short claim notes of a :class:`CreditRow` (the decision's trace has the full reason)."""

_NOT_NEEDED, _NOT_FILED, _IN_TIME, _AFTER, _ALL_LATE, _SOME_LATE = range(6)
_CUSTOMER_KEYS: Final = (
    "customer",
    "plan",
    "fee",
    "currency",
    "fee_per",
    "claim_filed_at",
    "credited_before",
)
_INCIDENT_KEYS: Final = (
    "customer",
    "id",
    "start",
    "end",
    "cause",
    "services",
    "error_rate",
    "affected_share",
    "reported_at",
)
_COLUMNS: Final = (
    "customer",
    "plan",
    "period",
    "downtime",
    "excluded",
    "uptime",
    "band",
    "percent",
    "amount",
    "currency",
    "claim_accepted",
    "claim",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditRow:
    """One customer's credit for the period: what a billing system posts."""

    customer: str
    plan: str | None
    period: str
    downtime: timedelta
    excluded: timedelta
    uptime_share: Fraction
    band: str | None
    percent: Decimal | None
    amount: Decimal
    currency: str
    claim_accepted: bool
    claim: str
    trace: tuple[str, ...] | None = None

    def to_mapping(self) -> dict[str, str]:
        """Plain text for a CSV row: durations as ``1h30m``, uptime in percent to 6 places."""
        uptime = _read.format_decimal(
            (Decimal(self.uptime_share.numerator) * 100 / self.uptime_share.denominator).quantize(
                Decimal("0.000001")
            )
        )
        return {
            "customer": self.customer,
            "plan": self.plan or "",
            "period": self.period,
            "downtime": format_duration(self.downtime),
            "excluded": format_duration(self.excluded),
            "uptime": uptime,
            "band": self.band or "",
            "percent": "" if self.percent is None else _read.format_decimal(self.percent),
            "amount": _read.format_decimal(self.amount),
            "currency": self.currency,
            "claim_accepted": "true" if self.claim_accepted else "false",
            "claim": self.claim,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditTable:
    """The decisions of a billing run, one per customer, kept as columns."""

    period: str
    period_us: int
    customer: Sequence[str]
    plan: Sequence[str | None]
    downtime_us: Sequence[int]
    excluded_us: Sequence[int]
    band: Sequence[str | None]
    percent: Sequence[Decimal | None]
    amount: Sequence[Decimal]
    currency: Sequence[str]
    claim_accepted: Sequence[bool]
    claim: Sequence[str]
    trace: Sequence[tuple[str, ...]] | None = None
    period_lengths_us: Sequence[int] | None = None
    """Each row's period length when plans count it differently (else ``period_us``)."""

    def __len__(self) -> int:
        return len(self.customer)

    def row(self, i: int) -> CreditRow:
        """Row ``i`` as a :class:`CreditRow`."""
        p = self.period_us if self.period_lengths_us is None else self.period_lengths_us[i]
        d = self.downtime_us[i]
        return CreditRow(
            customer=self.customer[i],
            plan=self.plan[i],
            period=self.period,
            downtime=us_to_td(d),
            excluded=us_to_td(self.excluded_us[i]),
            uptime_share=Fraction(p - d, p) if p else Fraction(1),
            band=self.band[i],
            percent=self.percent[i],
            amount=self.amount[i],
            currency=self.currency[i],
            claim_accepted=self.claim_accepted[i],
            claim=self.claim[i],
            trace=None if self.trace is None else self.trace[i],
        )

    def rows(self) -> Iterable[CreditRow]:
        """Every row, in the customers' order."""
        return (self.row(i) for i in range(len(self)))

    def totals(self) -> dict[str, Decimal]:
        """The credits' total per currency."""
        out: dict[str, Decimal] = {}
        with localcontext() as exact:  # a sum of amounts is exact: it never rounds
            exact.prec = MAX_PREC
            exact.traps[Inexact] = True
            for amount, currency in zip(self.amount, self.currency, strict=True):
                out[currency] = out.get(currency, Decimal(0)) + amount
        return out

    def write_csv(self, out: IO[str]) -> None:
        """Write the table as CSV with a header (see :meth:`CreditRow.to_mapping`)."""
        writer = csv.DictWriter(out, fieldnames=_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.rows():
            writer.writerow(row.to_mapping())


# ---------------------------------------------------------------------------------------------
# reading the two tables


@dataclass(slots=True)
class _Customer:
    id: str
    plan: str | None
    fee: Fee
    filed_us: int | None
    charges: dict[str, Decimal] | None = None
    credited_before: Decimal | None = None


def _text(row: Mapping[str, object], key: str) -> object:
    value = row.get(key)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read_customers(
    rows: Iterable[Mapping[str, object]],
    *,
    currency: str | None,
    fee_basis: str | None,
) -> list[_Customer]:
    out: list[_Customer] = []
    seen: set[str] = set()
    fees: dict[tuple[object, object, object], Fee] = {}
    for i, row in enumerate(rows):
        path: _read.Path = ("customers", i)
        extra = [
            k
            for k in (row if isinstance(row, Mapping) else ())
            if isinstance(k, str) and k.startswith("charges_")
        ]
        m = _read.mapping(row, path, allowed=(*_CUSTOMER_KEYS, *extra))
        ident = _read.text(
            _read.required(m, "customer", path), (*path, "customer"), what="customer"
        )
        if ident in seen:
            raise CreditError(
                f"customer {ident!r} is listed twice; give each customer one row",
                path=(*path, "customer"),
            )
        seen.add(ident)
        plan_raw = _text(m, "plan")
        plan = None if plan_raw is None else _read.text(plan_raw, (*path, "plan"), what="plan")
        raw_fee = _text(m, "fee")
        cur = _text(m, "currency") or currency
        per = _text(m, "fee_per") or fee_basis or "period"
        key = (raw_fee, cur, per)
        fee = fees.get(key)
        if fee is None:
            if cur is None:
                raise CreditError(
                    f"customer {ident!r}: no currency; give a currency column or a policy currency",
                    path=(*path, "currency"),
                )
            amount = _read.decimal(_read.required(m, "fee", path), (*path, "fee"), what="fee")
            per_text = _read.choice(per, (*path, "fee_per"), what="fee_per", options=FEE_BASES)
            try:
                fee = Fee(amount=amount, currency=str(cur), per=per_text)  # type: ignore[arg-type]
            except CreditError as exc:
                raise CreditError(exc.message, path=(*path, *exc.path)) from None
            fees[key] = fee
        filed = _text(m, "claim_filed_at")
        filed_us = (
            None
            if filed is None
            else horizon_us(
                _read.instant(filed, (*path, "claim_filed_at"), what="claim_filed_at"),
                "claim_filed_at",
                path=(*path, "claim_filed_at"),
            )
        )
        person = _Customer(ident, plan, fee, filed_us)
        for column in extra:
            value = _text(m, column)
            if value is not None:
                if person.charges is None:
                    person.charges = {}
                name = column.removeprefix("charges_")
                person.charges[name] = _read.decimal(value, (*path, column), what=column)
        before = _text(m, "credited_before")
        if before is not None:
            person.credited_before = _read.decimal(
                before, (*path, "credited_before"), what="credited_before"
            )
        out.append(person)
    return out


def _read_incidents(
    rows: Iterable[Mapping[str, object]], index: Mapping[str, int]
) -> list[list[Incident]]:
    by_customer: list[list[Incident]] = [[] for _ in index]
    for i, row in enumerate(rows):
        path: _read.Path = ("incidents", i)
        m = {k: v for k, v in _read.mapping(row, path, allowed=_INCIDENT_KEYS).items() if v != ""}
        ident = _read.text(
            _read.required(m, "customer", path), (*path, "customer"), what="customer"
        )
        k = index.get(ident)
        if k is None:
            raise CreditError(
                f"incident of customer {ident!r}: no such customer in the customers table",
                path=(*path, "customer"),
            )
        group = by_customer[k]
        data = {key: value for key, value in m.items() if key != "customer"}
        if "services" in data and isinstance(data["services"], str):
            data["services"] = [s for s in data["services"].replace(";", " ").split() if s]
        data.setdefault("id", f"{ident}#{len(group) + 1}")
        group.append(Incident.from_mapping(data, path=path))
    return by_customer


@dataclass(slots=True)
class _Columns:
    owner: list[int]
    start: list[int]
    end: list[int]
    cause: list[str]


def _us(value: object, path: _read.Path, what: str) -> int:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.utcoffset() is not None:
            return horizon_us(parsed, what, path=path)
    return horizon_us(_read.instant(value, path, what=what), what, path=path)


def _incident_columns(rows: Iterable[Mapping[str, object]], index: Mapping[str, int]) -> _Columns:
    """The incidents as columns, checked as ``Incident.from_mapping`` checks them."""
    cols = _Columns([], [], [], [])
    counts = [0] * len(index)
    ids: set[tuple[int, str]] = set()
    allowed = frozenset(_INCIDENT_KEYS)
    for i, row in enumerate(rows):
        path: _read.Path = ("incidents", i)
        if not isinstance(row, Mapping) or not allowed.issuperset(row):
            _read.mapping(row, path, allowed=_INCIDENT_KEYS)  # raises the precise error
        ident = row.get("customer")
        k = index.get(ident) if isinstance(ident, str) else None
        if k is None:
            name = _read.text(
                _read.required(row, "customer", path), (*path, "customer"), what="customer"
            )
            raise CreditError(
                f"incident of customer {name!r}: no such customer in the customers table",
                path=(*path, "customer"),
            )
        counts[k] += 1
        given = row.get("id")
        key = given if isinstance(given, str) and given else f"{ident}#{counts[k]}"
        if (k, key) in ids:
            raise CreditError(
                f"customer {ident!r}: the incident id {key!r} is used twice; give each incident "
                "its own id",
                path=(*path, "id"),
            )
        ids.add((k, key))
        start = _us(_read.required(row, "start", path), (*path, "start"), "start")
        end = _us(_read.required(row, "end", path), (*path, "end"), "end")
        if end < start:
            raise CreditError(
                f"incident {key!r}: end {row['end']} is before start {row['start']}; swap them "
                "or fix the end",
                path=(*path, "end"),
            )
        cause = row.get("cause") or COVERED
        if not isinstance(cause, str) or not _CAUSE_NAME.match(cause):
            raise CreditError(
                f"incident {key!r}: cause {cause!r} is not a cause name; expected one of "
                f"{', '.join(CAUSES)} or a cause the schedule declares",
                path=(*path, "cause"),
            )
        for name in ("error_rate", "affected_share"):
            value = row.get(name)
            if value is not None and value != "":
                _read.share(value, (*path, name), what=name)
        reported = row.get("reported_at")
        if reported is not None and reported != "":
            _us(reported, (*path, "reported_at"), "reported_at")
        cols.owner.append(k)
        cols.start.append(start)
        cols.end.append(end)
        cols.cause.append(cause)
    return cols


# ---------------------------------------------------------------------------------------------
# the run


def _note(decision: CreditDecision, has_claim: bool, filed: bool, late_any: bool) -> str:
    if not has_claim:
        return CLAIM_NOTES[_NOT_NEEDED]
    if not filed:
        return CLAIM_NOTES[_NOT_FILED]
    if not decision.claim_accepted:
        return CLAIM_NOTES[_ALL_LATE] if late_any else CLAIM_NOTES[_AFTER]
    return CLAIM_NOTES[_SOME_LATE] if late_any else CLAIM_NOTES[_IN_TIME]


def _refuse_tables(**sources: object) -> None:
    """A table or a path given where rows are expected: say where tables are read (this layer
    never imports pyarrow, pandas or polars; they are recognised by their type's module)."""
    for what, source in sources.items():
        kind = type(source).__module__.split(".")[0]
        if isinstance(source, str | os.PathLike) or kind in {"pyarrow", "pandas", "polars"}:
            raise CreditError(
                f"{what}: got a {type(source).__name__} where rows (mappings) are expected; "
                "pass tables, DataFrames and file paths to "
                "sla_engine.tables.credits.billing_run (the 'tables' extra)",
                path=(what,),
            )


def billing_run(
    schedule_or_policy: object,
    *,
    customers: Iterable[Mapping[str, object]],
    incidents: Iterable[Mapping[str, object]],
    period: BillingPeriod,
    maintenance: Sequence[MaintenanceWindow | RecurringMaintenance] = (),
    service_calendar: ServiceCalendar | None = None,
    claim_calendar: Any = None,
    trace: bool = False,
) -> CreditTable:
    """The credit of every customer in ``customers`` for ``period``.

    Each row equals ``compute_credit`` for that customer's incidents, fee and claim. Values may
    be text (as a CSV reader gives them) or typed (``Decimal``, aware ``datetime``). The fee's
    currency defaults to the policy's and what it means (``fee_per``) to the schedule's
    ``fee_basis``, else the period's charges. A customer's ``credited_before`` (what the 11
    months before credited) feeds a 12-month cap, and ``charges_<name>`` columns the charges a
    cap of ``<name>`` is taken of (``charges_invoice``). ``trace=True`` keeps each decision's
    trace.
    """
    _refuse_tables(customers=customers, incidents=incidents)
    schedule, _, currency = _context_of(schedule_or_policy)
    runs: dict[str | None, CreditRun] = {}

    def run_of(plan: str | None) -> CreditRun:
        found = runs.get(plan)
        if found is None:
            found = runs[plan] = CreditRun(
                schedule_or_policy,
                period=period,
                maintenance=maintenance,
                service_calendar=service_calendar,
                plan=plan if schedule.plans else None,
                claim_calendar=claim_calendar,
            )
        return found

    people = _read_customers(customers, currency=currency, fee_basis=schedule.fee_basis)
    for i, person in enumerate(people):
        try:
            run_of(person.plan)
        except CreditError as exc:
            raise CreditError(
                f"customer {person.id!r}: {exc.message}", path=("customers", i, "plan")
            ) from None
    run = run_of(None)
    index = {c.id: k for k, c in enumerate(people)}
    if len(runs) > 1:  # several plans: credit each plan's customers with its schedule
        return _by_plan(run_of, people, _read_incidents(incidents, index), trace=trace)
    if not trace and run.bulk_ready():
        return _bulk_table(run, people, _incident_columns(incidents, index))
    return _decided_table(run, people, _read_incidents(incidents, index), trace=trace)


def _by_plan(
    run_of: Callable[[str | None], CreditRun],
    people: list[_Customer],
    grouped: list[list[Incident]],
    *,
    trace: bool,
) -> CreditTable:
    parts: dict[str | None, list[int]] = {}
    for k, person in enumerate(people):
        parts.setdefault(person.plan, []).append(k)
    tables: dict[str | None, tuple[CreditTable, list[int]]] = {}
    for plan, members in parts.items():
        run = run_of(plan)
        mine = [people[k] for k in members]
        if not trace and run.bulk_ready():
            cols = _Columns([], [], [], [])
            for j, k in enumerate(members):
                for inc in grouped[k]:
                    cols.owner.append(j)
                    cols.start.append(inc.start_us)
                    cols.end.append(inc.end_us)
                    cols.cause.append(inc.cause)
            tables[plan] = (_bulk_table(run, mine, cols), members)
        else:
            tables[plan] = (
                _decided_table(run, mine, [grouped[k] for k in members], trace=trace),
                members,
            )
    where: list[tuple[CreditTable, int]] = [None] * len(people)  # type: ignore[list-item]
    for table, members in tables.values():
        for j, k in enumerate(members):
            where[k] = (table, j)
    rows = [t.row(j) for t, j in where]
    first = run_of(None)
    return CreditTable(
        period=first.period.label(),
        period_us=first.period_us,
        customer=[r.customer for r in rows],
        plan=[r.plan for r in rows],
        downtime_us=[_td_us(r.downtime) for r in rows],
        excluded_us=[_td_us(r.excluded) for r in rows],
        band=[r.band for r in rows],
        percent=[r.percent for r in rows],
        amount=[r.amount for r in rows],
        currency=[r.currency for r in rows],
        claim_accepted=[r.claim_accepted for r in rows],
        claim=[r.claim for r in rows],
        trace=[r.trace or () for r in rows] if trace else None,
        period_lengths_us=[t.period_us for t, _ in where],
    )


def _decided_table(
    run: CreditRun, people: list[_Customer], grouped: list[list[Incident]], *, trace: bool
) -> CreditTable:
    claim = run.schedule.claim
    cols: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
    traces: list[tuple[str, ...]] = []
    for person, incidents in zip(people, grouped, strict=True):
        filed = None if person.filed_us is None else _from_us(person.filed_us)
        d = run.decide(
            incidents,
            fee=person.fee,
            claim_filed_at=filed,
            charges=person.charges,
            credited_before=person.credited_before,
        )
        late = any(dict(line.excluded).get("claim_late") for line in d.incidents)
        cols["customer"].append(person.id)
        cols["plan"].append(person.plan)
        cols["downtime"].append(_td_us(d.downtime))
        cols["excluded"].append(sum((_td_us(v) for _, v in d.excluded), 0))
        cols["band"].append(d.band)
        cols["percent"].append(d.percent)
        cols["amount"].append(d.amount)
        cols["currency"].append(d.currency)
        cols["claim_accepted"].append(d.claim_accepted)
        cols["claim"].append(_note(d, claim is not None, filed is not None, late))
        if trace:
            traces.append(d.trace)
    return CreditTable(
        period=run.period.label(),
        period_us=run.period_us,
        customer=cols["customer"],
        plan=cols["plan"],
        downtime_us=cols["downtime"],
        excluded_us=cols["excluded"],
        band=cols["band"],
        percent=cols["percent"],
        amount=cols["amount"],
        currency=cols["currency"],
        claim_accepted=cols["claim_accepted"],
        claim=cols["claim"],
        trace=traces if trace else None,
    )


def _bulk_table(run: CreditRun, people: list[_Customer], cols: _Columns) -> CreditTable:
    fee_index: dict[Fee, int] = {}
    fees: list[Fee] = []
    per_customer_fee: list[int] = []
    for person in people:
        j = fee_index.get(person.fee)
        if j is None:
            j = fee_index[person.fee] = len(fees)
            fees.append(person.fee)
        per_customer_fee.append(j)
    result = run.bulk(
        customer=cols.owner,
        start_us=cols.start,
        end_us=cols.end,
        cause=cols.cause,
        customers=len(people),
        fee_index=per_customer_fee,
        fees=fees,
        claim_filed_us=[p.filed_us for p in people],
    )
    return CreditTable(
        period=run.period.label(),
        period_us=run.period_us,
        customer=[p.id for p in people],
        plan=[p.plan for p in people],
        downtime_us=result.downtime_us,
        excluded_us=result.excluded_us,
        band=result.band,
        percent=result.percent,
        amount=result.amount,
        currency=[fees[j].currency for j in per_customer_fee],
        claim_accepted=result.claim_accepted,
        claim=[CLAIM_NOTES[c] for c in result.claim_note],
    )


def _td_us(value: timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def _from_us(us: int) -> datetime:
    from sla_engine._time import from_us

    return from_us(us)
