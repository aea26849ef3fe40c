"""The three example policies load cleanly and compile to the figures of the documents."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import tomli_w
import yaml

from holiday_data import holiday_name
from sla_engine.clocks import SLA, CycleStatus, Ticket, evaluate
from sla_engine.credits import Incident, compute_credit
from sla_engine.policy import Policy, load_policy, validate_policy

EXAMPLES = Path(__file__).parent.parent / "examples" / "policies"
PT = ZoneInfo("America/Los_Angeles")
TEHRAN = ZoneInfo("Asia/Tehran")


def _load(name: str) -> Policy:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_policy(EXAMPLES / name)


def _sla(policy: Policy) -> SLA:
    assert policy.sla is not None
    return policy.sla


def _status(sla: SLA, metric: str, at: datetime, **attributes: str) -> CycleStatus:
    ticket = Ticket.from_mapping(
        {"id": "T", **attributes, "events": [{"kind": "created", "at": at.isoformat()}]}
    )
    found = evaluate(sla, ticket, as_of=at).current(metric)
    assert found is not None, metric
    return found


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_is_valid_without_warnings(path: Path) -> None:
    """Each example policy validates with no problem at all, not even a warning."""
    validation = validate_policy(path)
    assert validation.problems == ()
    assert validation.policy is not None
    assert validation.policy.sla is not None


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_round_trips_through_every_syntax(path: Path) -> None:
    """Each example's canonical mapping loads back equal, as YAML, JSON and TOML text."""
    policy = _load(path.name)
    mapping = policy.to_mapping()
    assert load_policy(mapping) == policy
    assert load_policy(text=yaml.safe_dump(mapping, allow_unicode=True)) == policy
    assert load_policy(text=json.dumps(mapping), format="json") == policy
    assert load_policy(text=tomli_w.dumps(mapping), format="toml") == policy
    assert load_policy(mapping).sla == policy.sla


def test_examples_are_the_three_desks() -> None:
    """The examples folder holds the customer's three support desks."""
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == [
        "spark-drive.yaml",
        "spark-driver-support.yaml",
        "tehran-contact-centre.yaml",
    ]


# --------------------------------------------------------------------------- spark-drive.yaml

# a Saturday night, outside business hours, in UTC so that ``+ timedelta`` is elapsed time
SAT = datetime(2026, 3, 7, 23, 10, tzinfo=PT).astimezone(UTC)


def test_spark_drive_enterprise_sev1_on_24x7() -> None:
    """Enterprise Sev 1 by e-mail: 2 h first response, 8 h workaround, 72 h root-cause plan,
    all counted on the 24x7 calendar."""
    sla = _sla(_load("spark-drive.yaml"))
    attrs = {"tier": "enterprise", "severity": "sev1", "channel": "email"}
    for metric, hours in (("first_response", 2), ("workaround", 8), ("root_cause_plan", 72)):
        status = _status(sla, metric, SAT, **attrs)
        assert status.target == timedelta(hours=hours)
        assert status.calendar == "always"
        assert status.due == SAT + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("channel", "target"),
    [
        ("phone", timedelta(seconds=30)),
        ("chat", timedelta(seconds=120)),
        ("priority_email", timedelta(hours=1)),
        ("email", timedelta(hours=24)),
    ],
)
def test_spark_drive_channels(channel: str, target: timedelta) -> None:
    """Premium first response by channel: phone 30 s, chat 120 s, priority e-mail 1 h, e-mail
    24 h."""
    sla = _sla(_load("spark-drive.yaml"))
    status = _status(sla, "first_response", SAT, tier="premium", severity="sev3", channel=channel)
    assert status.target == target
    assert status.due == SAT + target


def test_spark_drive_standard_counts_business_hours() -> None:
    """Standard e-mail from Friday 16:30 PT: 24 business hours end Wednesday 16:30."""
    sla = _sla(_load("spark-drive.yaml"))
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=PT)
    status = _status(sla, "first_response", friday, tier="standard", channel="email")
    assert status.calendar == "business"
    # Fri 0.5 h + Mon 8 h + Tue 8 h + Wed 7.5 h (from 09:00) = 24 h
    assert status.due == datetime(2026, 3, 11, 16, 30, tzinfo=PT)


