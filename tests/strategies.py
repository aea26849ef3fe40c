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


@_credit_st.composite
def credit_rated_incidents(
    draw: _credit_st.DrawFn, *, max_incidents: int = 6, rate: _CreditDecimal | None = None
) -> list[object]:
    """Incidents in or around March 2026 (UTC), at any microsecond, that may overlap, each with
    an error rate and an affected share from 0 to 1 (both ``rate`` when it is given)."""
    from sla_engine._time import from_us
    from sla_engine.credits import Incident

    shares = _credit_st.decimals(min_value=_CreditDecimal(0), max_value=_CreditDecimal(1), places=4)
    out = []
    for k, (s, e, _) in enumerate(draw(credit_spans(max_incidents=max_incidents))):
        jitter = draw(_credit_st.integers(0, 999_999))
        out.append(
            Incident(
                id=f"I{k}",
                start=from_us(s + jitter),
                end=from_us(max(s + jitter, e)),
                error_rate=rate if rate is not None else draw(shares),
                affected_share=rate if rate is not None else draw(shares),
            )
        )
    return out


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
# channel names apart from severity names: tier targets are keyed by either
_policy_channel_names = _policy_st.from_regex(r"ch_[a-z0-9]{1,6}", fullmatch=True)


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


def _policy_round_two(
    draw: _policy_st.DrawFn,
    policy: dict[str, object],
    cal_names: list[str],
    channels: list[str],
) -> None:
    """Add round-two sections (states, metrics, rules, escalation, credits...), each optional,
    chosen so that the policy stays free of lint problems."""
    metrics: dict[str, object] = {"first_response": {"default": "501h"}}
    if draw(_policy_st.booleans()):
        policy["issue_classes"] = {"ic_1": {"label": "Tier 1"}, "ic_2": None}
        metrics["resolution"] = {"label": "Resolution", "default": "none"}
    if draw(_policy_st.booleans()):
        metrics["status_page"] = {
            "kind": "periodic_update",
            "start": ["custom:major_incident"],
            "stop": ["custom:status_page_update"],
            "cancel": ["custom:incident_resolved"],
            "default": draw(_policy_st.sampled_from(["30m", "1h", "PT45M"])),
            "calendar": draw(_policy_st.sampled_from(cal_names)),
        }
    if draw(_policy_st.booleans()):
        policy["states"] = [
            "New",
            {"name": "In Progress", "label": "Working"},
            {"name": "Waiting on Customer", "pauses": ["first_response"]},
            {"name": "Done", "terminal": True},
        ]
        metrics["time_in_progress"] = {
            "kind": "time_in_state",
            "state": "In Progress",
            "default": "48h",
        }
        if draw(_policy_st.booleans()):
            policy["lifecycle"] = {"reopen": "In Progress"}
    policy["metrics"] = metrics
    if len(channels) > 0 and draw(_policy_st.booleans()):
        picked = draw(_policy_st.lists(_policy_st.sampled_from(channels), unique=True, min_size=1))
        targets = _policy_st.sampled_from(["30s", "2m", "1h", "4h30m", "PT2H", "1bd"])
        policy["rules"] = {
            "first_response": [
                {"name": f"by {c}", "when": {"channel": c}, "target": draw(targets)} for c in picked
            ]
        }
    if draw(_policy_st.booleans()):
        levels: list[dict[str, object]] = [{"name": "L1"}]
        for i in range(draw(_policy_st.integers(min_value=0, max_value=3))):
            level: dict[str, object] = {"name": f"L{i + 2}"}
            if draw(_policy_st.booleans()):
                level["after"] = f"{draw(_policy_st.integers(min_value=1, max_value=90))}m"
            if draw(_policy_st.booleans()):
                level["responds_within"] = "1h"
            levels.append(level)
        policy["escalation"] = {
            "levels": levels,
            "clock": draw(_policy_st.sampled_from(["wall", "business"])),
        }
    if draw(_policy_st.booleans()):
        policy["strategies"] = {
            "severity_change": draw(_policy_st.sampled_from(["recompute", "restart", "carry"])),
            "reopen": draw(_policy_st.sampled_from(["resume", "new_cycle"])),
        }
    if draw(_policy_st.booleans()):
        bounds = sorted(
            draw(
                _policy_st.lists(
                    _policy_st.integers(min_value=1, max_value=48),
                    min_size=1,
                    max_size=4,
                    unique=True,
                )
            )
        )
        credits = sorted(
            draw(
                _policy_st.lists(
                    _policy_st.decimals(min_value=0, max_value=100, places=1),
                    min_size=len(bounds),
                    max_size=len(bounds),
                )
            )
        )
        edges = [*(f"{b}h" for b in bounds), "inf"]
        bands = [
            {"range": f"[{lo}, {hi})", "credit": f"{c}%"}
            for lo, hi, c in zip(edges, edges[1:], credits, strict=False)
        ]
        schedule: dict[str, object] = {
            "basis": draw(_policy_st.sampled_from(["incident", "period"])),
            "rule": {"kind": "downtime_bands", "bands": bands},
            "claim": {
                "days": draw(_policy_st.integers(min_value=0, max_value=60)),
                "anchor": "incident_end",
            },
        }
        if draw(_policy_st.booleans()):
            schedule["exclusions"] = ["third_party", "scheduled_maintenance"]
            schedule["maintenance_notice"] = "72h"
        if draw(_policy_st.booleans()):
            schedule["cap_per_period"] = "100%"
        if draw(_policy_st.booleans()):
            schedule["billing"] = {"every": "month", "timezone": "UTC"}
        policy["credits"] = schedule


