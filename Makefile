# EE Portal developer commands. `make demo` and `make test` set up everything from a fresh clone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo install migrate test test-fast lint format bench clean help

help:
	@echo "make demo   - install, migrate, seed demo data, serve http://$(HOST):$(PORT)"
	@echo "make test   - install, lint, run the whole test suite"
	@echo "make lint   - ruff check + format check"
	@echo "make bench  - performance benchmarks (PostgreSQL, Redis, gunicorn); see docs/performance.md"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: install lint
	@if [ -x /usr/bin/chromium ]; then echo "Chromium found: browser tests will run."; \
	else echo "NOTE: /usr/bin/chromium not found, so browser tests (-m browser) will be skipped. Install it with: apt-get install chromium"; fi
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -m "not browser and not services" $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