@pytest.mark.parametrize(("issue_class", "hours"), [("tier1", 24), ("tier2", 72), ("tier3", 72)])
def test_spark_drive_resolution_by_issue_class(issue_class: str, hours: int) -> None:
    """Tier 1/2/3 resolution windows are 24/72/72 h (Premium, 24x7)."""
    sla = _sla(_load("spark-drive.yaml"))
    status = _status(sla, "resolution", SAT, tier="premium", issue_class=issue_class)
    assert status.due == SAT + timedelta(hours=hours)


def test_spark_drive_lifecycle_and_time_in_state() -> None:
    """The lifecycle is the playbook's eight states; In Progress is held to 48 h."""
    policy = _load("spark-drive.yaml")
    lifecycle = _sla(policy).lifecycle
    assert lifecycle.names() == (
        "New",
        "Triaged",
        "In Progress",
        "Waiting on Customer",
        "Escalated",
        "Resolved",
        "Verified",
        "Closed",
    )
    assert [s.name for s in lifecycle.states if s.terminal] == ["Resolved", "Verified", "Closed"]
    assert lifecycle.state("Waiting on Customer").pauses == frozenset({"resolution"})
    ticket = Ticket.from_mapping(
        {
            "id": "T",
            "tier": "premium",
            "events": [
                {"kind": "created", "at": SAT.isoformat()},
                {
                    "kind": "status_changed",
                    "value": "In Progress",
                    "at": (SAT + timedelta(hours=2)).isoformat(),
                },
            ],
        }
    )
    status = evaluate(_sla(policy), ticket, as_of=SAT + timedelta(hours=3)).current(
        "time_in_progress"
    )
    assert status is not None and status.due == SAT + timedelta(hours=50)


def test_spark_drive_escalation_chain() -> None:
    """L1 -> Secondary -> On-Call -> Engineering Manager -> Director, the Director reached the
    manager's 1 h after the manager."""
    chain = _sla(_load("spark-drive.yaml")).escalation
    assert chain is not None
    assert [level.name for level in chain.levels] == [
        "Level 1 Support",
        "Secondary Specialist",
        "Engineering On-Call",
        "Engineering Manager",
        "Director of Support",
    ]
    offsets = chain.offsets()
    assert offsets[4] - offsets[3] == timedelta(hours=1)


def test_spark_drive_status_page_every_30_minutes() -> None:
    """During a major incident the status page is due every 30 min, on the 24x7 calendar."""
    sla = _sla(_load("spark-drive.yaml"))
    ticket = Ticket.from_mapping(
        {
            "id": "INC",
            "tier": "basic",
            "events": [
                {"kind": "created", "at": SAT.isoformat()},
                {"kind": "custom", "value": "major_incident", "at": SAT.isoformat()},
                {
                    "kind": "custom",
                    "value": "status_page_update",
                    "at": (SAT + timedelta(minutes=20)).isoformat(),
                },
            ],
        }
    )
    status = evaluate(sla, ticket, as_of=SAT + timedelta(minutes=25)).current("status_page")
    assert status is not None
    assert status.due == SAT + timedelta(minutes=50)
    assert status.calendar == "always"


def test_spark_drive_prices() -> None:
    """Basic free, Standard $5 and Premium $49 per user-month, Enterprise $2,000 a month."""
    policy = _load("spark-drive.yaml")
    assert policy.currency == "USD"
    prices: dict[str, Any] = {}
    for name in ("basic", "standard", "premium", "enterprise"):
        price = policy.tier(name).price
        assert price is not None
        prices[name] = (price.amount, price.per)
    assert prices == {
        "basic": (Decimal("0"), "user-month"),
        "standard": (Decimal("5"), "user-month"),
        "premium": (Decimal("49"), "user-month"),
        "enterprise": (Decimal("2000"), "month"),
    }
    assert policy.fee("premium", users=10).amount == Decimal("490")
    assert policy.tier("premium").calendar == policy.tier("enterprise").calendar == "always"
    assert policy.tier("standard").calendar == "business"


