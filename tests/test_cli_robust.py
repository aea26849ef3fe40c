"""The CLI never raises: arbitrary arguments and file contents end in an exit code and a message."""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla_engine.cli import main
from strategies import cli_desk, cli_words, cli_write

_FUZZ = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@contextmanager
def _sandbox() -> Iterator[Path]:
    """A fresh working directory, so that -o and relative paths stay inside it."""
    old = Path.cwd()
    with tempfile.TemporaryDirectory() as name:
        os.chdir(name)
        try:
            yield Path(name)
        finally:
            os.chdir(old)


def _check(code: int, capsys: pytest.CaptureFixture[str]) -> None:
    captured = capsys.readouterr()
    assert code in (0, 1, 2)
    assert "Traceback" not in captured.err
    if code:  # validate reports a policy's problems on stdout ("2 errors in ...")
        assert "error" in captured.err + captured.out, captured


@_FUZZ
@given(argv=st.lists(cli_words, max_size=8))
def test_arbitrary_argv_never_raises(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Law: any argument list gives exit 0, 1 or 2; a failure always prints an error line."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with _sandbox():
        _check(main(argv), capsys)


_contents = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=12,
    ).map(json.dumps),
)


@_FUZZ
@given(content=_contents, which=st.sampled_from(["policy", "tickets", "incidents", "old"]))
def test_arbitrary_file_contents_never_raise(
    content: str, which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Law: whatever a policy, tickets or incidents file holds, the command exits 0, 1 or 2
    with an error line on failure, never a traceback."""
    with _sandbox() as here:
        policy = cli_write(here, cli_desk())
        fuzzed = here / "fuzz.txt"
        fuzzed.write_text(content, encoding="utf-8", errors="surrogatepass")
        if which == "policy":
            yaml_file = here / "fuzz.yaml"
            fuzzed.replace(yaml_file)
            for argv in (["render", str(yaml_file)], ["validate", str(yaml_file)]):
                _check(main(argv), capsys)
        elif which == "old":
            yaml_file = here / "fuzz.yaml"
            fuzzed.replace(yaml_file)
            _check(main(["diff", str(yaml_file), str(policy)]), capsys)
        elif which == "tickets":
            argv = ["evaluate", "--policy", str(policy), "--tickets", str(fuzzed)]
            _check(main([*argv, "--as-of", "2026-03-09T12:00:00Z"]), capsys)
        else:
            argv = ["credit", "--policy", str(policy), "--incidents", str(fuzzed)]
            _check(main([*argv, "--period", "2026-03", "--fee", "10"]), capsys)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    line=st.fixed_dictionaries(
        {"id": st.text(max_size=5)},
        optional={
            "tier": st.sampled_from(["premium", "standard", "nope"]) | st.integers(),
            "severity": st.sampled_from(["sev1", "sev2", ""]),
            "channel": st.sampled_from(["phone", "email"]) | st.none(),
            "events": st.lists(
                st.fixed_dictionaries(
                    {
                        "kind": st.sampled_from(
                            ["created", "agent_reply", "status_changed", "resolved", "bogus"]
                        ),
                        "at": st.sampled_from(
                            [
                                "2026-03-09T09:00:00Z",
                                "2026-03-09T10:00:00+03:30",
                                "2026-03-09T08:00:00",
                                "later",
                            ]
                        ),
                    },
                    optional={"value": st.sampled_from(["In Progress", "Nowhere", ""])},
                ),
                max_size=4,
            ),
        },
    )
)
def test_structured_tickets_never_raise(
    line: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    """Law: ticket lines near the real shape give JSON out (exit 0) or an error line (exit 1)."""
    with _sandbox() as here:
        policy = cli_write(here, cli_desk())
        tickets = here / "t.jsonl"
        tickets.write_text(json.dumps(line) + "\n", encoding="utf-8")
        argv = ["evaluate", "--policy", str(policy), "--tickets", str(tickets)]
        code = main([*argv, "--as-of", "2026-03-10T00:00:00Z"])
        captured = capsys.readouterr()
        assert code in (0, 1) and "Traceback" not in captured.err
        if code == 0:
            assert json.loads(captured.out)["id"] == line["id"]
        else:
            assert captured.out == "" and captured.err.startswith("error: ")
