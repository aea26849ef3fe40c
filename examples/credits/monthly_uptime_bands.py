"""A cloud-style SLA: monthly uptime bands, a minimum payout and a claim deadline at the end of
the second billing cycle after the incident.

- uptime < 99.99 % and >= 99.0 %: 10 % of the month's fees; >= 95.0 %: 30 %; below: 100 %;
- a credit is issued only when it is greater than 1.00;
- the claim must arrive by the end of the second billing cycle after the one with the outage.

Run: python examples/credits/monthly_uptime_bands.py
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sla_engine.credits import (
    Band,
    BillingPeriod,
    ClaimWindow,
    CreditSchedule,
    Fee,
    Incident,
    MinimumPayout,
    UptimeBands,
    compute_credit,
)

SCHEDULE = CreditSchedule(
    rule=UptimeBands(
        bands=(
            Band.parse("[0%, 95%)", "100%"),
            Band.parse("[95%, 99%)", "30%"),
            Band.parse("[99%, 99.99%)", "10%"),
        )
    ),
    basis="period",
    minimum_payout=MinimumPayout(amount=Decimal("1.00"), comparison=">"),
    claim=ClaimWindow(anchor="period_end", cycles=2),
    whole=timedelta(minutes=1),  # only complete minutes of unavailability count
)


def main() -> None:
    period = BillingPeriod.month(2026, 2, timezone="America/Los_Angeles")
    incidents = [
        Incident(
            id="us-west-2 elevated errors",
            start=datetime(2026, 2, 11, 17, 2, 30, tzinfo=UTC),
            end=datetime(2026, 2, 11, 18, 49, 10, tzinfo=UTC),
        ),
    ]
    for fees_paid, filed in (
        (Decimal("840.00"), datetime(2026, 4, 15, tzinfo=UTC)),  # in time: 10 % = 84.00
        (Decimal("8.40"), datetime(2026, 4, 15, tzinfo=UTC)),  # 0.84: below the minimum
        (Decimal("840.00"), datetime(2026, 5, 1, 7, 0, 1, tzinfo=UTC)),  # after 30 Apr PDT ends
    ):
        decision = compute_credit(
            SCHEDULE,
            incidents,
            period=period,
            fee=Fee(amount=fees_paid, currency="USD", per="period"),
            claim_filed_at=filed,
        )
        print(f"fees {fees_paid} USD, claim filed {filed:%Y-%m-%d %H:%M:%S}Z")
        print("  " + "\n  ".join(decision.trace[-6:]))
        print(f"  => {decision.amount} {decision.currency}\n")


if __name__ == "__main__":
    main()
