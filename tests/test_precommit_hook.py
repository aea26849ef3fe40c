"""The pre-commit how-to, followed literally: a policy repository that uses this repository's
hook refuses a commit of a bad policy, naming file:line:column, and accepts a good one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = """format_version: 1
name: desk
version: "1"
effective_from: 2026-01-01
calendars:
  business: {timezone: UTC, hours: {mon-fri: ["09:00-17:00"]}}
default_calendar: business
severities: [sev1]
metrics:
  first_response: {default: 4h}
"""


IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def _run(
    *argv: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **IDENTITY, **(env or {})}
    return subprocess.run(argv, cwd=cwd, env=environ, capture_output=True, text=True, check=False)


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return _run("git", *args, cwd=cwd)


def _head() -> str | None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    done = _git("rev-parse", "HEAD", cwd=ROOT)
    return done.stdout.strip() if done.returncode == 0 else None


@pytest.mark.slow
def test_commit_of_a_bad_policy_is_refused_with_its_location(tmp_path: Path) -> None:
    """With the how-to's .pre-commit-config.yaml (this repository at a commit hash), a commit
    of a policy with a bad duration fails and the output locates it; a good one commits."""
    head = _head()
    if head is None:
        pytest.skip("needs git and a git checkout of this repository (the hook is fetched by rev)")
    repo = tmp_path / "policies-repo"
    (repo / "policies").mkdir(parents=True)
    assert _git("init", "-q", cwd=repo).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n      - id: sla-engine-validate\n",
        encoding="utf-8",
    )
    env = {"PRE_COMMIT_HOME": str(tmp_path / "cache")}
    installed = _run(sys.executable, "-m", "pre_commit", "install", cwd=repo, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # the schema saved beside the policies (the editor how-to) is not checked as a policy
    (repo / "policies" / "policy.schema.json").write_text('{"type": "object"}', "utf-8")
    (repo / "policies" / "desk.yaml").write_text(
        GOOD.replace("{default: 4h}", "{default: 4 hours}"), "utf-8"
    )
    assert _git("add", "-A", cwd=repo).returncode == 0
    refused = _run("git", "commit", "-q", "-m", "bad policy", cwd=repo, env=env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "policies/desk.yaml:10:" in output, output
    assert "policy.schema.json:" not in output, output
    (repo / "policies" / "desk.yaml").write_text(GOOD, "utf-8")
    assert _git("add", "-A", cwd=repo).returncode == 0
    accepted = _run("git", "commit", "-q", "-m", "good policy", cwd=repo, env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
