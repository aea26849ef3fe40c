"""render_policy: the public support, pricing and SLA page, in Markdown and HTML."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from holiday_data import holiday_name
from sla_engine._time import BusinessDays
from sla_engine.policy import Policy, load_policy
from sla_engine.render import human_duration, render_policy
from strategies import cli_desk, cli_write


def _policy(tmp_path: Path, mapping: dict[str, Any] | None = None) -> Policy:
    return load_policy(cli_write(tmp_path, mapping or cli_desk()))


@pytest.fixture
def desk(tmp_path: Path) -> Policy:
    return _policy(tmp_path)


def _rows(markdown: str) -> list[list[str]]:
    """The cells of every Markdown table row (header and separator rows included)."""
    return [
        [cell.strip() for cell in line.strip("|").split(" | ")]
        for line in markdown.splitlines()
        if line.startswith("| ")
    ]


def test_markdown_lists_tiers_with_prices(desk: Policy) -> None:
    """Each tier appears with its price, currency and billing unit."""
    rows = _rows(render_policy(desk, format="markdown"))
    assert ["Standard", "USD 5.00 per user per month", "Business hours", "E-mail", "-"] in rows
    premium = next(r for r in rows if r[0] == "Premium")
    assert premium[1] == "USD 2,000.00 per month"
    assert premium[4] == "Named account manager"


def test_markdown_lists_channels_with_first_response(desk: Policy) -> None:
    """A channel shows the first-response target any ticket on it gets."""
    rows = _rows(render_policy(desk))
    assert ["Phone", "-", "Around the clock", "30 seconds"] in rows
    assert ["E-mail", "-", "-", "24 hours"] in rows


def test_markdown_shows_targets_by_tier_and_severity(desk: Policy) -> None:
    """Tier targets form a table by severity, channel or issue class, one column per tier."""
    text = render_policy(desk)
    rows = _rows(text)
    assert "**First response by tier**" in text
    assert ["Sev 1", "-", "2 hours"] in rows
    assert ["Tier 1 issue", "72 hours"] in rows
    assert ["tier: Premium; severity: Sev 1", "2 hours", "Around the clock"] in rows
    assert ["All other tickets", "not applicable", "-"] in rows


def test_markdown_shows_hours_holidays_and_credits(desk: Policy) -> None:
    """Weekly hours, the year's holidays, the credit bands and the claim window are listed."""
    text = render_policy(desk, year=2026)
    rows = _rows(text)
    assert ["Saturday", "Closed"] in rows
    assert ["Thursday", "08:00–13:00"] in rows
    assert ["2026-11-26", "Thursday", holiday_name("US", date(2026, 11, 26))] in rows
    assert ["2026-12-24", "Thursday", "Christmas Eve"] in rows
    assert ["at least 4 hours and less than 12 hours", "25%"] in rows
    assert "- Claim window: file a claim within 30 days after the incident's end." in text
    assert "- Scheduled maintenance announced at least 72 hours ahead" in text
    assert ["1", "L1 Support", "+1-800-555-0123", "at the breach", "15 minutes"] in rows


