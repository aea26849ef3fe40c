"""A monthly billing run: service credits for every customer, from the Spark Drive policy file.

The credit schedule (10 % of the monthly fee for an outage of 1-4 h, 25 % for 4-12 h, 50 %
beyond, claimed within 30 days, third parties, the customer's own misconfiguration and announced
maintenance excluded) and the billing cycle (calendar months in Palo Alto time) come from
examples/policies/spark-drive.yaml. Each customer's tier, seats, claim and incidents come from
examples/data/incidents.json, the same file ``sla-engine credit --customer ...`` reads.

Run: ``python examples/billing_run.py``. The output is the same on every run.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sla_engine.credits import CreditRun, Incident, MaintenanceWindow
from sla_engine.policy import load_policy

HERE = Path(__file__).resolve().parent


def hm(length: timedelta) -> str:
    """A length as ``4h15m``."""
    minutes = length // timedelta(minutes=1)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def main() -> None:
    policy = load_policy(HERE / "policies" / "spark-drive.yaml")
    cycle = policy.billing_cycle
    assert policy.credit_schedule is not None and cycle is not None
    data = json.loads((HERE / "data" / "incidents.json").read_text(encoding="utf-8"))
    first = date.fromisoformat(data["period"] + "-01")
    period = cycle.containing(datetime.combine(first, time(0), tzinfo=cycle.zone))
    print(f"Billing run {period.label()} under {policy.name} {policy.version}\n")

    total = Decimal(0)
    currency = policy.currency
    for customer in data["customers"]:
        run = CreditRun(
            policy.credit_schedule,
            period=period,
            maintenance=[
                MaintenanceWindow.from_mapping(m) for m in customer.get("maintenance", [])
            ],
        )
        fee = policy.fee(customer["tier"], users=customer["users"])
        decision = run.decide(
            [Incident.from_mapping(i) for i in customer["incidents"]],
            fee=fee,
            claim_filed_at=datetime.fromisoformat(customer["claim_filed_at"]),
        )
        total += decision.amount
        currency = decision.currency
        print(
            f"{customer['id']:<9} {customer['tier']:<10} fee {fee.amount:>8} {fee.currency}  "
            f"downtime {hm(decision.downtime):>7}  credit {decision.amount:>7} {decision.currency}"
        )
        for stretch in decision.stretches:
            print(
                f"    {'+'.join(stretch.incident_ids):<16} counted {hm(stretch.counted):>7}  "
                f"band {stretch.band or '-':<10} {stretch.percent or 0}%"
            )
        for reason, length in decision.excluded:
            print(f"    excluded {hm(length)} ({reason})")
        print(f"    claim: {decision.claim_reason}")
    print(f"\nTotal credits for {period.label()}: {total} {currency}")


if __name__ == "__main__":
    main()
