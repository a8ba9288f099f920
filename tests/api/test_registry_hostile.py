"""The registry against hostile callers and a hostile network.

- A version's files are readable by the registered model's readers, so a source must name
  what its registrant may read: someone else's run, the store root, another experiment or a
  local path is refused, and versions stored at such places (registered before the check)
  grant nothing.
- Promotions are serialized: concurrent transitions to Production leave exactly one there.
- A connection that drops after COMMIT was sent (the proxy in tests/fixtures/lossy_postgres.py loses
  the answer) never leaves a second version, model, webhook, delivery or token behind.
- Only the database's failures are outages: an unresolvable webhook host is a 400 at once.
- Names, aliases and tags within MLflow's limits are stored; beyond them, a 400.
"""

import asyncio
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import mlflow
import numpy as np
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.linear_model import LogisticRegression

from services.core.config import DatabaseSettings
from services.core.db.engine import Database, chosen_once, create_engine
from services.core.errors import InvalidParameterValue, TemporarilyUnavailable
from services.core.ids import new_hex_id
from tests.fixtures.auth_helpers import grant, service_account
from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.lossy_postgres import LossyPostgres
from tests.fixtures.receiver import Receiver
from tests.fixtures.servers import RunningServer, free_port, sql, start_server, stop_server

API = "/api/2.0/mlflow"
ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"
G = "/api/2.0/grimoire"
CREATE_VERSION = f"{API}/model-versions/create"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error(response: httpx.Response) -> tuple[int, str | None]:
    """(status, MLflow error code); a file's bytes, should one be served, have no code."""
    is_json = response.headers.get("content-type", "").startswith("application/json")
    return response.status_code, response.json().get("error_code") if is_json else None


def ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def versions_of(api: httpx.Client, name: str) -> list[dict]:
    found = ok(api.get(f"{API}/model-versions/search", params={"filter": f"name = '{name}'"}))
    return sorted(found.get("model_versions", []), key=lambda v: int(v["version"]))


# --- sources: a version may only publish what its registrant may read ----------------------


@dataclass
class World:
    """Two teams. The victim's experiment, run (with a secret file), logged model and
    registered model; the attacker's experiment with two runs and a registered model it
    may EDIT; a reader with READ on the attacker's registered model only."""

    victim_experiment: str
    victim_run: str
    victim_logged_model: str
    victim_model: str
    own_experiment: str
    own_run: str
    own_run_uri: str
    other_own_run: str
    attacker: str
    attacker_name: str
    reader: str
    reader_name: str


@pytest.fixture(scope="module")
def world(auth_stack: AuthStack) -> World:
    s = uuid.uuid4().hex[:6]
    victim_name, victim = service_account(auth_stack, [f"victims-{s}"])
    attacker_name, attacker = service_account(auth_stack, [f"attackers-{s}"])
    reader_name, reader = service_account(auth_stack, [f"readers-{s}"])
    with auth_stack.api(auth_stack.root_token) as root:
        victim_exp = ok(root.post(f"{API}/experiments/create", json={"name": f"victim-{s}"}))
        own_exp = ok(root.post(f"{API}/experiments/create", json={"name": f"attacker-{s}"}))
    grant(auth_stack, victim_name, "experiment", victim_exp["experiment_id"], "EDIT")
    grant(auth_stack, attacker_name, "experiment", own_exp["experiment_id"], "EDIT")
    runs = {}
    for who, token, experiment in (
        ("victim", victim, victim_exp["experiment_id"]),
        ("own", attacker, own_exp["experiment_id"]),
        ("other_own", attacker, own_exp["experiment_id"]),
    ):
        with auth_stack.api(token) as api:
            run = ok(api.post(f"{API}/runs/create", json={"experiment_id": experiment}))["run"]
            path = f"{experiment}/{run['info']['run_id']}/artifacts/{who}.txt"
            assert api.put(f"{ARTIFACTS}/{path}", content=f"{who}'s file".encode()).is_success
            runs[who] = run["info"]
    with auth_stack.api(victim) as api:
        logged = ok(
            api.post(f"{API}/logged-models", json={"experiment_id": victim_exp["experiment_id"]})
        )
    victim_model = f"victim-model-{s}"
    with auth_stack.api(auth_stack.root_token) as root:
        ok(root.post(f"{API}/registered-models/create", json={"name": victim_model}))
        source = f"runs:/{runs['victim']['run_id']}/"
        ok(root.post(CREATE_VERSION, json={"name": victim_model, "source": source}))
    return World(
        victim_experiment=victim_exp["experiment_id"],
        victim_run=runs["victim"]["run_id"],
        victim_logged_model=logged["model"]["info"]["model_id"],
        victim_model=victim_model,
        own_experiment=own_exp["experiment_id"],
        own_run=runs["own"]["run_id"],
        own_run_uri=runs["own"]["artifact_uri"],
        other_own_run=runs["other_own"]["run_id"],
        attacker=attacker,
        attacker_name=attacker_name,
        reader=reader,
        reader_name=reader_name,
    )


