# Maillage — the two commands: `make run` (demo) and `make test` (whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEMO_DEPARTMENT ?= 34
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2

.PHONY: run test install install-dev browsers migrate demo lint format bench clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.runtime: requirements.lock | $(VENV)/bin/activate
	$(PIP) install -q -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock | $(VENV)/bin/activate
	$(PIP) install -q -r requirements-dev.lock
	touch $@ $(VENV)/.runtime

# Browser tests drive Debian's Chromium; installed here when we are root (CI), skipped otherwise.
browsers:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Chromium could not be installed: browser tests will be skipped"; \
	  else echo "Chromium is absent (not root): browser tests will be skipped"; fi; }

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_territories --department $(DEMO_DEPARTMENT)
	$(PY) manage.py seed_demo

# Links in e-mails and calendar feeds use the address served (SITE_URL), unless one is given.
run: demo
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Maillage : http://$(HOST):$(PORT)/"
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

# The suite runs in parallel; then, alone, the browser tests (timing-sensitive on 2 cores) and the system
# tests (real processes, service restarts).
test: install-dev browsers
	CELERY_TASK_ALWAYS_EAGER=1 DB_POOL=0 $(VENV)/bin/pytest $(PYTEST_ARGS) -m "not system and not e2e"
	CELERY_TASK_ALWAYS_EAGER=1 DB_POOL=0 $(VENV)/bin/pytest -p no:xdist -m "e2e or system"

# ruff, then the layering contracts of pyproject.toml ([tool.importlinter], docs/architecture.md).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install-dev
	@for script in tests/perf/*.py; do \
	  [ "$$(basename $$script)" = "__init__.py" ] && continue; \
	  echo "== $$script"; $(PY) $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
