# One command each: `make demo` runs the bundled examples, `make test` the whole suite.
# Both build .venv from nothing on a fresh machine with Python 3.11+ and make, installing the
# exact versions of uv.lock (checked to match pyproject.toml: a stale lock fails, never drifts).
# `make lock` is the one deliberate way to move the pinned versions.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .venv-tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOWEST := .venv-lowest
LOWEST_LOCK := requirements/lowest.txt
# the lowest Python requires-python allows, which the lowest pins are resolved for
LOWEST_PYTHON ?= 3.11
GROUPS := --extra numpy --extra report --group test --group spark-test --group lint --group docs

# uv uses the machine's Python, never one it would download, and the lock as written.
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

.PHONY: demo test lint typecheck pytest pytest-lowest docs bench lock clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --quiet --locked --python $(PYTHON) $(GROUPS)
	touch $(STAMP)

# The lowest versions pyproject.toml allows (uv's lowest-direct resolution, pinned in
# requirements/lowest.txt by `make lock`), so a false minimum cannot come back.
$(LOWEST)/.installed: pyproject.toml $(LOWEST_LOCK) | $(UV)
	$(UV) venv --quiet --allow-existing --python $(LOWEST_PYTHON) $(LOWEST)
	$(UV) pip sync --quiet --python $(LOWEST)/bin/python $(LOWEST_LOCK)
	$(UV) pip install --quiet --python $(LOWEST)/bin/python --no-deps -e .
	touch $@

demo: $(STAMP)
	$(BIN)/python examples/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

pytest-lowest: $(LOWEST)/.installed
	$(LOWEST)/bin/pytest -q -p no:cacheprovider

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir .site

test: lint typecheck pytest pytest-lowest docs

bench: $(STAMP)
	$(UV) sync --quiet --locked --inexact --python $(PYTHON) $(GROUPS) --group bench
	$(BIN)/python benchmarks/calendar_bench.py
	$(BIN)/python benchmarks/credit_bench.py
	$(BIN)/python benchmarks/clock_bench.py
	$(BIN)/python benchmarks/policy_bench.py

# Move the pins on purpose: the newest versions the ranges allow into uv.lock (every group,
# the benchmark peers included), the lowest into requirements/lowest.txt.
lock: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)
	$(UV) pip compile --quiet --upgrade --python-version $(LOWEST_PYTHON) --resolution lowest-direct \
		pyproject.toml --extra numpy --extra report --group test -o $(LOWEST_LOCK)

clean:
	rm -rf $(VENV) $(LOWEST) $(TOOLS) .site .pytest_cache .mypy_cache .ruff_cache .hypothesis