def attackers_model(auth_stack: AuthStack, world: World) -> str:
    """A registered model the attacker may EDIT and the reader may READ."""
    name = unique("attackers-model")
    with auth_stack.api(auth_stack.root_token) as root:
        ok(root.post(f"{API}/registered-models/create", json={"name": name}))
    grant(auth_stack, world.attacker_name, "registered_model", name, "EDIT")
    grant(auth_stack, world.reader_name, "registered_model", name, "READ")
    return name


def test_sources_the_registrant_may_not_read_are_refused_and_store_nothing(
    auth_stack: AuthStack, world: World
) -> None:
    model = attackers_model(auth_stack, world)
    victim_root = f"mlflow-artifacts:/{world.victim_experiment}/{world.victim_run}/artifacts"
    own = world.own_run_uri
    refused = [
        ({"source": f"runs:/{world.victim_run}/"}, (403, "PERMISSION_DENIED")),
        ({"source": f"runs:/{world.victim_run}/model"}, (403, "PERMISSION_DENIED")),
        ({"source": "mlflow-artifacts:/"}, (400, "INVALID_PARAMETER_VALUE")),
        (
            {"source": f"mlflow-artifacts:/{world.victim_experiment}"},
            (400, "INVALID_PARAMETER_VALUE"),
        ),
        ({"source": victim_root}, (403, "PERMISSION_DENIED")),
        (
            {"source": "MLFLOW-ARTIFACTS:" + victim_root.removeprefix("mlflow-artifacts:")},
            (403, "PERMISSION_DENIED"),
        ),
        (
            {"source": f"{victim_root}/victim.txt", "run_id": world.own_run},
            (400, "INVALID_PARAMETER_VALUE"),
        ),
        ({"source": own, "run_id": world.victim_run}, (403, "PERMISSION_DENIED")),
        (
            {"source": f"{own}/../../../{world.victim_experiment}/{world.victim_run}/artifacts"},
            (400, "INVALID_PARAMETER_VALUE"),
        ),
        (
            {"source": f"{own}/%2e%2e/%2e%2e/%2e%2e/{world.victim_experiment}"},
            (400, "INVALID_PARAMETER_VALUE"),
        ),
        ({"source": f"{own}/%252e%252e/x"}, (400, "INVALID_PARAMETER_VALUE")),
        ({"source": f"models:/{world.victim_logged_model}"}, (403, "PERMISSION_DENIED")),
        ({"source": own, "model_id": world.victim_logged_model}, (403, "PERMISSION_DENIED")),
        ({"source": f"models:/{world.victim_model}/1"}, (403, "PERMISSION_DENIED")),
        ({"source": f"models:/{world.victim_model}/Production"}, (400, "INVALID_PARAMETER_VALUE")),
        (
            {"source": f"mlflow-artifacts://evil.example/{world.own_experiment}/{world.own_run}"},
            (400, "INVALID_PARAMETER_VALUE"),
        ),
        (
            {"source": f"http://127.0.0.1:5000{ARTIFACTS}/{world.victim_experiment}/x"},
            (400, "INVALID_PARAMETER_VALUE"),
        ),
        ({"source": "file:///etc/passwd"}, (400, "INVALID_PARAMETER_VALUE")),
        ({"source": "/srv/grimoire/artifacts/1"}, (400, "INVALID_PARAMETER_VALUE")),
        (
            {"source": f"{world.victim_experiment}/{world.victim_run}/artifacts"},
            (400, "INVALID_PARAMETER_VALUE"),
        ),
        ({"source": "C:/grimoire/artifacts"}, (400, "INVALID_PARAMETER_VALUE")),
        ({"source": "runs://host/x"}, (400, "INVALID_PARAMETER_VALUE")),
        ({"source": "http://[::1/x"}, (400, "INVALID_PARAMETER_VALUE")),
        ({"source": f"runs:/{uuid.uuid4().hex}/"}, (404, "RESOURCE_DOES_NOT_EXIST")),
    ]
    with auth_stack.api(world.attacker) as api:  # one keep-alive connection throughout
        for body, expected in refused:
            response = api.post(CREATE_VERSION, json={"name": model, **body})
            assert error(response) == expected, (body, response.text)
        assert versions_of(api, model) == []
        # What the attacker may read is registered, as version 1: nothing above used a number.
        own_version = ok(
            api.post(CREATE_VERSION, json={"name": model, "source": f"runs:/{world.own_run}/"})
        )
        assert own_version["model_version"]["version"] == "1"
        assert own_version["model_version"]["run_id"] == world.own_run
        elsewhere = ok(
            api.post(CREATE_VERSION, json={"name": model, "source": "s3://other-bucket/m"})
        )
        assert elsewhere["model_version"]["version"] == "2"


