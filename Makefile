# The two commands of the README's quick start. Both install what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

FRONTEND := services/web/frontend
UI := services/web/static/index.html
UI_SOURCES := $(shell find $(FRONTEND)/src -type f 2>/dev/null) \
	$(addprefix $(FRONTEND)/,index.html package.json vite.config.ts tsconfig.json)

.PHONY: install server test lint typecheck

$(BIN)/grimoire: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	@touch $@

install: $(BIN)/grimoire

## The web UI (Node 20+): Vite builds it into the Python package, where the web service and a
## built wheel serve it from.
$(UI): $(FRONTEND)/node_modules $(UI_SOURCES)
	cd $(FRONTEND) && npm run build --silent

$(FRONTEND)/node_modules: $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## Start every service on the embedded defaults (PostgreSQL + artifacts under ~/.grimoire).
server: install $(UI)
	$(BIN)/grimoire server

## Install and run the whole test suite against real PostgreSQL, S3 protocol, an OIDC
## provider, a browser and the real mlflow clients.
test: install tests/oidc/node_modules tests/deploy/compose_schema/node_modules $(UI)
	cd $(FRONTEND) && npm test --silent
	$(BIN)/python -m pytest $(PYTEST_ARGS)

tests/oidc/node_modules: tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

tests/deploy/compose_schema/node_modules: tests/deploy/compose_schema/package-lock.json
	cd tests/deploy/compose_schema && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## Lint and format check (ruff, settings in pyproject.toml); CI runs it before the tests.
lint: install
	$(BIN)/ruff check services tests bench
	$(BIN)/ruff format --check services tests bench

## Type check (mypy, settings in pyproject.toml: strict on services/core); CI runs it after lint.
typecheck: install
	$(BIN)/mypy
