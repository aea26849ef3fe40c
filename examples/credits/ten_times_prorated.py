"""A credit of ten times the prorated fee for the downtime, per incident, with each incident's
credit capped at the month's fee; claims within 30 days of the end of the month.

Run: python examples/credits/ten_times_prorated.py
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sla_engine.credits import (
    BillingPeriod,
    CreditSchedule,
    Fee,
    Incident,
    compute_credit,
)

SCHEDULE = CreditSchedule.from_mapping(
    {
        "basis": "incident",
        "rule": {"kind": "lost_time", "rate": "prorated", "multiple": "10"},
        "cap_per_incident": "100%",
        "claim": {"days": 30, "anchor": "period_end"},
    }
)


def main() -> None:
    incidents = [
        Incident(
            id="api-503",
            start=datetime(2026, 4, 6, 13, 5, tzinfo=UTC),
            end=datetime(2026, 4, 6, 14, 17, tzinfo=UTC),
        ),
        Incident(
            id="queue-stall",
            start=datetime(2026, 4, 19, 2, 0, tzinfo=UTC),
            end=datetime(2026, 4, 19, 2, 45, tzinfo=UTC),
        ),
    ]
    for currency, amount in (("USD", "499.00"), ("JPY", "75000")):
        decision = compute_credit(
            SCHEDULE,
            incidents,
            period=BillingPeriod.month(2026, 4),
            fee=Fee(amount=Decimal(amount), currency=currency, per="month"),
            claim_filed_at=datetime(2026, 5, 2, 9, 30, tzinfo=UTC),
        )
        print(decision.explain())
        print(f"=> {decision.amount} {decision.currency}\n")


if __name__ == "__main__":
    main()
