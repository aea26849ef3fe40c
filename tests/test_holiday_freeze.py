"""Frozen holidays: a policy's holidays written into it answer exactly as the live ones did,
need no holiday data, and refuse questions past the frozen years."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import holidays
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_engine import BusinessCalendar
from sla_engine.cli import main
from sla_engine.closures import HolidaySource, frozen_span
from sla_engine.errors import CalendarError
from sla_engine.policy import validate_policy
from sla_engine.policy.freeze import freeze_policy_text
from strategies import cli_desk, cli_write

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
POLICIES = EXAMPLES / "policies"
TICKETS = EXAMPLES / "data" / "tickets.jsonl"

LIVE = {
    "LA": {
        "timezone": "America/Los_Angeles",
        "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": {"country": "US", "subdivision": "CA"},
    },
    "Tehran": {
        "timezone": "Asia/Tehran",
        "hours": {"sat-wed": ["08:00-17:00"], "thu": ["08:00-13:00"]},
        "holidays": {"country": "IR", "language": "fa_IR"},
    },
    "Kiritimati nights": {
        "timezone": "Pacific/Kiritimati",
        "hours": {"mon-sun": ["22:00-06:00"]},
        "holidays": [{"country": "US"}, {"country": "DE"}],
    },
}


def _frozen(mapping: dict[str, object], first: int, last: int) -> dict[str, object]:
    raw = mapping["holidays"]
    sources = raw if isinstance(raw, list) else [raw]
    frozen = [HolidaySource.from_mapping(s).freeze(first, last).to_mapping() for s in sources]  # type: ignore[arg-type]
    return {**mapping, "holidays": frozen if isinstance(raw, list) else frozen[0]}


@pytest.fixture
def no_holiday_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """The holidays package's country and market data cannot be read."""

    def refuse(*args: object, **kwargs: object) -> object:
        raise ImportError("no holiday data in this test")

    monkeypatch.setattr(holidays, "country_holidays", refuse)
    monkeypatch.setattr(holidays, "financial_holidays", refuse)


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(sorted(LIVE)),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 10, 31)),
    hours=st.integers(min_value=0, max_value=400),
    seconds=st.integers(min_value=0, max_value=3599),
)
def test_law_frozen_calendar_answers_as_the_live_one(
    name: str, start: datetime, hours: int, seconds: int
) -> None:
    """Within the frozen years, add, subtract and elapsed of the frozen calendar equal the live
    calendar's, in every zone (the edges of the range included)."""
    live = BusinessCalendar.from_mapping(LIVE[name])
    frozen = BusinessCalendar.from_mapping(_frozen(LIVE[name], 2026, 2027))
    t = start.replace(tzinfo=UTC)
    d = timedelta(hours=hours, seconds=seconds)
    due = live.add(t, d)
    if due < datetime(2027, 12, 31, tzinfo=UTC):
        assert frozen.add(t, d) == due
        assert frozen.elapsed(t, due) == live.elapsed(t, due) == d
    back = live.subtract(t, d)
    if back >= datetime(2026, 1, 1, tzinfo=UTC):
        assert frozen.subtract(t, d) == back


def test_frozen_calendar_refuses_questions_past_its_years() -> None:
    """A question that reads a date past the frozen years is an error naming them, never a
    silent 'no holidays'."""
    frozen = BusinessCalendar.from_mapping(_frozen(LIVE["LA"], 2026, 2030))
    # Mon 2030-12-30 12:00Z is 04:00 PST: one business hour is 09:00-10:00 PST, 18:00Z.
    assert frozen.add(datetime(2030, 12, 30, 12, tzinfo=UTC), timedelta(hours=1)) == datetime(
        2030, 12, 30, 18, tzinfo=UTC
    )
    with pytest.raises(CalendarError, match="frozen into the policy for 2026-2030"):
        frozen.add(datetime(2031, 3, 1, tzinfo=UTC), timedelta(hours=1))
    with pytest.raises(CalendarError, match="2026-2030"):
        frozen.closure(date(2025, 6, 1))


def test_frozen_dates_cover_the_edge_days_a_calendar_reads() -> None:
    """A freeze holds its years and the days around them (New Year's Day after the last year),
    and refuses a date written outside that span."""
    source = HolidaySource(country="US").freeze(2026, 2026)
    lo, hi = frozen_span(2026, 2026)
    assert min(source.dates) >= lo and max(source.dates) <= hi
    assert date(2027, 1, 1) in source.dates
    with pytest.raises(CalendarError, match="outside the frozen years"):
        HolidaySource.from_mapping(
            {"country": "US", "frozen": "2026", "dates": {"2028-01-01": "New Year's Day"}}
        )


