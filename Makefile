# Peloton: `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e ".[dev]"
	touch $@

install: $(VENV)/.installed ## create the virtualenv and install Peloton with its dev tools

demo: install ## run the whole platform on embedded defaults (the demo)
	$(VENV)/bin/peloton demo

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser: ## Debian's chromium, for the dashboard tests in a real browser (apt)
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: install browser infra-tools ## run every test, integration included (starts its own servers)
	$(VENV)/bin/pytest

test-unit: install ## run the tests that need no server
	$(VENV)/bin/pytest -m "not integration"

lint: install ## ruff (lint + format check), mypy and the layering contracts (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(MAKE) infra-check

format: install ## format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

dist: install ## build the wheel cloud flow runs install (dist/peloton-<version>-py3-none-any.whl)
	$(VENV)/bin/uv build --wheel --out-dir dist .

infra-tools: ## terraform, tflint and checkov for infra/terraform (installed once, cached)
	infra/terraform/check.sh tools

infra-check: ## infra/terraform offline: fmt, validate, terraform test, tflint, checkov
	infra/terraform/check.sh

bench-sim: install ## benchmark: full-scale simulation and load against a raw COPY
	$(PY) bench/bench_sim.py --scale full

bench-ingest: install ## benchmark: full-scale ingestion against COPY, dlt and pandas
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e ".[dev,bench]"
	$(PY) bench/bench_ingest.py --scale full

bench-transform: install ## benchmark: staging and marts on 3, 7 and 21 stages, truth figures
	$(PY) bench/bench_transform.py --scale full

bench-mapmatch: install ## benchmark: map matching against a per-row shapely baseline
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e ".[dev,bench]"
	$(PY) bench/bench_mapmatch.py --scale small

bench-truth: install ## benchmark: truth tolerances over seeds 1-20 at tiny scale, 2023 routes and route sets
	$(PY) bench/bench_truth.py --seeds 1-20
	$(PY) bench/bench_truth.py --seeds 1-20 --route-set climb-foot
	$(PY) bench/bench_truth.py --seeds 1-20 --route-set summit-finish
	$(PY) bench/bench_truth.py --seeds 1-20 --route-set backwards
	$(PY) bench/bench_truth.py --seeds 1-20 --route-set out-and-back

bench-trino: install ## benchmark: dashboard queries on the full Tour, Trino beside DuckDB
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e ".[dev,bench]"
	$(PY) bench/bench_trino.py

bench-superset: install browser ## benchmark: the stage explorer rendered in Chromium, full Tour
	$(PY) bench/bench_superset.py

bench-cli: install ## benchmark: start-up time of the CLI commands
	$(PY) bench/bench_cli.py

bench-bot: install ## benchmark: the race bot's accuracy on frozen questions, hit@3, guard, latency
	$(PY) bench/bench_bot.py

bench-gif: install ## benchmark: a flyby GIF (120 frames, 800x600) against matplotlib, Pillow and ffmpeg
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e ".[dev,bench]"
	$(PY) bench/bench_gif.py

trials: install ## kill trials: SIGKILL at 10 seeded points per phase, convergence and readers
	$(PY) bench/trials.py --kills-per-phase 10

stop: ## stop the servers the demo started
	-$(VENV)/bin/peloton gif stop
	-$(VENV)/bin/peloton superset stop
	-$(VENV)/bin/peloton trino stop
	-$(VENV)/bin/peloton postgres stop

clean: stop ## remove the virtualenv and local state
	rm -rf $(VENV) .peloton .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install browser demo test test-unit lint format dist infra-tools infra-check bench-sim bench-ingest bench-transform bench-mapmatch bench-truth bench-trino bench-superset bench-cli bench-gif bench-bot stop clean trials
