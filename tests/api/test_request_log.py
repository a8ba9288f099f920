"""The JSON request log and X-Request-ID, as an operator reading a pod's log sees them."""

import json
import re
import time
import uuid

import httpx

from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.servers import RunningServer

API = "/api/2.0/mlflow"


def logged(server: RunningServer, request_id: str) -> dict:
    """The request line with this id, once the server has written it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for line in server.log().splitlines():
            if line.startswith("{") and request_id in line:
                return json.loads(line)
        time.sleep(0.05)
    raise AssertionError(f"no request line for {request_id}:\n{server.log()[-2000:]}")


def test_a_request_id_is_kept_returned_and_logged_with_the_route_template(
    server: RunningServer, api: httpx.Client
) -> None:
    request_id = f"ingress-{uuid.uuid4().hex}"
    run = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]
    response = api.get(
        f"{API}/runs/get",
        params={"run_id": run["info"]["run_id"]},
        headers={"X-Request-ID": request_id},
    )
    assert response.headers["x-request-id"] == request_id
    line = logged(server, request_id)
    assert line["route"] == f"{API}/runs/get"
    assert run["info"]["run_id"] not in json.dumps(line)  # the template, not the query
    assert {key: line[key] for key in ("service", "method", "status", "level")} == {
        "service": "tracking",
        "method": "GET",
        "status": 200,
        "level": "info",
    }
    assert line["duration_ms"] > 0
    assert line["user"] is None  # authentication is off on this server


def test_an_id_that_is_not_an_id_is_replaced(server: RunningServer, api: httpx.Client) -> None:
    response = api.get(
        f"{API}/experiments/get",
        params={"experiment_id": "0"},
        headers={"X-Request-ID": "<script>alert(1)</script>"},
    )
    fresh = response.headers["x-request-id"]
    assert re.fullmatch("[0-9a-f]{32}", fresh)
    assert logged(server, fresh)["status"] == 200
    assert "<script>" not in server.log()


def test_an_error_is_logged_with_its_status(server: RunningServer, api: httpx.Client) -> None:
    response = api.get(f"{API}/experiments/get", params={"experiment_id": "999999999"})
    assert response.status_code == 404
    line = logged(server, response.headers["x-request-id"])
    assert (line["route"], line["status"]) == (f"{API}/experiments/get", 404)


def test_probes_are_not_logged_but_answer_with_an_id(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/ready", headers={"X-Request-ID": "probe-1234"})
    assert response.headers["x-request-id"] == "probe-1234"
    time.sleep(0.2)
    assert "probe-1234" not in server.log()


def test_the_user_is_logged_and_a_bearer_token_never_is(auth_stack: AuthStack) -> None:
    server = auth_stack.server
    refused_token = f"grm_{uuid.uuid4().hex}"
    with auth_stack.api(auth_stack.root_token) as api:
        accepted = api.get(f"{API}/experiments/get", params={"experiment_id": "0"})
    with auth_stack.api(refused_token) as api:
        refused = api.get(f"{API}/experiments/get", params={"experiment_id": "0"})
    assert (accepted.status_code, refused.status_code) == (200, 401)
    assert logged(server, accepted.headers["x-request-id"])["user"] == "service:root"
    line = logged(server, refused.headers["x-request-id"])
    assert (line["status"], line["user"]) == (401, None)
    log = server.log()
    assert auth_stack.root_token not in log
    assert refused_token not in log
