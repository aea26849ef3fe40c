"""Hypothesis strategies shared by the test suite; each area appends its own section."""

# ----------------------------------------------------------------------------------------------
# Service credits (sla_engine.credits)
# ----------------------------------------------------------------------------------------------

from datetime import UTC as _CREDIT_UTC
from datetime import datetime as _credit_datetime
from datetime import timedelta as _credit_timedelta
from decimal import Decimal as _CreditDecimal

from hypothesis import strategies as _credit_st

_CREDIT_HOUR_US = 3_600_000_000
_CREDIT_MARCH_2026_US = (
    _credit_datetime(2026, 3, 1, tzinfo=_CREDIT_UTC)
    - _credit_datetime(1970, 1, 1, tzinfo=_CREDIT_UTC)
) // _credit_timedelta(microseconds=1)
_CREDIT_MARCH_LEN_US = 31 * 24 * _CREDIT_HOUR_US


@_credit_st.composite
def credit_spans(
    draw: _credit_st.DrawFn,
    *,
    max_incidents: int = 6,
    causes: tuple[str, ...] = ("covered",),
    spill: bool = True,
) -> list[tuple[int, int, str]]:
    """Incident spans ``(start_us, end_us, cause)`` in or around March 2026 (UTC), whole
    seconds, up to 30 h long; with ``spill`` they may start before or end after the month."""
    margin = 2 * 24 * _CREDIT_HOUR_US if spill else 0
    lo = _CREDIT_MARCH_2026_US - margin
    hi = _CREDIT_MARCH_2026_US + _CREDIT_MARCH_LEN_US + margin
    n = draw(_credit_st.integers(0, max_incidents))
    spans = []
    for _ in range(n):
        start = draw(_credit_st.integers(lo // 1_000_000, hi // 1_000_000)) * 1_000_000
        length = draw(_credit_st.integers(0, 30 * 3600)) * 1_000_000
        end = min(start + length, hi)
        spans.append((start, end, draw(_credit_st.sampled_from(causes))))
    return spans


credit_fee_amounts = _credit_st.decimals(
    min_value=_CreditDecimal("0"), max_value=_CreditDecimal("100000"), places=2
)
"""Fees in a two-decimal currency."""

credit_durations = _credit_st.integers(0, 40 * 3600).map(lambda s: _credit_timedelta(seconds=s))
"""Downtimes from 0 to 40 h in whole seconds."""


# ----------------------------------------------------------------------------------------------
# Policy files (sla_engine.policy)
# ----------------------------------------------------------------------------------------------

from hypothesis import strategies as _policy_st  # noqa: E402

_POLICY_ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Tehran", "Asia/Tokyo")
_POLICY_WINDOWS = ("09:00-17:00", "08:00-12:00", "13:00-18:00", "00:00-24:00", "22:00-23:30")
_POLICY_DAYS = ("mon-fri", "sat", "sun", "sat-sun", "mon,wed", "daily")
_policy_names = _policy_st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@_policy_st.composite
def policy_durations(draw: _policy_st.DrawFn) -> str:
    """A duration as a policy writes it: ``2h``, ``1h30m``, ``45s``, ``3bd``, ``PT2H``."""
    kind = draw(_policy_st.sampled_from(["h", "hm", "m", "s", "bd", "iso"]))
    n = draw(_policy_st.integers(min_value=0, max_value=200))
    m = draw(_policy_st.integers(min_value=1, max_value=59))
    return {
        "h": f"{n}h",
        "hm": f"{n}h{m}m",
        "m": f"{m}m",
        "s": f"{n}s",
        "bd": f"{n}bd",
        "iso": f"PT{n}H",
    }[kind]


@_policy_st.composite
def policy_calendars(draw: _policy_st.DrawFn) -> dict[str, object]:
    """A calendar mapping that is always open somewhere and never touches a DST gap."""
    cal: dict[str, object] = {"timezone": draw(_policy_st.sampled_from(_POLICY_ZONES))}
    if draw(_policy_st.booleans()):
        cal["hours"] = "24x7"
    else:
        day = draw(_policy_st.sampled_from(_POLICY_DAYS))
        windows = draw(
            _policy_st.lists(_policy_st.sampled_from(_POLICY_WINDOWS[:3]), min_size=1, max_size=1)
        )
        cal["hours"] = {day: windows}
    if draw(_policy_st.booleans()):
        cal["closed"] = draw(
            _policy_st.lists(
                _policy_st.sampled_from(
                    ["2026-12-24", "2026-12-28..2026-12-30", {"date": "2026-07-03", "name": "x"}]
                ),
                max_size=2,
                unique_by=str,
            )
        )
    if draw(_policy_st.booleans()):
        cal["special"] = {"2026-12-31": ["09:00-13:00"]}
    return cal


@_policy_st.composite
def policy_mappings(draw: _policy_st.DrawFn) -> dict[str, object]:
    """A valid format-1 policy mapping: calendars, severities, channels, tiers with targets."""
    cal_names = draw(_policy_st.lists(_policy_names, min_size=1, max_size=3, unique=True))
    severities = draw(_policy_st.lists(_policy_names, min_size=1, max_size=4, unique=True))
    channels = draw(_policy_st.lists(_policy_names, max_size=3, unique=True))
    tiers: dict[str, object] = {}
    for tier in draw(_policy_st.lists(_policy_names, max_size=3, unique=True)):
        spec: dict[str, object] = {"calendar": draw(_policy_st.sampled_from(cal_names))}
        if draw(_policy_st.booleans()):
            amount = draw(_policy_st.decimals(min_value=0, max_value=10_000, places=2))
            spec["price"] = {"amount": str(amount), "per": "user-month"}
        if channels and draw(_policy_st.booleans()):
            spec["channels"] = draw(
                _policy_st.lists(_policy_st.sampled_from(channels), unique=True, min_size=1)
            )
        # Targets loosen with severity, so the severity-order lint has nothing to say.
        hours = sorted(
            draw(
                _policy_st.lists(
                    _policy_st.integers(min_value=0, max_value=500),
                    min_size=len(severities),
                    max_size=len(severities),
                )
            )
        )
        spec["targets"] = {
            "first_response": {s: f"{h}h" for s, h in zip(severities, hours, strict=True)}
        }
        tiers[tier] = spec
    policy: dict[str, object] = {
        "format_version": 1,
        "name": draw(_policy_names),
        "version": draw(_policy_st.sampled_from(["1", "2026.1", "v2"])),
        "effective_from": "2026-01-01",
        "currency": draw(_policy_st.sampled_from(["USD", "EUR", "IRR"])),
        "calendars": {name: draw(policy_calendars()) for name in cal_names},
        "severities": severities,
        "channels": {c: {"label": c.title()} for c in channels},
        "tiers": tiers,
    }
    if draw(_policy_st.booleans()):
        policy["effective_until"] = "2026-12-31"
    if draw(_policy_st.booleans()):
        policy["warnings"] = [{"at": "75%"}, {"before": draw(policy_durations())}]
    return policy


# ----------------------------------------------------------------------------------------------
# Ticket clocks (sla_engine.clocks)
# ----------------------------------------------------------------------------------------------

from datetime import datetime as _clock_datetime
from datetime import timedelta as _clock_timedelta
from zoneinfo import ZoneInfo as _ClockZoneInfo

from hypothesis import strategies as _clock_st

#: Zones a ticket's instants may be written in (the answers must not depend on it).
CLOCK_ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Tehran", "Australia/Lord_Howe")
_CLOCK_T0 = _clock_datetime(2026, 3, 2, 0, 0, tzinfo=_ClockZoneInfo("UTC"))


@_clock_st.composite
def clock_logs(
    draw: _clock_st.DrawFn, *, max_steps: int = 8
) -> tuple[_clock_datetime, list[tuple[_clock_timedelta, str, str | None]]]:
    """A ticket's creation instant and later steps ``(offset, kind, value)``: replies, notes and
    status changes between In Progress and Waiting on Customer; never terminal."""
    start = _CLOCK_T0 + _clock_timedelta(minutes=draw(_clock_st.integers(0, 60 * 24 * 120)))
    steps: list[tuple[_clock_timedelta, str, str | None]] = []
    offset = _clock_timedelta(0)
    for _ in range(draw(_clock_st.integers(0, max_steps))):
        offset += _clock_timedelta(minutes=draw(_clock_st.integers(0, 60 * 40)))
        kind = draw(
            _clock_st.sampled_from(
                ["agent_reply", "customer_reply", "internal_note", "wait", "work"]
            )
        )
        if kind == "wait":
            steps.append((offset, "status_changed", "Waiting on Customer"))
        elif kind == "work":
            steps.append((offset, "status_changed", "In Progress"))
        else:
            steps.append((offset, kind, None))
    return start, steps


def clock_zone_names() -> _clock_st.SearchStrategy[str]:
    """A zone name to rewrite instants in."""
    return _clock_st.sampled_from(CLOCK_ZONES)