def test_version_files_never_open_the_store_an_experiment_or_another_run(
    auth_stack: AuthStack, world: World, database_url: str
) -> None:
    model = attackers_model(auth_stack, world)
    with auth_stack.api(world.attacker) as api:
        ok(api.post(CREATE_VERSION, json={"name": model, "source": f"runs:/{world.own_run}/"}))
    # Versions registered before sources were checked may point anywhere; they open nothing.
    model_id = sql(database_url, "SELECT id FROM registered_models WHERE name = $1", model)[0][0]
    for number, location in enumerate(
        (
            "mlflow-artifacts:/",
            f"mlflow-artifacts:/{world.victim_experiment}",
            f"mlflow-artifacts:/{world.victim_experiment}/",
            f"mlflow-artifacts:/{world.victim_experiment}/models",
        ),
        start=100,
    ):
        sql(
            database_url,
            "INSERT INTO model_versions (model_id, version, creation_timestamp,"
            " last_updated_timestamp, source, storage_location) VALUES ($1, $2, 0, 0, $3, $3)",
            model_id,
            number,
            location,
        )
    secret = f"{ARTIFACTS}/{world.victim_experiment}/{world.victim_run}/artifacts/victim.txt"
    own = f"{ARTIFACTS}/{world.own_experiment}/{world.own_run}/artifacts/own.txt"
    other = f"{ARTIFACTS}/{world.own_experiment}/{world.other_own_run}/artifacts/other_own.txt"
    with auth_stack.api(world.reader) as reader:
        assert error(reader.get(secret)) == (403, "PERMISSION_DENIED")
        assert error(reader.get(other)) == (403, "PERMISSION_DENIED")  # not in the version
        assert reader.get(own).content == b"own's file"  # through the registered model
        listing = reader.get(
            f"{ARTIFACTS}", params={"path": f"{world.own_experiment}/{world.own_run}/artifacts"}
        )
        assert [f["path"] for f in ok(listing)["files"]] == ["own.txt"]
        assert error(reader.get(secret)) == (403, "PERMISSION_DENIED")
    with auth_stack.api(world.attacker) as attacker:
        assert error(attacker.get(secret)) == (403, "PERMISSION_DENIED")


