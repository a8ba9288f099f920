# The two commands of the README's quick start. Both install what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install server test lint typecheck

$(BIN)/grimoire: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	@touch $@

install: $(BIN)/grimoire

## Start every service on the embedded defaults (PostgreSQL + artifacts under ~/.grimoire).
server: install
	$(BIN)/grimoire server

## Install and run the whole test suite against real PostgreSQL, S3 protocol, an OIDC
## provider, a browser and the real mlflow clients.
test: install tests/oidc/node_modules
	$(BIN)/python -m pytest $(PYTEST_ARGS)

tests/oidc/node_modules: tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## Lint and format check (ruff, settings in pyproject.toml); CI runs it before the tests.
lint: install
	$(BIN)/ruff check services tests bench
	$(BIN)/ruff format --check services tests bench

## Type check (mypy, settings in pyproject.toml: strict on services/core); CI runs it after lint.
typecheck: install
	$(BIN)/mypy
