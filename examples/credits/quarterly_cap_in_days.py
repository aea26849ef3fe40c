"""A quarterly SLA: lost time paid back at 50x the prorated fee, capped at 15 days of service
per quarter; the fee is monthly and the quarter's fee is three of them; a European customer.

Run: python examples/credits/quarterly_cap_in_days.py
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sla_engine.credits import (
    BillingCycle,
    Cap,
    CreditSchedule,
    Fee,
    Incident,
    LostTime,
    compute_credit,
)

BERLIN = ZoneInfo("Europe/Berlin")
SCHEDULE = CreditSchedule(
    rule=LostTime(rate="prorated", multiple=Decimal(50)),
    basis="period",
    cap_per_period=Cap(days_of_service=Decimal(15)),
    minimum_downtime=timedelta(minutes=5),
)


def main() -> None:
    cycle = BillingCycle.quarterly(timezone="Europe/Berlin")
    incidents = [
        Incident(
            id="db-failover",
            start=datetime(2026, 2, 3, 9, tzinfo=BERLIN),
            end=datetime(2026, 2, 3, 11, 40, tzinfo=BERLIN),
        ),
        Incident(
            id="blip",
            start=datetime(2026, 2, 9, 12, tzinfo=BERLIN),
            end=datetime(2026, 2, 9, 12, 3, tzinfo=BERLIN),
        ),
        Incident(
            id="region-outage",
            start=datetime(2026, 3, 28, 22, tzinfo=BERLIN),
            end=datetime(2026, 4, 1, 6, tzinfo=BERLIN),
        ),
    ]
    fee = Fee(amount=Decimal("1200.00"), currency="EUR", per="month")
    for quarter in (
        cycle.containing(datetime(2026, 2, 1, tzinfo=BERLIN)),
        cycle.containing(datetime(2026, 5, 1, tzinfo=BERLIN)),
    ):
        decision = compute_credit(SCHEDULE, incidents, period=quarter, fee=fee)
        print(decision.explain())
        print(
            f"=> {quarter.label()}: {decision.amount} {decision.currency}"
            f" (cap applied: {decision.cap_applied})\n"
        )


if __name__ == "__main__":
    main()
