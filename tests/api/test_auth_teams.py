"""Teams isolated from each other: create grants and roles on name patterns.

A create grant lets a team create experiments or registered models (and manage what it
created) without EDIT on everything; a pattern grant gives a team a role on every object whose
name matches (`team-a/*`), whoever created it. Each team sees only its own.
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures.auth_helpers import grant, service_account
from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.servers import REPO

T, G = "/api/2.0/mlflow", "/api/2.0/grimoire"


def _ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def _client(stack: AuthStack, groups: list[str]) -> httpx.Client:
    _, token = service_account(stack, groups)
    return stack.api(token)


@pytest.fixture
def root(auth_stack: AuthStack) -> Iterator[httpx.Client]:
    with auth_stack.api(auth_stack.root_token) as client:
        yield client


def _create_experiment(client: httpx.Client, name: str) -> httpx.Response:
    return client.post(f"{T}/experiments/create", json={"name": name})


def _names(client: httpx.Client) -> set[str]:
    found = _ok(client.post(f"{T}/experiments/search", json={"max_results": 1000}))
    return {e["name"] for e in found.get("experiments", [])}


def test_create_grants_let_two_teams_create_without_seeing_each_other(
    auth_stack: AuthStack, root: httpx.Client
) -> None:
    teams = [f"t-{uuid.uuid4().hex[:6]}" for _ in range(2)]
    for team in teams:
        grant(auth_stack, team, "create", "experiment", "EDIT", "group")
        grant(auth_stack, team, "create", "registered_model", "EDIT", "group")
    a, b = (_client(auth_stack, [team]) for team in teams)
    with a, b:
        exp_a = _ok(_create_experiment(a, f"{teams[0]}-exp"))["experiment_id"]
        exp_b = _ok(_create_experiment(b, f"{teams[1]}-exp"))["experiment_id"]
        _ok(a.post(f"{T}/registered-models/create", json={"name": f"{teams[0]}-model"}))
        # Each manages its own (creator MANAGE) and cannot read the other's.
        _ok(
            a.post(
                f"{T}/experiments/update",
                json={"experiment_id": exp_a, "new_name": f"{teams[0]}-2"},
            )
        )
        forbidden = b.get(f"{T}/experiments/get", params={"experiment_id": exp_a})
        assert forbidden.status_code == 403, forbidden.text
        assert a.get(f"{T}/experiments/get", params={"experiment_id": exp_b}).status_code == 403
        denied = b.get(f"{T}/registered-models/get", params={"name": f"{teams[0]}-model"})
        assert denied.status_code == 403
        assert f"{teams[1]}-exp" not in _names(a) and f"{teams[0]}-2" not in _names(b)
        assert f"{teams[0]}-2" in _names(a)
    with _client(auth_stack, []) as nobody:
        refused = _create_experiment(nobody, f"nobody-{uuid.uuid4().hex[:6]}")
        assert refused.status_code == 403, refused.text
        assert refused.json()["error_code"] == "PERMISSION_DENIED"


def test_a_pattern_grant_gives_a_team_its_namespace(
    auth_stack: AuthStack, root: httpx.Client
) -> None:
    team = f"ns_{uuid.uuid4().hex[:6]}"  # an underscore: LIKE's wildcard must stay literal
    grant(auth_stack, team, "experiment_pattern", f"{team}/*", "EDIT", "group")
    # Registered model names cannot hold '/' (MLflow's rule): a team prefix with '-' instead.
    grant(auth_stack, team, "registered_model_pattern", f"{team}-*", "MANAGE", "group")
    first, second = _client(auth_stack, [team]), _client(auth_stack, [team])
    with first, second:
        # No create grant: the pattern alone lets the team create inside its namespace...
        exp = _ok(_create_experiment(first, f"{team}/baseline"))["experiment_id"]
        _ok(first.post(f"{T}/registered-models/create", json={"name": f"{team}-clf"}))
        # ...and nowhere else, not even at a name LIKE's `_` would have matched.
        lookalike = team.replace("_", "X") + "/x"
        assert _create_experiment(first, lookalike).status_code == 403
        assert _create_experiment(first, f"elsewhere/{team}").status_code == 403
        # Everyone in the team works on what one of them created.
        run = _ok(second.post(f"{T}/runs/create", json={"experiment_id": exp}))["run"]["info"]
        _ok(
            second.post(
                f"{T}/runs/log-parameter", json={"run_id": run["run_id"], "key": "k", "value": "v"}
            )
        )
        assert f"{team}/baseline" in _names(second)
        runs = _ok(second.post(f"{T}/runs/search", json={"experiment_ids": [exp]}))
        assert [r["info"]["run_id"] for r in runs["runs"]] == [run["run_id"]]
        models = _ok(second.get(f"{T}/registered-models/search", params={"max_results": 1000}))
        assert f"{team}-clf" in {m["name"] for m in models.get("registered_models", [])}
        # An object of the namespace made by an administrator is the team's too.
        admin_made = _ok(_create_experiment(root, f"{team}/by-admin"))["experiment_id"]
        _ok(second.get(f"{T}/experiments/get", params={"experiment_id": admin_made}))
        # Renamed out of the namespace, it is no longer theirs (a rename empties cached roles).
        _ok(
            root.post(
                f"{T}/experiments/update",
                json={"experiment_id": admin_made, "new_name": f"moved-{team}"},
            )
        )
        moved = second.get(f"{T}/experiments/get", params={"experiment_id": admin_made})
        assert moved.status_code == 403, moved.text
    with _client(auth_stack, ["some-other-team"]) as outsider:
        assert (
            outsider.get(f"{T}/experiments/get", params={"experiment_id": exp}).status_code == 403
        )
        assert f"{team}/baseline" not in _names(outsider)


@pytest.mark.parametrize(
    "resource_type,resource_id",
    [
        ("create", "run"),
        ("experiment_pattern", "*"),
        ("experiment_pattern", ""),
        ("registered_model_pattern", "x" * 257),
    ],
)
def test_malformed_team_grants_are_400(
    root: httpx.Client, resource_type: str, resource_id: str
) -> None:
    response = root.post(
        f"{G}/permissions",
        json={
            "principal_type": "group",
            "principal": "g",
            "resource_type": resource_type,
            "resource_id": resource_id,
            "role": "EDIT",
        },
    )
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_only_administrators_hand_out_namespaces(auth_stack: AuthStack, root: httpx.Client) -> None:
    team = f"t-{uuid.uuid4().hex[:6]}"
    grant(auth_stack, team, "create", "experiment", "EDIT", "group")
    with _client(auth_stack, [team]) as member:
        me = _ok(member.get("/me"))["name"]
        for resource_type, resource_id in (
            ("experiment_pattern", "*x*"),
            ("create", "registered_model"),
        ):
            response = member.post(
                f"{G}/permissions",
                json={
                    "principal_type": "user",
                    "principal": me,
                    "resource_type": resource_type,
                    "resource_id": resource_id,
                    "role": "MANAGE",
                },
            )
            assert response.status_code == 403, response.text


def test_the_cli_grants_and_revokes_namespaces_and_create_rights(
    auth_stack: AuthStack, root: httpx.Client
) -> None:
    team = f"cli-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": auth_stack.server.url,
        "MLFLOW_TRACKING_TOKEN": auth_stack.root_token,
    }

    def cli(*args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "services.cli", *args],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )

    cli("grant", "--group", team, "--experiment-pattern", f"{team}/*", "--role", "EDIT")
    cli("grant", "--group", team, "--create", "registered_model")
    with _client(auth_stack, [team]) as member:
        _ok(_create_experiment(member, f"{team}/a"))
        _ok(member.post(f"{T}/registered-models/create", json={"name": f"{team}-anything"}))
        cli("revoke", "--group", team, "--experiment-pattern", f"{team}/*")
        cli("revoke", "--group", team, "--create", "registered_model")
        assert _create_experiment(member, f"{team}/b").status_code == 403
        refused = member.post(f"{T}/registered-models/create", json={"name": f"{team}-more"})
        assert refused.status_code == 403
