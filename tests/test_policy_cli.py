"""The sla-engine command: validate and schema, exit codes, and no traceback for mistakes."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sla_engine.cli import main

CORPUS = Path(__file__).parent / "policies" / "invalid"
GOOD = """\
format_version: 1
name: desk
version: "1"
effective_from: 2026-01-01
calendars:
  support: {timezone: UTC, hours: 24x7}
"""


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_validate_valid_file_exits_0(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A valid policy exits 0 and says so."""
    assert main(["validate", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: valid (desk 1)\n"


def test_validate_invalid_file_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """An invalid policy exits 1 and prints every problem with its location."""
    path = CORPUS / "three-errors.yaml"
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"3 errors in {path}"
    assert out[1].startswith(f"  {path}:3:10: version: ")


def test_validate_json_output(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--format json gives one document with every file and problem."""
    bad = CORPUS / "bare-day.yaml"
    assert main(["validate", "--format", "json", str(good), str(bad)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is False
    assert [f["valid"] for f in doc["files"]] == [True, False]
    (problem,) = doc["files"][1]["problems"]
    assert problem | {"message": ""} == {
        "severity": "error",
        "file": str(bad),
        "line": 15,
        "column": 30,
        "path": "tiers.premium.targets.first_response.sev1",
        "message": "",
    }


def test_validate_overlapping_versions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two versions of one policy in force on the same day are reported."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(GOOD, encoding="utf-8")
    b.write_text(GOOD.replace('version: "1"', 'version: "2"'), encoding="utf-8")
    assert main(["validate", str(a), str(b)]) == 1
    assert "while version 1" in capsys.readouterr().out


def test_validate_strict_fails_on_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--strict makes warnings fail validation; without it they are shown but pass."""
    path = tmp_path / "dst.yaml"
    path.write_text(
        GOOD.replace("hours: 24x7", 'hours: {sun: ["02:30-06:00"]}').replace(
            "timezone: UTC", "timezone: Europe/Berlin"
        ),
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 0
    assert ": warning: calendars.support.hours.sun[0]:" in capsys.readouterr().out
    assert main(["validate", "--strict", str(path)]) == 1


def test_missing_file_and_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unreadable file or bad arguments exit 2 with a one-line error, no traceback."""
    assert main(["validate", "/nonexistent/policy.yaml"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: cannot read /nonexistent/policy.yaml: {os.strerror(errno.ENOENT)}\n"
    assert main(["validate"]) == 2
    assert main(["frobnicate"]) == 2
    assert main([]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_unknown_suffix_is_a_problem_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file with an unknown suffix is reported as invalid."""
    path = tmp_path / "policy.txt"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    assert "cannot tell the format" in capsys.readouterr().out


def test_schema_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """schema prints a JSON Schema whose top level forbids unknown keys."""
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["additionalProperties"] is False
    assert "format_version" in schema["required"]


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--help exits 0; --version prints the package version."""
    assert main(["--help"]) == 0
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("sla-engine ")


def test_validate_imports_only_what_it_needs(good: Path) -> None:
    """Loading the CLI module imports neither pydantic nor yaml; validate does."""
    code = (
        "import sys, sla_engine.cli as c; a = {'pydantic', 'yaml'} & set(sys.modules);"
        f" r = c.main(['validate', {str(good)!r}]); b = {{'pydantic', 'yaml'}} <= set(sys.modules);"
        " print(sorted(a), b, r)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "[] True 0"
