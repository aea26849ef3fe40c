"""A service's clock: snapshots restore to the uninterrupted clock's answers, every public value
pickles and deep-copies, one calendar serves many threads, and next_deadlines_many."""

from __future__ import annotations

import contextlib
import copy
import json
import pickle
import threading
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla_engine import PolicySet, load_policy
from sla_engine.calendar import BusinessCalendar
from sla_engine.clocks import (
    SLA,
    Event,
    EventKind,
    Ticket,
    TicketClock,
    evaluate,
    next_deadlines_many,
)
from sla_engine.data_versions import data_versions
from sla_engine.errors import SLAEngineWarning, TicketError
from strategies import (
    CLOCK_TICKET_ZONES,
    CLOCK_VALUES,
    clock_lifecycle_logs,
    clock_policies,
    clock_rich_logs,
)

EXAMPLES = Path(__file__).parent.parent / "examples" / "policies"
US = timedelta(microseconds=1)


def _feed(clock: TicketClock, events: list[tuple[datetime, str, str | None]]) -> None:
    for at, kind, value in events:
        try:
            clock.feed(Event(kind=EventKind(kind), at=at, value=value))
        except TicketError:
            continue  # a refused event changes nothing, on both clocks alike


def _answers(clock: TicketClock, as_of: datetime) -> tuple[Any, ...]:
    return (
        clock.evaluate(as_of=as_of),
        clock.next_deadlines(as_of=as_of),
        clock.rows_us((as_of - datetime(1970, 1, 1, tzinfo=UTC)) // US),
        clock.events_fed,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mapping=clock_policies(),
    log=st.one_of(clock_lifecycle_logs(), clock_rich_logs()),
    severity=st.sampled_from([None, *CLOCK_VALUES["severity_changed"]]),
    zone=st.sampled_from(CLOCK_TICKET_ZONES),
    data=st.data(),
)
def test_snapshot_between_any_two_events_restores_the_same_answers(
    mapping: dict[str, Any], log: Any, severity: str | None, zone: str | None, data: st.DataObject
) -> None:
    """Snapshot after any event, through JSON text, restore and feed the rest: every later
    answer (evaluation, next deadlines, rows) equals the uninterrupted clock's."""
    sla = SLA.from_mapping(mapping)
    start, steps = log
    events = [(start, "created", None), *((start + off, k, v) for off, k, v in steps)]
    cut = data.draw(st.integers(0, len(events)), label="cut")
    whole = TicketClock(sla, ticket_id="S", severity=severity, timezone=zone)
    _feed(whole, events)
    first = TicketClock(sla, ticket_id="S", severity=severity, timezone=zone)
    _feed(first, events[:cut])
    text = json.dumps(first.snapshot())
    restored = TicketClock.restore(SLA.from_mapping(mapping), json.loads(text))
    if first.events_fed:
        at = events[cut - 1][0]
        assert _answers(restored, at) == _answers(first, at)
    _feed(restored, events[cut:])
    last = events[-1][0]
    for later in (last, last + timedelta(hours=data.draw(st.integers(0, 72), label="later"))):
        assert _answers(restored, later) == _answers(whole, later)
    # pickle and deepcopy go the same way
    for copied in (pickle.loads(pickle.dumps(whole)), copy.deepcopy(whole)):
        assert _answers(copied, last) == _answers(whole, last)


def _clock_on(sla: SLA) -> TicketClock:
    clock = TicketClock(sla, ticket_id="P-1", severity="sev1")
    clock.feed(Event(kind=EventKind.CREATED, at=datetime(2026, 3, 9, 9, tzinfo=UTC)))
    return clock


def test_snapshot_names_its_policy_and_restoring_under_another_is_an_error() -> None:
    """A snapshot carries the policy's name, version and content hash; another policy, or the
    same name with other content, is refused with a clear error."""
    policy = load_policy(EXAMPLES / "spark-drive.yaml")
    snap = _clock_on(policy.sla).snapshot()
    assert snap["policy"] == {
        "name": policy.sla.name,
        "version": policy.version,
        "hash": policy.sla.content_hash,
    }
    assert len(snap["policy"]["hash"]) == 64
    other = load_policy(EXAMPLES / "spark-driver-support.yaml")
    with pytest.raises(TicketError) as err:
        TicketClock.restore(other.sla, snap)
    assert "taken under policy" in str(err.value) and err.value.path == ("policy",)
    changed = SLA.from_mapping({**policy.sla.to_mapping(), "strategies": {"reopen": "new_cycle"}})
    assert changed.name == policy.sla.name and changed.content_hash != policy.sla.content_hash
    with pytest.raises(TicketError):
        TicketClock.restore(changed, snap)


def _resealed(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A changed snapshot with its digest computed anew (a forgery the state checks must catch)."""
    import hashlib
    import json

    text = json.dumps(snapshot["clock"], sort_keys=True, separators=(",", ":"))
    return {**snapshot, "digest": hashlib.sha256(text.encode("utf-8")).hexdigest()}


@pytest.mark.parametrize(
    ("mangle", "path"),
    [
        (lambda s: {**s, "format": "x"}, ("format",)),
        (lambda s: {**s, "format_version": 99}, ("format_version",)),
        (lambda s: {**s, "clock": {**s["clock"], "events_fed": "1"}}, ("digest",)),
        (lambda s: {**s, "clock": {**s["clock"], "metrics": []}}, ("digest",)),
        (lambda s: {**s, "clock": {**s["clock"], "state": "Nowhere"}}, ("digest",)),
        (lambda s: {k: v for k, v in s.items() if k != "clock"}, ("digest",)),
        (lambda s: {**s, "digest": "0" * 64}, ("digest",)),
        (lambda s: _resealed({**s, "clock": {**s["clock"], "state": "Nowhere"}}), ("clock",)),
        (lambda s: _resealed({**s, "clock": {**s["clock"], "metrics": []}}), ("clock",)),
        (lambda s: {**s, "data_versions": "2025b"}, ("data_versions",)),
        (lambda s: {**s, "data_versions": {"tzdb": 2025}}, ("data_versions",)),
    ],
)
def test_malformed_snapshot_is_a_clear_error(mangle: Any, path: tuple[str, ...]) -> None:
    """A changed or truncated snapshot raises TicketError naming where, never another error."""
    policy = load_policy(EXAMPLES / "spark-drive.yaml")
    snap = json.loads(json.dumps(_clock_on(policy.sla).snapshot()))
    with pytest.raises(TicketError) as err:
        TicketClock.restore(policy.sla, mangle(snap))
    assert err.value.path == path


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.iterdir()))
def test_every_public_value_pickles_and_deep_copies(name: str) -> None:
    """Policies, their SLAs and calendars, clocks, tickets and evaluations survive pickle and
    deepcopy as equal values that answer alike."""
    policy = load_policy(EXAMPLES / name)
    sla = policy.sla
    clock = _clock_on(sla)
    as_of = datetime(2026, 3, 10, 9, tzinfo=UTC)
    result = clock.evaluate(as_of=as_of)
    ticket = Ticket(
        id="P-1",
        severity="sev1",
        events=(Event(kind=EventKind.CREATED, at=datetime(2026, 3, 9, 9, tzinfo=UTC)),),
    )
    values: list[Any] = [
        policy,
        PolicySet(versions=(policy,)),
        sla,
        *sla.calendars.values(),
        *sla.metrics,
        sla.lifecycle,
        sla.strategies,
        *sla.warnings,
        ticket,
        result,
        *result.cycles,
        *result.events,
    ]
    if policy.credit_schedule is not None:
        values.append(policy.credit_schedule)
    if policy.billing_cycle is not None:
        values.append(policy.billing_cycle)
    for value in values:
        for copied in (pickle.loads(pickle.dumps(value)), copy.deepcopy(value)):
            assert copied == value
    for copied_sla in (pickle.loads(pickle.dumps(sla)), copy.deepcopy(sla)):
        assert copied_sla.content_hash == sla.content_hash
        assert evaluate(copied_sla, ticket, as_of=as_of) == result
    for copied_policy in (pickle.loads(pickle.dumps(policy)), copy.deepcopy(policy)):
        assert evaluate(copied_policy.sla, ticket, as_of=as_of) == result
    for copied_clock in (pickle.loads(pickle.dumps(clock)), copy.deepcopy(clock)):
        assert copied_clock.evaluate(as_of=as_of) == result


def test_one_calendar_shared_by_eight_threads_answers_as_one_thread() -> None:
    """Eight threads asking one fresh calendar (building its segments as they go) get exactly
    the single-threaded answers."""
    spec = {
        "timezone": "America/New_York",
        "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": {"country": "US"},
    }
    base = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [base + timedelta(days=37 * i, hours=5 * i) for i in range(40)]
    alone = BusinessCalendar.from_mapping(spec)
    expected = [(alone.add(t, timedelta(hours=29)), alone.elapsed(base, t)) for t in starts]
    shared = BusinessCalendar.from_mapping(spec)
    results: list[list[Any]] = [[] for _ in range(8)]
    barrier = threading.Barrier(8)

    def work(k: int) -> None:
        barrier.wait()
        order = starts[k:] + starts[:k]
        got = {t: (shared.add(t, timedelta(hours=29)), shared.elapsed(base, t)) for t in order}
        results[k] = [got[t] for t in starts]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_next_deadlines_many_merges_the_clocks_in_time_order() -> None:
    """The deadlines of many clocks, each tagged with its ticket, in time order; ``until``
    keeps those not after it."""
    policy = load_policy(EXAMPLES / "spark-drive.yaml")
    t0 = datetime(2026, 3, 9, 9, tzinfo=UTC)
    clocks = []
    for i in range(5):
        clock = TicketClock(policy.sla, ticket_id=f"T-{i}", severity="sev1")
        clock.feed(Event(kind=EventKind.CREATED, at=t0 + timedelta(minutes=7 * i)))
        clocks.append(clock)
    as_of = t0 + timedelta(hours=1)
    merged = next_deadlines_many(clocks, as_of=as_of)
    expected = sorted(
        ((e.at, c.ticket_id, k), (c.ticket_id, e))
        for c in clocks
        for k, e in enumerate(c.next_deadlines(as_of=as_of))
    )
    assert merged == [x[1] for x in expected]
    assert merged, "the example policy puts deadlines on a new sev1 ticket"
    until = merged[len(merged) // 2][1].at
    assert next_deadlines_many(clocks, as_of=as_of, until=until) == [
        x for x in merged if x[1].at <= until
    ]


def test_snapshot_keeps_the_reopened_cycles_escalation_gap() -> None:
    """Issue 9's reopen after a breach (chain stopped while resolved), cut after each event:
    the restored clock pages the manager at Tue 10:00:00.000001, as the uninterrupted one."""
    from test_clock_bugs import REOPENED, TUE, _reopen_sla

    sla = _reopen_sla()
    events = list(REOPENED.events)
    whole = TicketClock.for_ticket(sla, REOPENED)
    for e in events:
        whole.feed(e)
    for cut in range(len(events) + 1):
        first = TicketClock.for_ticket(sla, REOPENED)
        for e in events[:cut]:
            first.feed(e)
        restored = TicketClock.restore(sla, json.loads(json.dumps(first.snapshot())))
        for e in events[cut:]:
            restored.feed(e)
        for hours in (9, 10, 11, 30):
            at = TUE + timedelta(hours=hours)
            assert _answers(restored, at) == _answers(whole, at)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))] or [path]
    return [path]


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], tuple(rest), new)}
    return [_replace(v, tuple(rest), new) if i == head else v for i, v in enumerate(value)]


_JSON = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.text(max_size=8),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_changed_snapshot_is_restored_or_refused_with_ticket_error(data: st.DataObject) -> None:
    """Any one value of a snapshot replaced by other JSON: restore succeeds or raises
    TicketError, never another exception."""
    policy = load_policy(EXAMPLES / "spark-drive.yaml")
    clock = _clock_on(policy.sla)
    clock.feed(Event(kind=EventKind.RESOLVED, at=datetime(2026, 3, 9, 20, tzinfo=UTC)))
    clock.feed(Event(kind=EventKind.REOPENED, at=datetime(2026, 3, 10, 9, tzinfo=UTC)))
    snap = json.loads(json.dumps(clock.snapshot()))
    path = data.draw(st.sampled_from(_leaves(snap)), label="path")
    changed = _replace(snap, path, data.draw(_JSON, label="value"))
    with contextlib.suppress(TicketError), warnings.catch_warnings():
        # other calendar data versions warn (tested on their own below)
        warnings.simplefilter("ignore", SLAEngineWarning)
        TicketClock.restore(policy.sla, changed)


def test_snapshot_records_the_calendar_data_versions() -> None:
    """A snapshot records this process's holidays and time-zone data versions; restored here
    it gives no warning."""
    policy = load_policy(EXAMPLES / "spark-drive.yaml")
    snap = json.loads(json.dumps(_clock_on(policy.sla).snapshot()))
    assert snap["data_versions"] == data_versions().to_mapping()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TicketClock.restore(policy.sla, snap)


@pytest.mark.parametrize("key", ["holidays", "tzdb", "tzdb_source", "tzdata_package"])
def test_restoring_under_other_calendar_data_warns_and_restores(key: str) -> None:
    """A snapshot taken under another holidays release or zone database restores with an
    SLAEngineWarning naming what changed, and answers as the clock it was taken from."""
    policy = load_policy(EXAMPLES / "spark-drive.yaml")
    clock = _clock_on(policy.sla)
    snap = json.loads(json.dumps(clock.snapshot()))
    snap["data_versions"][key] = "0.0-other"
    with pytest.warns(SLAEngineWarning, match=f"{key} '0.0-other'"):
        restored = TicketClock.restore(policy.sla, snap)
    at = datetime(2026, 3, 9, 12, tzinfo=UTC)
    assert _answers(restored, at) == _answers(clock, at)


def test_snapshot_without_data_versions_restores_silently() -> None:
    """A snapshot written before data versions were recorded restores without a warning."""
    policy = load_policy(EXAMPLES / "spark-drive.yaml")
    snap = json.loads(json.dumps(_clock_on(policy.sla).snapshot()))
    del snap["data_versions"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TicketClock.restore(policy.sla, snap)
