"""The reconciler and the watches with the real `kubernetes` client against the fake API
server (tests/fixtures/fake_kube.py, real HTTP on loopback) and real PostgreSQL: the states
written to the run, adoption on a retried create, refusals, cancel with background
propagation, and the pod logs kept in the run's artifacts.

A pass is called directly (`run_once`) and a job is made due as a watch event makes it
(`mark_due`), so every step is deterministic; the watch itself is tested on its own."""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.core.auth.principal import Principal
from services.core.clock import now_ms
from services.core.config import DatabaseSettings
from services.core.db.engine import Database
from services.core.db.tables.auth import auth_tokens, grants, service_accounts
from services.core.db.tables.jobs import jobs
from services.core.db.tables.tracking import experiments, runs, tags
from services.core.storage.local import LocalStore
from services.jobs import credentials
from services.jobs.jobs import repository, service
from services.jobs.jobs.schemas import SubmitJob
from services.jobs.kube import Kube
from services.jobs.names import job_name, secret_name
from services.jobs.queues import JobsSettings, QueueConfig
from services.jobs.reconciler import Reconciler
from services.jobs.watch import Watches
from tests.fixtures.fake_kube import FakeKube, FakeKubeServer

TRACKING = "http://grimoire.test:5000"
ALICE = Principal("alice", "user", ("team-a",), False)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeKube]:
    with FakeKubeServer() as running:
        yield running


@pytest.fixture
def namespace() -> str:
    return f"ml-{uuid.uuid4().hex[:8]}"  # one per test: its reconciler claims only its jobs


@pytest.fixture
def settings(fake: FakeKube, namespace: str, tmp_path: Path) -> JobsSettings:
    queue = QueueConfig(
        name="gpu",
        local_queue="gpu",
        namespace=namespace,
        gpu_types={"a100": {"cloud.google.com/gke-accelerator": "nvidia-tesla-a100"}},
        max_gpus=4,
        image="registry.test/train:1",
    )
    return JobsSettings(
        queues=[queue],
        default_queue="gpu",
        kubeconfig=fake.kubeconfig(tmp_path),
        recheck_seconds=3600,
        watch_seconds=1,
    )


@pytest.fixture
async def db(database_engine: AsyncEngine) -> AsyncIterator[Database]:
    yield Database(database_engine, DatabaseSettings())


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    (tmp_path / "store").mkdir()
    return LocalStore(tmp_path / "store" / "artifacts")


@pytest.fixture
async def reconciler(
    db: Database, settings: JobsSettings, store: LocalStore
) -> AsyncIterator[Reconciler]:
    kube = Kube.configured(settings)
    assert kube is not None
    yield Reconciler(db, kube, store, settings, TRACKING, with_tokens=True)
    kube.close()


async def new_run(db: Database) -> tuple[str, str]:
    """An experiment and a SCHEDULED run in it, as `grimoire run` creates them."""
    run_id = uuid.uuid4().hex

    async def create(conn: Any) -> str:
        now = now_ms()
        experiment_id = (
            await conn.execute(
                insert(experiments)
                .values(
                    name=f"jobs-{run_id}",
                    artifact_location="x",
                    creation_time=now,
                    last_update_time=now,
                )
                .returning(experiments.c.experiment_id)
            )
        ).scalar_one()
        await conn.execute(
            update(experiments)
            .where(experiments.c.experiment_id == experiment_id)
            .values(artifact_location=f"mlflow-artifacts:/{experiment_id}")
        )
        await conn.execute(
            insert(runs).values(
                run_uuid=run_id,
                experiment_id=experiment_id,
                status="SCHEDULED",
                start_time=now,
                artifact_uri=f"mlflow-artifacts:/{experiment_id}/{run_id}/artifacts",
            )
        )
        return str(experiment_id)

    return await db.transaction(create), run_id


