"""Every file in tests/policies/invalid is refused with exactly the message beside it."""

from __future__ import annotations

from pathlib import Path

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