def test_legitimate_registrations_through_the_mlflow_client(
    auth_stack: AuthStack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = uuid.uuid4().hex[:6]
    _, token = service_account(auth_stack, [f"makers-{s}"])
    with auth_stack.api(auth_stack.root_token) as root:
        default_edit = {
            "principal_type": "group",
            "principal": f"makers-{s}",
            "resource_type": "default",
            "resource_id": "*",
            "role": "EDIT",
        }
        ok(root.post(f"{G}/permissions", json=default_edit))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", auth_stack.server.url)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
    mlflow.set_tracking_uri(auth_stack.server.url)
    mlflow.set_experiment(f"maker-{s}")
    x, y = np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1]
    client = MlflowClient()
    weights = tmp_path / "weights.txt"
    weights.write_text("w")
    try:
        with mlflow.start_run() as run:
            info = mlflow.sklearn.log_model(
                LogisticRegression().fit(x, y),
                name="model",
                registered_model_name=f"logged-{s}",
                pip_requirements=["scikit-learn"],
            )
            mlflow.log_artifact(str(weights), artifact_path="weights")
        run_id = run.info.run_id
        assert list(mlflow.pyfunc.load_model(f"models:/logged-{s}/1").predict(x)) == y
        registered = mlflow.register_model(f"runs:/{run_id}/model", f"registered-{s}")
        assert registered.version == "1"
        client.create_registered_model(f"sources-{s}")
        by_run = client.create_model_version(f"sources-{s}", f"runs:/{run_id}/weights", run_id)
        by_uri = client.create_model_version(
            f"sources-{s}", f"{run.info.artifact_uri}/weights", run_id
        )
        by_model = client.create_model_version(f"sources-{s}", f"models:/{info.model_id}")
        assert [by_run.version, by_uri.version, by_model.version] == ["1", "2", "3"]
        assert mlflow.artifacts.load_text(f"models:/sources-{s}/2/weights.txt") == "w"
        copied = client.copy_model_version(f"models:/logged-{s}/1", f"copied-{s}")
        assert client.get_model_version_download_uri(f"copied-{s}", copied.version) == (
            client.get_model_version_download_uri(f"logged-{s}", "1")
        )
    finally:
        mlflow.set_tracking_uri(None)


def test_a_source_inside_the_s3_store_must_be_named_through_the_proxy(
    s3_server: RunningServer,
) -> None:
    with httpx.Client(base_url=s3_server.url, timeout=30) as api:
        name = unique("s3-sources")
        ok(api.post(f"{API}/registered-models/create", json={"name": name}))
        for spelling in (
            "s3://grimoire-test/artifacts/0/x/artifacts",
            "s3a://GRIMOIRE-TEST/artifacts/0",
            "s3n://grimoire-test//artifacts/",
            "s3://grimoire-test/%61rtifacts/0",
        ):
            response = api.post(CREATE_VERSION, json={"name": name, "source": spelling})
            assert error(response) == (400, "INVALID_PARAMETER_VALUE"), spelling
        assert versions_of(api, name) == []
        for outside in ("s3://grimoire-test/elsewhere/m", "s3://other-bucket/artifacts/0"):
            ok(api.post(CREATE_VERSION, json={"name": name, "source": outside}))
        assert [v["version"] for v in versions_of(api, name)] == ["1", "2"]


# --- concurrency: writes to one registered model are serialized ----------------------------


def test_concurrent_promotions_leave_exactly_one_version_in_production(
    server: RunningServer, api: httpx.Client
) -> None:
    name = unique("promote")
    ok(api.post(f"{API}/registered-models/create", json={"name": name}))
    for i in range(4):
        ok(api.post(CREATE_VERSION, json={"name": name, "source": f"s3://bucket/{i}"}))

    async def promote_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        f"{API}/model-versions/transition-stage",
                        json={
                            "name": name,
                            "version": str(v),
                            "stage": "Production",
                            "archive_existing_versions": True,
                        },
                    )
                    for v in range(1, 5)
                )
            )

    for _ in range(5):
        assert all(r.status_code == 200 for r in asyncio.run(promote_all()))
        stages = sorted(v["current_stage"] for v in versions_of(api, name))
        assert stages == ["Archived", "Archived", "Archived", "Production"]


def test_a_rename_racing_for_a_name_is_resource_already_exists(
    api: httpx.Client, database_url: str
) -> None:
    """A concurrent rename takes the name between the check and the update (held open
    here): the loser gets MLflow's 400, not a unique violation as a 500."""
    first, second, wanted = unique("race-a"), unique("race-b"), unique("race-target")
    for name in (first, second):
        ok(api.post(f"{API}/registered-models/create", json={"name": name}))

    async def scenario() -> httpx.Response:
        holder = await asyncpg.connect(database_url)
        try:
            transaction = holder.transaction()
            await transaction.start()
            await holder.execute(
                "UPDATE registered_models SET name = $1 WHERE name = $2", wanted, second
            )
            async with httpx.AsyncClient(base_url=str(api.base_url), timeout=60) as client:
                rename = asyncio.create_task(
                    client.post(
                        f"{API}/registered-models/rename", json={"name": first, "new_name": wanted}
                    )
                )
                await wait_for_lock_waiter(holder)
                await transaction.commit()
                return await rename
        finally:
            await holder.close()

    assert error(asyncio.run(scenario())) == (400, "RESOURCE_ALREADY_EXISTS")
    assert ok(api.get(f"{API}/registered-models/get", params={"name": first}))


