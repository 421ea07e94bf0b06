# make run   - set up, migrate SQLite in instance/, seed demo data, serve on 127.0.0.1:$HAMYAN_PORT (5000)
# make serve - production: checks, migrations, scheduler process and gunicorn (deploy/entrypoint.sh)
# make test  - set up, run the whole suite on SQLite, then what could differ on MariaDB/MySQL again there
# make bench - the benchmarks in bench/, printed as figures (BENCH_SIZES=10,100 BENCH_BACKENDS=sqlite limit them)
VENV ?= .venv
BIN := $(VENV)/bin
HAMYAN_PORT ?= 5000
HAMYAN_TEST_MYSQL_URL ?= mysql+pymysql://root@127.0.0.1:3306/test
PYTEST_ARGS ?= -n 2
# The MySQL leg runs every test that could behave differently there: it leaves out the browser page
# walks (their queries are the ones the other tests run) and `dialect_free` tests (no database, or the
# language of pages), but keeps `mysql_only` ones (the nginx scale-out test).
MYSQL_LEG := not browser and not dialect_free or mysql_only
export FLASK_APP := wsgi:app
export HAMYAN_TEST_MYSQL_URL

.PHONY: setup run serve test test-sqlite test-mysql bench

$(BIN)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed
	$(BIN)/flask run --host 127.0.0.1 --port $(HAMYAN_PORT)

serve: setup
	HAMYAN_VENV=$(VENV) deploy/entrypoint.sh serve

test: setup
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-mysql

test-sqlite: setup
	@echo "== test leg: SQLite"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-mysql: setup
	@if $(BIN)/python -m tests.mysql_server "$(HAMYAN_TEST_MYSQL_URL)"; then \
	  echo "== test leg: MySQL/MariaDB at $(HAMYAN_TEST_MYSQL_URL) (browser and dialect_free tests left out, the nginx scale-out test kept)"; \
	  HAMYAN_TEST_DATABASE_URL="$(HAMYAN_TEST_MYSQL_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS) -m '$(MYSQL_LEG)'; \
	elif [ "$$CI" = "true" ]; then \
	  echo "== test leg: MySQL/MariaDB FAILED: no server at $(HAMYAN_TEST_MYSQL_URL), and CI=true requires one"; exit 1; \
	else \
	  echo "== test leg: MySQL/MariaDB SKIPPED: no server answers at $(HAMYAN_TEST_MYSQL_URL)"; \
	fi

bench: setup
	$(BIN)/python -m bench
