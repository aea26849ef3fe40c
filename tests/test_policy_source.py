"""Policy text to plain data with positions: YAML, JSON, TOML; bombs and duplicates refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sla_engine.errors import PolicyError
from sla_engine.policy.source import (
    MAX_DEPTH,
    Position,
    format_path,
    parse_text,
)

YAML = """\
format_version: 1
calendars:
  business:
    timezone: America/New_York
    hours: {mon-fri: ["09:00-17:00"]}
tiers:
  - premium
  - basic
price: 49.50
"""


def _only_problem(exc: pytest.ExceptionInfo[PolicyError]) -> tuple[int | None, int | None, str]:
    (problem,) = exc.value.problems
    return problem.line, problem.column, problem.message


def test_yaml_positions_of_keys_and_values() -> None:
    """Every key and value of a YAML document has its 1-based line and column."""
    doc = parse_text(YAML, source="p.yaml")
    pos = doc.positions
    assert pos.keys[("calendars", "business", "timezone")] == Position(line=4, column=5)
    assert pos.values[("calendars", "business", "timezone")] == Position(line=4, column=15)
    assert pos.values[("calendars", "business", "hours", "mon-fri", 0)] == Position(
        line=5, column=23
    )
    assert pos.values[("tiers", 1)] == Position(line=8, column=5)


def test_yaml_numbers_are_int_or_decimal_from_source_text() -> None:
    """Floats become Decimal from their written text; no float is ever made."""
    doc = parse_text("a: 49.50\nb: 1e3\nc: 7\nd: 0x1F\n")
    assert doc.data == {"a": Decimal("49.50"), "b": Decimal("1E+3"), "c": 7, "d": 31}
    assert str(doc.data["a"]) == "49.50"


def test_yaml_core_schema_keeps_no_and_dates_as_text() -> None:
    """YAML 1.1 surprises are gone: NO is text (Norway), dates and 1:30 stay text."""
    doc = parse_text("country: NO\non: yes\nday: 2026-01-01\nt: 1:30\nx: true\n")
    assert doc.data == {"country": "NO", "on": "yes", "day": "2026-01-01", "t": "1:30", "x": True}


def test_yaml_duplicate_keys_located_at_second_occurrence() -> None:
    """A repeated key is an error at the second one, naming the first."""
    with pytest.raises(PolicyError) as exc:
        parse_text("a: 1\nb:\n  c: 1\n  c: 2\n", source="p.yaml")
    assert _only_problem(exc) == (
        4,
        3,
        "duplicate key 'c' (first given at line 3, column 3); remove one of them",
    )


def test_yaml_every_duplicate_reported() -> None:
    """All duplicate keys are reported at once."""
    with pytest.raises(PolicyError) as exc:
        parse_text("a: 1\na: 2\nb: 1\nb: 2\n")
    assert [p.line for p in exc.value.problems] == [2, 4]


def test_yaml_billion_laughs_refused_quickly() -> None:
    """An alias bomb is refused with a clear message instead of being expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(PolicyError) as exc:
        parse_text("\n".join(lines))
    assert "alias bomb" in exc.value.problems[0].message


def test_yaml_aliases_and_merge_keys_expand_with_positions() -> None:
    """Aliases and '<<' merges give the data they name; own keys win over merged ones."""
    text = "base: &b {timezone: UTC, hours: 24x7}\ncal:\n  <<: *b\n  hours: {mon: []}\n"
    doc = parse_text(text)
    assert doc.data["cal"] == {"timezone": "UTC", "hours": {"mon": []}}
    assert doc.positions.values[("cal", "timezone")] == Position(line=1, column=21)
    assert doc.positions.values[("cal", "hours")] == Position(line=4, column=10)


