# GTEC Observatory. Two commands set up a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: install run build test lint unit apptest browser bench clean

$(STAMP): requirements.txt requirements-dev.txt requirements-nodeps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements-dev.txt
	$(PIP) install -q --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

## install: create .venv and install pinned dependencies (nothing else)
install: $(STAMP)

## build: (re)build the reference store (python -m gtec build)
build: $(STAMP)
	$(PY) -m gtec build

## run: install, build the data on first run (with progress), serve http://localhost:$(PORT)
run: $(STAMP)
	$(PY) -m gtec build --if-missing
	$(PY) -m components.serve --server.port=$(PORT)

## lint: ruff check + ruff format --check + the import contract (import-linter) + types (mypy on gtec/)
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

apptest: $(STAMP)
	$(PY) -m pytest tests/app -q

browser: $(STAMP)
	$(PY) -m pytest tests/browser -q

## test: lint, import contract, types, then every test tier (unit, AppTest, browser with Debian chromium)
test: lint
	$(PY) -m pytest -q

## bench: measured figures with their naive baselines -> benchmarks/results.json
bench: $(STAMP)
	$(PY) -m benchmarks.run

clean:
	rm -rf data/build .pytest_cache tests/browser/screenshots