@pytest.mark.parametrize(
    ("hours", "credit"),
    [(0.5, "0.00"), (1, "200.00"), (3.99, "200.00"), (4, "500.00"), (12, "1000.00")],
)
def test_spark_drive_credit_schedule(hours: float, credit: str) -> None:
    """An Enterprise outage is credited 10 % of $2,000 from 1 h, 25 % from 4 h, 50 % from 12 h."""
    policy = _load("spark-drive.yaml")
    assert policy.credit_schedule is not None and policy.billing_cycle is not None
    start = datetime(2026, 3, 10, 9, 0, tzinfo=PT)
    end = start + timedelta(minutes=round(hours * 60))
    period = policy.billing_cycle.containing(start)
    incident = Incident(id="INC-1", start=start, end=end)
    decision = compute_credit(
        policy,
        [incident],
        period=period,
        fee=policy.fee("enterprise"),
        claim_filed_at=end + timedelta(days=29),
    )
    assert decision.amount == Decimal(credit)
    assert decision.currency == "USD"


def test_spark_drive_claims_and_exclusions() -> None:
    """A claim after 30 days gets nothing; third-party, misconfiguration and maintenance are
    excluded."""
    policy = _load("spark-drive.yaml")
    schedule = policy.credit_schedule
    assert schedule is not None and policy.billing_cycle is not None
    assert schedule.exclusions == {
        "third_party",
        "customer_misconfiguration",
        "scheduled_maintenance",
    }
    start = datetime(2026, 3, 10, 9, 0, tzinfo=PT)
    end = start + timedelta(hours=5)
    decision = compute_credit(
        policy,
        [Incident(id="INC-1", start=start, end=end)],
        period=policy.billing_cycle.containing(start),
        fee=policy.fee("enterprise"),
        claim_filed_at=end + timedelta(days=31),
    )
    assert decision.amount == Decimal("0.00")
    assert not decision.claim_accepted


# ------------------------------------------------------------------ spark-driver-support.yaml


def test_driver_support_safety_line_answered_at_once() -> None:
    """The emergency safety line is due in 30 s at any hour, Sunday 03:00 included."""
    sla = _sla(_load("spark-driver-support.yaml"))
    night = datetime(2026, 3, 8, 3, 0, tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)
    status = _status(sla, "first_response", night, channel="safety_line", issue_class="safety")
    assert status.due == night + timedelta(seconds=30)
    assert status.calendar == "always"
    bot = _status(sla, "first_response", night, channel="support_bot")
    assert bot.calendar == "always" and bot.due == night + timedelta(minutes=1)


def test_driver_support_background_check_in_seven_business_days() -> None:
    """A background check submitted on Monday 10:00 is due seven business days on, Wednesday
    10:00 of the next week but one (Memorial Day skipped)."""
    sla = _sla(_load("spark-driver-support.yaml"))
    chicago = ZoneInfo("America/Chicago")
    monday = datetime(2026, 5, 18, 10, 0, tzinfo=chicago)
    status = _status(sla, "resolution", monday, issue_class="background_check")
    assert status.calendar == "background_checks"
    # Tue 19, Wed 20, Thu 21, Fri 22, (Mon 25 Memorial Day), Tue 26, Wed 27, Thu 28
    assert status.due == datetime(2026, 5, 28, 10, 0, tzinfo=chicago)


@pytest.mark.parametrize(
    ("issue_class", "due_day", "due_hour"),
    [
        ("payment", 21, 10),  # 3bd: Tue, Wed, Thu at the same wall time
        ("technical", 20, 10),  # 2bd: Tue, Wed
        ("scheduling", 20, 12),  # 24h: Mon 10:00-19:00 9 h, Tue 11 h, Wed 08:00-12:00 4 h
    ],
)
def test_driver_support_issue_classes_have_targets(
    issue_class: str, due_day: int, due_hour: int
) -> None:
    """Payment, technical and scheduling issues each get their resolution target on the
    support hours (08:00-19:00 on weekdays)."""
    sla = _sla(_load("spark-driver-support.yaml"))
    chicago = ZoneInfo("America/Chicago")
    monday = datetime(2026, 5, 18, 10, 0, tzinfo=chicago)
    status = _status(sla, "resolution", monday, issue_class=issue_class, channel="phone")
    assert status.calendar == "support"
    assert status.due == datetime(2026, 5, due_day, due_hour, 0, tzinfo=chicago)


