"""Service-credit bill run: 1,000,000 customer-periods with about 3,000,000 incidents.

Prints the time of ``CreditRun.bulk`` (the bulk path: every customer at once, on numpy columns),
checks a random sample of its rows against ``compute_credit`` (the full decision) field by
field, then the end-to-end ``billing_run`` from text rows (as a CSV reader gives them) on a
smaller table, ``compute_credit`` per customer, and peak memory. ``--legacy`` also times the
per-customer ``CreditRun.amount_us`` loop this replaces.

    .venv/bin/python benchmarks/credit_bench.py [--customers N] [--sample K] [--legacy]
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

import numpy as np

from sla_engine._time import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, from_us
from sla_engine.credits import (
    Band,
    BillingPeriod,
    ClaimWindow,
    CreditRun,
    CreditSchedule,
    DowntimeBands,
    Fee,
    Incident,
    MinimumPayout,
    billing_run,
    compute_credit,
)
from sla_engine.credits.period import utc_iso

CAUSES = ("covered", "third_party", "customer_misconfiguration")
CAUSE_WEIGHTS = (0.6, 0.2, 0.2)


def schedule() -> CreditSchedule:
    """The seed's schedule: 10/25/50 % for [1h,4h), [4h,12h), [12h,inf); whole minutes; paid
    above 1.00; claims within 30 days of the period's end."""
    return CreditSchedule(
        rule=DowntimeBands(
            bands=(
                Band.parse("[1h, 4h)", "10%"),
                Band.parse("[4h, 12h)", "25%"),
                Band.parse("[12h, inf)", "50%"),
            )
        ),
        basis="period",
        claim=ClaimWindow(anchor="period_end", days=30),
        minimum_payout=MinimumPayout(amount=Decimal("1.00")),
        whole=timedelta(minutes=1),
    )


class Table:
    """Customers (fee index, claim instant) and incidents (customer, start, end, cause code)."""

    def __init__(self, n: int, period: BillingPeriod, seed: int = 7) -> None:
        rng = np.random.default_rng(seed)
        p0, p1 = period.start_us, period.end_us
        per_customer = rng.integers(1, 6, n)  # 1 to 5 incidents, 3 on average
        self.n = n
        self.owner = np.repeat(np.arange(n, dtype=np.int64), per_customer)
        m = len(self.owner)
        self.start = rng.integers(p0 - 2 * US_PER_HOUR, p1, m, dtype=np.int64)
        self.end = self.start + rng.integers(US_PER_MINUTE, 10 * US_PER_HOUR, m, dtype=np.int64)
        self.cause = rng.choice(len(CAUSES), m, p=CAUSE_WEIGHTS).astype(np.int64)
        self.fee_index = (np.arange(n) % 3).tolist()
        filed = p1 + rng.integers(0, 40 * US_PER_DAY, n, dtype=np.int64)  # some too late
        filed[rng.random(n) < 0.05] = CreditRun.NO_CLAIM  # and some never filed
        self.filed = filed
        self.starts = np.r_[0, np.cumsum(per_customer)]

    def incidents_of(self, c: int) -> list[Incident]:
        a, b = int(self.starts[c]), int(self.starts[c + 1])
        return [
            Incident(
                id=f"i{k}",
                start=from_us(int(self.start[k])),
                end=from_us(int(self.end[k])),
                cause=CAUSES[int(self.cause[k])],
            )
            for k in range(a, b)
        ]

    def filed_of(self, c: int) -> int | None:
        value = int(self.filed[c])
        return None if value == CreditRun.NO_CLAIM else value


