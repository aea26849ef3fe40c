"""The seed's refund policy: 10 % of the monthly fee for 1-4 h of downtime, 25 % for 4-12 h,
50 % above 12 h; claims within 30 days; third-party integrations, customer misconfiguration and
scheduled maintenance (announced 72 h ahead) excluded.

The schedule is read from plain data (seed_schedule.json), as a policy loader would.
Run: python examples/credits/seed_playbook.py
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sla_engine.credits import (
    BillingPeriod,
    CreditSchedule,
    Fee,
    Incident,
    MaintenanceWindow,
    compute_credit,
)

HERE = Path(__file__).resolve().parent


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def main() -> None:
    schedule = CreditSchedule.from_mapping(json.loads((HERE / "seed_schedule.json").read_text()))
    incidents = [
        # Two alerts for one outage: merged, counted once.
        Incident(id="INC-101", start=at(3, 14), end=at(3, 16, 30)),
        Incident(id="INC-102", start=at(3, 16), end=at(3, 18, 15)),
        # The customer's own SSO misconfiguration: excluded.
        Incident(id="INC-107", start=at(9, 8), end=at(9, 12), cause="customer_misconfiguration"),
        # An outage that ran into announced maintenance: the maintenance hour is excluded.
        Incident(id="INC-113", start=at(21, 1), end=at(21, 3)),
        # A payment provider outage: third party, excluded.
        Incident(id="INC-120", start=at(27, 10), end=at(27, 19), cause="third_party"),
    ]
    maintenance = [
        MaintenanceWindow(id="MW-7", start=at(21, 2), end=at(21, 4), announced_at=at(14, 9)),
    ]
    decision = compute_credit(
        schedule,
        incidents,
        period=BillingPeriod.month(2026, 3),
        fee=Fee(amount=Decimal("2000.00"), currency="USD", per="month"),  # Enterprise plan
        claim_filed_at=at(2, 11, month=4),
        maintenance=maintenance,
    )
    print(decision.explain())
    print()
    print(decision.to_json(), end="")


if __name__ == "__main__":
    main()