# ------------------------------------------------------------------ tehran-contact-centre.yaml


def test_tehran_calendar_friday_weekend_and_persian_holidays() -> None:
    """Asia/Tehran, open Saturday to Wednesday and Thursday morning, closed on Friday, with
    Iranian holidays named in Persian."""
    policy = _load("tehran-contact-centre.yaml")
    cal = policy.calendar("centre")
    assert cal.timezone == "Asia/Tehran"
    assert policy.timezone == "Asia/Tehran"
    wednesday = datetime(2026, 5, 13, 10, 0, tzinfo=TEHRAN)
    thursday = datetime(2026, 5, 14, 14, 0, tzinfo=TEHRAN)
    friday = datetime(2026, 5, 15, 10, 0, tzinfo=TEHRAN)
    assert cal.is_open(wednesday)
    assert not cal.is_open(thursday)
    assert cal.is_open(thursday - timedelta(hours=4))
    assert not cal.is_open(friday)
    assert cal.closure(date(2026, 3, 23)) == holiday_name("IR", date(2026, 3, 23), language="fa_IR")


def test_tehran_drivers_and_passengers_alike() -> None:
    """A driver's and a passenger's report get the same targets and due times."""
    sla = _sla(_load("tehran-contact-centre.yaml"))
    at = datetime(2026, 5, 12, 9, 0, tzinfo=TEHRAN)
    seen = set()
    for severity in ("immediate", "follow_up"):
        for channel in ("phone", "in_app", "email"):
            results = []
            for tier in ("driver", "passenger"):
                ticket = Ticket.from_mapping(
                    {
                        "id": tier,
                        "tier": tier,
                        "severity": severity,
                        "channel": channel,
                        "events": [{"kind": "created", "at": at.isoformat()}],
                    }
                )
                result = evaluate(sla, ticket, as_of=at)
                statuses = [result.current(m) for m in ("first_response", "resolution")]
                results.append([(s.target, s.due) if s else None for s in statuses])
            assert results[0] == results[1]
            seen.add(str(results[0]))
    assert len(seen) > 1


def test_tehran_email_and_immediate_requests() -> None:
    """E-mail is answered within 24 business hours; immediate requests within 15 min."""
    sla = _sla(_load("tehran-contact-centre.yaml"))
    at = datetime(2026, 5, 12, 9, 0, tzinfo=TEHRAN)  # a Tuesday
    email = _status(sla, "first_response", at, tier="driver", channel="email")
    assert email.target == timedelta(hours=24)
    # Tue 8 h + Wed 9 h + Thu 5 h + (Fri closed) + Sat 2 h
    assert email.due == datetime(2026, 5, 16, 10, 0, tzinfo=TEHRAN)
    immediate = _status(sla, "first_response", at, severity="immediate", channel="phone")
    assert immediate.due == at + timedelta(minutes=15)


def test_spark_drive_basic_breach_never_pages_the_director() -> None:
    """The seed's desk in its policy file: a Basic ticket's breach escalates along the Basic
    tier's own chain (support only), an Enterprise one up to the Director of Support."""
    from sla_engine.clocks import Event, EventKind, StreamKind, Ticket, evaluate

    policy = load_policy(
        Path(__file__).resolve().parent.parent / "examples/policies/spark-drive.yaml"
    )
    assert policy.sla is not None
    created = Event(kind=EventKind.CREATED, at=datetime(2026, 3, 2, 17, tzinfo=UTC))
    paged = {}
    for tier in ("basic", "enterprise"):
        ticket = Ticket(id=tier, tier=tier, severity="sev1", channel="email", events=(created,))
        result = evaluate(policy.sla, ticket, as_of=datetime(2026, 3, 20, tzinfo=UTC))
        paged[tier] = {e.detail for e in result.events if e.kind is StreamKind.ESCALATED}
    assert paged["basic"] == {"to Level 1 Support", "to Secondary Specialist"}
    assert "to Director of Support" in paged["enterprise"]
