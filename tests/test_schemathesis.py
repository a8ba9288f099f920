"""Schemathesis against every service's OpenAPI document: no request a client can send,
valid or hostile, gets a server error.

The documents are the services' own (`app.openapi()`, what each serves at `/openapi.json`),
whose request schemas come from the messages the endpoints declare (`accepts`). Each service
runs as its own uvicorn process (auth off) on a fresh database, and every operation is sent
its coverage cases (boundaries, missing and wrongly typed fields, repeated query parameters,
unexpected methods) and a bounded number of generated requests, valid and invalid,
derandomized so CI replays the same ones every run. Only `not_a_server_error` is checked:
any 5xx fails the operation's test item, which names the request as a curl command. (The
501 routes for MLflow endpoints we do not implement are not in the documents.)

The lazy `schemathesis.pytest.from_fixture` loader would read `/openapi.json` from the live
server, but it writes `Function._nodeid`, which pytest 9.2 no longer has; the documents are
therefore built in-process at collection, and `test_served_documents_are_the_fuzzed_ones`
checks that the servers serve exactly those.
"""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from fastapi.routing import APIRoute
from openapi_spec_validator import validate
from pydantic import BaseModel
from schemathesis.checks import not_a_server_error

from services.artifacts.main import build as build_artifacts
from services.core.db.migrate import upgrade
from services.core.http import declared_message
from services.core.routing import service_for
from services.registry.main import build as build_registry
from services.tracking.main import build as build_tracking
from tests.conftest import create_database, drop_database, start_server, stop_server
from tests.servers import RunningServer

APPS = {
    "tracking": build_tracking(own_lifespan=False),
    "artifacts": build_artifacts(own_lifespan=False),
    "registry": build_registry(own_lifespan=False),
}
DOCUMENTS = {name: app.openapi() for name, app in APPS.items()}
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 25, "deterministic": True, "mode": "all"},
        # A repeated singular query parameter must be a 400, never a guess (or a 500).
        "phases": {"coverage": {"generate-duplicate-query-parameters": True}},
        # Generation is the slow part on a 2-core machine, and not what this test is about.
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    }
)


@pytest.fixture(scope="module")
def services(
    postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, RunningServer]]:
    """Each service in its own process, on a database of its own: the fuzzer creates rows
    that other tests' searches should not find."""
    database = create_database(postgres_admin_url)
    asyncio.run(upgrade(database))
    running: dict[str, RunningServer] = {}
    try:
        for name in DOCUMENTS:
            folder: Path = tmp_path_factory.mktemp(f"fuzz-{name}")
            env = {
                "GRIMOIRE_DATABASE_URL": database,
                "GRIMOIRE_ARTIFACTS_ROOT": str(folder / "artifacts"),
                "GRIMOIRE_DATA_DIR": str(folder),
            }
            running[name] = start_server(f"services.{name}.main:app", env, folder / "log")
        yield running
    finally:
        for server in running.values():
            stop_server(server)
        drop_database(postgres_admin_url, database)


@pytest.fixture(scope="module")
def connection() -> Iterator[requests.Session]:
    """One keep-alive session for every request: a hostile request must not break the
    connection for the next one."""
    with requests.Session() as session:
        yield session


@pytest.mark.parametrize("name", DOCUMENTS)
def test_documents_are_valid_openapi(name: str) -> None:
    validate(DOCUMENTS[name])  # every path parameter declared, operation ids unique, ...


def _declared_routes() -> Iterator[tuple[str, APIRoute, str, type[BaseModel]]]:
    for name, app in APPS.items():
        for route in app.routes:
            model = declared_message(route.endpoint) if isinstance(route, APIRoute) else None
            if model is not None and route.include_in_schema:
                for method in route.methods:
                    yield name, route, method, model


def test_every_declared_message_is_in_its_document() -> None:
    """GET messages as query parameters (lists as repeated keys), others as a JSON body,
    with every field and no `$ref` left pointing into pydantic's `$defs`."""
    checked = 0
    for name, route, method, model in _declared_routes():
        operation = DOCUMENTS[name]["paths"][route.path_format][method.lower()]
        schema = model.model_json_schema()
        fields, required = set(schema["properties"]), set(schema.get("required", ()))
        if method == "GET":
            query = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
            assert set(query) == fields, (method, route.path)
            assert {n for n, p in query.items() if p["required"]} == required
            for parameter in query.values():
                is_list = parameter["schema"].get("type") == "array"
                assert is_list == (parameter.get("explode") is True), parameter
                # A query string cannot say null; an absent parameter leaves the field unset.
                assert {"type": "null"} not in parameter["schema"].get("anyOf", ()), parameter
            assert "requestBody" not in operation
        else:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert set(body["properties"]) == fields, (method, route.path)
            assert set(body.get("required", ())) == required
            assert "$ref" not in json.dumps(body) and "$defs" not in body
        checked += 1
    assert checked > 60  # every service's messages, not a vacuous pass


def test_served_documents_are_the_fuzzed_ones(services: dict[str, RunningServer]) -> None:
    for name, server in services.items():
        served = requests.get(f"{server.url}/openapi.json", timeout=30)
        assert served.status_code == 200
        assert served.json() == DOCUMENTS[name]


@schemathesis.pytest.parametrize(
    **{name: schemathesis.openapi.from_dict(doc, config=CONFIG) for name, doc in DOCUMENTS.items()}
)
def test_no_request_gets_a_server_error(
    case, services: dict[str, RunningServer], connection: requests.Session
) -> None:
    """Fails on any 5xx; the report shows the request that caused it."""
    server = services[service_for(case.operation.path)]
    case.call_and_validate(base_url=server.url, session=connection, checks=[not_a_server_error])
