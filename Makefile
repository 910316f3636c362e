# civic311 — `make run` serves the demo city, `make test` runs every test. See docs/setup.md.
SHELL := /bin/bash

# Defaults that both `run` and `test` see; set any of them in the environment to override.
export DATABASE_URL ?= postgis://postgres:postgres@127.0.0.1:5432/civic311
export PGPASSWORD ?= postgres
export CHROMIUM_PATH ?= /usr/bin/chromium

PY := .venv/bin/python
ARGS ?=

.PHONY: help setup run test lint lock bench clean

help:
	@echo "make run     set up, seed the demo city if empty, serve http://127.0.0.1:8000 (+ worker)"
	@echo "make test    set up, then run the whole test suite (pass options with ARGS='-k foo')"
	@echo "make lint    ruff check + ruff format --check + lint-imports (the layer contracts)"
	@echo "make lock    regenerate requirements.lock from pyproject.toml (after editing its deps)"
	@echo "make bench   run the benchmarks (not part of CI)"
	@echo "make setup   only the idempotent setup (packages, PostgreSQL, venv, static, migrate)"
	@echo "make clean   remove staticfiles/ and media/"

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

# pytest exit code 5 means "no tests collected": a failure here, not a success.
# The layer contracts run first: a forbidden import fails fast, before the slow suite.
test: setup
	.venv/bin/lint-imports
	@rc=0; DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: no tests collected" >&2; exit 1; fi; \
	exit $$rc

lint:
	@test -x .venv/bin/ruff || bash scripts/setup.sh
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports

# pyproject.toml is the one list of dependencies; requirements.lock pins it (runtime + dev) for
# scripts/setup.sh and the Dockerfile. Existing pins are kept unless pyproject.toml needs a change;
# add --upgrade-package NAME to move one package, --upgrade to move all.
lock:
	@test -x .venv/bin/uv || bash scripts/setup.sh
	.venv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.12 -o requirements.lock $(ARGS)

# Benchmarks use a database of their own per size (civic311_bench for the default 1,000,000
# requests, civic311_bench_100k, civic311_bench_10m, ...), seeded once and then reused, so the demo
# city is left alone. In-process timings, then every page over HTTP (gunicorn + ab) with its own
# SQL, the report POST and the mixed load test (locust), recorded in docs/benchmarks.md.
# Options: ARGS='--requests 10000000', ARGS='--no-http', ARGS='--no-load', ARGS='--load-seconds 30'
# (manage.py bench --help lists them); BENCH_DATABASE_URL=... picks the database by hand.
bench:
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) bash scripts/bench.sh $(ARGS)

clean:
	rm -rf staticfiles/ media/
