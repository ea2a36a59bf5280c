# Gatekeeper developer commands. Each target sets up .venv/ first if it is missing.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run demo test test-sqlite lint typecheck check acceptance bench clean

$(BIN)/gatekeeper: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/gatekeeper

setup: $(BIN)/gatekeeper

run: setup
	$(BIN)/gatekeeper demo

test: setup
	bash scripts/ensure-postgres.sh
	$(BIN)/pytest -q

test-sqlite: setup
	GATEKEEPER_TEST_DATABASES=sqlite $(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check app tests benchmarks

typecheck: setup
	$(BIN)/mypy

acceptance: setup
	$(BIN)/python ../shared/acceptance/run.py --project . --scenarios ../shared/examples

check: lint typecheck test acceptance

bench: setup
	bash scripts/ensure-postgres.sh
	# benchmarks/gate.py drives the gate and ../shared/bench's endpoint c with wrk (Debian package `wrk`)
	command -v wrk >/dev/null || (apt-get install -y wrk || sudo apt-get install -y wrk)
	$(BIN)/python benchmarks/decision.py
	$(BIN)/python benchmarks/audit.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/gate.py

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache
