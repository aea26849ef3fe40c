"""Every file in tests/policies/invalid is refused with exactly the message beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sla_engine.errors import PolicyError
from sla_engine.policy import load_policy, validate_policy

CORPUS = Path(__file__).parent / "policies" / "invalid"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix != ".expected")


def test_corpus_is_paired() -> None:
    """Each bad file has its .expected message, and each message its file."""
    expected = {p.stem for p in CORPUS.glob("*.expected")}
    assert expected == {p.stem for p in FILES}
    assert len(FILES) >= 20


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
