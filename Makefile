# Developer loop; CI runs .ci/run, which runs the README's test command.
PY ?= .venv/bin/python

.PHONY: install test test-fast lint format notebooks bench soak demo-large

install:
	python3 -m venv .venv
	.venv/bin/pip install -q -c constraints.txt -e ".[test,notebooks,fast]"

test:
	$(PY) -m pytest

# What needs neither MariaDB nor the notebooks (MySQL tests skip; slow ones are left
# out): the quick loop while editing, about a minute and a half here.
test-fast:
	env -u NOVELKIT_TEST_MYSQL_URL -u NOVELKIT_TEST_MYSQL_RO_URL -u NOVELKIT_TEST_MYSQL_ADMIN_URL \
	  -u NOVELKIT_REQUIRE_MYSQL $(PY) -m pytest -o addopts="-ra --strict-markers" -p no:nbval \
	  -m "not slow and not mysql" -q -n 2 tests

lint:
	$(PY) -m ruff check novelkit tests benchmarks
	$(PY) -m ruff format --check novelkit tests benchmarks
	$(PY) -m mypy

format:
	$(PY) -m ruff format novelkit tests benchmarks
	$(PY) -m ruff check --fix novelkit tests benchmarks

# The benchmark databases: the large demo on SQLite and on MariaDB (BENCH_MYSQL_URL,
# a database that exists; empty to skip MariaDB).
BENCH_SQLITE ?= benchmarks/data/large.db
BENCH_MYSQL_URL ?= $(NOVELKIT_TEST_MYSQL_URL)nktest_bench_large

demo-large:
	mkdir -p benchmarks/data
	test -f $(BENCH_SQLITE) || $(PY) -m novelkit demo $(BENCH_SQLITE) --scale large --progress

# The MariaDB URL reaches the scripts through the environment (their --mysql defaults to
# NOVELKIT_BENCH_MYSQL_URL), never on a command line: make's echo and the process list
# (`ps`) would show its password. Empty without a server: SQLite only.
bench: export NOVELKIT_BENCH_MYSQL_URL ?= $(if $(NOVELKIT_TEST_MYSQL_URL),$(BENCH_MYSQL_URL))
bench: demo-large
	@if [ -n "$$NOVELKIT_BENCH_MYSQL_URL" ]; then $(PY) benchmarks/prepare_mysql.py; fi
	$(PY) benchmarks/bench_loaders.py --sqlite $(BENCH_SQLITE)
	$(PY) benchmarks/bench_text.py --sqlite $(BENCH_SQLITE)
	$(PY) benchmarks/bench_sql.py --sqlite $(BENCH_SQLITE)
	$(PY) benchmarks/bench_arrow.py --sqlite $(BENCH_SQLITE)
	$(PY) benchmarks/readme_tables.py

soak:
	NOVELKIT_SOAK_SECONDS=60 $(PY) -m pytest -p no:cacheprovider tests/test_reliability_sqlite.py -k soak

# Re-execute the notebooks in place and store their outputs, on the embedded demo built
# from scratch in a fresh NOVELKIT_HOME, without database settings from the shell: what
# the exact `pytest --nbval notebooks/` run compares against.
# The variables come from novelkit.db.DATABASE_VARIABLES, their one home.
NOTEBOOK_ENV = -u NOVELKIT_MYSQL_URL $(shell $(PY) -c \
	"from novelkit.db import DATABASE_VARIABLES as v; print(' '.join('-u ' + n for n in v))")

NOTEBOOKS ?= notebooks/*.ipynb

notebooks:
	home=$$(mktemp -d) && trap 'rm -rf "$$home"' EXIT && \
	env $(NOTEBOOK_ENV) NOVELKIT_HOME="$$home" NOVELKIT_PROGRESS=0 \
	  $(PY) -m jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=600 \
	  --ExecutePreprocessor.record_timing=False $(NOTEBOOKS)
