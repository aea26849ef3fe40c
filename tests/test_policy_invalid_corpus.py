"""Every file in tests/policies/invalid is refused with exactly the message beside it."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import holidays
import pytest

from sla_engine.errors import PolicyError
from sla_engine.policy import load_policy, load_policy_set, validate_policy

CORPUS = Path(__file__).parent / "policies" / "invalid"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix != ".expected")


def test_corpus_is_paired() -> None:
    """Each bad file has its .expected message, and each message its file."""
    expected = {p.stem for p in CORPUS.glob("*.expected")}
    assert expected == {p.stem for p in FILES}
    assert len(FILES) >= 35


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_invalid_policy_message(path: Path) -> None:
    """The file is invalid and the whole message matches the expected text exactly."""
    validation = validate_policy(path, source_name=path.name)
    assert validation.policy is None
    message = str(PolicyError(validation.problems, source=path.name))
    assert message + "\n" == path.with_suffix(".expected").read_text(encoding="utf-8")
    with pytest.raises(PolicyError) as exc:
        load_policy(path, source_name=path.name)
    assert str(exc.value) == message


SETS = Path(__file__).parent / "policies" / "invalid-sets"


@pytest.mark.parametrize("folder", sorted(SETS.iterdir()), ids=lambda p: p.name)
def test_invalid_policy_set_message(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each folder of versions is refused as a set with exactly the message in expected.txt."""
    monkeypatch.chdir(folder)
    files = sorted(p.name for p in folder.glob("*.yaml"))
    for name in files:
        assert validate_policy(name).ok, name
    with pytest.raises(PolicyError) as exc:
        load_policy_set(files)
    assert str(exc.value) + "\n" == (folder / "expected.txt").read_text(encoding="utf-8")


# Files whose message quotes a library: a parser's own words for a syntax error, or the
# holidays package's lists of languages and subdivisions. Those words change between releases,
# so each test reads them from the installed library (or checks only that some follow ours);
# the place and our own words stay exact.
DERIVED = Path(__file__).parent / "policies" / "invalid-derived"


def _tomllib_says(text: str) -> str:
    """tomllib's own message for ``text``, without its position."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return str(exc).split(" (at ")[0]
    raise AssertionError("the text is valid TOML")


def _holidays_class(country: str) -> Any:
    return type(holidays.country_holidays(country))


def test_invalid_derived_yaml_syntax() -> None:
    """A YAML syntax error (a key indented out of its mapping) is one error at that key, our
    words first; the parser's words (libyaml's or PyYAML's own) follow."""
    name = "yaml-syntax.yaml"
    (found,) = validate_policy(DERIVED / name, source_name=name).problems
    assert (found.source, found.line, found.column, found.path) == (name, 14, 4, "")
    assert found.message.startswith("YAML syntax: ")
    assert len(found.message) > len("YAML syntax: ")


def test_invalid_derived_toml_syntax() -> None:
    """A TOML syntax error (an unclosed string) is one error located on its line, the parser's
    words after ours."""
    name = "toml-syntax.toml"
    words = _tomllib_says((DERIVED / name).read_text(encoding="utf-8"))
    (found,) = validate_policy(DERIVED / name, source_name=name).problems
    assert (found.source, found.line, found.path) == (name, 2, "")
    assert isinstance(found.column, int) and found.column >= 1
    assert found.message == f"TOML syntax: {words}"


def test_invalid_derived_norway_language() -> None:
    """NO stays Norway (not false); a language it has no names in is refused, listing the
    languages the installed holidays package has for it."""
    name = "norway-country.yaml"
    languages = ", ".join(_holidays_class("NO").supported_languages)
    (found,) = validate_policy(DERIVED / name, source_name=name).problems
    assert (found.line, found.column, found.path) == (
        10,
        39,
        "calendars.business.holidays.language",
    )
    assert found.message.startswith("the holidays package has no 'fa_IR' names for NO")
    assert found.message.endswith(f"; expected one of {languages}")


def test_invalid_derived_unknown_subdivision() -> None:
    """An unknown subdivision is refused, listing the installed package's subdivisions."""
    name = "unknown-subdivision.yaml"
    first = _holidays_class("US").subdivisions[0]
    (found,) = validate_policy(DERIVED / name, source_name=name).problems
    assert (found.line, found.column, found.path) == (
        10,
        42,
        "calendars.business.holidays.subdivision",
    )
    assert found.message.startswith("'Old York' is not a subdivision of US")
    assert f"; expected one of {first}, " in found.message