def test_yaml_recursive_alias_refused() -> None:
    """A node that contains an alias to itself is refused."""
    with pytest.raises(PolicyError, match="refers to a node that contains it"):
        parse_text("a: &a [1, *a]\n")


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("yaml", "[" * 100_000),
        ("yaml", "a: " + "{b: " * 100_000),
        ("json", "[" * 100_000),
        ("toml", "a = " + "[" * 100_000),
        ("toml", "a = " + "{b = " * 100_000),
    ],
)
def test_deep_nesting_refused_by_our_bound_located(fmt: str, text: str) -> None:
    """Deep nesting is refused by our own bound, located at line and column, before any
    parser's own limit (whose message differs between releases) can act."""
    with pytest.raises(PolicyError, match=f"deeper than {MAX_DEPTH}") as exc:
        parse_text(text, format=fmt, source="deep")
    problem = exc.value.problems[0]
    assert (problem.source, problem.line) == ("deep", 1)
    assert problem.column is not None
    assert problem.column <= len(text) // 10


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('a: "' + "[" * 1000 + '"\n', "[" * 1000),
        ("a: '" + "{" * 1000 + "'\n", "{" * 1000),
        ("a: 1  # " + "[" * 1000 + "\n", 1),
        ('a: "x\\\\"' + "  # " + "[" * 1000 + "\n", "x\\"),
    ],
)
def test_brackets_in_strings_and_comments_are_not_nesting(text: str, value: object) -> None:
    """Brackets inside quoted strings and comments do not count towards the nesting bound:
    the value is read as written."""
    assert parse_text(text, format="yaml").data == {"a": value}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!python/object:os.system x\n", "tag 'tag:yaml.org,2002:python/object:os.system'"),
        ("a: .inf\n", "not a finite number"),
        ("--- 1\n--- 2\n", "holds one YAML document"),
        ("", "the policy is empty"),
        ("a: [1\n", "YAML syntax"),
    ],
)
def test_yaml_refusals(text: str, message: str) -> None:
    """Unsafe tags, non-finite numbers, several documents, empty text, bad syntax: refused."""
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_text(text)


def test_yaml_syntax_error_is_located() -> None:
    """A YAML syntax error carries the line and column of the problem."""
    with pytest.raises(PolicyError) as exc:
        parse_text("a: 1\nb: [1, 2\nc: 3\n", source="p.yaml")
    problem = exc.value.problems[0]
    assert (problem.source, problem.line) == ("p.yaml", 3)


def test_json_positions_and_decimals() -> None:
    """JSON keys and values have positions; floats are Decimal."""
    text = '{\n  "a": {"b": [1, 2.50]},\n  "c": null\n}'
    doc = parse_text(text, format="json")
    assert doc.data == {"a": {"b": [1, Decimal("2.50")]}, "c": None}
    assert doc.positions.keys[("a", "b")] == Position(line=2, column=9)
    assert doc.positions.values[("a", "b", 1)] == Position(line=2, column=18)
    assert doc.positions.keys[("c",)] == Position(line=3, column=3)


def test_json_duplicate_keys_refused() -> None:
    """A repeated JSON key is an error at the second occurrence."""
    with pytest.raises(PolicyError) as exc:
        parse_text('{"a": 1,\n "a": 2}', format="json")
    assert _only_problem(exc) == (
        2,
        2,
        "duplicate key 'a' (first given at line 1, column 2); remove one of them",
    )


def test_json_syntax_error_located_and_nan_refused() -> None:
    """JSON syntax errors are located; NaN and Infinity are not numbers a policy holds."""
    with pytest.raises(PolicyError) as exc:
        parse_text('{"a": [1,, 2]}', format="json")
    assert exc.value.problems[0].line == 1
    assert exc.value.problems[0].column == 10
    with pytest.raises(PolicyError, match="NaN"):
        parse_text('{"a": NaN}', format="json")


def test_toml_positions_best_effort() -> None:
    """TOML keys in tables, dotted keys and arrays of tables are located."""
    text = 'a = 1\n[t.u]\nb = "x"\nc.d = 2.5\n[[arr]]\nx = 1\n[[arr]]\nx = 2\n'
    doc = parse_text(text, format="toml")
    assert doc.data["t"]["u"]["c"]["d"] == Decimal("2.5")
    assert doc.positions.values[("t", "u", "b")] == Position(line=3, column=5)
    assert doc.positions.keys[("t", "u", "c", "d")] == Position(line=4, column=3)
    assert doc.positions.values[("arr", 1, "x")] == Position(line=8, column=5)


def test_toml_errors_located() -> None:
    """A duplicate TOML key is located on the line of the second one; the column is tomllib's
    choice (it has varied between releases), so only its presence is checked."""
    with pytest.raises(PolicyError) as exc:
        parse_text("a = 1\na = 2\n", format="toml", source="p.toml")
    (problem,) = exc.value.problems
    assert (problem.source, problem.line) == ("p.toml", 2)
    assert problem.column is not None and 1 <= problem.column <= len("a = 2") + 1
    assert problem.message.startswith("TOML syntax: ")


def test_locate_falls_back_to_nearest_ancestor() -> None:
    """A path with no position of its own is located at its nearest written ancestor."""
    doc = parse_text(YAML)
    assert doc.positions.locate(("calendars", "business", "holidays", "country")) == Position(
        line=4, column=5
    )


def test_format_path() -> None:
    """Paths print as dotted keys with list indexes in brackets."""
    assert format_path(("tiers", "premium", "targets", "sev1")) == "tiers.premium.targets.sev1"
    assert format_path(("calendars", "x", "closed", 2)) == "calendars.x.closed[2]"
    assert format_path(("special", "2026-12-31")) == "special.2026-12-31"
    assert format_path(("a b",)) == '["a b"]'
