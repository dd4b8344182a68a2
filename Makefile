# The two commands of the README: `make demo` (the service on the embedded store with demo data) and
# `make test` (lint + the whole test suite). Each creates its own virtual environment on a fresh machine.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PEOPLE ?= 2000
PORT   ?= 8000

.PHONY: demo test lint typecheck chromium neo4j-test-server install bench bench-ingest bench-analyze bench-api bench-expertise bench-stores clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed

# The real Neo4j the test suite starts (tests/neo4j_server.py); rebuilt only when its sources change. Without Java or
# Maven `make test` still runs, and the Neo4j tests skip saying so (under CI they fail instead).
NEO4J_TEST_SERVER := tools/neo4j-test-server/target/neo4j-test-server.jar
HAVE_JAVA := $(and $(shell command -v java),$(shell command -v mvn))

$(NEO4J_TEST_SERVER): tools/neo4j-test-server/pom.xml $(shell find tools/neo4j-test-server/src -type f)
	mvn --batch-mode --quiet -f tools/neo4j-test-server/pom.xml package
	touch $@

neo4j-test-server: $(NEO4J_TEST_SERVER)

demo: $(BIN)/.installed
	$(BIN)/whoknows demo --people $(PEOPLE) --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

# The browser tests (tests/web) drive Debian's chromium through Playwright; no browser is ever downloaded. Installed
# with apt-get when missing and apt is there (as root, or with sudo); elsewhere those tests skip, saying why.
chromium:
	@test -x /usr/bin/chromium || ! command -v apt-get >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

test: $(BIN)/.installed chromium $(if $(HAVE_JAVA),neo4j-test-server) lint typecheck
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

# SQLite beside Neo4j (the test server) in one run: ingest, analyze, API; needs Java (make neo4j-test-server)
bench-stores: $(BIN)/.installed $(NEO4J_TEST_SERVER)
	nice -n 10 $(BIN)/python bench/store_bench.py --people $(or $(BENCH_PEOPLE),100000)

clean:
	rm -rf $(VENV) tools/neo4j-test-server/target .pytest_cache .ruff_cache .mypy_cache