FEES = [Fee(amount=Decimal(p), currency="USD", per="month") for p in ("49.00", "2000.00", "5.00")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--rows", type=int, default=100_000, help="customers for billing_run")
    parser.add_argument("--legacy", action="store_true", help="also time amount_us per customer")
    args = parser.parse_args()

    period = BillingPeriod.month(2026, 3)
    run = CreditRun(schedule(), period=period)
    table = Table(args.customers, period)
    m = len(table.owner)

    t0, c0 = time.perf_counter(), time.process_time()
    result = run.bulk(
        customer=table.owner,
        start_us=table.start,
        end_us=table.end,
        cause=table.cause,
        cause_names=CAUSES,
        customers=table.n,
        fee_index=table.fee_index,
        fees=FEES,
        claim_filed_us=table.filed,
    )
    bulk_s, bulk_cpu = time.perf_counter() - t0, time.process_time() - c0
    amounts = result.amount
    total = sum((amounts[i] for i in range(len(amounts))), Decimal(0))
    print(f"bulk: {table.n:,} customer-periods, {m:,} incidents")
    print(
        f"  CreditRun.bulk: {bulk_cpu:.2f} s of CPU on one core ({bulk_s:.2f} s wall), "
        f"{table.n / bulk_cpu:,.0f} customer-periods per CPU second; total credit {total} USD"
    )

    rng = random.Random(11)
    sample = rng.sample(range(table.n), min(args.sample, table.n))
    fields = 0
    for c in sample:
        filed = table.filed_of(c)
        d = compute_credit(
            schedule(),
            table.incidents_of(c),
            period=period,
            fee=FEES[table.fee_index[c]],
            claim_filed_at=None if filed is None else from_us(filed),
        )
        got = (
            result.amount[c],
            result.downtime_us[c],
            result.band[c],
            result.percent[c],
            result.claim_accepted[c],
        )
        want = (d.amount, d.downtime // timedelta(microseconds=1), d.band, d.percent)
        if got != (*want, d.claim_accepted):
            raise SystemExit(f"customer {c}: bulk {got} != compute_credit {want}")
        fields += len(got)
    print(
        f"  checked {len(sample):,} random rows against compute_credit: all {fields:,} fields equal"
    )

    if args.legacy:
        spans = [
            [
                (int(table.start[k]), int(table.end[k]), CAUSES[int(table.cause[k])])
                for k in range(int(table.starts[c]), int(table.starts[c + 1]))
            ]
            for c in range(table.n)
        ]
        c0 = time.process_time()
        legacy_total = Decimal(0)
        for c, s in enumerate(spans):
            legacy_total += run.amount_us(
                s, fee=FEES[table.fee_index[c]], claim_filed_us=table.filed_of(c)
            )
        legacy_s = time.process_time() - c0
        print(
            f"  CreditRun.amount_us per customer (before): {legacy_s:.2f} s of CPU, "
            f"{table.n / legacy_s:,.0f}/s, total {legacy_total} USD"
        )
        if legacy_total != total:
            raise SystemExit("amount_us and bulk totals differ")

    small = Table(min(args.rows, table.n), period, seed=3)
    customers = [
        {
            "customer": f"c{c}",
            "fee": str(FEES[small.fee_index[c]].amount),
            "currency": "USD",
            "fee_per": "month",
            "claim_filed_at": "" if small.filed_of(c) is None else utc_iso(int(small.filed[c])),
        }
        for c in range(small.n)
    ]
    incidents = [
        {
            "customer": f"c{int(small.owner[k])}",
            "start": utc_iso(int(small.start[k])),
            "end": utc_iso(int(small.end[k])),
            "cause": CAUSES[int(small.cause[k])],
        }
        for k in range(len(small.owner))
    ]
    c0 = time.process_time()
    rows = billing_run(schedule(), customers=customers, incidents=incidents, period=period)
    rows_s = time.process_time() - c0
    print(
        f"billing_run from text rows (parsing included): {small.n:,} customers, "
        f"{len(incidents):,} incidents in {rows_s:.2f} s of CPU, "
        f"{small.n / rows_s:,.0f} customers/s; total {rows.totals()}"
    )

    decisions = [table.incidents_of(c) for c in sample]
    c0 = time.process_time()
    for c, incs in zip(sample, decisions, strict=True):
        filed = table.filed_of(c)
        compute_credit(
            schedule(),
            incs,
            period=period,
            fee=FEES[table.fee_index[c]],
            claim_filed_at=None if filed is None else from_us(filed),
        )
    full_s = time.process_time() - c0
    print(
        f"compute_credit (full decision with trace): {len(decisions) / full_s:,.0f} decisions "
        "per CPU second"
    )

    tracemalloc.start()
    part = Table(100_000, period, seed=5)
    run.bulk(
        customer=part.owner,
        start_us=part.start,
        end_us=part.end,
        cause=part.cause,
        cause_names=CAUSES,
        customers=part.n,
        fee_index=part.fee_index,
        fees=FEES,
        claim_filed_us=part.filed,
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak memory (tracemalloc): CreditRun.bulk over 100,000 customers {peak / 2**20:.1f} MiB"
    )


if __name__ == "__main__":
    main()
