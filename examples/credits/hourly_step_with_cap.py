"""5 % of the monthly fee for each complete hour of downtime beyond a 2-hour allowance, up to
50 %, counting only the support desk's service hours (09:00-18:00 on weekdays in New York,
US holidays closed).

Run: python examples/credits/hourly_step_with_cap.py
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sla_engine.calendar import BusinessCalendar
from sla_engine.credits import (
    BillingPeriod,
    CreditSchedule,
    Fee,
    HourlyStep,
    Incident,
    compute_credit,
)

NY = ZoneInfo("America/New_York")
SCHEDULE = CreditSchedule(
    rule=HourlyStep(
        allowance=timedelta(hours=2),
        percent_per_step=Decimal(5),
        step=timedelta(hours=1),
        max_percent=Decimal(50),
    ),
    basis="period",
)
SERVICE_HOURS = BusinessCalendar(
    timezone="America/New_York",
    hours={"mon-fri": ["09:00-18:00"]},
    holidays={"country": "US", "subdivision": "NY"},
)


def main() -> None:
    incidents = [
        # Friday afternoon into Monday: only the open hours count.
        Incident(
            id="INC-9",
            start=datetime(2026, 5, 22, 15, tzinfo=NY),
            end=datetime(2026, 5, 26, 11, 30, tzinfo=NY),
        ),  # Monday 25 May is Memorial Day
        Incident(
            id="INC-12",
            start=datetime(2026, 5, 28, 9, tzinfo=NY),
            end=datetime(2026, 5, 28, 12, 10, tzinfo=NY),
        ),
    ]
    decision = compute_credit(
        SCHEDULE,
        incidents,
        period=BillingPeriod.month(2026, 5, timezone="America/New_York"),
        fee=Fee(amount=Decimal("49.00"), currency="USD", per="month"),
        service_calendar=SERVICE_HOURS,
    )
    print(decision.explain())
    print(f"=> {decision.amount} {decision.currency}")


if __name__ == "__main__":
    main()
