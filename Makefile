# Everyday commands. `make test` is what CI runs (.ci/run): it starts the real Neo4j
# (scripts/neo4j.sh) unless NEO4J_URI already points at a server.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstalled when pyproject.toml changes; otherwise `make install` does nothing.
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: venv install test lint neo4j-start neo4j-stop bench run system-deps-test system-deps-run

venv install: $(STAMP)

# What the machine lacks (Chromium, its driver, a CJK font, Java, Maven, LibreOffice Calc; python3-venv): apt-get
# as root, otherwise a stop naming the exact command (scripts/system-deps.sh).
system-deps-test:
	bash scripts/system-deps.sh test

system-deps-run:
	bash scripts/system-deps.sh run

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

# The suite runs in TEST_WORKERS pytest-xdist workers (whole files to one worker), each against
# a Neo4j server of its own (scripts/test-servers.sh: the tests clear the one database Community
# edition has). With NEO4J_URI already set, that one server and one worker. TEST_WORKERS=1: no
# workers, one server. The slowest 30 tests are listed at the end (what to trim next). Loads above GONGZHI_WRITE_CHUNK items are written in chunks (a district
# fits a 1g heap); 4g leaves room for the differential tests' queries
# (tests/queries/test_differential_district.py, at the district scale with GZ_DIFFERENTIAL_SCALE=district).
TEST_WORKERS ?= 2
test: system-deps-test install
	workers=$(TEST_WORKERS); \
	if [[ -z "$${NEO4J_URI:-}" ]]; then \
	    NEO4J_HEAP="$${NEO4J_HEAP:-4g}" bash scripts/test-servers.sh start $$workers || { echo "make test: the Neo4j servers could not start (see above); the Neo4j tests cannot run" >&2; exit 1; }; \
	    eval "$$(bash scripts/test-servers.sh env $$workers)"; \
	else \
	    workers=1; \
	fi; \
	if [[ $$workers -gt 1 ]]; then parallel="-n $$workers --dist loadfile"; else parallel=""; fi; \
	$(BIN)/pytest -q $$parallel --durations=30 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check graph queries loaders api tests bench
	$(BIN)/mypy

neo4j-start:
	bash scripts/neo4j.sh start

neo4j-stop:
	bash scripts/neo4j.sh stop

# The Neo4j database the bench points at is cleared. A load of more than GONGZHI_WRITE_CHUNK
# items (the city: ~2.4 million) is written in chunks of that many under a load record, each
# chunk a transaction of a few hundred MiB (403 sampled at the city), so the city fits the default heap here (2g, what
# BENCHMARKS.md was measured with). NEO4J_HEAP applies only when this starts the server; a
# running one keeps its heap (BENCHMARKS.md records it). BENCH_ARGS passes options to the bench.
# BENCH_ARGS='--only peer': figure 10 alone (GraphQL vs @neo4j/graphql, npm ci into bench/peer/).
# BENCH_ARGS='--only cli': the CLI reads figure alone (district and city, embedded and Neo4j).
bench: install
	if [[ -z "$${NEO4J_URI:-}" ]]; then \
	    NEO4J_HEAP="$${NEO4J_HEAP:-2g}" bash scripts/neo4j.sh start || { echo "make bench: the Neo4j server could not start (see above)" >&2; exit 1; }; \
	    eval "$$(bash scripts/neo4j.sh env)"; \
	fi; \
	$(BIN)/python -m bench $${BENCH_ARGS:-}

run: system-deps-run install
	test -d demo/input || $(BIN)/gongzhi generate --scale district --seed 1 demo/input
	export GONGZHI_DATA_DIR=demo/data; \
	$(BIN)/gongzhi load demo/input; \
	test -s demo/token.txt || $(BIN)/gongzhi token issue --user demo --area C-0001 --role viewer > demo/token.txt; \
	echo "demo token (viewer, whole demo city) / 演示令牌: $$(cat demo/token.txt)"; \
	$(BIN)/gongzhi serve
