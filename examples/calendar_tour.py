"""A tour of business-hours calendars: due times, DST, holidays, follow-the-sun, explanations.

Run: python examples/calendar_tour.py
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sla_engine import BusinessCalendar

NEW_YORK = ZoneInfo("America/New_York")
TEHRAN = ZoneInfo("Asia/Tehran")


def show(label: str, instant: datetime, zone: ZoneInfo) -> None:
    print(f"  {label:<46} {instant.astimezone(zone):%a %Y-%m-%d %H:%M %Z}")


def main() -> None:
    # A Standard-tier desk: business hours in New York, US holidays, a closed Christmas Eve
    # and a half day on New Year's Eve.
    standard = BusinessCalendar(
        timezone="America/New_York",
        hours={"mon-fri": ["09:00-17:00"]},
        holidays={"country": "US", "subdivision": "NY"},
        closed=["2026-12-24"],
        special={"2026-12-31": ["09:00-13:00"]},
        name="New York desk",
    )
    opened = datetime(2026, 12, 23, 15, 30, tzinfo=NEW_YORK)
    print("Standard tier, ticket opened Wed 2026-12-23 15:30 New York")
    show(
        "24h of business time later (e-mail target):",
        standard.add(opened, timedelta(hours=24)),
        NEW_YORK,
    )
    show(
        "8h later (Enterprise Sev 1 workaround):",
        standard.add(opened, timedelta(hours=8)),
        NEW_YORK,
    )
    print("  why:")
    for span in standard.explain(opened, standard.add(opened, timedelta(hours=8))):
        mark = "+" if span.counted else " "
        print(
            f"    {mark} {span.start.astimezone(NEW_YORK):%a %d %H:%M} .. "
            f"{span.end.astimezone(NEW_YORK):%a %d %H:%M}  {span.reason}"
        )

    # DST: an overnight desk (22:00-06:00) works 7 hours on the spring-forward night and
    # 9 hours on the fall-back night.
    night = BusinessCalendar(timezone="America/New_York", hours={"daily": ["22:00-06:00"]})
    for day in ("2026-03-07", "2026-03-08", "2026-10-31"):
        noon = datetime.fromisoformat(f"{day}T12:00").replace(tzinfo=NEW_YORK)
        next_noon = noon + timedelta(days=1)  # wall-clock noon the next day, on purpose
        print(f"Night desk, {day} noon to next noon: {night.elapsed(noon, next_noon)}")

    # Tehran: Saturday to Wednesday, a half day on Thursday, Friday off, Iranian holidays
    # named in Persian.
    tehran = BusinessCalendar(
        timezone="Asia/Tehran",
        hours={"sat-wed": ["08:00-16:00"], "thu": ["08:00-12:00"]},
        holidays={"country": "IR", "language": "fa_IR"},
        name="Tehran centre",
    )
    nowruz = datetime(2026, 3, 18, 14, tzinfo=TEHRAN)
    print("Tehran centre, request on 2026-03-18 14:00 Tehran")
    show("8h of business time later:", tehran.add(nowruz, timedelta(hours=8)), TEHRAN)
    print(f"  2026-03-21 is closed for: {tehran.closure(date(2026, 3, 21))}")

    # Follow the sun: the union of both desks.
    follow = standard | tehran
    asked = datetime(2026, 6, 5, 18, tzinfo=NEW_YORK)  # Friday evening in New York
    print("Follow-the-sun (New York | Tehran), asked Fri 2026-06-05 18:00 New York")
    show("4h of business time later:", follow.add(asked, timedelta(hours=4)), NEW_YORK)

    # Background checks take 1-7 business days.
    show("7 business days after opening:", standard.add_business_days(opened, 7), NEW_YORK)


if __name__ == "__main__":
    main()
