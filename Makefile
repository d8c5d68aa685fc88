# Two commands: `make run` starts a Hub, `make test` checks everything. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
# The browser tests drive Debian's Chromium, never a browser downloaded by Playwright.
CHROMIUM := /usr/bin/chromium
# The Fedify peer of the interop tests; npm ci runs again only when its lock file changes.
FEDIFY := tests/interop/fedify
# Tests run on this many processes (pytest-xdist); the ones that start servers share one.
PYTEST_WORKERS ?= 2

.PHONY: run test check lint typecheck imports pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

$(FEDIFY)/node_modules/.installed: $(FEDIFY)/package.json $(FEDIFY)/package-lock.json
	cd $(FEDIFY) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.installed
	@test -f $(DATA)/hub.toml || $(BIN)/hub init --data-dir $(DATA) --base-url http://localhost:8000
	HUB_CONFIG=$(DATA)/hub.toml $(BIN)/hub serve

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

imports: $(VENV)/.installed-dev
	$(BIN)/lint-imports

check: lint typecheck imports

$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests"
	@DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
		|| (apt-get update -qq >/dev/null && \
		    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

pytest: $(VENV)/.installed-dev $(CHROMIUM) $(FEDIFY)/node_modules/.installed
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test: check pytest

# Not part of `make test`: takes minutes and wants a quiet machine. BENCH_ARGS=--quick for a
# short run; the table goes to benchmarks/results/latest.md.
bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache $(FEDIFY)/node_modules
