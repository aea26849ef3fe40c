"""Every Python snippet in docs/ and README.md runs, in order, one namespace per page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*ROOT.joinpath("docs").rglob("*.md"), ROOT / "README.md"])
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
# A page whose snippets need an optional extra says so: <!-- needs: pyarrow, matplotlib -->
NEEDS = re.compile(r"<!-- needs: ([\w, ]+) -->")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_snippets_run(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The page's python blocks run without error, each seeing the names of the ones before."""
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    text = page.read_text(encoding="utf-8")
    for found in NEEDS.finditer(text):
        for module in found.group(1).split(","):
            pytest.importorskip(module.strip(), reason=f"{page.name} needs {module.strip()}")
    for number, block in enumerate(FENCE.findall(text), start=1):
        code = compile(block, f"{page.relative_to(ROOT)}#block{number}", "exec")
        exec(code, namespace)  # running our own documentation
