# Developer loop; CI runs .ci/run, which runs the README's test command.
PY ?= .venv/bin/python

.PHONY: install test lint format notebooks bench soak demo-large

install:
	python3 -m venv .venv
	.venv/bin/pip install -q -c constraints.txt -e ".[test,notebooks]"

test:
	$(PY) -m pytest

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

# '@': make would otherwise echo the command line, password included.
bench: demo-large
	@if [ -n "$(NOVELKIT_TEST_MYSQL_URL)" ]; then \
	  $(PY) benchmarks/prepare_mysql.py "$(BENCH_MYSQL_URL)" && \
	  $(PY) benchmarks/bench_loaders.py --sqlite $(BENCH_SQLITE) --mysql "$(BENCH_MYSQL_URL)"; \
	else \
	  $(PY) benchmarks/bench_loaders.py --sqlite $(BENCH_SQLITE); \
	fi

soak:
	NOVELKIT_SOAK_SECONDS=60 $(PY) -m pytest -p no:cacheprovider tests/test_reliability_sqlite.py -k soak

# Re-execute the notebooks in place and store their outputs, on the embedded demo built
# from scratch in a fresh NOVELKIT_HOME, without database settings from the shell: what
# the exact `pytest --nbval notebooks/` run compares against.
NOTEBOOK_ENV = -u NOVELKIT_DATABASE_URL -u NOVELKIT_MYSQL_URL -u DATABASE_URL -u DB_PROVIDER \
	-u MYSQL_HOST -u MYSQL_PORT -u MYSQL_USER -u MYSQL_PASSWORD -u MYSQL_DATABASE -u SQLITE_DB_PATH

notebooks:
	home=$$(mktemp -d) && trap 'rm -rf "$$home"' EXIT && \
	env $(NOTEBOOK_ENV) NOVELKIT_HOME="$$home" NOVELKIT_PROGRESS=0 \
	  $(PY) -m jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=600 \
	  --ExecutePreprocessor.record_timing=False notebooks/*.ipynb
