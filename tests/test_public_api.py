"""The package root exports exactly its public surface, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys
import types

import sla_engine

LAZY = {
    "Policy",
    "PolicySet",
    "load_policy",
    "load_policy_set",
    "validate_policy",
    "render_policy",
    "diff_policies",
    "PolicyDiff",
    "Change",
}


def test_all_is_exactly_the_public_names() -> None:
    """Every public, non-module name of the root is in __all__, and nothing else is."""
    public = {
        name
        for name, value in vars(sla_engine).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name not in {"TYPE_CHECKING", "Any", "annotations"}
    }
    assert set(sla_engine.__all__) - {"__version__"} == public | LAZY


def test_all_has_no_duplicates_and_resolves() -> None:
    """__all__ has no duplicates (ruff's RUF022 keeps it sorted) and each name resolves."""
    assert len(sla_engine.__all__) == len(set(sla_engine.__all__))
    for name in sla_engine.__all__:
        assert getattr(sla_engine, name) is not None


def test_unknown_attribute_is_an_attribute_error() -> None:
    """A name the package does not have raises AttributeError, naming it."""
    try:
        sla_engine.no_such_name  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_does_not_load_pydantic() -> None:
    """`import sla_engine` leaves pydantic unloaded until the policy layer is used."""
    code = "import sys, sla_engine; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_version_comes_from_metadata() -> None:
    """__version__ is the installed distribution's version."""
    from importlib.metadata import version

    assert sla_engine.__version__ == version("sla-engine")


def test_table_layer_import_does_not_load_pyarrow() -> None:
    """`import sla_engine.tables` leaves pyarrow, pandas and polars unloaded until used."""
    code = (
        "import sys, sla_engine.tables; "
        "print(sorted(m for m in ('pyarrow', 'pandas', 'polars', 'dask', 'pyspark') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
