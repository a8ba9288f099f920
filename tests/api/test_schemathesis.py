"""Schemathesis against every service's OpenAPI document: no request a client can send,
valid or hostile, gets a server error.

The documents are the services' own (`app.openapi()`, what each serves at `/openapi.json`),
whose request schemas come from the messages the endpoints declare (`accepts`). Each service
runs as its own uvicorn process (auth off) on a fresh database, and every operation is sent
its coverage cases (boundaries, missing and wrongly typed fields, repeated query parameters,
unexpected methods) and a bounded number of generated requests, valid and invalid, about half
of them aimed at real resources so they get past "does not exist". CI replays the same
requests every run. Only `not_a_server_error` is checked: any 5xx fails the operation's test
item, which names the request as a curl command. (The 501 routes for MLflow endpoints we do
not implement are not in the documents.)

The lazy `schemathesis.pytest.from_fixture` loader would read `/openapi.json` from the live
server, but it writes `Function._nodeid`, which pytest 9.2 no longer has; the documents are
therefore built in-process at collection, and `test_served_documents_are_the_fuzzed_ones`
checks that the servers serve exactly those.
"""

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from fastapi.routing import APIRoute
from hypothesis import strategies as st
from openapi_spec_validator import validate
from pydantic import BaseModel
from schemathesis import Case
from schemathesis.checks import not_a_server_error

from services.core.app import create_app
from services.core.db.migrate import upgrade
from services.core.http import declared_message
from services.specs import ROUTING, SPECS
from tests.fixtures.databases import create_database, drop_database
from tests.fixtures.servers import RunningServer, start_server, stop_server

APPS = {spec.name: create_app(spec, own_lifespan=False) for spec in SPECS}
DOCUMENTS = {name: app.openapi() for name, app in APPS.items()}
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            # CI (HYPOTHESIS_PROFILE=ci) replays the same requests every run; local runs draw
            # new ones, and FUZZ_MAX_EXAMPLES=500 hunts longer.
            "max-examples": int(os.environ.get("FUZZ_MAX_EXAMPLES", "25")),
            "deterministic": hypothesis.settings.default.derandomize,
            "mode": "all",
        },
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
    """One session (a keep-alive connection per server) for every request, as clients do."""
    with requests.Session() as session:
        yield session


def _created(session: requests.Session, url: str, body: dict) -> dict:
    response = session.post(url, json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def targets(services: dict[str, RunningServer], connection: requests.Session) -> dict[str, Any]:
    """Real resources, by the parameter names that refer to them. Random ids are 404s
    before any real work happens; about half the generated requests are aimed at these, so
    the fuzzer also reaches a run's writes, a version's stages, a webhook's test send."""
    tracking = f"{services['tracking'].url}/api/2.0/mlflow"
    registry = f"{services['registry'].url}/api/2.0/mlflow"
    artifacts = f"{services['artifacts'].url}/api/2.0/mlflow-artifacts/artifacts"
    experiment = _created(connection, f"{tracking}/experiments/create", {"name": "fuzz"})
    experiment_id = experiment["experiment_id"]
    run = _created(connection, f"{tracking}/runs/create", {"experiment_id": experiment_id})
    run_id = run["run"]["info"]["run_id"]
    model = _created(connection, f"{tracking}/logged-models", {"experiment_id": experiment_id})
    artifact = f"{experiment_id}/{run_id}/artifacts/fuzz.txt"
    assert connection.put(f"{artifacts}/{artifact}", data=b"fuzz", timeout=30).ok
    _created(connection, f"{registry}/registered-models/create", {"name": "fuzz"})
    version = {"name": "fuzz", "source": run["run"]["info"]["artifact_uri"], "run_id": run_id}
    _created(connection, f"{registry}/model-versions/create", version)
    # Port 9 (discard) on loopback: a test delivery is refused at once.
    hook = {
        "name": "fuzz",
        "url": "http://127.0.0.1:9/",
        "events": [{"entity": "model_version", "action": "created"}],
    }
    webhook = _created(connection, f"{registry}/webhooks", hook)
    return {
        "experiment_id": experiment_id,
        "experiment_ids": [experiment_id],
        "run_id": run_id,
        "run_uuid": run_id,
        "run_ids": [run_id],
        "source_run_id": run_id,
        "model_id": model["model"]["info"]["model_id"],
        "name": "fuzz",
        "version": "1",
        "webhook_id": webhook["webhook"]["webhook_id"],
        "artifact_path": artifact,
        "path": f"{experiment_id}/{run_id}/artifacts",
    }


def aim(case: Case, targets: dict[str, Any]) -> None:
    """Set every path parameter, query parameter or top-level body field the operation
    declares that names a resource to a real one; everything else stays as generated."""
    path = case.operation.path
    operation = DOCUMENTS[ROUTING.service_for(path)]["paths"][path][case.method.lower()]
    for parameter in operation.get("parameters", ()):
        name = parameter["name"]
        if name in targets and parameter["in"] == "path":
            case.path_parameters = {**case.path_parameters, name: targets[name]}
        elif name in targets and parameter["in"] == "query":
            case.query = {**(case.query or {}), name: targets[name]}
    content = operation.get("requestBody", {}).get("content", {})
    fields = content.get("application/json", {}).get("schema", {}).get("properties", {})
    if isinstance(case.body, dict):
        for name in fields.keys() & targets.keys():
            case.body[name] = targets[name]


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


# The web service documents no operation (its pages are static shells; their data comes
# from the other services' APIs, fuzzed here).
SCHEMAS = {
    name: schemathesis.openapi.from_dict(doc, config=CONFIG)
    for name, doc in DOCUMENTS.items()
    if doc["paths"]
}


@schemathesis.pytest.parametrize(**SCHEMAS)
@SCHEMAS["tracking"].given(aimed=st.booleans())  # `given` is the same on every schema
def test_no_request_gets_a_server_error(
    case: Case,
    aimed: bool,
    services: dict[str, RunningServer],
    targets: dict[str, Any],
    connection: requests.Session,
) -> None:
    """Fails on any 5xx; the report shows the request that caused it."""
    if aimed:
        aim(case, targets)
    server = services[ROUTING.service_for(case.operation.path)]
    case.call_and_validate(base_url=server.url, session=connection, checks=[not_a_server_error])
