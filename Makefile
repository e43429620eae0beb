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

.PHONY: dev test bench load venv migrate seed serve apt-deps translations check clean

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

# Debian's Chromium and Noto fonts (CJK too, or Chinese screenshots show boxes) for the browser tests, MariaDB for the concurrency tests (installed only
# when missing). The MariaDB driver is PyMySQL (pure Python, in the `test` extra): no client library needed.
apt-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi noto || missing="$$missing fonts-noto-core"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	for tool in /usr/sbin/mariadbd mariadb-install-db mariadb-admin mariadb; do \
	  command -v $$tool >/dev/null || { missing="$$missing mariadb-server"; break; }; done; \
	if [ -n "$$missing" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	  --no-install-recommends $$missing; fi

translations: venv
	$(BIN)/python scripts/compile_translations.py

check: venv
	$(TEST) $(BIN)/django-admin makemigrations mlcourse --check --dry-run
	$(TEST) $(BIN)/django-admin check

# axe-core for the accessibility tests (tests/a11y.py), from npm at test time: never fetched by a page. npm pack
# stores 1985 mtimes, so tar -m (or the rule would run every time).
AXE_VERSION ?= 4.14.1
AXE_JS := .cache/axe/axe.min.js
$(AXE_JS):
	mkdir -p $(@D)
	npm pack --silent axe-core@$(AXE_VERSION) --pack-destination $(@D) >/dev/null
	tar -xzmf $(@D)/axe-core-$(AXE_VERSION).tgz -C $(@D) --strip-components=1 package/axe.min.js

# The suite on SQLite, then the MariaDB concurrency tests on a throwaway server (scripts/start-mariadb.sh:
# data under $(DB_DIR), 127.0.0.1:$(DB_PORT) only), stopped and deleted whatever the result (also on Ctrl-C).
# Fails if either run failed.
MYSQL_TEST := $(TEST) MLCOURSE_TEST_DB=mysql
test: venv apt-deps check $(AXE_JS)
	@rc=0; $(TEST) $(BIN)/python -m pytest -q || rc=1; \
	echo "== MariaDB: makemigrations --check; concurrency under REPEATABLE READ, then READ COMMITTED (Django's)"; \
	trap 'sh scripts/stop-mariadb.sh' EXIT; trap 'exit 130' INT TERM; \
	if sh scripts/start-mariadb.sh; then \
	  $(MYSQL_TEST) $(BIN)/django-admin makemigrations mlcourse --check --dry-run || rc=1; \
	  MLCOURSE_DB_ISOLATION="repeatable read" $(MYSQL_TEST) $(BIN)/python -m pytest -q --create-db \
	    tests/test_concurrency_mariadb.py || rc=1; \
	  $(MYSQL_TEST) $(BIN)/python -m pytest -q --create-db tests/test_concurrency_mariadb.py || rc=1; \
	else rc=1; fi; \
	exit $$rc

# Benchmarks (not part of `make test`): numbers go to var/bench/*.json.
bench: venv
	rm -f var/bench/bench.db
	PYTHONPATH=. $(BIN)/python benchmarks/bench_matcher.py > /dev/null
	PYTHONPATH=. $(BIN)/python benchmarks/bench_handlers.py > /dev/null
	PYTHONPATH=. $(BIN)/python benchmarks/bench_staff.py > /dev/null
	PYTHONPATH=. $(BIN)/python benchmarks/bench_board.py
	rm -f var/bench/bench.db
	PYTHONPATH=. $(BIN)/python benchmarks/explain.py > var/bench/explain-sqlite.txt
	PYTHONPATH=. $(BIN)/python benchmarks/report.py
	PYTHONPATH=. $(BIN)/python benchmarks/bench_page_weight.py
	$(MAKE) --no-print-directory load

# Load: the workbench under gunicorn (3 workers) on a throwaway MariaDB, 200 simulated learners (locust).
LOAD_PORT ?= 18000
LOAD := DJANGO_SETTINGS_MODULE=benchmarks.load.settings PYTHONPATH=.
load: venv
	$(BIN)/pip install -q -c requirements/constraints.txt -e '.[test,bench]'
	mkdir -p var/load
	@trap '[ -f var/load/gunicorn.pid ] && kill $$(cat var/load/gunicorn.pid); sleep 2; sh scripts/stop-mariadb.sh' EXIT; \
	sh scripts/start-mariadb.sh && \
	$(LOAD) $(BIN)/django-admin migrate --noinput -v0 && \
	$(LOAD) $(BIN)/gunicorn --preload -w 3 -b 127.0.0.1:$(LOAD_PORT) --no-control-socket --daemon \
	  --pid var/load/gunicorn.pid --error-logfile var/load/gunicorn.log benchmarks.load.wsgi:application && \
	for i in $$(seq 40); do curl -fsS -o /dev/null http://127.0.0.1:$(LOAD_PORT)/ && break; \
	  [ $$i -lt 40 ] || { cat var/load/gunicorn.log; exit 1; }; sleep 0.5; done && \
	timeout 180 $(BIN)/locust --headless -u 200 -r 20 -t 90s --host http://127.0.0.1:$(LOAD_PORT) \
	  -f benchmarks/load/locustfile.py --csv var/load/locust --only-summary && \
	$(LOAD) $(BIN)/python benchmarks/load/summary.py

clean:
	rm -rf $(VENV) var build dist *.egg-info