async def submit(db: Database, settings: JobsSettings, run_id: str, **body: Any) -> dict[str, Any]:
    request = SubmitJob.model_validate(
        {
            "run_id": run_id,
            "source": {"type": "artifact", "path": "code/project.tar.gz"},
            "parameters": {"alpha": "0.4"},
            "resources": {"gpus": 1, "gpu_type": "a100"},
            **body,
        }
    )
    return dict(await service.submit(db, request, service.place(request, settings), ALICE))


async def due(db: Database, run_id: str) -> None:
    """What a watch event does."""
    await db.transaction(repository.mark_due, [run_id], now_ms())


async def step(
    db: Database, reconciler: Reconciler, run_id: str
) -> tuple[Any, Any, dict[str, str]]:
    await due(db, run_id)
    await reconciler.run_once()
    return await state(db, run_id)


async def state(db: Database, run_id: str) -> tuple[Any, Any, dict[str, str]]:
    async def read(conn: Any) -> tuple[Any, Any, dict[str, str]]:
        job = (await conn.execute(select(jobs).where(jobs.c.run_uuid == run_id))).first()
        run = (await conn.execute(select(runs).where(runs.c.run_uuid == run_id))).first()
        found = await conn.execute(
            select(tags.c.key, tags.c.value).where(tags.c.run_uuid == run_id)
        )
        return job, run, {key: value for key, value in found}

    return await db.autocommit(read)


async def credentials_of(db: Database, run_id: str) -> tuple[list[Any], list[Any], list[Any]]:
    async def read(conn: Any) -> tuple[list[Any], list[Any], list[Any]]:
        name = credentials.account_name(run_id)
        accounts = list(
            await conn.execute(select(service_accounts).where(service_accounts.c.name == name))
        )
        tokens = list(
            await conn.execute(select(auth_tokens).where(auth_tokens.c.owner == f"service:{name}"))
        )
        given = list(
            await conn.execute(
                select(grants).where(grants.c.principal == credentials.group_name(run_id))
            )
        )
        return accounts, tokens, given

    return await db.autocommit(read)


