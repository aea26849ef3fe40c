"""The import rules of DESIGN.md: layers import downwards only, and only allowed packages."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "sla_engine"

# Layer of each top-level module or subpackage; a module may import sla_engine modules of a
# lower layer, and of its own layer only inside its own subpackage.
LAYERS = {
    "errors": 0,
    "_time": 0,
    "data_versions": 0,
    "_bounds": 1,
    "hours": 1,
    "closures": 1,
    "calendar": 1,
    "_batch": 1,
    "clocks": 2,
    "credits": 2,
    "policy": 3,
    "render": 4,
    "diff": 4,
    "report": 4,
    "tables": 4,
    "cli": 5,
    "_cli_tables": 5,
    "__init__": 5,
    "__main__": 5,
}
# The report layer's optional libraries, imported lazily (inside functions) and only there
# (pyarrow also in the table layer).
REPORT_ONLY = {"pyarrow", "matplotlib"}
# The table layer (and its Dask and Spark adapters) may also import these, lazily: only inside a
# function or under TYPE_CHECKING, so that importing sla_engine never loads them.
TABLE_PACKAGES = {"pyarrow", "pandas", "polars", "dask", "pyspark", "numpy"}
FLAT_LAYER_PEERS = {
    "_batch",
    "hours",
    "closures",
    "calendar",
    "errors",
    "_time",
    "data_versions",
    "_bounds",
}
# Third-party packages each layer may import (the standard library is always allowed).
ALLOWED = {
    0: set(),
    1: {"holidays", "dateutil", "numpy"},
    2: {"holidays", "dateutil", "numpy", "iso4217"},
    3: {"holidays", "dateutil", "numpy", "iso4217", "pydantic", "pydantic_core", "yaml"},
    4: {
        "holidays",
        "dateutil",
        "numpy",
        "iso4217",
        "pydantic",
        "pydantic_core",
        "yaml",
        "pyarrow",
        "matplotlib",
    },
    5: {"holidays", "dateutil", "numpy", "iso4217", "pydantic", "pydantic_core", "yaml"},
}


def _unit(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "sla_engine":
                found.extend((f"sla_engine.{alias.name}", node.lineno) for alias in node.names)
            else:
                found.append((node.module, node.lineno))
    return found


MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_module_imports_only_downwards(path: Path) -> None:
    """Each module imports sla_engine modules of lower layers and only its layer's packages."""
    unit = _unit(path)
    assert unit in LAYERS, f"{unit} has no layer in tests/test_layers.py: add it"
    layer = LAYERS[unit]
    for name, line in _imports(path):
        top = name.split(".")[0]
        where = f"{path.relative_to(SRC)}:{line} imports {name}"
        if top == "sla_engine":
            parts = name.split(".")
            if len(parts) == 1:
                assert layer == 5, f"{where}: only the package root and the CLI import the root"
                continue
            target = parts[1]
            assert target in LAYERS, f"{where}: unknown module"
            if target == unit:
                continue
            ok = (
                LAYERS[target] < layer
                or (unit, target)
                in {
                    ("_time", "errors"),
                    ("__main__", "cli"),
                    ("report", "diff"),
                    ("cli", "_cli_tables"),
                }
                or (layer == 1 and target in FLAT_LAYER_PEERS and LAYERS[target] <= 1)
            )
            assert ok, f"{where}: layer {layer} may not import layer {LAYERS[target]}"
        elif top not in sys.stdlib_module_names:
            table_units = {"tables", "_cli_tables"}
            allowed = ALLOWED[layer] | (TABLE_PACKAGES if unit in table_units else set())
            assert top in allowed, f"{where}: {top} is not allowed in layer {layer}"


def _top_level_imports(path: Path) -> list[tuple[str, int]]:
    """Imports made when the module is imported (not inside a function or TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.extend((alias.name, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((node.module, node.lineno))
            elif isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_table_packages_are_imported_lazily(path: Path) -> None:
    """pyarrow, pandas, polars, dask and pyspark are imported inside functions only."""
    for name, line in _top_level_imports(path):
        top = name.split(".")[0]
        assert top not in TABLE_PACKAGES - {"numpy"}, (
            f"{path.relative_to(SRC)}:{line} imports {name} at module level"
        )


def test_core_never_reads_the_system_clock() -> None:
    """Below the CLI no module calls now(), today(), utcnow() or time.time()."""
    banned = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}
    for path in MODULES:
        if _unit(path) in {"cli", "_cli_tables", "__main__"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in banned
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"datetime", "date", "time"}
            ):
                raise AssertionError(f"{path.relative_to(SRC)}:{node.lineno} reads the clock")


def test_only_policy_imports_pydantic() -> None:
    """pydantic appears in policy/ (and the CLI) only."""
    for path in MODULES:
        if _unit(path) in {"policy", "cli"}:
            continue
        for name, line in _imports(path):
            assert not name.startswith("pydantic"), f"{path.relative_to(SRC)}:{line}"


def test_no_eval_or_exec() -> None:
    """No module calls eval or exec."""
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec"}, f"{path}:{node.lineno}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_report_libraries_are_lazy_and_only_in_report(path: Path) -> None:
    """pyarrow and matplotlib are imported in report/ only, and there inside functions only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] not in REPORT_ONLY:
                continue
            where = f"{path.relative_to(SRC)}:{node.lineno} imports {name}"
            owners = {"report"} | (
                {"tables", "_cli_tables"} if name.startswith("pyarrow") else set()
            )
            assert _unit(path) in owners, f"{where}: only {', '.join(sorted(owners))} may"
            assert id(node) not in top_level, f"{where} at module level: import it lazily"


def test_importing_the_report_layer_loads_neither_pyarrow_nor_matplotlib() -> None:
    """``import sla_engine.report`` (and the CLI) stays light: the extras load on first use."""
    import subprocess

    code = (
        "import sys, sla_engine.report, sla_engine.cli; "
        "print(sorted(m for m in ('pyarrow', 'matplotlib') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