def test_an_event_for_a_webhook_deleted_meanwhile_does_not_fail_the_change(
    api: httpx.Client, database_url: str
) -> None:
    receiver = Receiver()
    hook = ok(
        api.post(
            f"{API}/webhooks",
            json={
                "name": unique("doomed"),
                "url": receiver.url,
                "events": [{"entity": "REGISTERED_MODEL", "action": "CREATED"}],
            },
        )
    )["webhook"]["webhook_id"]
    name = unique("outlives-hook")

    async def scenario() -> httpx.Response:
        holder = await asyncpg.connect(database_url)
        try:
            transaction = holder.transaction()
            await transaction.start()
            await holder.execute("DELETE FROM webhooks WHERE webhook_id = $1", hook)
            async with httpx.AsyncClient(base_url=str(api.base_url), timeout=60) as client:
                create = asyncio.create_task(
                    client.post(f"{API}/registered-models/create", json={"name": name})
                )
                # Without the key-share lock it is the delivery's insert that waits (its
                # foreign key), and then fails.
                await wait_for_lock_waiter(holder)
                await transaction.commit()
                return await create
        finally:
            await holder.close()

    try:
        assert ok(asyncio.run(scenario()))["registered_model"]["name"] == name
    finally:
        receiver.close()
    assert sql(database_url, "SELECT 1 FROM webhook_deliveries WHERE webhook_id = $1", hook) == []


async def wait_for_lock_waiter(holder: asyncpg.Connection) -> int:
    """The pid of the (one) backend waiting on a lock in this database: the server's, on
    what `holder` holds. (pg_stat_activity's query text may still be the previous one.)"""
    for _ in range(400):
        pid = await holder.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        if pid is not None:
            return pid
        await asyncio.sleep(0.05)
    raise AssertionError("the server never waited for the lock held here")


# --- replays: a dropped connection never makes a creation happen twice ---------------------


def test_a_registration_dropped_mid_transaction_is_replayed_once(
    api: httpx.Client, database_url: str
) -> None:
    name = unique("dropped")
    ok(api.post(f"{API}/registered-models/create", json={"name": name}))

    async def scenario() -> httpx.Response:
        holder = await asyncpg.connect(database_url)
        try:
            transaction = holder.transaction()
            await transaction.start()
            await holder.execute("SELECT 1 FROM registered_models WHERE name = $1 FOR UPDATE", name)
            async with httpx.AsyncClient(base_url=str(api.base_url), timeout=60) as client:
                create = asyncio.create_task(
                    client.post(CREATE_VERSION, json={"name": name, "source": "s3://bucket/d"})
                )
                waiter = await wait_for_lock_waiter(holder)
                await holder.execute("SELECT pg_terminate_backend($1)", waiter)
                await transaction.rollback()
                return await create
        finally:
            await holder.close()

    assert ok(asyncio.run(scenario()))["model_version"]["version"] == "1"
    assert [v["version"] for v in versions_of(api, name)] == ["1"]
    assert (
        ok(api.post(CREATE_VERSION, json={"name": name, "source": "s3://b/2"}))["model_version"][
            "version"
        ]
        == "2"
    )


