"""The guard's access cache: a member's calls are authorized from memory, and a grant changed
behind Grimoire's back (plain SQL) takes effect through the database's notification
(migration 0006), never by waiting for an expiry."""

import time
import uuid

from tests.fixtures.auth_cache import cache_enabled, eventually, metric
from tests.fixtures.auth_helpers import grant, service_account
from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.servers import execute

API = "/api/2.0/mlflow"


def access_hits(stack: AuthStack, fact: str) -> float:
    labels = f'{{fact="{fact}",result="hit"}}'
    return metric(stack, "grimoire_auth_access_cache_lookups_total", labels)


def experiment_and_run(stack: AuthStack) -> tuple[str, str]:
    with stack.api(stack.root_token) as api:
        name = f"access-cache-{uuid.uuid4().hex[:8]}"
        experiment_id = api.post(f"{API}/experiments/create", json={"name": name}).json()[
            "experiment_id"
        ]
        run = api.post(f"{API}/runs/create", json={"experiment_id": experiment_id}).json()
        return experiment_id, run["run"]["info"]["run_id"]


def log_batch(stack: AuthStack, token: str, run_id: str) -> int:
    point = {"key": "loss", "value": 0.5, "timestamp": int(time.time() * 1000), "step": 0}
    with stack.api(token) as api:
        body = {"run_id": run_id, "metrics": [point]}
        return api.post(f"{API}/runs/log-batch", json=body).status_code


def test_a_members_repeated_calls_are_authorized_from_memory(auth_stack: AuthStack) -> None:
    eventually(lambda: cache_enabled(auth_stack))
    experiment_id, run_id = experiment_and_run(auth_stack)
    member, token = service_account(auth_stack, [])
    grant(auth_stack, member, "experiment", experiment_id, "EDIT")
    assert log_batch(auth_stack, token, run_id) == 200  # read from the database, remembered
    roles, runs = access_hits(auth_stack, "role"), access_hits(auth_stack, "run")
    assert [log_batch(auth_stack, token, run_id) for _ in range(3)] == [200] * 3
    assert access_hits(auth_stack, "role") >= roles + 3
    assert access_hits(auth_stack, "run") >= runs + 3


def test_grants_changed_in_the_database_take_effect_without_a_restart(
    auth_stack: AuthStack, database_url: str
) -> None:
    eventually(lambda: cache_enabled(auth_stack))
    experiment_id, run_id = experiment_and_run(auth_stack)
    member, token = service_account(auth_stack, [])
    grant(auth_stack, member, "experiment", experiment_id, "READ")
    assert [log_batch(auth_stack, token, run_id) for _ in range(2)] == [403, 403]  # remembered

    where = "principal = $1 AND resource_type = 'experiment' AND resource_id = $2"
    execute(database_url, f"UPDATE grants SET role = 'EDIT' WHERE {where}", member, experiment_id)
    eventually(lambda: log_batch(auth_stack, token, run_id) == 200, seconds=5)
    assert log_batch(auth_stack, token, run_id) == 200  # the raised role is the one remembered

    execute(database_url, f"DELETE FROM grants WHERE {where}", member, experiment_id)
    eventually(lambda: log_batch(auth_stack, token, run_id) == 403, seconds=5)

    # A grant inserted by hand (a new row, not an update) is heard too.
    execute(
        database_url,
        "INSERT INTO grants (principal_type, principal, resource_type, resource_id, role, "
        "granted_by, granted_at) VALUES ('user', $1, 'experiment', $2, 'EDIT', 'sql', 0)",
        member,
        experiment_id,
    )
    eventually(lambda: log_batch(auth_stack, token, run_id) == 200, seconds=5)


def test_roles_are_stored_only_while_on_and_never_across_a_change() -> None:
    from services.core.auth.access_cache import MISSING, AccessCache
    from services.core.auth.principal import Principal

    alice = Principal("alice", "user", ("team",), is_admin=False)
    cache = AccessCache()
    cache.remember_role(alice, "experiment", "1", "EDIT", cache.generation)
    assert cache.role(alice, "experiment", "1") is MISSING  # off until a listener is connected
    cache.set_enabled(True)
    read_at = cache.generation
    cache.invalidate()  # a notification arrived while the lookup was in flight
    cache.remember_role(alice, "experiment", "1", "EDIT", read_at)
    assert cache.role(alice, "experiment", "1") is MISSING
    cache.remember_role(alice, "experiment", "1", None, cache.generation)
    assert cache.role(alice, "experiment", "1") is None  # "no role" is remembered too
    # The same name with other groups (another token's claims) is another caller.
    assert cache.role(Principal("alice", "user", (), False), "experiment", "1") is MISSING
    cache.set_enabled(False)
    assert cache.role(alice, "experiment", "1") is MISSING
