# 校企通 XiaoqiTong: `make run` serves the demo on SQLite; `make test` runs lint and the suite on SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed-stamp
MO := translations/zh/LC_MESSAGES/messages.mo
NODE_STAMP := node_modules/.installed-stamp

.PHONY: setup run worker test test-sqlite test-postgresql lint bench screenshots translations-update clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

$(MO): translations/zh/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d translations

# Front-end packages (ECharts) come from npm and are served by Flask (marketplace/assets.py), never from a CDN.
$(NODE_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund --silent
	touch $(NODE_STAMP)

setup: $(STAMP) $(MO) $(NODE_STAMP)

# The web server and, beside it, a huey consumer for the background jobs (queue in instance/jobs.db); Ctrl-C stops both.
run: setup
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo load
	@echo "Serving on http://127.0.0.1:5000 with a background worker  (Ctrl-C to stop)"
	@trap 'kill -INT $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/huey_consumer marketplace.jobs.worker.huey --workers 1 --quiet & worker=$$!; \
	$(FLASK) run --host 127.0.0.1 --port 5000

# Only the consumer, e.g. on another machine (JOBS_URL=redis://… DATABASE_URL=… as for the web server).
worker: setup
	$(BIN)/huey_consumer marketplace.jobs.worker.huey --workers $${JOBS_WORKERS:-2}

# Style, format and the import contracts in pyproject.toml (dependencies point one way).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Both cores: pytest-xdist workers, each with a database of its own (tests/conftest.py), whole modules to a worker,
# the slowest first (SLOW_FIRST there). PYTEST_WORKERS=0 runs in this process (e.g. to use a debugger).
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-sqlite: setup
	$(BIN)/pytest --db=sqlite $(PYTEST_PARALLEL)

# tests/engine needs no database (its conftest replaces the `db` fixture): the SQLite run has run it already.
test-postgresql: setup
	$(BIN)/pytest --db=postgresql $(PYTEST_PARALLEL) --ignore=tests/engine

test: lint test-sqlite test-postgresql

# Each role's main pages of a scratch demo, at 1366 and 390 px wide: SHOTS=dir (needs Debian's chromium).
SHOTS ?= /tmp/xqt-shots
screenshots: setup
	$(BIN)/python scripts/screenshots.py $(SHOTS)

bench: setup
	@for script in benchmarks/bench_*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(BIN)/python "$$script" || exit 1; done
	$(BIN)/python -m matching.bench

# Re-extract messages after changing UI text, then translate the new entries in the .po file.
translations-update: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache node_modules
