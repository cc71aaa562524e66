# Salesflow developer tasks. Needs only python3.11 and make; everything else
# is installed into .venv from PyPI.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip --disable-pip-version-check

.DEFAULT_GOAL := help
.PHONY: help venv run test lint bench clean distclean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changes (or the venv is new).
$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	@touch $@ $(STAMP)

venv: $(STAMP) ## Create .venv (python3.11) and install Salesflow into it

run: $(STAMP) ## Migrate, load the demo data and serve on http://127.0.0.1:8000
	mkdir -p var
	$(BIN)/salesflow migrate --noinput
	$(BIN)/salesflow demo
	$(BIN)/salesflow collectstatic --noinput -v0
	@echo
	@echo "== Demo logins =="
	@$(BIN)/salesflow demo --logins
	@echo
	DEBUG=$${DEBUG:-1} $(BIN)/salesflow runserver 127.0.0.1:8000

test: $(DEV_STAMP) ## Run the suite on SQLite (incl. e2e) and, beside it, on a throw-away PostgreSQL (not e2e)
	@mkdir -p test-artifacts; rc=0; \
	echo; echo "== pass 2/2 (PostgreSQL, not e2e, not the installation subprocesses) runs beside pass 1; its output follows =="; \
	( env -u DATABASE_URL SALESFLOW_TEST_DATABASE=postgres $(BIN)/pytest -p no:cacheprovider --durations=15 -m "not e2e and not installation" \
	    > test-artifacts/pytest-postgres.log 2>&1; echo $$? > test-artifacts/pytest-postgres.rc ) & pg=$$!; \
	echo; echo "==================== pass 1/2: SQLite (all tests, incl. e2e) ===================="; \
	env -u DATABASE_URL -u SALESFLOW_TEST_DATABASE $(BIN)/pytest --durations=15 || rc=1; \
	wait $$pg; \
	echo; echo "==================== pass 2/2: PostgreSQL (not e2e, not the installation subprocesses) ===================="; \
	cat test-artifacts/pytest-postgres.log; \
	[ "$$(cat test-artifacts/pytest-postgres.rc)" = 0 ] || rc=1; \
	echo; if [ $$rc -eq 0 ]; then echo "== make test: both passes passed =="; else echo "== make test: FAILED (see above) =="; fi; \
	exit $$rc

lint: $(DEV_STAMP) ## Run ruff
	$(BIN)/ruff check .

bench: $(STAMP) ## Run the benchmarks
	$(BIN)/python -m benchmarks

clean: ## Remove caches, build output, test artifacts and collected static files
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache test-artifacts var/static
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print -exec rm -rf {} +

distclean: clean ## Also remove .venv and var/ (the development database)
	rm -rf $(VENV) var
