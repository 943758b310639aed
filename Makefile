# yibao — make run / make test / make test-quick / make bench / make lint
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
WORKERS ?= 2
# the files of the tests that restart PostgreSQL (tests/conftest.py: EXCLUSIVE_FILES)
EXCLUSIVE_TESTS := tests/service/test_outage.py
# Python writes its bytecode caches (some machines turn that off): pytest's rewritten test
# modules and the packages are then compiled once, not again in every worker and subprocess
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install run test test-quick lint bench clean

UV := uv==0.13.9

## the venv: uv installs the pinned dependencies (about 30 s fresh; pip takes twice that and
## is used when uv cannot be installed or fails)
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q '$(UV)' \
		&& $(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev,spark]' \
		|| $(BIN)/pip install -q -e '.[dev,spark]'
	touch $(STAMP)

install: $(STAMP)

## run: install, migrate the SQLite database under ./var/, load demo data, serve on 127.0.0.1:8000
run: $(STAMP)
	mkdir -p var
	$(BIN)/yibao db upgrade
	$(BIN)/yibao demo load
	$(BIN)/yibao serve --host 127.0.0.1 --port 8000 --access-log

## lint: ruff, mypy strict on src/, and the layers of ARCHITECTURE.md (import-linter)
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-logo

## test: lint, then the whole suite on $(WORKERS) workers (PostgreSQL, browsers, Spark: Java
## 17+), then the one test that restarts PostgreSQL, alone (tiers: tests/conftest.py)
test: lint
	$(BIN)/pytest -q -n $(WORKERS) --dist loadscope --no-loadscope-reorder -m "not exclusive" $(PYTEST_ARGS)
	$(BIN)/pytest -q -m exclusive $(EXCLUSIVE_TESTS) $(PYTEST_ARGS)

## test-quick: no browser, no PostgreSQL, no Spark, nothing slow (no lint), on $(WORKERS) workers
test-quick: $(STAMP)
	$(BIN)/pytest -q -n $(WORKERS) --dist loadscope --no-loadscope-reorder \
		-m "not postgres and not browser and not spark and not slow and not exclusive" $(PYTEST_ARGS)

## bench: issue 19's figures beside their targets in one table (a few minutes: single quote,
## rules and batch on 1M rows, quote endpoint under wrk, payments on PostgreSQL); BENCH_ARGS=
## "--full" adds the 10M-row runs, "--settle" the settle run, "--province" the province's year;
## "--before REF" runs the same on commit REF first and prints both columns in one table
bench: $(STAMP)
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var test-output bench/out