def test_frozen_source_needs_no_holiday_data(no_holiday_data: None) -> None:
    """A frozen calendar builds and answers with the holidays package's data unreadable."""
    frozen = {
        "timezone": "UTC",
        "hours": "24x7",
        "holidays": {"country": "US", "frozen": "2026", "dates": {"2026-07-04": "Independence"}},
    }
    calendar = BusinessCalendar.from_mapping(frozen)
    assert calendar.closure(date(2026, 7, 4)) == "Independence"
    with pytest.raises(ImportError):
        BusinessCalendar.from_mapping({**frozen, "holidays": {"country": "US"}})


def _evaluate(policy: Path, capsys: pytest.CaptureFixture[str], as_of: str) -> tuple[int, str]:
    code = main(["evaluate", "--policy", str(policy), "--tickets", str(TICKETS), "--as-of", as_of])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("to", ["yaml", "json"])
def test_frozen_policy_evaluates_as_the_live_one_even_without_holiday_data(
    to: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`holidays freeze` writes a policy whose evaluation is byte-identical to the live one's,
    with holiday data available and with it unreadable."""
    live = POLICIES / "spark-drive.yaml"
    frozen = tmp_path / f"frozen.{to}"
    argv = ["holidays", "freeze", str(live), "--years", "2026-2030", "--to", to]
    assert main([*argv, "-o", str(frozen)]) == 0, capsys.readouterr().err
    as_of = "2026-03-09T12:00:00Z"
    code, expected = _evaluate(live, capsys, as_of)
    assert code == 0
    assert _evaluate(frozen, capsys, as_of) == (0, expected)

    def refuse(*args: object, **kwargs: object) -> object:
        raise ImportError("no holiday data in this test")

    monkeypatch.setattr(holidays, "country_holidays", refuse)
    monkeypatch.setattr(holidays, "financial_holidays", refuse)
    assert _evaluate(frozen, capsys, as_of) == (0, expected)
    assert main(["validate", str(frozen)]) == 0
    assert main(["render", str(frozen)]) == 0
    code, out = _evaluate(frozen, capsys, "2031-06-01T00:00:00Z")
    assert code == 1 and "frozen into the policy for 2026-2030" in out


def test_freeze_writes_names_in_the_calendars_language(tmp_path: Path) -> None:
    """The Tehran centre's frozen holidays keep their Persian names, and the policy loads."""
    text = freeze_policy_text(POLICIES / "tehran-contact-centre.yaml", 2027, 2027)
    data = yaml.safe_load(text)
    entry = data["calendars"]["centre"]["holidays"]
    assert entry["frozen"] == "2027-2027"
    nowruz = holidays.country_holidays("IR", years=2027, language="fa_IR")[date(2027, 3, 22)]
    assert entry["dates"]["2027-03-22"] == nowruz
    assert validate_policy(text=text).policy is not None


def test_freeze_of_toml_asks_for_an_output_syntax(tmp_path: Path) -> None:
    """A TOML policy is frozen into YAML or JSON on request; without --to it is refused."""
    import tomli_w

    path = tmp_path / "desk.toml"
    mapping = cli_desk()
    path.write_text(tomli_w.dumps(json.loads(json.dumps(mapping, default=str))), "utf-8")
    assert main(["holidays", "freeze", str(path), "--years", "2026"]) == 1
    assert main(["holidays", "freeze", str(path), "--years", "2026", "--to", "json"]) == 0


def test_freeze_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """Bad --years and a missing action are usage errors (exit 2) with a message, no traceback."""
    spark = str(POLICIES / "spark-drive.yaml")
    assert main(["holidays", "freeze", spark, "--years", "20x6"]) == 2
    assert "--years" in capsys.readouterr().err
    assert main(["holidays", "freeze", spark, "--years", "2030-2026"]) == 1
    assert "2030-2026" in capsys.readouterr().err
    assert main(["holidays"]) == 2


def _lint(tmp_path: Path, holidays_entry: object, effective: str) -> list[str]:
    mapping = cli_desk()
    mapping["effective_from"] = effective
    mapping["calendars"]["business"]["holidays"] = holidays_entry
    validation = validate_policy(cli_write(tmp_path, mapping))
    return [p.message for p in validation.problems if p.severity == "warning"]


def test_lint_warns_when_frozen_years_miss_the_policys_years(tmp_path: Path) -> None:
    """A frozen list that does not cover the years the policy is in force is a warning."""
    entry = {"country": "US", "frozen": "2026", "dates": {"2026-07-04": "Independence Day"}}
    found = _lint(tmp_path, entry, "2026-01-01")
    assert any("frozen for 2026-2026" in m for m in found), found
    covered = {"country": "US", "frozen": "2026-2027", "dates": {"2026-07-04": "Independence"}}
    assert not any("frozen" in m for m in _lint(tmp_path, covered, "2026-01-01"))


def test_lint_warns_when_live_data_does_not_reach_the_policys_years(tmp_path: Path) -> None:
    """Live holidays for years past what the installed package computes are a warning."""
    end = holidays.country_holidays("US").end_year
    found = _lint(tmp_path, {"country": "US", "subdivision": "CA"}, f"{end + 1}-01-01")
    assert any("holidays freeze" in m and str(end) in m for m in found), found