async def test_a_job_goes_through_queue_admission_preemption_and_success(
    db: Database,
    reconciler: Reconciler,
    settings: JobsSettings,
    fake: FakeKube,
    namespace: str,
    store: LocalStore,
) -> None:
    experiment_id, run_id = await new_run(db)
    submitted = await submit(db, settings, run_id)
    assert (submitted["state"], submitted["queue"]) == ("QUEUED", "gpu")
    name = job_name(run_id)

    await reconciler.run_once()  # a submitted job is due at once
    created = fake.get("Job", namespace, name)
    assert created is not None and created["spec"]["suspend"] is True
    assert created["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "gpu"
    assert all(
        r.authorization == "Bearer fake-cluster-token" for r in fake.requests_to("POST", namespace)
    )
    secret = fake.get("Secret", namespace, secret_name(run_id))
    assert secret is not None
    assert secret["metadata"]["ownerReferences"][0]["uid"] == created["metadata"]["uid"]
    # The Secret exists before the Job (whose pods require it), then the Job owns it.
    posted = [r.path.rsplit("/", 1)[-1] for r in fake.requests_to("POST", f"/{namespace}/")]
    assert posted == ["secrets", "jobs"]
    accounts, tokens, given = await credentials_of(db, run_id)
    assert len(accounts) == 1 and [t.revoked_at for t in tokens] == [None]
    assert (accounts[0].acts_for, accounts[0].acts_for_groups) == ("alice", ["team-a"])
    assert [(g.resource_type, g.resource_id, g.role) for g in given] == [
        ("experiment", experiment_id, "EDIT"),  # in the registry it acts for alice
    ]
    assert tokens[0].prefix == secret["stringData"]["token"][:10]

    job, run, run_tags = await step(db, reconciler, run_id)
    assert (job.state, job.queue_position, run.status) == ("QUEUED", 1, "SCHEDULED")
    assert run_tags["grimoire.job.queue_position"] == "1"
    assert run_tags["grimoire.job.queue_position_source"] == "kueue"

    fake.admit(namespace, name)
    job, run, _ = await step(db, reconciler, run_id)
    assert (job.state, run.status) == ("ADMITTED", "SCHEDULED")

    pod = fake.start_pod(namespace, name, log="epoch 1\n")
    job, run, run_tags = await step(db, reconciler, run_id)
    assert (job.state, run.status, run_tags["grimoire.job.state"]) == (
        "RUNNING",
        "RUNNING",
        "RUNNING",
    )
    assert "grimoire.job.queue_position" not in run_tags
    assert "grimoire.job.queue_position_source" not in run_tags

    fake.preempt(namespace, name)
    job, run, run_tags = await step(db, reconciler, run_id)
    assert (job.state, job.attempt, job.reason, run.status) == (
        "QUEUED",
        2,
        "Preempted",
        "SCHEDULED",
    )
    assert (run_tags["grimoire.job.attempt"], run_tags["grimoire.job.reason"]) == ("2", "Preempted")
    assert run.end_time is None

    fake.admit(namespace, name)
    second = fake.start_pod(namespace, name, log="epoch 1 again\n")
    fake.append_log(namespace, second, "done\n")
    job, run, _ = await step(db, reconciler, run_id)
    assert (job.state, job.attempt, run.status) == ("RUNNING", 2, "RUNNING")

    fake.finish(namespace, name, succeeded=True)
    job, run, run_tags = await step(db, reconciler, run_id)
    assert (job.state, job.finalized, run.status) == ("SUCCEEDED", True, "FINISHED")
    assert run.end_time is not None and "grimoire.job.reason" not in run_tags
    kept = store.root / experiment_id / run_id / "artifacts" / "logs" / f"{second}.log"
    assert kept.read_text() == "epoch 1 again\ndone\n"
    assert pod not in {
        p.name.removesuffix(".log") for p in kept.parent.iterdir()
    }  # preempted pod is gone
    accounts, tokens, given = await credentials_of(db, run_id)
    assert accounts == [] and given == [] and all(t.revoked_at for t in tokens)


async def test_a_retried_create_adopts_the_job_instead_of_a_twin(
    db: Database, reconciler: Reconciler, settings: JobsSettings, fake: FakeKube, namespace: str
) -> None:
    _, run_id = await new_run(db)
    first = await submit(db, settings, run_id)
    assert await submit(db, settings, run_id) == first  # the API's submit is idempotent too
    await reconciler.run_once()
    uid = fake.get("Job", namespace, job_name(run_id))["metadata"]["uid"]  # type: ignore[index]
    # As if the process died after creating the Job, before recording it.
    await db.transaction(repository.update_job, run_id, created_in_cluster=False)
    await due(db, run_id)
    await reconciler.run_once()
    posts = fake.requests_to("POST", f"/namespaces/{namespace}/jobs$")
    assert len(posts) == 2 and len(fake.all("Job", namespace)) == 1
    assert fake.get("Job", namespace, job_name(run_id))["metadata"]["uid"] == uid  # type: ignore[index]
    assert fake.requests_to("PUT", f"/secrets/{secret_name(run_id)}$")  # the new token replaced it
    _, tokens, _ = await credentials_of(db, run_id)
    assert sorted(t.revoked_at is None for t in tokens) == [False, True]
    job, _, _ = await state(db, run_id)
    assert job.created_in_cluster


@pytest.mark.parametrize(("code", "word"), [(403, "Forbidden"), (422, "Invalid")])
async def test_a_refused_create_fails_the_job_with_the_reason(
    db: Database,
    reconciler: Reconciler,
    settings: JobsSettings,
    fake: FakeKube,
    namespace: str,
    code: int,
    word: str,
) -> None:
    _, run_id = await new_run(db)
    await submit(db, settings, run_id)
    fake.respond_next("POST", f"/namespaces/{namespace}/jobs$", code)
    await reconciler.run_once()
    job, run, run_tags = await state(db, run_id)
    assert (job.state, job.finalized, run.status) == ("FAILED", True, "FAILED")
    assert job.reason.startswith(f"Refused: {code} {word}")
    assert run_tags["grimoire.job.reason"] == job.reason
    assert fake.get("Job", namespace, job_name(run_id)) is None
    # The Secret made before the refused Job has no owner to take it: it is deleted.
    assert fake.requests_to("POST", f"/namespaces/{namespace}/secrets$")
    assert fake.get("Secret", namespace, secret_name(run_id)) is None


async def test_queue_positions_are_kueues_when_its_visibility_api_answers(
    db: Database, reconciler: Reconciler, settings: JobsSettings, fake: FakeKube, namespace: str
) -> None:
    """Kueue orders by priority, then creation; without its visibility API the position is
    the estimate (creation order in the namespace) and its tag says so."""
    runs_ids = [(await new_run(db))[1] for _ in range(2)]
    for run_id in runs_ids:
        await submit(db, settings, run_id)
    await reconciler.run_once()
    first, second = runs_ids
    fake.prioritize(namespace, job_name(second), 100)

    asked = len(fake.requests_to("GET", "/pendingworkloads$"))
    await db.transaction(repository.mark_due, runs_ids, now_ms())
    await reconciler.run_once()
    assert len(fake.requests_to("GET", "/pendingworkloads$")) == asked + 1  # one per queue
    seen = {run_id: await state(db, run_id) for run_id in runs_ids}
    assert [seen[r][0].queue_position for r in (first, second)] == [2, 1]
    assert {tags["grimoire.job.queue_position_source"] for _, _, tags in seen.values()} == {"kueue"}

    fake.visibility = False
    try:
        await db.transaction(repository.mark_due, runs_ids, now_ms())
        await reconciler.run_once()
    finally:
        fake.visibility = True
    seen = {run_id: await state(db, run_id) for run_id in runs_ids}
    assert sorted(seen[r][0].queue_position for r in runs_ids) == [1, 2]  # creation order
    assert {tags["grimoire.job.queue_position_source"] for _, _, tags in seen.values()} == {
        "estimate"
    }


async def test_cancel_kills_the_run_keeps_the_log_and_deletes_in_the_background(
    db: Database,
    reconciler: Reconciler,
    settings: JobsSettings,
    fake: FakeKube,
    namespace: str,
    store: LocalStore,
) -> None:
    experiment_id, run_id = await new_run(db)
    await submit(db, settings, run_id)
    await reconciler.run_once()
    name = job_name(run_id)
    fake.admit(namespace, name)
    pod = fake.start_pod(namespace, name, log="step 1\nstep 2\n")
    await step(db, reconciler, run_id)

    cancelled = await service.cancel(db, run_id)
    assert cancelled["state"] == "CANCELLED"
    job, run, _ = await state(db, run_id)
    assert run.status == "KILLED" and run.end_time is not None  # at once, not after a pass

    await reconciler.run_once()
    (deletion,) = fake.requests_to("DELETE", f"/jobs/{name}$")
    assert deletion.body["propagationPolicy"] == "Background"
    assert fake.get("Job", namespace, name) is None
    assert (
        fake.get("Pod", namespace, pod) is None
        and fake.get("Secret", namespace, secret_name(run_id)) is None
    )
    kept = store.root / experiment_id / run_id / "artifacts" / "logs" / f"{pod}.log"
    assert kept.read_text() == "step 1\nstep 2\n"
    job, run, _ = await state(db, run_id)
    assert (job.state, job.finalized, run.status) == ("CANCELLED", True, "KILLED")
    assert (await service.cancel(db, run_id))["state"] == "CANCELLED"  # again: nothing changes


async def test_an_oom_killed_job_fails_the_run_the_script_left_running(
    db: Database, reconciler: Reconciler, settings: JobsSettings, fake: FakeKube, namespace: str
) -> None:
    _, run_id = await new_run(db)
    await submit(db, settings, run_id)
    await reconciler.run_once()
    name = job_name(run_id)
    fake.admit(namespace, name)
    fake.start_pod(namespace, name)
    await step(db, reconciler, run_id)
    fake.finish(namespace, name, succeeded=False, oom=True)
    job, run, run_tags = await step(db, reconciler, run_id)
    assert (job.state, job.reason, run.status) == ("FAILED", "OOMKilled", "FAILED")
    assert run_tags["grimoire.job.reason"] == "OOMKilled"


async def test_a_run_the_script_ended_keeps_its_own_end(
    db: Database, reconciler: Reconciler, settings: JobsSettings, fake: FakeKube, namespace: str
) -> None:
    _, run_id = await new_run(db)
    await submit(db, settings, run_id)
    await reconciler.run_once()
    name = job_name(run_id)
    fake.admit(namespace, name)
    fake.start_pod(namespace, name)
    await step(db, reconciler, run_id)
    await db.transaction(repository.set_run_status, run_id, "FAILED", 123)  # the script's end_run
    fake.finish(namespace, name, succeeded=True)
    job, run, _ = await step(db, reconciler, run_id)
    assert (job.state, run.status, run.end_time) == ("SUCCEEDED", "FAILED", 123)


async def test_an_image_that_cannot_be_pulled_fails_and_the_job_is_deleted(
    db: Database, reconciler: Reconciler, settings: JobsSettings, fake: FakeKube, namespace: str
) -> None:
    _, run_id = await new_run(db)
    await submit(db, settings, run_id)
    await reconciler.run_once()
    name = job_name(run_id)
    fake.admit(namespace, name)
    pod = fake.start_pod(namespace, name)
    fake.pod_waits(namespace, pod, "ImagePullBackOff")
    job, run, _ = await step(db, reconciler, run_id)
    assert (job.state, job.reason, run.status) == ("FAILED", "ImagePullBackOff", "FAILED")
    assert fake.get("Job", namespace, name) is None


async def test_a_job_deleted_behind_our_back_fails(
    db: Database, reconciler: Reconciler, settings: JobsSettings, fake: FakeKube, namespace: str
) -> None:
    _, run_id = await new_run(db)
    await submit(db, settings, run_id)
    await reconciler.run_once()
    with fake.changed:
        fake.delete("Job", namespace, job_name(run_id), "Background")
    job, run, _ = await step(db, reconciler, run_id)
    assert (job.state, job.reason, run.status) == ("FAILED", "JobDeleted", "FAILED")


async def test_watches_make_jobs_due_resume_and_relist_after_410(
    db: Database, reconciler: Reconciler, settings: JobsSettings, fake: FakeKube, namespace: str
) -> None:
    _, run_id = await new_run(db)
    await submit(db, settings, run_id)
    await reconciler.run_once()
    woken: list[bool] = []
    watches = Watches(db, reconciler.kube, settings, lambda: woken.append(True))

    await watches.run_once()  # the first window lists, and the list makes the job due
    job, _, _ = await state(db, run_id)
    listed = job.generation
    assert listed >= 1 and woken
    versions = {stream.kind: stream.resource_version for stream in watches.streams}
    assert all(versions.values())

    fake.admit(namespace, job_name(run_id))  # changes between two windows
    await watches.run_once()  # resumes from the versions reached: sees the changes
    job, _, _ = await state(db, run_id)
    resumed_generation = job.generation
    assert resumed_generation > listed
    resumed = fake.requests_to("GET", f"/namespaces/{namespace}/jobs$")[-1]
    assert (
        resumed.query["watch"].lower() == "true"
        and resumed.query["resourceVersion"] == versions["job"]
    )

    fake.compact()
    await watches.run_once()  # every watch answers 410 Gone: the versions are forgotten
    assert all(stream.resource_version is None for stream in watches.streams)
    lists_before = [
        r
        for r in fake.requests_to("GET", f"/namespaces/{namespace}/jobs$")
        if "watch" not in r.query
    ]
    await watches.run_once()  # and relisted
    lists_after = [
        r
        for r in fake.requests_to("GET", f"/namespaces/{namespace}/jobs$")
        if "watch" not in r.query
    ]
    assert len(lists_after) == len(lists_before) + 1
    job, _, _ = await state(db, run_id)
    assert job.generation > resumed_generation  # the relist made it due again
