# Developer loop; CI runs .ci/run, which runs the README's test command.
PY ?= .venv/bin/python

.PHONY: install test lint format typecheck notebooks bench soak demo-large

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
