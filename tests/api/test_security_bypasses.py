"""Every authorization bypass of issue 11, tried as an attacker would, over raw HTTP.

Two teams, each a service account in its own group with MANAGE on its own experiment and
registered model, and a principal with no grants at all. Each case asserts the exact status
and error code, that nothing changed (the victim's state read back by an administrator), and
that the attacker's next request on the same keep-alive connection is answered normally.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import orjson
import pytest

from tests.fixtures.auth_helpers import grant, service_account
from tests.fixtures.auth_stack import AuthStack

T, A, G = "/api/2.0/mlflow", "/api/2.0/mlflow-artifacts", "/api/2.0/grimoire"


@dataclass
class Team:
    principal: str
    token: str
    experiment: str
    run: str
    logged_model: str
    model: str


def _ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def _team(stack: AuthStack, root: httpx.Client) -> Team:
    group = f"team-{uuid.uuid4().hex[:6]}"
    principal, token = service_account(stack, [group])
    name = f"{group}/exp"
    experiment = _ok(root.post(f"{T}/experiments/create", json={"name": name}))["experiment_id"]
    run = _ok(root.post(f"{T}/runs/create", json={"experiment_id": experiment}))["run"]["info"][
        "run_id"
    ]
    logged_model = _ok(root.post(f"{T}/logged-models", json={"experiment_id": experiment}))[
        "model"
    ]["info"]["model_id"]
    _ok(root.post(f"{T}/registered-models/create", json={"name": f"{group}-model"}))
    _ok(
        root.post(
            f"{T}/model-versions/create", json={"name": f"{group}-model", "source": "s3://b/m"}
        )
    )
    assert root.put(f"{A}/artifacts/{experiment}/{run}/artifacts/secret.txt", content=b"s3cr3t")
    grant(stack, group, "experiment", experiment, "MANAGE", "group")
    grant(stack, group, "registered_model", f"{group}-model", "MANAGE", "group")
    return Team(principal, token, experiment, run, logged_model, f"{group}-model")


@dataclass
class Parties:
    root: httpx.Client
    attacker: Team
    victim: Team
    nobody: httpx.Client  # a principal with no grants at all

    def client(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=str(self.root.base_url), headers={"Authorization": f"Bearer {token}"}
        )


@pytest.fixture(scope="module")
def parties(auth_stack: AuthStack) -> Iterator[Parties]:
    with auth_stack.api(auth_stack.root_token) as root:
        attacker, victim = _team(auth_stack, root), _team(auth_stack, root)
        _, nobody_token = service_account(auth_stack, [])
        with auth_stack.api(nobody_token) as nobody:
            yield Parties(root, attacker, victim, nobody)


@pytest.fixture
def attacker(parties: Parties) -> Iterator[httpx.Client]:
    with parties.client(parties.attacker.token) as client:
        yield client


def _error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error_code"] == code


def _still_answers(client: httpx.Client) -> None:
    """The same keep-alive connection serves the next request."""
    assert client.get("/me").status_code == 200


def _victim_run(parties: Parties) -> dict:
    return _ok(parties.root.get(f"{T}/runs/get", params={"run_id": parties.victim.run}))["run"]


def _is_admin(parties: Parties, client: httpx.Client) -> bool:
    return bool(_ok(client.get("/me"))["is_admin"])


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_grant_in_a_non_json_body_is_415_and_grants_nothing(
    parties: Parties, content_type: str | None
) -> None:
    for client in (parties.nobody, parties.client(parties.attacker.token)):
        me = _ok(client.get("/me"))["name"]
        body = orjson.dumps(
            {
                "principal_type": "user",
                "principal": me,
                "resource_type": "default",
                "resource_id": "*",
                "role": "ADMIN",
            }
        )
        headers = {"content-type": content_type} if content_type else {}
        response = client.post(
            f"{G}/permissions",
            params={"resource_type": "experiment", "resource_id": parties.attacker.experiment},
            content=body,
            headers=headers,
        )
        if content_type is None:
            # httpx sends no Content-Type for raw content: still not JSON.
            assert "content-type" not in response.request.headers
        _error(response, 415, "INVALID_PARAMETER_VALUE")
        assert not _is_admin(parties, client)
        _still_answers(client)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_bodies_with_non_finite_numbers_are_authorized_as_parsed(
    parties: Parties, attacker: httpx.Client, number: str
) -> None:
    before = _victim_run(parties)
    victim = parties.victim.run
    writes = [
        (
            f"{T}/runs/log-metric",
            f'{{"run_id":"{victim}","key":"m","value":{number},"timestamp":1}}',
        ),
        (f"{T}/runs/log-parameter", f'{{"run_id":"{victim}","key":"p","value":"v","x":{number}}}'),
        (f"{T}/runs/set-tag", f'{{"run_id":"{victim}","key":"t","value":"v","x":{number}}}'),
        (f"{T}/runs/delete", f'{{"run_id":"{victim}","x":{number}}}'),
    ]
    for path, body in writes:
        response = attacker.post(path, content=body, headers={"content-type": "application/json"})
        assert response.status_code in (400, 403), (path, response.text)
    after = _victim_run(parties)
    assert after["data"] == before["data"]
    assert after["info"]["lifecycle_stage"] == "active"
    _still_answers(attacker)


def test_registry_writes_with_odd_bodies_stay_forbidden(
    parties: Parties, attacker: httpx.Client
) -> None:
    victim = parties.victim.model
    json_headers = {"content-type": "application/json"}
    attempts = [
        (
            "POST",
            f"{T}/model-versions/transition-stage",
            f'{{"name":"{victim}","version":"1","stage":"Archived","x":NaN}}',
            json_headers,
        ),
        (
            "DELETE",
            f"{T}/registered-models/delete",
            f'{{"name":"{victim}"}}',
            {"content-type": "text/plain"},
        ),
    ]
    for method, path, body, headers in attempts:
        response = attacker.request(method, path, content=body, headers=headers)
        assert response.status_code in (403, 415), response.text
    version = _ok(
        parties.root.get(f"{T}/model-versions/get", params={"name": victim, "version": "1"})
    )
    assert version["model_version"]["current_stage"] == "None"
    _still_answers(attacker)


@pytest.mark.parametrize(
    "path,params",
    [
        ("runs/get", "run_id={mine}&run_id={theirs}"),
        ("metrics/get-history", "run_id={mine}&run_id={theirs}&metric_key=m"),
        ("artifacts/list", "run_id={mine}&run_id={theirs}"),
    ],
)
def test_a_repeated_singular_query_parameter_is_400(
    parties: Parties, attacker: httpx.Client, path: str, params: str
) -> None:
    # (Tracking has no /ajax-api/2.0/mlflow twins; the artifact proxy's are tested below.)
    query = params.format(mine=parties.attacker.run, theirs=parties.victim.run)
    _error(attacker.get(f"{T}/{path}?{query}"), 400, "INVALID_PARAMETER_VALUE")
    _still_answers(attacker)


def test_a_repeated_artifact_path_cannot_list_the_store_root(
    parties: Parties, attacker: httpx.Client
) -> None:
    mine = f"{parties.attacker.experiment}/{parties.attacker.run}/artifacts"
    for prefix in (A, "/ajax-api/2.0/mlflow-artifacts"):
        _error(
            attacker.get(f"{prefix}/artifacts?path={mine}&path="), 400, "INVALID_PARAMETER_VALUE"
        )
        # And the root itself is an administrator's.
        _error(attacker.get(f"{prefix}/artifacts"), 403, "PERMISSION_DENIED")


@pytest.mark.parametrize("spelling", [" {id}", "{id} ", "+{id}", "0_{id}", "{id}\n", "٣"])
def test_non_canonical_experiment_ids_are_400(parties: Parties, spelling: str) -> None:
    experiment_id = spelling.format(id=parties.victim.experiment)
    for client in (parties.nobody, parties.client(parties.attacker.token)):
        _error(
            client.get(f"{T}/experiments/get", params={"experiment_id": experiment_id}),
            400,
            "INVALID_PARAMETER_VALUE",
        )
        _error(
            client.post(
                f"{T}/runs/create", json={"experiment_id": experiment_id, "run_name": "sneak"}
            ),
            400,
            "INVALID_PARAMETER_VALUE",
        )
    runs = _ok(
        parties.root.post(f"{T}/runs/search", json={"experiment_ids": [parties.victim.experiment]})
    )
    assert [r["info"]["run_id"] for r in runs["runs"]] == [parties.victim.run]


def test_unknown_targets_fail_closed(parties: Parties, attacker: httpx.Client) -> None:
    missing_run = uuid.uuid4().hex
    _error(
        attacker.get(f"{T}/runs/get", params={"run_id": missing_run}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    _error(
        attacker.post(
            f"{T}/runs/log-parameter", json={"run_id": missing_run, "key": "k", "value": "v"}
        ),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    _error(
        attacker.get(f"{T}/registered-models/get", params={"name": "no-such-model"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    _error(
        attacker.get(f"{T}/experiments/get-by-name", params={"experiment_name": "no-such"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    _still_answers(attacker)


def test_run_writes_cannot_link_into_another_teams_logged_model(
    parties: Parties, attacker: httpx.Client
) -> None:
    mine, theirs = parties.attacker.run, parties.victim.logged_model
    attempts = [
        (
            "runs/log-metric",
            {"run_id": mine, "key": "m", "value": 1.0, "timestamp": 1, "model_id": theirs},
        ),
        (
            "runs/log-batch",
            {
                "run_id": mine,
                "metrics": [{"key": "m", "value": 1, "timestamp": 1, "model_id": theirs}],
            },
        ),
        ("runs/log-inputs", {"run_id": mine, "models": [{"model_id": theirs}]}),
        ("runs/outputs", {"run_id": mine, "models": [{"model_id": theirs, "step": 0}]}),
    ]
    for path, body in attempts:
        _error(attacker.post(f"{T}/{path}", json=body), 403, "PERMISSION_DENIED")
    model = _ok(parties.root.get(f"{T}/logged-models/{theirs}"))["model"]
    assert model.get("data", {}).get("metrics", []) == []
    run = _ok(parties.root.get(f"{T}/runs/get", params={"run_id": mine}))["run"]
    assert run["data"].get("metrics", []) == []
    assert run.get("inputs", {}).get("model_inputs", []) == []
    # Their own logged model is still theirs to link into.
    own = parties.attacker.logged_model
    _ok(
        attacker.post(
            f"{T}/runs/log-metric",
            json={"run_id": mine, "key": "m", "value": 1, "timestamp": 1, "model_id": own},
        )
    )


def test_audit_rows_commit_with_the_change_and_record_the_parsed_request(
    parties: Parties, auth_stack: AuthStack
) -> None:
    team = _team(auth_stack, parties.root)
    with parties.client(team.token) as owner:
        _ok(owner.post(f"{T}/runs/delete", json={"run_id": team.run, "ignored": "x"}))
        # A U+0000 anywhere in the message (here an unused field) is refused before anything
        # runs: it can no longer make the audit insert fail after the change committed.
        _error(
            owner.post(f"{T}/runs/restore", json={"run_id": team.run, "ignored": "a\u0000b"}),
            400,
            "INVALID_PARAMETER_VALUE",
        )
    entries = _ok(parties.root.get(f"{G}/audit", params={"action": "run.delete"}))["entries"]
    mine = [
        e for e in entries if e["resource_id"] == team.experiment and e["actor"] == team.principal
    ]
    assert len(mine) == 1
    assert mine[0]["details"]["run_id"] == team.run
    assert "ignored" not in mine[0]["details"]  # the parsed message, not the raw body
    restores = _ok(parties.root.get(f"{G}/audit", params={"action": "run.restore"}))["entries"]
    assert not [e for e in restores if e["actor"] == team.principal]
    run = _ok(parties.root.get(f"{T}/runs/get", params={"run_id": team.run}))["run"]
    assert run["info"]["lifecycle_stage"] == "deleted"


def test_a_refused_change_writes_no_audit_row(parties: Parties, attacker: httpx.Client) -> None:
    _error(
        attacker.post(f"{T}/runs/delete", json={"run_id": parties.victim.run}),
        403,
        "PERMISSION_DENIED",
    )
    entries = _ok(parties.root.get(f"{G}/audit", params={"action": "run.delete"}))["entries"]
    assert not [e for e in entries if e["actor"] == parties.attacker.principal]


def test_bodies_past_the_limit_are_413_on_every_route(
    parties: Parties, attacker: httpx.Client
) -> None:
    too_big = 16 * 1024 * 1024 + 1
    for method, path in (
        ("POST", f"{T}/runs/log-batch"),
        ("POST", "/auth/logout"),
        ("POST", f"{T}/experiments/search"),
    ):
        response = attacker.request(
            method, path, content=b"x" * too_big, headers={"content-type": "application/json"}
        )
        _error(response, 413, "INVALID_PARAMETER_VALUE")

    def chunks() -> Iterator[bytes]:  # no Content-Length: stopped at the limit while streaming
        for _ in range(17):
            yield b" " * (1024 * 1024)

    with parties.client(parties.attacker.token) as client:
        response = client.post(
            f"{T}/runs/log-batch", content=chunks(), headers={"content-type": "application/json"}
        )
        _error(response, 413, "INVALID_PARAMETER_VALUE")


def test_nul_is_refused_wherever_it_hides(parties: Parties, attacker: httpx.Client) -> None:
    mine = parties.attacker.run
    bodies = [
        f'{{"run_id":"{mine}","key":"k","value":"v","unused":"a\\u0000b"}}',
        f'{{"run_id":"{mine}","key":"k","value":"v","unused":NaN,"x":{{"a\\u0000":1}}}}',
        f'{{"run_id":"{mine}","key":"k\\u0000","value":"v"}}',
    ]
    for body in bodies:
        response = attacker.post(
            f"{T}/runs/log-parameter", content=body, headers={"content-type": "application/json"}
        )
        _error(response, 400, "INVALID_PARAMETER_VALUE")
    _error(
        attacker.get(f"{T}/runs/get", params={"run_id": mine + "\x00"}),
        400,
        "INVALID_PARAMETER_VALUE",
    )
    run = _ok(parties.root.get(f"{T}/runs/get", params={"run_id": mine}))["run"]
    assert run["data"].get("params", []) == []
    _still_answers(attacker)


@pytest.mark.parametrize(
    "location",
    [
        "mlflow-artifacts:/{exp}",
        "MLFLOW-ARTIFACTS:/{exp}/{run}",
        " mlflow-artifacts://host/{exp}",
        "mlflow-artifacts:/",
    ],
)
def test_an_experiment_cannot_be_placed_over_another_in_the_store(
    parties: Parties, location: str
) -> None:
    """A location chosen inside the proxied store could name another team's runs, which
    listings and version sources would then read as the creator's own."""
    spelled = location.format(exp=parties.victim.experiment, run=parties.victim.run)
    name = f"squatter-{uuid.uuid4().hex[:8]}"
    for client in (parties.client(parties.attacker.token), parties.root):
        response = client.post(
            f"{T}/experiments/create", json={"name": name, "artifact_location": spelled}
        )
        _error(response, 400, "INVALID_PARAMETER_VALUE")
    _error(
        parties.root.get(f"{T}/experiments/get-by-name", params={"experiment_name": name}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
