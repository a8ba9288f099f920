"""The jobs API behind authentication (the real OIDC provider and Grimoire tokens): EDIT on
the run's experiment to submit or cancel, READ to read; a request its queue refuses is a
400 before anything exists; the job's own token can write its run and nothing else.

This server has no cluster configured, so jobs stay QUEUED (tests/api/test_jobs_flow.py and
tests/service/test_jobs_reconciler.py drive a cluster)."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import httpx
import pytest
from sqlalchemy import select

from services.core.config import DatabaseSettings
from services.core.db.engine import Database, create_engine
from services.core.db.tables.jobs import jobs
from services.jobs import credentials
from tests.fixtures.auth_cache import eventually
from tests.fixtures.auth_helpers import grant, service_account
from tests.fixtures.auth_stack import AuthStack

T, J = "/api/2.0/mlflow", "/api/grimoire/v1/jobs"
PERMISSIONS = "/api/2.0/grimoire/permissions"
Result = TypeVar("Result")


def source() -> dict[str, str]:
    return {"type": "artifact", "path": "code/project.tar.gz"}


def body(run_id: str, **extra: object) -> dict[str, object]:
    return {"run_id": run_id, "source": source(), "image": "registry.test/train:1", **extra}


class Team:
    def __init__(self, stack: AuthStack):
        self.stack = stack
        self.group = f"team-{uuid.uuid4().hex[:6]}"
        self.root = stack.api(stack.root_token)
        created = self.root.post(f"{T}/experiments/create", json={"name": self.group})
        self.experiment = created.json()["experiment_id"]
        self.other = self.root.post(f"{T}/experiments/create", json={"name": self.group + "-x"})
        self.clients: dict[str, httpx.Client] = {}
        for role in ("READ", "EDIT"):
            group = f"{self.group}-{role.lower()}"
            _, token = service_account(stack, [group])
            grant(stack, group, "experiment", self.experiment, role, principal_type="group")
            self.clients[role] = stack.api(token)
        _, nobody = service_account(stack, [f"{self.group}-none"])
        self.clients["NONE"] = stack.api(nobody)

    def scheduled_run(self) -> str:
        created = self.root.post(f"{T}/runs/create", json={"experiment_id": self.experiment})
        run = created.json()["run"]["info"]["run_id"]
        update = {"run_id": run, "status": "SCHEDULED"}
        assert self.root.post(f"{T}/runs/update", json=update).status_code == 200
        return run

    def close(self) -> None:
        for client in (self.root, *self.clients.values()):
            client.close()


@pytest.fixture
def team(auth_stack: AuthStack) -> Iterator[Team]:
    found = Team(auth_stack)
    yield found
    found.close()


def test_submitting_needs_edit_and_reading_needs_read(team: Team) -> None:
    run = team.scheduled_run()
    for role, status in (("NONE", 403), ("READ", 403)):
        refused = team.clients[role].post(J, json=body(run))
        assert refused.status_code == status, refused.text
    submitted = team.clients["EDIT"].post(J, json=body(run, parameters={"alpha": "0.4"}))
    assert submitted.status_code == 200, submitted.text
    job = submitted.json()["job"]
    assert (job["run_id"], job["experiment_id"], job["state"]) == (run, team.experiment, "QUEUED")
    assert (job["queue"], job["attempt"], job["parameters"]) == ("default", 1, {"alpha": "0.4"})
    assert job["resources"] == {"gpus": 0, "gpu_type": None, "cpu": "2", "memory": "8Gi"}
    assert job["kubernetes_job"] == f"grimoire-run-{run}"

    assert team.clients["EDIT"].post(J, json=body(run)).json()["job"] == job  # idempotent
    assert team.clients["READ"].get(f"{J}/{run}").json()["job"] == job
    assert team.clients["NONE"].get(f"{J}/{run}").status_code == 403
    listed = team.clients["READ"].get(J, params={"experiment_id": team.experiment}).json()
    assert [j["run_id"] for j in listed["jobs"]] == [run]
    assert team.clients["READ"].post(f"{J}/{run}/cancel").status_code == 403
    tags = {
        t["key"]: t["value"]
        for t in team.root.get(f"{T}/runs/get", params={"run_id": run}).json()["run"]["data"][
            "tags"
        ]
    }
    assert (tags["grimoire.job.backend"], tags["grimoire.job.queue"]) == ("kubernetes", "default")

    cancelled = team.clients["EDIT"].post(f"{J}/{run}/cancel")
    assert cancelled.json()["job"]["state"] == "CANCELLED"
    info = team.root.get(f"{T}/runs/get", params={"run_id": run}).json()["run"]["info"]
    assert info["status"] == "KILLED" and info["end_time"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"queue": "nope"}, "Unknown queue 'nope'"),
        ({"resources": {"gpus": 1}}, "at most 0 GPUs"),
        ({"resources": {"gpus": 0, "gpu_type": "a100"}}, "does not offer GPU type 'a100'"),
        ({"resources": {"memory": "lots"}}, "not a positive Kubernetes quantity"),
        ({"resources": {"cpu": "-1"}}, "not a positive Kubernetes quantity"),
        ({"source": {"type": "git", "uri": "https://x/y", "commit": "abc"}}, "commit"),
        ({"source": {"type": "artifact", "path": "../../etc"}}, "relative path"),
        ({"image": None}, "No image given"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
    ],
)
def test_what_its_queue_refuses_is_a_400_before_anything_exists(
    team: Team, extra: dict[str, object], message: str
) -> None:
    run = team.scheduled_run()
    refused = team.clients["EDIT"].post(J, json={**body(run), **extra})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert message in refused.json()["message"]
    assert team.clients["EDIT"].get(f"{J}/{run}").status_code == 404


def test_a_run_that_is_not_scheduled_or_unknown_gets_no_job(team: Team) -> None:
    running = team.root.post(f"{T}/runs/create", json={"experiment_id": team.experiment})
    run = running.json()["run"]["info"]["run_id"]
    refused = team.clients["EDIT"].post(J, json=body(run))
    assert refused.status_code == 400 and "SCHEDULED" in refused.json()["message"]
    assert team.clients["EDIT"].post(J, json=body(uuid.uuid4().hex)).status_code == 404
    assert team.clients["EDIT"].post(J, json=body("not-a-run")).status_code == 400
    assert team.clients["EDIT"].get(f"{J}/not-a-run").status_code == 400


def test_queues_are_listed_to_any_caller(team: Team) -> None:
    listed = team.clients["NONE"].get(f"{J}/queues")
    assert listed.status_code == 200
    assert listed.json()["queues"] == [
        {
            "name": "default",
            "gpu_types": [],
            "max_gpus": 0,
            "default_cpu": "2",
            "default_memory": "8Gi",
            "namespace": "grimoire-jobs",
        }
    ]


async def _on_database(database_url: str, use: Callable[[Database], Awaitable[Result]]) -> Result:
    engine = create_engine(database_url, DatabaseSettings(), "jobs-api-test")
    try:
        return await use(Database(engine, DatabaseSettings()))
    finally:
        await engine.dispose()


def issue_job_token(database_url: str, run: str, experiment: str) -> str:
    """The token the reconciler puts in the job's Secret (credentials.issue)."""

    async def issue(db: Database) -> str:
        row = await db.autocommit(lambda c: c.execute(select(jobs).where(jobs.c.run_uuid == run)))
        assert row.first() is not None
        return await db.transaction(credentials.issue, run, experiment, 600)

    return asyncio.run(_on_database(database_url, issue))