@pytest.fixture(scope="module")
def lossy(database_url: str) -> Iterator[LossyPostgres]:
    proxy = LossyPostgres(database_url)
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def lossy_server(
    auth_stack: AuthStack, lossy: LossyPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A server with authentication on whose database connections pass through `lossy`."""
    folder = tmp_path_factory.mktemp("lossy")
    port = free_port()
    env = {
        "GRIMOIRE_DATABASE_URL": lossy.url,
        "GRIMOIRE_ARTIFACTS_ROOT": str(folder / "artifacts"),
        "GRIMOIRE_AUTH_DISABLED": "false",
        "GRIMOIRE_AUTH_ISSUER": auth_stack.provider.url,
        "GRIMOIRE_AUTH_CLIENT_ID": "grimoire",
        "GRIMOIRE_AUTH_CLIENT_SECRET": "grimoire-secret",
        "GRIMOIRE_AUTH_AUDIENCE": "grimoire",
        "GRIMOIRE_AUTH_ADMIN_GROUPS": "grimoire-admins",
        "GRIMOIRE_AUTH_COOKIE_SECURE": "false",
        "GRIMOIRE_SERVER_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    running = start_server("services.server:app", env, folder / "server.log", port=port)
    yield running
    stop_server(running)


def test_creations_whose_commit_answer_was_lost_are_not_made_twice(
    lossy: LossyPostgres, lossy_server: RunningServer, auth_stack: AuthStack, database_url: str
) -> None:
    marker = unique("lost-commit")
    receiver = Receiver()
    headers = {"Authorization": f"Bearer {auth_stack.root_token}"}
    with httpx.Client(base_url=lossy_server.url, headers=headers, timeout=60) as api:
        lossy.arm(marker)
        model = api.post(f"{API}/registered-models/create", json={"name": marker})
        assert ok(model)["registered_model"]["name"] == marker  # not "already exists"
        assert lossy.dropped == 1

        hook_name = f"{marker}-hook"
        lossy.arm(hook_name)
        events = [{"entity": "MODEL_VERSION", "action": "CREATED"}]
        hook = ok(
            api.post(
                f"{API}/webhooks", json={"name": hook_name, "url": receiver.url, "events": events}
            )
        )
        hook_id = hook["webhook"]["webhook_id"]
        assert lossy.dropped == 2

        source = f"s3://bucket/{marker}"
        lossy.arm(source)
        version = ok(api.post(CREATE_VERSION, json={"name": marker, "source": source}))
        assert version["model_version"]["version"] == "1"
        assert lossy.dropped == 3

        token_name = f"{marker}-token"
        lossy.arm(token_name)
        token = ok(api.post(f"{G}/tokens", json={"name": token_name}))["token"]
        assert lossy.dropped == 4

        # The same keep-alive connection goes on working; numbers have no gap.
        after = ok(api.post(CREATE_VERSION, json={"name": marker, "source": "s3://bucket/n"}))
        assert after["model_version"]["version"] == "2"
        ok(api.delete(f"{API}/webhooks/{hook_id}"))
    receiver.close()

    def count(query: str, *args: object) -> int:
        return sql(database_url, query, *args)[0][0]

    assert count("SELECT count(*) FROM webhooks WHERE name = $1", hook_name) == 0  # deleted
    assert (
        count(
            "SELECT count(*) FROM model_versions v JOIN registered_models m ON m.id = v.model_id"
            " WHERE m.name = $1",
            marker,
        )
        == 2
    )
    assert count("SELECT count(*) FROM auth_tokens WHERE name = $1", token_name) == 1
    # The one token that exists is the one handed out.
    with auth_stack.api(token["token"]) as api:
        assert api.get(f"{API}/experiments/search").status_code == 200


def test_a_change_replayed_after_its_commit_answer_was_lost_delivers_its_event_once(
    lossy: LossyPostgres, lossy_server: RunningServer, auth_stack: AuthStack, database_url: str
) -> None:
    """Setting a tag is idempotent and replays whole, event included: the event's delivery
    id, chosen once per call, keeps the replay from queueing a second delivery."""
    receiver = Receiver()
    headers = {"Authorization": f"Bearer {auth_stack.root_token}"}
    name, value = unique("one-delivery"), uuid.uuid4().hex
    with httpx.Client(base_url=lossy_server.url, headers=headers, timeout=60) as api:
        events = [{"entity": "MODEL_VERSION_TAG", "action": "SET"}]
        hook = ok(
            api.post(f"{API}/webhooks", json={"name": name, "url": receiver.url, "events": events})
        )
        hook_id = hook["webhook"]["webhook_id"]
        ok(api.post(f"{API}/registered-models/create", json={"name": name}))
        ok(api.post(CREATE_VERSION, json={"name": name, "source": "s3://bucket/m"}))
        lossy.arm(value)
        dropped = lossy.dropped
        tag = {"name": name, "version": "1", "key": "validated", "value": value}
        ok(api.post(f"{API}/model-versions/set-tag", json=tag))
        assert lossy.dropped == dropped + 1
        rows = sql(
            database_url,
            "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1 AND payload LIKE $2",
            hook_id,
            f"%{value}%",
        )
        ok(api.delete(f"{API}/webhooks/{hook_id}"))
    receiver.close()
    assert rows[0][0] == 1


# --- outages: only the database's failures count --------------------------------------------


def outage_retries(server: RunningServer) -> float:
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith("grimoire_db_outage_retries_total"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_an_unresolvable_webhook_host_is_a_400_not_a_database_outage(
    server: RunningServer, api: httpx.Client
) -> None:
    listed = ok(api.get(f"{API}/webhooks", params={"max_results": 1000}))["webhooks"]
    retries = outage_retries(server)
    events = [{"entity": "MODEL_VERSION", "action": "CREATED"}]
    bad = {"name": unique("dns"), "url": "https://nonexistent.invalid/hook", "events": events}
    response = api.post(f"{API}/webhooks", json=bad)
    assert error(response) == (400, "INVALID_PARAMETER_VALUE")
    assert "cannot resolve nonexistent.invalid" in response.json()["message"]
    good = {**bad, "url": "http://127.0.0.1:9/hook", "status": "DISABLED"}
    hook = ok(api.post(f"{API}/webhooks", json=good))["webhook"]  # same connection
    patched = api.patch(f"{API}/webhooks/{hook['webhook_id']}", json={"url": bad["url"]})
    assert error(patched) == (400, "INVALID_PARAMETER_VALUE")
    assert ok(api.get(f"{API}/webhooks/{hook['webhook_id']}"))["webhook"]["url"] == good["url"]
    ok(api.delete(f"{API}/webhooks/{hook['webhook_id']}"))
    assert ok(api.get(f"{API}/webhooks", params={"max_results": 1000}))["webhooks"] == listed
    assert outage_retries(server) == retries  # never taken for the database being down


def test_only_database_failures_are_retried_and_replays_reuse_chosen_values(
    database_url: str,
) -> None:
    settings = DatabaseSettings(pool_size=1, max_overflow=0, outage_retry_seconds=0.5)

    async def scenario() -> None:
        db = Database(create_engine(database_url, settings, "test-outage"), settings)
        attempts: list[str] = []

        async def looks_up_a_host(conn) -> None:
            attempts.append(chosen_once("id", new_hex_id))
            try:
                socket.getaddrinfo("nonexistent.invalid", 443)
            except socket.gaierror:
                raise InvalidParameterValue("cannot resolve") from None

        async def dies_once(conn) -> str:
            attempts.append(chosen_once("id", new_hex_id))
            if len(attempts) == 1:
                await conn.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")
            return attempts[-1]

        try:
            with pytest.raises(InvalidParameterValue):
                await db.transaction(looks_up_a_host)
            assert len(attempts) == 1  # a DNS failure is the request's, not retried
            attempts.clear()
            chosen = await db.transaction(dies_once)
            assert attempts == [chosen, chosen]  # replayed once, with the same choice
            attempts.clear()
            assert await db.transaction(dies_once) != chosen  # a new call chooses anew
        finally:
            await db.dispose()
        unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
        down = Database(create_engine(unreachable, settings, "test-outage"), settings)
        try:
            with pytest.raises(TemporarilyUnavailable):  # refused while connecting: an outage
                await down.transaction(dies_once)
        finally:
            await down.dispose()

    asyncio.run(scenario())


# --- limits: MLflow's, stored within them, a 400 beyond -------------------------------------


def test_names_aliases_and_tags_within_mlflows_limits_are_stored_beyond_them_refused(
    api: httpx.Client, tracking_uri: str
) -> None:
    wide = "\U0001d510"  # four bytes of UTF-8: 256 of them are 1 kB, far below btree's limit
    longest = wide * 255 + "m"
    ok(api.post(f"{API}/registered-models/create", json={"name": longest}))
    assert (
        ok(api.get(f"{API}/registered-models/get", params={"name": longest}))["registered_model"][
            "name"
        ]
        == longest
    )
    ok(api.post(CREATE_VERSION, json={"name": longest, "source": "s3://bucket/m"}))
    alias, key = wide * 255, wide * 250
    ok(
        api.post(
            f"{API}/registered-models/alias", json={"name": longest, "alias": alias, "version": "1"}
        )
    )
    ok(
        api.post(
            f"{API}/model-versions/set-tag",
            json={"name": longest, "version": "1", "key": key, "value": wide * 100_000},
        )
    )
    ok(
        api.post(
            f"{API}/registered-models/set-tag", json={"name": longest, "key": key, "value": "v"}
        )
    )
    version = ok(api.get(f"{API}/model-versions/get", params={"name": longest, "version": "1"}))
    assert version["model_version"]["aliases"] == [alias]
    assert version["model_version"]["tags"][0]["key"] == key

    too_long = wide * 257
    refused = [
        ("POST", f"{API}/registered-models/create", {"name": too_long}),
        ("POST", f"{API}/registered-models/create", {"name": "x" * 3000}),
        ("POST", f"{API}/registered-models/create", {"name": "team/model"}),
        ("POST", f"{API}/registered-models/create", {"name": "a:b"}),
        ("POST", f"{API}/registered-models/create", {"name": ".."}),
        ("POST", f"{API}/registered-models/rename", {"name": longest, "new_name": too_long}),
        (
            "POST",
            f"{API}/registered-models/alias",
            {"name": longest, "alias": wide * 256, "version": "1"},
        ),
        (
            "POST",
            f"{API}/model-versions/set-tag",
            {"name": longest, "version": "1", "key": wide * 251, "value": ""},
        ),
        (
            "POST",
            f"{API}/model-versions/set-tag",
            {"name": longest, "version": "1", "key": "k", "value": "v" * 100_001},
        ),
        (
            "POST",
            f"{API}/registered-models/set-tag",
            {"name": longest, "key": "k" * 251, "value": ""},
        ),
        ("GET", f"{API}/model-versions/get", {"name": longest, "version": "99999999999"}),
        ("GET", f"{API}/model-versions/get", {"name": longest, "version": "2147483648"}),
        ("GET", f"{API}/model-versions/get", {"name": longest, "version": "\u0661"}),
        ("GET", f"{API}/model-versions/get", {"name": longest, "version": "1" * 5000}),
        ("GET", f"{API}/model-versions/get", {"name": longest, "version": " 1"}),
    ]
    for method, path, body in refused:
        options = {"params": body} if method == "GET" else {"json": body}
        response = api.request(method, path, **options)
        assert error(response) == (400, "INVALID_PARAMETER_VALUE"), (path, response.text[:200])
    for name in (too_long, "x" * 3000, "team/model", "a:b", ".."):
        assert error(api.get(f"{API}/registered-models/get", params={"name": name}))[0] == 404
    model = ok(api.get(f"{API}/registered-models/get", params={"name": longest}))
    assert model["registered_model"]["aliases"] == [{"alias": alias, "version": "1"}]
    assert [t["key"] for t in model["registered_model"]["tags"]] == [key]
    with pytest.raises(MlflowException) as client_error:
        MlflowClient().create_registered_model("m" * 257)
    assert client_error.value.error_code == "INVALID_PARAMETER_VALUE"


def test_an_audited_change_replayed_after_its_commit_answer_was_lost_is_audited_once(
    lossy: LossyPostgres, lossy_server: RunningServer, auth_stack: AuthStack, database_url: str
) -> None:
    """Setting an alias is idempotent and replays whole; its audit entry rides in the same
    transaction and is keyed by its request, so the replay meets it instead of adding one."""
    name, alias = unique("audited-once"), f"a{uuid.uuid4().hex[:12]}"
    headers = {"Authorization": f"Bearer {auth_stack.root_token}"}
    with httpx.Client(base_url=lossy_server.url, headers=headers, timeout=60) as api:
        ok(api.post(f"{API}/registered-models/create", json={"name": name}))
        ok(api.post(CREATE_VERSION, json={"name": name, "source": "s3://bucket/audited"}))
        lossy.arm(alias)
        dropped = lossy.dropped
        ok(
            api.post(
                f"{API}/registered-models/alias",
                json={"name": name, "alias": alias, "version": "1"},
            )
        )
        assert lossy.dropped == dropped + 1
    rows = sql(
        database_url,
        "SELECT count(*) FROM audit_log WHERE action = 'alias.set' AND details->>'alias' = $1",
        alias,
    )
    assert rows[0][0] == 1
