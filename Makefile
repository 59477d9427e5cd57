# EE Portal developer commands. `make demo` and `make test` set up everything from a fresh clone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The demo shows the portal's own error pages though DEBUG is on; 0 brings Django's back.
EE_FRIENDLY_ERRORS ?= 1
# Links in emails, certificates and QR codes follow the served address unless EE_SITE_URL is set
# (in the environment or on the command line). 0.0.0.0 serves every interface: link to loopback.
ifeq ($(strip $(EE_SITE_URL)),)
EE_SITE_URL := http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
endif

.PHONY: demo install syslibs migrate test test-fast fuzz lint format bench clean help messages

help:
	@echo "make demo   - install, migrate, seed demo data, serve http://$(HOST):$(PORT)"
	@echo "make test   - install, lint, run the whole test suite"
	@echo "make fuzz   - property tests exploring new examples (kept in .hypothesis/)"
	@echo "make lint   - ruff check + format check + mypy"
	@echo "make bench  - performance benchmarks (PostgreSQL, Redis, gunicorn); see docs/performance.md"
	@echo "make messages - update the Welsh catalogues (locale/cy) from the code, then compile them"

# System packages first (stdlib only, before .venv exists): stops with an apt-get line.
syslibs:
	@$(PYTHON) -I ee_portal/syslibs.py --venv $(VENV)

$(STAMP): pyproject.toml | syslibs
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: syslibs $(STAMP)

migrate: install
	mkdir -p var
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=1 EE_SITE_URL='$(EE_SITE_URL)' $(PY) manage.py seed_demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C to stop); links point to $(EE_SITE_URL)"
	DJANGO_DEBUG=1 EE_FRIENDLY_ERRORS=$(EE_FRIENDLY_ERRORS) EE_SITE_URL='$(EE_SITE_URL)' $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Property tests (hypothesis) run derandomized here: profile "ci" in tests/conftest.py.
test: install lint
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -m "not browser and not services" $(PYTEST_ARGS)

# New random examples, more of them; failures are kept in .hypothesis/ and replayed first.
fuzz: install
	HYPOTHESIS_PROFILE=explore $(PY) -m pytest tests/security/test_fuzz.py $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

# The Welsh catalogues (issue 15): every msgid of the templates and Python (django.po) and of
# static/js (djangojs.po). New strings arrive empty; tests/core/test_translations.py fails
# until each has a Welsh translation that is not fuzzy. The compiled .mo files are committed.
I18N_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=docs --ignore=var \
	--ignore=staticfiles --ignore=typings --ignore=node_modules
messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l cy --no-obsolete --add-location=file \
		$(I18N_IGNORE) --ignore=static
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -d djangojs -l cy --no-obsolete \
		--add-location=file $(I18N_IGNORE) --ignore=static/vendor
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l cy --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache .hypothesis