def test_persian_holiday_names_whatever_the_locale(
    desk: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An Iranian calendar's holidays are named in Persian, even in an English locale."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(variable, "en_US.UTF-8")
    page = render_policy(desk, format="html", year=2026)
    victory = holiday_name("IR", date(2026, 2, 11), language="fa_IR")
    assert any("\u0600" <= ch <= "\u06ff" for ch in victory), "expected Persian script"
    assert f'<td lang="fa-IR" dir="auto">{victory}</td>' in page
    monkeypatch.setenv("LANGUAGE", "fa_IR.UTF-8")
    assert render_policy(desk, format="html", year=2026) == page


def test_year_option_picks_the_holiday_list(desk: Policy) -> None:
    """--year chooses the holidays listed; years lists several; the default is effective_from's."""
    thanksgiving = holiday_name("US", date(2027, 11, 25))
    assert f"2027-11-25 | Thursday | {thanksgiving}" in render_policy(desk, year=2027)
    assert "2027-11" not in render_policy(desk)
    both = render_policy(desk, year=2026, years=2)
    assert "**Closed days 2026–2027**" in both
    assert "2026-11-26" in both and "2027-11-25" in both


def test_bad_year_is_a_value_error(desk: Policy) -> None:
    """A year outside 1..9999 or a non-positive count is refused with ValueError."""
    with pytest.raises(ValueError, match="year"):
        render_policy(desk, year=0)
    with pytest.raises(ValueError, match="years"):
        render_policy(desk, years=0)
    with pytest.raises(ValueError, match="format"):
        render_policy(desk, format="pdf")  # type: ignore[arg-type]


def test_markdown_escapes_policy_text(desk: Policy) -> None:
    """Markdown special characters from the policy are backslash-escaped."""
    text = render_policy(desk)
    assert "A small helpdesk with \\| pipes \\& \\<tags\\> in its text." in text
    assert "<tags>" not in text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: set[str] = set()
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.external.append(value)
        if tag not in {"meta", "br"}:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_escaped_balanced_and_self_contained(tmp_path: Path) -> None:
    """Hostile text from the policy is escaped; tags balance; nothing is loaded from outside."""
    mapping = cli_desk()
    mapping["description"] = '<script>alert("x")</script> & <a href="http://evil">x</a>'
    mapping["tiers"]["premium"]["label"] = "Pro <b>plus</b>"
    page = render_policy(_policy(tmp_path, mapping), format="html")
    assert "<script>" not in page and "<b>" not in page
    assert html.escape('<script>alert("x")</script>', quote=True) in page
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert parser.stack == [] and parser.external == []
    assert {"script", "a", "b", "link", "img"}.isdisjoint(parser.tags)
    assert "Pro <b>plus</b>" in "".join(parser.text)


def test_output_is_deterministic(tmp_path: Path) -> None:
    """The same policy gives the same bytes, from two separate loads."""
    first = _policy(tmp_path)
    other = tmp_path / "again"
    other.mkdir()
    second = _policy(other)
    for fmt in ("markdown", "html"):
        assert render_policy(first, format=fmt) == render_policy(second, format=fmt)


def test_minimal_policy_renders(tmp_path: Path) -> None:
    """A policy with calendars only renders its header and hours, and a composed calendar."""
    mapping = {
        "format_version": 1,
        "name": "tiny",
        "version": "1",
        "effective_from": "2026-01-01",
        "calendars": {
            "a": {"timezone": "UTC", "hours": {"mon-fri": ["09:00-12:00", "13:00-17:00"]}},
            "b": {"timezone": "UTC", "hours": {"sat": ["10:00-14:00"]}},
            "both": {"union": ["a", "b"]},
        },
    }
    text = render_policy(_policy(tmp_path, mapping))
    assert text.startswith("# tiny: support, pricing and service levels\n")
    assert "| Monday | 09:00–12:00, 13:00–17:00 |" in text
    assert "Open whenever any of these is open: A, B." in text
    assert "No holidays or closed days in 2026." in text
    assert "Service credits" not in text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(seconds=30), "30 seconds"),
        (timedelta(seconds=1), "1 second"),
        (timedelta(minutes=2), "2 minutes"),
        (timedelta(hours=1, minutes=30), "1 hour 30 minutes"),
        (timedelta(hours=72), "72 hours"),
        (timedelta(milliseconds=1500), "1.5 seconds"),
        (timedelta(0), "0 seconds"),
        (BusinessDays(days=1), "1 business day"),
        (BusinessDays(days=7), "7 business days"),
    ],
)
def test_human_duration(value: timedelta | BusinessDays, text: str) -> None:
    """Durations read as words, in hours, minutes and seconds."""
    assert human_duration(value) == text


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_human_duration_reads_back(us: int) -> None:
    """The words of a duration add back up to it exactly."""
    text = human_duration(timedelta(microseconds=us))
    total = timedelta(0)
    for number, unit in re.findall(r"([0-9.]+) (hour|minute|second)s?", text):
        scale = {"hour": 3600, "minute": 60, "second": 1}[unit]
        total += timedelta(microseconds=int(Decimal(number) * 1_000_000) * scale)
    assert total == timedelta(microseconds=us)
