# mlcourse: `make dev` serves the demo, `make test` runs everything CI runs.
# Python: 3.12 through pyenv when present, else python3 (3.11+). Override with `make PYTHON=...`.
PYTHON ?= $(shell if PYENV_VERSION=3.12.1 python3.12 --version >/dev/null 2>&1; then echo "env PYENV_VERSION=3.12.1 python3.12"; \
            elif command -v python3.12 >/dev/null 2>&1; then echo python3.12; else echo python3; fi)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DB_PORT ?= 33306
export DB_DIR ?= $(or $(TMPDIR),/tmp)/mlcourse-db-$(DB_PORT)
DEV := DJANGO_SETTINGS_MODULE=devsite.settings PYTHONPATH=.
TEST := DJANGO_SETTINGS_MODULE=devsite.test_settings PYTHONPATH=.

.PHONY: dev test bench venv migrate seed serve apt-deps translations check clean

$(BIN)/.installed: pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements/constraints.txt -e '.[test]'
	touch $@

venv: $(BIN)/.installed

migrate: venv
	mkdir -p var
	$(DEV) $(BIN)/django-admin migrate --noinput -v0

seed: migrate
	$(DEV) $(BIN)/django-admin mlcourse_seed_demo

dev: seed
	@echo "Demo: http://127.0.0.1:$(PORT)/  (learners: ?student=<name>; staff: ?student=staff)"
	$(DEV) $(BIN)/django-admin runserver 127.0.0.1:$(PORT)

# Debian's Chromium and Noto fonts for the browser tests (installed only when missing).
apt-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi noto; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	    chromium fonts-noto-core; fi

translations: venv
	$(BIN)/python scripts/compile_translations.py

check: venv
	$(TEST) $(BIN)/django-admin makemigrations mlcourse --check --dry-run
	$(TEST) $(BIN)/django-admin check

test: venv apt-deps check
	$(TEST) $(BIN)/python -m pytest -q

# Benchmarks (not part of `make test`): numbers go to var/bench/*.json.
bench: venv
	rm -f var/bench/bench.db
	PYTHONPATH=. $(BIN)/python benchmarks/bench_staff.py

clean:
	rm -rf $(VENV) var build dist *.egg-info