@_policy_st.composite
def policy_mappings(draw: _policy_st.DrawFn) -> dict[str, object]:
    """A valid format-1 policy mapping: calendars, severities, channels, tiers with targets."""
    cal_names = draw(_policy_st.lists(_policy_names, min_size=1, max_size=3, unique=True))
    severities = draw(_policy_st.lists(_policy_names, min_size=1, max_size=4, unique=True))
    channels = draw(_policy_st.lists(_policy_channel_names, max_size=3, unique=True))
    tiers: dict[str, object] = {}
    for tier in draw(_policy_st.lists(_policy_names, max_size=3, unique=True)):
        spec: dict[str, object] = {"calendar": draw(_policy_st.sampled_from(cal_names))}
        if draw(_policy_st.booleans()):
            amount = draw(_policy_st.decimals(min_value=0, max_value=10_000, places=2))
            spec["price"] = {"amount": str(amount), "per": "user-month"}
        if len(channels) > 0 and draw(_policy_st.booleans()):
            spec["channels"] = draw(
                _policy_st.lists(_policy_st.sampled_from(channels), unique=True, min_size=1)
            )
        # Targets loosen with severity, so the severity-order lint has nothing to say.
        hours = sorted(
            draw(
                _policy_st.lists(
                    _policy_st.integers(min_value=1, max_value=500),
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
        "metrics": {"first_response": {"default": "501h"}},
    }
    if draw(_policy_st.booleans()):
        policy["effective_until"] = "2026-12-31"
    _policy_round_two(draw, policy, cal_names, channels)
    if draw(_policy_st.booleans()):
        # a lead time is business time, never business days
        lead = draw(policy_durations().filter(lambda d: not d.endswith("bd")))
        policy["warnings"] = [{"at": "75%"}, {"before": lead}]
    return policy


# ----------------------------------------------------------------------------------------------
# Ticket clocks (sla_engine.clocks)
# ----------------------------------------------------------------------------------------------

from datetime import datetime as _clock_datetime  # noqa: E402
from datetime import timedelta as _clock_timedelta  # noqa: E402
from zoneinfo import ZoneInfo as _ClockZoneInfo  # noqa: E402

from hypothesis import strategies as _clock_st  # noqa: E402

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


# ----------------------------------------------------------------------------------------------
# --- calendars --- (sla_engine.calendar, hours, closures; tests/test_calendar_*.py)
# ----------------------------------------------------------------------------------------------

import functools as _cal_functools  # noqa: E402
from datetime import UTC as _CAL_UTC  # noqa: E402
from datetime import date as _cal_date  # noqa: E402
from datetime import datetime as _cal_datetime  # noqa: E402
from datetime import timedelta as _cal_timedelta  # noqa: E402
from typing import Any as _CalAny  # noqa: E402
from zoneinfo import ZoneInfo as _CalZoneInfo  # noqa: E402

from hypothesis import strategies as _cal_st  # noqa: E402

CAL_ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Tehran",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "Asia/Kathmandu",
    "UTC",
)
"""Zones with US/EU DST, a 30-minute shift, abolished DST, a skipped date, UTC+14, +05:45."""

_CAL_US = 1_000_000
_CAL_HOUR_US = 3600 * _CAL_US
_CAL_DAY_US = 24 * _CAL_HOUR_US
_CAL_FIRST = _cal_datetime(2010, 6, 1, tzinfo=_CAL_UTC)
_CAL_LAST = _cal_datetime(2027, 6, 1, tzinfo=_CAL_UTC)
_CAL_EPOCH = _cal_datetime(1970, 1, 1, tzinfo=_CAL_UTC)
# Times of day (minutes) where DST changes happen, and midnight; drawn often.
_CAL_HOT_MINUTES = (0, 30, 60, 90, 120, 150, 180, 210, 1380, 1410, 1440)
_CAL_COUNTRIES: tuple[object, ...] = (
    "US-NY",
    "US-CA",
    {"country": "DE", "subdivision": "BE"},
    {"country": "IR", "language": "fa_IR"},
    "AU-NSW",
)


def cal_us(dt: _cal_datetime) -> int:
    """Microseconds since the epoch of an aware datetime (test-side, by subtraction)."""
    return (dt - _CAL_EPOCH) // _cal_timedelta(microseconds=1)


def cal_dt(us: int) -> _cal_datetime:
    """The UTC datetime of microseconds since the epoch (test-side)."""
    return _CAL_EPOCH + _cal_timedelta(microseconds=us)


@_cal_functools.cache
def cal_transitions(zone: str) -> tuple[int, ...]:
    """UTC instants (µs) at which ``zone`` changes its offset between mid-2010 and mid-2027."""
    tz = _CalZoneInfo(zone)
    out: list[int] = []
    t = _CAL_FIRST
    step = _cal_timedelta(days=1)
    while t < _CAL_LAST:
        nxt = t + step
        if t.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            lo, hi = t, nxt  # offset(lo) != offset(hi): bisect to the second
            while hi - lo > _cal_timedelta(seconds=1):
                mid = lo + (hi - lo) // 2
                if mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
                    lo = mid
                else:
                    hi = mid
            out.append(cal_us(hi))
        t = nxt
    return tuple(out)


@_cal_st.composite
def cal_anchors(draw: _cal_st.DrawFn, zone: str) -> int:
    """An instant (µs) of interest in ``zone``: near an offset change, a local midnight, or
    anywhere in 2011-2027."""
    kind = draw(_cal_st.sampled_from(["transition", "transition", "midnight", "any"]))
    changes = cal_transitions(zone)
    if kind == "transition" and changes:
        return draw(_cal_st.sampled_from(changes))
    day = draw(_cal_st.dates(_cal_date(2011, 1, 1), _cal_date(2027, 1, 1)))
    midnight = _cal_datetime(day.year, day.month, day.day, tzinfo=_CalZoneInfo(zone))
    if kind == "midnight":
        return cal_us(midnight)
    return cal_us(midnight) + draw(_cal_st.integers(0, _CAL_DAY_US - 1))


@_cal_st.composite
def cal_instants_near(draw: _cal_st.DrawFn, anchor: int, *, days: int = 6) -> int:
    """An instant within ``days`` of ``anchor``: often on a whole minute, sometimes any µs."""
    if draw(_cal_st.booleans()):
        return anchor + draw(_cal_st.integers(-days * 24 * 60, days * 24 * 60)) * 60 * _CAL_US
    return anchor + draw(_cal_st.integers(-days * _CAL_DAY_US, days * _CAL_DAY_US))


cal_durations_us = _cal_st.one_of(
    _cal_st.integers(0, 40).map(lambda h: h * _CAL_HOUR_US // 2),
    _cal_st.integers(0, 30 * 60).map(lambda m: m * 60 * _CAL_US),
    _cal_st.integers(0, 30 * _CAL_HOUR_US),
)
"""Business durations (µs) from 0 to 30 h: half hours, minutes or any microsecond count."""


def _cal_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_cal_minutes = _cal_st.one_of(_cal_st.sampled_from(_CAL_HOT_MINUTES), _cal_st.integers(0, 1440))


@_cal_st.composite
def cal_weekly_hours(draw: _cal_st.DrawFn) -> dict[str, list[str]] | str:
    """Valid weekly hours: 0-2 windows a day (overnight, ``24:00`` and DST-hour windows
    included), never empty; sometimes ``'24x7'``."""
    if draw(_cal_st.integers(0, 9)) == 0:
        return "24x7"
    days: list[list[tuple[int, int]]] = []
    for _ in range(7):
        k = draw(_cal_st.integers(0, 2))
        cuts = sorted(draw(_cal_st.sets(_cal_minutes, min_size=2 * k, max_size=2 * k)))
        windows = [(cuts[2 * i], cuts[2 * i + 1]) for i in range(k)]
        if windows and draw(_cal_st.integers(0, 2)) == 0:
            # The last window runs overnight instead: it ends the next morning.
            start = windows[-1][0]
            if start < 1440:
                spill = draw(_cal_st.integers(1, max(start - 1, 1)))
                windows[-1] = (start, 1440 + spill)
        days.append(windows)
    # An overnight window may not run past the next day's first opening.
    for i, windows in enumerate(days):
        if windows and windows[-1][1] > 1440:
            start, end = windows[-1]
            following = days[(i + 1) % 7]
            limit = 1440 + (following[0][0] if following else 1440)
            end = min(end, limit, start + 1439)
            windows[-1] = (start, max(end, start + 1))
    if not any(days):
        days[0] = [(540, 1020)]
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    out: dict[str, list[str]] = {}
    for name, windows in zip(names, days, strict=True):
        if windows:
            out[name] = [
                f"{_cal_hhmm(s)}-{_cal_hhmm(e % 1440 if e > 1440 else e)}" for s, e in windows
            ]
    return out


@_cal_st.composite
def cal_mappings(
    draw: _cal_st.DrawFn, *, zone: str | None = None, around: int | None = None
) -> dict[str, _CalAny]:
    """A valid calendar mapping in one of ``CAL_ZONES``, with closed and special dates near
    ``around`` (µs) and sometimes public holidays."""
    zone = zone or draw(_cal_st.sampled_from(CAL_ZONES))
    hours = draw(cal_weekly_hours())
    mapping: dict[str, _CalAny] = {"timezone": zone, "hours": hours}
    base = cal_dt(around) if around is not None else _cal_datetime(2026, 3, 8, tzinfo=_CAL_UTC)
    base_day = base.astimezone(_CalZoneInfo(zone)).date()
    near = _cal_st.integers(-8, 8).map(lambda k: base_day + _cal_timedelta(days=k))
    special_days = draw(_cal_st.sets(near, max_size=2))
    closed_days = draw(_cal_st.sets(near, max_size=3)) - special_days
    if closed_days:
        mapping["closed"] = [
            {"date": d.isoformat(), "name": f"closure {i}"}
            for i, d in enumerate(sorted(closed_days))
        ]
    if special_days:
        special: dict[str, list[str]] = {}
        for d in sorted(special_days):
            start = draw(_cal_st.sampled_from((0, 60, 120, 540, 1320)))
            end = draw(_cal_st.sampled_from((150, 180, 780, 1440, 1500)))
            windows = (
                []
                if end <= start or end - 1440 == start
                else [f"{_cal_hhmm(start)}-{_cal_hhmm(end % 1440 if end > 1440 else end)}"]
            )
            special[d.isoformat()] = windows
        mapping["special"] = special
    if draw(_cal_st.integers(0, 3)) == 0:
        mapping["holidays"] = draw(_cal_st.sampled_from(_CAL_COUNTRIES))
    return mapping


@_cal_st.composite
def cal_long_closures(draw: _cal_st.DrawFn) -> list[dict[str, str]]:
    """Zero to two closed ranges starting in 2000-2040: a few days, or eleven to thirty years
    (longer than the ten empty years after which searches used to give up)."""
    out: list[dict[str, str]] = []
    for i in range(draw(_cal_st.integers(0, 2))):
        first = draw(_cal_st.dates(_cal_date(2000, 1, 1), _cal_date(2040, 12, 31)))
        days = draw(_cal_st.one_of(_cal_st.integers(0, 40), _cal_st.integers(11 * 366, 30 * 366)))
        last = first + _cal_timedelta(days=days)
        out.append({"from": first.isoformat(), "to": last.isoformat(), "name": f"long {i}"})
    return out


@_cal_st.composite
def cal_history_mappings(draw: _cal_st.DrawFn) -> dict[str, _CalAny]:
    """A calendar mapping for the history law: a random calendar with long closed ranges, or
    a union, intersection or difference of two such calendars."""

    def one() -> dict[str, _CalAny]:
        mapping = dict(draw(cal_mappings()))
        mapping.pop("special", None)  # a special date must not fall in a closed range
        closed = list(mapping.get("closed", [])) + draw(cal_long_closures())
        if closed:
            mapping["closed"] = closed
        return mapping

    kind = draw(_cal_st.sampled_from(["hours", "hours", "union", "intersection", "difference"]))
    if kind == "hours":
        return one()
    return {kind: [one(), one()]}


cal_history_instants = _cal_st.one_of(
    _cal_st.integers(
        cal_us(_cal_datetime(1980, 1, 1, tzinfo=_CAL_UTC)),
        cal_us(_cal_datetime(2075, 1, 1, tzinfo=_CAL_UTC)),
    ),
    _cal_st.integers(
        cal_us(_cal_datetime(2025, 1, 1, tzinfo=_CAL_UTC)),
        cal_us(_cal_datetime(2028, 1, 1, tzinfo=_CAL_UTC)),
    ),
)
"""Instants (µs) from 1980 to 2075, often in 2025-2027 (near the closed dates drawn)."""


def cal_history_edges(mapping: dict[str, _CalAny]) -> list[int]:
    """The first and last instants (µs, UTC) of every closed range in ``mapping`` (composed
    calendars included): where a search meets many empty years."""
    if "timezone" not in mapping:
        return [p for part in next(iter(mapping.values())) for p in cal_history_edges(part)]
    out: list[int] = []
    for item in mapping.get("closed", []):
        if "from" in item:
            first = _cal_date.fromisoformat(item["from"])
            last = _cal_date.fromisoformat(item["to"])
            out.append(cal_us(_cal_datetime(first.year, first.month, first.day, tzinfo=_CAL_UTC)))
            out.append(cal_us(_cal_datetime(last.year, last.month, last.day, tzinfo=_CAL_UTC)))
    return out


@_cal_st.composite
def cal_history_instants_for(draw: _cal_st.DrawFn, mapping: dict[str, _CalAny]) -> int:
    """An instant anywhere (``cal_history_instants``), or near or inside a closed range of
    ``mapping``: up to a year before its start or after its end, or anywhere inside it."""
    edges = cal_history_edges(mapping)
    if not edges or draw(_cal_st.booleans()):
        return draw(cal_history_instants)
    lo, hi = sorted(draw(_cal_st.lists(_cal_st.sampled_from(edges), min_size=2, max_size=2)))
    year = 366 * _CAL_DAY_US
    return draw(_cal_st.integers(lo - year, hi + year))


cal_history_durations = _cal_st.one_of(
    cal_durations_us,
    _cal_st.integers(0, 2 * 366 * _CAL_DAY_US),
)
"""Business durations (µs) up to 30 h, or up to two years of around-the-clock time."""


# ----------------------------------------------------------------------------------------------
# --- CLI, render, diff --- (sla_engine.cli, render, diff; tests/test_cli_*.py, test_render.py,
# test_diff.py)
# ----------------------------------------------------------------------------------------------

import copy as _cli_copy  # noqa: E402
from pathlib import Path as _CliPath  # noqa: E402
from typing import Any as _CliAny  # noqa: E402

import yaml as _cli_yaml  # noqa: E402
from hypothesis import strategies as _cli_st  # noqa: E402

_CLI_DESK: dict[str, _CliAny] = {
    "format_version": 1,
    "name": "desk",
    "version": "2026.1",
    "description": "A small helpdesk with | pipes & <tags> in its text.",
    "effective_from": "2026-01-01",
    "currency": "USD",
    "calendars": {
        "business": {
            "name": "Business hours",
            "timezone": "America/Los_Angeles",
            "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": {"country": "US", "subdivision": "CA"},
            "closed": [{"date": "2026-12-24", "name": "Christmas Eve"}],
        },
        "always": {"name": "Around the clock", "timezone": "UTC", "hours": "24x7"},
        "tehran": {
            "name": "Tehran centre",
            "timezone": "Asia/Tehran",
            "hours": {"sat-wed": ["08:00-17:00"], "thu": ["08:00-13:00"]},
            "holidays": {"country": "IR"},
        },
    },
    "severities": [{"name": "sev1", "label": "Sev 1"}, {"name": "sev2", "label": "Sev 2"}],
    "channels": {"phone": {"label": "Phone", "calendar": "always"}, "email": {"label": "E-mail"}},
    "issue_classes": {"tier1": {"label": "Tier 1 issue"}},
    "tiers": {
        "standard": {
            "label": "Standard",
            "price": {"amount": "5.00", "per": "user-month"},
            "calendar": "business",
            "channels": ["email"],
            "targets": {"first_response": "24h", "resolution": {"sev1": "48h", "tier1": "72h"}},
        },
        "premium": {
            "label": "Premium",
            "price": {"amount": "2000.00", "per": "month"},
            "calendar": "always",
            "channels": ["phone", "email"],
            "features": ["Named account manager"],
            "targets": {"first_response": {"sev1": "2h", "sev2": "4h"}},
        },
    },
    "metrics": {"first_response": {"default": "24h"}, "resolution": {"default": "none"}},
    "rules": {"first_response": [{"name": "phone", "when": {"channel": "phone"}, "target": "30s"}]},
    "warnings": [{"name": "three quarters", "at": "75%"}],
    "escalation": {
        "levels": [
            {"name": "L1 Support", "contact": "+1-800-555-0123", "responds_within": "15m"},
            {"name": "Engineering Manager", "after": "1h"},
        ]
    },
    "credits": {
        "basis": "period",
        "rule": {
            "kind": "downtime_bands",
            "bands": [
                {"range": "[1h, 4h)", "credit": "10%"},
                {"range": "[4h, 12h)", "credit": "25%"},
                {"range": "[12h, inf)", "credit": "50%"},
            ],
        },
        "exclusions": ["third_party", "customer_misconfiguration", "scheduled_maintenance"],
        "maintenance_notice": "72h",
        "claim": {"days": 30, "anchor": "incident_end"},
    },
}


def cli_desk() -> dict[str, _CliAny]:
    """A fresh copy of the small helpdesk policy the CLI, render and diff tests share: two
    tiers with prices, two channels, US (California) and Iranian holidays, rules, tier targets,
    warnings, an escalation chain and the seed's 10/25/50 % credit schedule."""
    return _cli_copy.deepcopy(_CLI_DESK)


def cli_write(
    directory: _CliPath, mapping: dict[str, _CliAny], name: str = "desk.yaml"
) -> _CliPath:
    """Write ``mapping`` as a YAML policy file in ``directory``; return its path."""
    path = directory / name
    path.write_text(_cli_yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False), "utf-8")
    return path


#: Durations a tier target may take (whole minutes, 1 minute to 3 days).
cli_target_minutes = _cli_st.integers(min_value=1, max_value=3 * 24 * 60)

#: Command-line words: the commands and options sla-engine knows, and noise.
cli_words = _cli_st.one_of(
    _cli_st.sampled_from(
        [
            "validate",
            "schema",
            "render",
            "diff",
            "evaluate",
            "credit",
            "--format",
            "json",
            "html",
            "markdown",
            "text",
            "--year",
            "--years",
            "--policy",
            "--tickets",
            "--as-of",
            "--incidents",
            "--period",
            "--fee",
            "--currency",
            "--claim-filed-at",
            "--customer",
            "--fee-per",
            "--timezone",
            "--explain",
            "--strict",
            "-",
            "now",
            "2026-03",
            "2026-Q1",
            "2000.00",
            "USD",
            "2026-03-09T12:00:00Z",
            "/nonexistent.yaml",
        ]
    ),
    _cli_st.text(max_size=12),
)


# ----------------------------------------------------------------------------------------------
# Ticket clocks: richer logs for the fast paths (sla_engine.clocks)
# ----------------------------------------------------------------------------------------------

#: States, custom names and attribute values the rich logs draw from (one unknown state, so some
#: logs are refused and both paths must refuse them alike).
CLOCK_STATES = (
    "Triaged",
    "In Progress",
    "Waiting on Customer",
    "Escalated",
    "Resolved",
    "Closed",
    "Nowhere",
)
CLOCK_CUSTOM = ("major_incident", "status_page_update", "incident_resolved", "hold", "unhold")
CLOCK_VALUES = {
    "severity_changed": ("sev1", "sev2", "sev3"),
    "tier_changed": ("enterprise", "premium", "standard"),
    "channel_changed": ("phone", "chat", "email"),
    "issue_class_changed": ("tier1", "tier2", "bg_check"),
    # the escalation levels of clock_policies' chains
    "escalation_answered": ("L1", "L2", "L3", "T0-0", "T1-0", "Nobody"),
    # other attributes: region and plan (rules may name them), customer (none does)
    "attribute_changed": ("region=emea", "region=apac", "plan=gold", "plan=silver", "customer=x"),
}


@_clock_st.composite
def clock_rich_logs(
    draw: _clock_st.DrawFn, *, max_steps: int = 12
) -> tuple[_clock_datetime, list[tuple[_clock_timedelta, str, str | None]]]:
    """A creation instant and later steps of every kind: replies, notes, status changes (to
    terminal states too), reopens, custom events and attribute changes; sometimes invalid."""
    start = _CLOCK_T0 + _clock_timedelta(
        minutes=draw(_clock_st.integers(0, 60 * 24 * 200)), seconds=draw(_clock_st.integers(0, 59))
    )
    steps: list[tuple[_clock_timedelta, str, str | None]] = []
    offset = _clock_timedelta(0)
    for _ in range(draw(_clock_st.integers(0, max_steps))):
        offset += _clock_timedelta(minutes=draw(_clock_st.integers(0, 60 * 30)))
        kind = draw(
            _clock_st.sampled_from(
                [
                    "agent_reply",
                    "customer_reply",
                    "internal_note",
                    "workaround_given",
                    "status_changed",
                    "status_changed",
                    "resolved",
                    "reopened",
                    "custom",
                    *CLOCK_VALUES,
                ]
            )
        )
        value: str | None = None
        if kind == "status_changed":
            value = draw(_clock_st.sampled_from(CLOCK_STATES))
        elif kind == "custom":
            value = draw(_clock_st.sampled_from(CLOCK_CUSTOM))
        elif kind in CLOCK_VALUES:
            value = draw(_clock_st.sampled_from(CLOCK_VALUES[kind]))
        steps.append((offset, kind, value))
    return start, steps


@_clock_st.composite
def clock_lifecycle_logs(
    draw: _clock_st.DrawFn, *, max_steps: int = 16
) -> tuple[_clock_datetime, list[tuple[_clock_timedelta, str, str | None]]]:
    """A creation instant and later steps that mostly follow the lifecycle (a terminal state is
    left only by a reopen), with replies, holds, incidents, attribute changes and same-instant
    events; now and then an event the engine must refuse."""
    start = _CLOCK_T0 + _clock_timedelta(
        minutes=draw(_clock_st.integers(0, 60 * 24 * 300)), seconds=draw(_clock_st.integers(0, 59))
    )
    steps: list[tuple[_clock_timedelta, str, str | None]] = []
    offset = _clock_timedelta(0)
    terminal = False
    for _ in range(draw(_clock_st.integers(1, max_steps))):
        gap = draw(
            _clock_st.one_of(
                _clock_st.just(0),
                _clock_st.integers(1, 60 * 4),
                _clock_st.integers(60 * 4, 60 * 40),
            )
        )
        offset += _clock_timedelta(minutes=gap)
        if terminal:
            choices = ["reopened", "reopened", "closed", "verified", "agent_reply", *CLOCK_VALUES]
        else:
            choices = [
                "agent_reply",
                "agent_reply",
                "customer_reply",
                "customer_reply",
                "internal_note",
                "workaround_given",
                "status_changed",
                "status_changed",
                "resolved",
                "custom",
                *CLOCK_VALUES,
            ]
        kind = draw(_clock_st.sampled_from(choices))
        value: str | None = None
        if kind == "status_changed":
            value = draw(_clock_st.sampled_from(CLOCK_STATES))
        elif kind == "custom":
            value = draw(_clock_st.sampled_from(CLOCK_CUSTOM))
        elif kind in CLOCK_VALUES:
            value = draw(_clock_st.sampled_from(CLOCK_VALUES[kind]))
        elif kind == "reopened" and draw(_clock_st.booleans()):
            value = draw(_clock_st.sampled_from(("Triaged", "Waiting on Customer", "Escalated")))
        if kind in ("resolved", "closed", "verified") or value in ("Resolved", "Closed"):
            terminal = True
        elif kind == "reopened":
            terminal = False
        steps.append((offset, kind, value))
    return start, steps


# ----------------------------------------------------------------------------------------------
# Ticket clocks: random policies over fixed calendars (the reference and snapshot laws)
# ----------------------------------------------------------------------------------------------

_CLOCK_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
#: calendars across zones: DST in New York, Berlin and Lord Howe (a 30-minute shift), US
#: holidays, a closed date and a special date, windows over midnight
CLOCK_POLICY_CALENDARS: dict[str, dict[str, _CliAny]] = {
    "always": {"timezone": "UTC", "hours": "24x7"},
    "ny": {
        "timezone": "America/New_York",
        "hours": {d: ["09:00-17:00"] for d in _CLOCK_WEEKDAYS},
        "holidays": {"country": "US"},
    },
    "berlin": {
        "timezone": "Europe/Berlin",
        "hours": {
            **{d: ["08:00-12:00", "13:00-18:00"] for d in _CLOCK_WEEKDAYS},
            "sat": ["10:00-14:00"],
        },
        "closed": [{"date": "2026-03-30", "name": "stocktake"}],
        "special": {"2026-10-24": ["09:00-11:00"]},
    },
    "lord_howe": {
        "timezone": "Australia/Lord_Howe",
        "hours": {d: ["22:00-06:00"] for d in (*_CLOCK_WEEKDAYS, "sat", "sun")},
    },
}
CLOCK_POLICY_METRICS: dict[str, dict[str, _CliAny]] = {
    "first_response": {"name": "first_response", "kind": "first_response"},
    "next_response": {"name": "next_response", "kind": "next_response"},
    "resolution": {
        "name": "resolution",
        "kind": "resolution",
        "pause": ["custom:hold"],
        "resume": ["custom:unhold"],
    },
    "workaround": {"name": "workaround", "kind": "workaround"},
    "periodic_update": {
        "name": "periodic_update",
        "kind": "periodic_update",
        "start": ["custom:major_incident"],
        "stop": ["custom:status_page_update"],
        "cancel": ["custom:incident_resolved"],
    },
    "time_in_progress": {
        "name": "time_in_progress",
        "kind": "time_in_state",
        "state": "In Progress",
    },
}
CLOCK_POLICY_WARNINGS = (
    {"name": "half", "share": "1/2"},
    {"name": "three-quarters", "share": "3/4"},
    {"name": "lead-30m", "lead": "30m"},
    {"name": "wall-1h", "lead": "1h", "clock": "wall"},
)

_clock_policy_durations = _clock_st.one_of(
    _clock_st.integers(1, 180).map(lambda m: f"{m}m"),
    _clock_st.integers(1, 60 * 40).map(lambda m: f"{m}m"),
    _clock_st.integers(1, 7200).map(lambda s: f"{s}s"),
)
_clock_calendar_names = _clock_st.sampled_from(sorted(CLOCK_POLICY_CALENDARS))


#: other ticket attributes (beyond the named four) that rules and tickets may name
CLOCK_OTHER_VALUES: dict[str, tuple[str, ...]] = {
    "region": ("emea", "apac", "amer"),
    "plan": ("gold", "silver"),
}


@_clock_st.composite
def clock_other_attributes(draw: _clock_st.DrawFn) -> dict[str, str]:
    """A ticket's other attributes: some of region and plan, and one no rule names."""
    out = {
        name: draw(_clock_st.sampled_from(values))
        for name, values in CLOCK_OTHER_VALUES.items()
        if draw(_clock_st.booleans())
    }
    if draw(_clock_st.booleans()):
        out["customer"] = "acme"
    return out


@_clock_st.composite
def _clock_rules(draw: _clock_st.DrawFn) -> list[dict[str, _CliAny]]:
    """Target rules: maybe one by severity, one by tier, one by region and/or plan, then a
    catch-all."""
    out: list[dict[str, _CliAny]] = []
    for key, values in (
        ("severity", CLOCK_VALUES["severity_changed"]),
        ("tier", CLOCK_VALUES["tier_changed"]),
        ("region", CLOCK_OTHER_VALUES["region"]),
        ("plan", CLOCK_OTHER_VALUES["plan"]),
    ):
        if draw(_clock_st.booleans()):
            when = {key: sorted(draw(_clock_st.sets(_clock_st.sampled_from(values), min_size=1)))}
            if key == "region" and draw(_clock_st.booleans()):  # region and plan together
                when["plan"] = [draw(_clock_st.sampled_from(CLOCK_OTHER_VALUES["plan"]))]
            target = draw(_clock_st.one_of(_clock_st.none(), _clock_policy_durations))
            out.append(
                {
                    "name": f"by-{key}",
                    "when": when,
                    "target": target,
                    "calendar": draw(_clock_calendar_names),
                    "customer_zone": draw(_clock_st.booleans()),
                }
            )
    last = draw(
        _clock_st.one_of(
            _clock_policy_durations,
            _clock_policy_durations,
            _clock_policy_durations,
            _clock_st.none(),
        )
    )
    out.append(
        {
            "name": "all",
            "target": last,
            "calendar": draw(_clock_calendar_names),
            "customer_zone": draw(_clock_st.booleans()),
        }
    )
    return out


@_clock_st.composite
def clock_policies(draw: _clock_st.DrawFn) -> dict[str, _CliAny]:
    """An SLA mapping over the calendars above: some metrics, rules, warnings, a chain and
    strategies."""
    names = draw(_clock_st.sets(_clock_st.sampled_from(sorted(CLOCK_POLICY_METRICS)), min_size=1))
    metrics = [dict(CLOCK_POLICY_METRICS[n]) for n in sorted(names)]
    for metric in metrics:  # now and then a metric's own strategies
        if draw(_clock_st.integers(0, 3)) == 0:
            metric["severity_change"] = draw(
                _clock_st.sampled_from(["recompute", "restart", "carry"])
            )
        if draw(_clock_st.integers(0, 3)) == 0:
            metric["reopen"] = draw(_clock_st.sampled_from(["resume", "new_cycle"]))
    mapping: dict[str, _CliAny] = {
        "name": "random",
        "calendars": CLOCK_POLICY_CALENDARS,
        "metrics": metrics,
        "targets": {m["name"]: draw(_clock_rules()) for m in metrics},
        "strategies": {
            "severity_change": draw(_clock_st.sampled_from(["recompute", "restart", "carry"])),
            "reopen": draw(_clock_st.sampled_from(["resume", "new_cycle"])),
            "first_response_pauses": draw(_clock_st.booleans()),
            "retroactive_start": draw(_clock_st.booleans()),
        },
    }
    warnings = draw(
        _clock_st.lists(
            _clock_st.sampled_from(CLOCK_POLICY_WARNINGS), unique_by=lambda w: w["name"], max_size=3
        )
    )
    mapping["warnings"] = [dict(w) for w in warnings]
    for warning in mapping["warnings"]:  # now and then for some tickets only
        if draw(_clock_st.integers(0, 2)) == 0:
            warning["when"] = draw(_clock_when())
    if draw(_clock_st.booleans()):
        levels = [{"name": "L1", "after": draw(_clock_st.sampled_from(["0s", "15m"]))}]
        levels += [
            {"name": f"L{i + 2}", "after": draw(_clock_policy_durations)}
            for i in range(draw(_clock_st.integers(0, 2)))
        ]
        for level in levels:  # now and then the level's own answer time
            if draw(_clock_st.booleans()):
                level["responds_within"] = draw(_clock_policy_durations)
        mapping["escalation"] = {
            "levels": levels,
            "clock": draw(_clock_st.sampled_from(["wall", "business"])),
        }
    chains = []
    for n in range(draw(_clock_st.integers(0, 2))):  # chains for some tickets, tried first
        chains.append(
            {
                "levels": [
                    {
                        "name": f"T{n}-{i}",
                        "after": draw(_clock_policy_durations),
                        **(
                            {"responds_within": draw(_clock_policy_durations)}
                            if draw(_clock_st.booleans())
                            else {}
                        ),
                    }
                    for i in range(draw(_clock_st.integers(1, 2)))
                ],
                "clock": draw(_clock_st.sampled_from(["wall", "business"])),
                "when": draw(_clock_when()),
            }
        )
    if chains:
        mapping["escalations"] = chains
    return mapping


@_clock_st.composite
def _clock_when(draw: _clock_st.DrawFn) -> dict[str, list[str]]:
    """Conditions on the tier, the severity or the region."""
    key, change = draw(
        _clock_st.sampled_from(
            [("tier", "tier_changed"), ("severity", "severity_changed"), ("region", "")]
        )
    )
    pool = CLOCK_OTHER_VALUES["region"] if key == "region" else CLOCK_VALUES[change]
    values = draw(_clock_st.sets(_clock_st.sampled_from(pool), min_size=1))
    return {key: sorted(values)}


#: a ticket's own zone (``None``: none), for calendars read in the customer's zone
CLOCK_TICKET_ZONES = (None, None, "Asia/Tokyo", "America/New_York", "Europe/Berlin")


# ----------------------------------------------------------------------------------------------
# Reports (sla_engine.report): tickets of the Spark Drive policy, every outcome reachable
# ----------------------------------------------------------------------------------------------

from sla_engine.clocks import Ticket as _ReportTicket  # noqa: E402

REPORT_STATES = ("Triaged", "In Progress", "Waiting on Customer", "Escalated", "Resolved", "Closed")
REPORT_ATTRIBUTES = {
    "tier": ("basic", "standard", "premium", "enterprise"),
    "severity": ("sev1", "sev2", "sev3", "sev4"),
    "channel": ("phone", "chat", "priority_email", "email"),
    "issue_class": ("tier1", "tier2", "tier3"),
}
_REPORT_T0 = _clock_datetime(2026, 1, 5, 0, 0, tzinfo=_ClockZoneInfo("UTC"))


@_clock_st.composite
def report_tickets(draw: _clock_st.DrawFn, *, max_tickets: int = 8) -> list[_ReportTicket]:
    """A few tickets spread over a quarter, with replies, waits, escalations, resolutions,
    reopens and major incidents, so that cycles end met, breached, running, paused, cancelled
    or pending; ids are unique."""
    tickets: list[_ReportTicket] = []
    for number in range(draw(_clock_st.integers(1, max_tickets))):
        start = _REPORT_T0 + _clock_timedelta(minutes=draw(_clock_st.integers(0, 60 * 24 * 90)))
        events: list[dict[str, object]] = [{"kind": "created", "at": start.isoformat()}]
        at = start
        closed = False  # in a terminal state: only a reopen moves it on
        for _ in range(draw(_clock_st.integers(0, 8))):
            at += _clock_timedelta(
                minutes=draw(
                    _clock_st.one_of(_clock_st.integers(0, 90), _clock_st.integers(0, 6000))
                )
            )
            kinds = ["agent_reply", "customer_reply", "custom", "custom", "workaround_given"]
            kinds += ["reopened"] if closed else ["status_changed", "status_changed", "resolved"]
            kind = draw(_clock_st.sampled_from(kinds))
            event: dict[str, object] = {"kind": kind, "at": at.isoformat()}
            if kind == "status_changed":
                event["value"] = draw(_clock_st.sampled_from(REPORT_STATES))
                closed = event["value"] in ("Resolved", "Closed")
            elif kind == "resolved":
                closed = True
            elif kind == "reopened":
                closed = False
            elif kind == "custom":
                event["value"] = draw(
                    _clock_st.sampled_from(
                        ["major_incident", "status_page_update", "incident_resolved"]
                    )
                )
            events.append(event)
        mapping: dict[str, object] = {"id": f"T-{number}", "events": events}
        for name, values in REPORT_ATTRIBUTES.items():
            mapping[name] = draw(_clock_st.sampled_from(values))
        tickets.append(_ReportTicket.from_mapping(mapping))
    return tickets


def report_instants() -> _clock_st.SearchStrategy[_clock_datetime]:
    """A report instant somewhere in (or just after) the quarter the tickets live in."""
    return _clock_st.integers(0, 60 * 24 * 100).map(
        lambda m: _REPORT_T0 + _clock_timedelta(minutes=m)
    )
