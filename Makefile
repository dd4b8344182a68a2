# The two commands of the README: `make demo` (the service on the embedded store with demo data) and
# `make test` (lint + the whole test suite). Each creates its own virtual environment on a fresh machine.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PEOPLE ?= 2000
PORT   ?= 8000

.PHONY: demo test lint typecheck cypherlint install bench bench-ingest bench-analyze bench-api bench-expertise clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed

tools/cypherlint/node_modules/.installed: tools/cypherlint/package.json tools/cypherlint/package-lock.json
	npm ci --prefix tools/cypherlint --no-audit --no-fund
	touch $@

cypherlint: tools/cypherlint/node_modules/.installed

demo: $(BIN)/.installed
	$(BIN)/whoknows demo --people $(PEOPLE) --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

test: $(BIN)/.installed cypherlint lint typecheck
	$(BIN)/python -m pytest

bench: bench-ingest bench-analyze bench-api bench-expertise

bench-ingest: $(BIN)/.installed
	$(BIN)/python bench/ingest_bench.py

bench-analyze: $(BIN)/.installed
	$(BIN)/python bench/analyze_bench.py

bench-api: $(BIN)/.installed
	$(BIN)/python bench/api_bench.py

bench-expertise: $(BIN)/.installed
	$(BIN)/python bench/expertise_eval.py

clean:
	rm -rf $(VENV) tools/cypherlint/node_modules .pytest_cache .ruff_cache .mypy_cache
