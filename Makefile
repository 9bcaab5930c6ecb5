# Givefirst: `make run` serves the app on SQLite; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest messages install clean bench

$(STAMP): requirements-dev.lock requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/givefirst serve --host 127.0.0.1 --port 8000

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench
	$(BIN)/hadolint Dockerfile

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# Re-extract the messages and merge them into the catalogs; then translate what is new in fr.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _ --no-location --sort-output --omit-header -o app/locale/messages.pot .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -l fr --no-fuzzy-matching --width 100
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -l en --no-fuzzy-matching --width 100

# Benchmarks: 60 s of mixed load at 50 connections with wrk (SQLite, and PostgreSQL with two
# processes when GIVEFIRST_TEST_DATABASE_URL is set), people list and search (10k and 100k people), the calendar feed (5,000 items), and
# a capture in Chromium on a throttled phone, 200 captures queued offline then sent, and (with
# LIGHTHOUSE_DIR=a folder holding `npm install lighthouse@12`) Lighthouse on the capture page. `make bench BENCH_ARGS="--database-url
# postgresql+psycopg://postgres@127.0.0.1:5432/postgres"` runs the people benchmark on PostgreSQL.
bench: $(STAMP)
	$(BIN)/python bench/load.py
	test -z "$$GIVEFIRST_TEST_DATABASE_URL" || $(BIN)/python bench/load.py --database-url "$$GIVEFIRST_TEST_DATABASE_URL"
	$(BIN)/python bench/people.py $(BENCH_ARGS)
	$(BIN)/python bench/export.py $(BENCH_ARGS)
	$(BIN)/python bench/imports.py $(BENCH_ARGS)
	$(BIN)/python bench/events_import.py
	$(BIN)/python bench/calendar_feed.py
	$(BIN)/python bench/capture.py
	$(BIN)/python bench/outbox.py
	test -z "$(LIGHTHOUSE_DIR)" || $(BIN)/python bench/lighthouse.py --lighthouse "$(LIGHTHOUSE_DIR)"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