def release_job(database_url: str, run: str) -> None:
    asyncio.run(_on_database(database_url, lambda db: db.transaction(credentials.release, run)))


def test_the_job_token_writes_its_run_and_nothing_else(
    team: Team, auth_stack: AuthStack, database_url: str
) -> None:
    """Used as the pod uses it: EDIT on the run's experiment only, and dead once the job is
    released."""
    run = team.scheduled_run()
    assert team.clients["EDIT"].post(J, json=body(run)).status_code == 200
    token = issue_job_token(database_url, run, team.experiment)
    with auth_stack.api(token) as pod:
        metric = {"run_id": run, "key": "mse", "value": 0.5, "timestamp": 1, "step": 0}
        assert pod.post(f"{T}/runs/log-metric", json=metric).status_code == 200
        other = team.other.json()["experiment_id"]
        assert pod.post(f"{T}/runs/create", json={"experiment_id": other}).status_code == 403
        assert pod.get(f"{T}/experiments/get", params={"experiment_id": other}).status_code == 403

    release_job(database_url, run)
    with auth_stack.api(token) as pod:
        assert pod.post(f"{T}/runs/log-metric", json=metric).status_code == 401


def test_in_the_registry_the_job_token_may_what_its_submitter_may_up_to_edit(
    team: Team, auth_stack: AuthStack, database_url: str
) -> None:
    """Re-training into a model the submitter may edit adds a version; a model they may only
    read, a MANAGE-only act, or a model they may not create is refused; and revoking their
    grant takes the job's right with it, at once."""
    submitters = f"{team.group}-edit"  # the group of the EDIT client, who submits
    models = {role: f"{team.group}-{role.lower()}-model" for role in ("EDIT", "READ")}
    for role, name in models.items():
        created = team.root.post(f"{T}/registered-models/create", json={"name": name})
        assert created.status_code == 200, created.text
        grant(auth_stack, submitters, "registered_model", name, role, principal_type="group")
    run = team.scheduled_run()
    assert team.clients["EDIT"].post(J, json=body(run)).status_code == 200
    token = issue_job_token(database_url, run, team.experiment)

    def new_version(pod: httpx.Client, name: str) -> httpx.Response:
        version = {"name": name, "source": f"runs:/{run}/model", "run_id": run}
        return pod.post(f"{T}/model-versions/create", json=version)

    with auth_stack.api(token) as pod:
        added = new_version(pod, models["EDIT"])
        assert added.status_code == 200, added.text
        assert added.json()["model_version"]["version"] == "1"
        assert new_version(pod, models["READ"]).status_code == 403
        got = pod.get(f"{T}/registered-models/get", params={"name": models["READ"]})
        assert got.status_code == 200  # READ, as its submitter
        searched = pod.get(f"{T}/registered-models/search", params={"max_results": 1000})
        assert set(models.values()) <= {m["name"] for m in searched.json()["registered_models"]}
        # Creating a model needs what its submitter lacks.
        fresh = f"{team.group}-fresh"
        created = pod.post(f"{T}/registered-models/create", json={"name": fresh})
        assert created.status_code == 403

    # Its submitter's MANAGE counts as EDIT for the job: no grants, no deletion.
    grant(auth_stack, submitters, "registered_model", models["EDIT"], "MANAGE", "group")
    with auth_stack.api(token) as pod:
        grant_body = {
            "principal_type": "user",
            "principal": "someone",
            "resource_type": "registered_model",
            "resource_id": models["EDIT"],
            "role": "READ",
        }
        assert pod.post(PERMISSIONS, json=grant_body).status_code == 403
        deleted = pod.request(
            "DELETE", f"{T}/registered-models/delete", json={"name": models["EDIT"]}
        )
        assert deleted.status_code == 403
        assert new_version(pod, models["EDIT"]).status_code == 200

    revoke = {
        "principal_type": "group",
        "principal": submitters,
        "resource_type": "registered_model",
        "resource_id": models["EDIT"],
        "role": "MANAGE",
    }
    assert team.root.request("DELETE", PERMISSIONS, json=revoke).status_code == 200
    with auth_stack.api(token) as pod:
        # The grant change reaches the server's access cache by its notification.
        eventually(lambda: new_version(pod, models["EDIT"]).status_code == 403)
    release_job(database_url, run)
