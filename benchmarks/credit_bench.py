"""Service-credit bill run: 1,000,000 customer-periods of about 3 incidents each.

Prints ops/s for ``CreditRun.amount_us`` (the bulk path) and ``compute_credit`` (the full
decision, on a sample), and peak memory measured with tracemalloc on a sample.

    .venv/bin/python benchmarks/credit_bench.py [--customers N]
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from sla_engine._time import US_PER_HOUR, US_PER_MINUTE, from_us
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
    compute_credit,
)

CAUSES = ("covered", "covered", "covered", "third_party", "customer_misconfiguration")


def schedule() -> CreditSchedule:
    """The seed's schedule: 10/25/50 % for [1h,4h), [4h,12h), [12h,inf); 30-day claims."""
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


def customers(n: int, period: BillingPeriod, seed: int = 7) -> list[list[tuple[int, int, str]]]:
    """``n`` customers' incidents: 1 to 5 each (about 3), lengths up to 10 h."""
    rng = random.Random(seed)
    p0, p1 = period.start_us, period.end_us
    out = []
    for _ in range(n):
        spans = []
        for _ in range(rng.randint(1, 5)):
            s = rng.randrange(p0 - 2 * US_PER_HOUR, p1)
            spans.append(
                (s, s + rng.randrange(US_PER_MINUTE, 10 * US_PER_HOUR), rng.choice(CAUSES))
            )
        out.append(spans)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    args = parser.parse_args()

    period = BillingPeriod.month(2026, 3)
    run = CreditRun(schedule(), period=period)
    fees = [
        Fee(amount=Decimal(p), currency="USD", per="month") for p in ("49.00", "2000.00", "5.00")
    ]
    filed = period.end_us + 10 * 24 * US_PER_HOUR

    total = Decimal(0)
    compute_s = 0.0
    done = 0
    incidents = 0
    while done < args.customers:
        size = min(args.batch, args.customers - done)
        batch = customers(size, period, seed=done)
        incidents += sum(len(c) for c in batch)
        t0 = time.perf_counter()
        for k, spans in enumerate(batch):
            total += run.amount_us(spans, fee=fees[k % 3], claim_filed_us=filed)
        compute_s += time.perf_counter() - t0
        done += size
    print(f"amount_us: {done:,} customer-periods, {incidents:,} incidents")
    rate = done / compute_s
    print(f"  compute {compute_s:.2f} s, {rate:,.0f} customer-periods/s, total credit {total} USD")

    sample = customers(10_000, period, seed=1)
    decisions = [
        [
            Incident(id=f"i{j}", start=from_us(s), end=from_us(e), cause=c)
            for j, (s, e, c) in enumerate(spans)
        ]
        for spans in sample
    ]
    t0 = time.perf_counter()
    for k, incs in enumerate(decisions):
        compute_credit(
            schedule(), incs, period=period, fee=fees[k % 3], claim_filed_at=from_us(filed)
        )
    full_s = time.perf_counter() - t0
    print(f"compute_credit (full decision with trace): {len(decisions) / full_s:,.0f} decisions/s")

    tracemalloc.start()
    for k, spans in enumerate(sample):
        run.amount_us(spans, fee=fees[k % 3], claim_filed_us=filed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    for k, incs in enumerate(decisions[:1000]):
        compute_credit(
            schedule(), incs, period=period, fee=fees[k % 3], claim_filed_at=from_us(filed)
        )
    _, peak_full = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak memory (tracemalloc): amount_us over 10,000 customers {peak / 1024:.1f} KiB; "
        f"compute_credit over 1,000 {peak_full / 1024:.1f} KiB"
    )


if __name__ == "__main__":
    main()
