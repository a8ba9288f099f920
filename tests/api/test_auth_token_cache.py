"""The guard's token cache: used while it is safe, dropped the moment a credential changes.

Credentials are changed here behind Grimoire's back, with plain SQL, so the only way the
server can learn of it is the database's notification (migration 0005)."""

from tests.fixtures.auth_cache import cache_enabled, eventually, metric
from tests.fixtures.auth_helpers import service_account
from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.servers import execute

API = "/api/2.0/mlflow"


def hits(stack: AuthStack) -> float:
    return metric(stack, "grimoire_auth_token_cache_lookups_total", '{result="hit"}')


def status(stack: AuthStack, token: str) -> int:
    with stack.api(token) as api:
        return api.get(f"{API}/experiments/search").status_code


def test_a_token_revoked_in_the_database_is_refused_without_a_restart(
    auth_stack: AuthStack, database_url: str
) -> None:
    eventually(lambda: cache_enabled(auth_stack))
    _, token = service_account(auth_stack, ["grimoire-admins"])
    assert status(auth_stack, token) == 200  # looked up, then cached
    before = hits(auth_stack)
    assert [status(auth_stack, token) for _ in range(3)] == [200] * 3
    assert hits(auth_stack) == before + 3 + 1  # served from memory (+1: the scrape)

    execute(
        database_url, "UPDATE auth_tokens SET revoked_at = 1 WHERE token_hash = $1", _hash(token)
    )
    # The notification arrives at commit; nothing else tells the server.
    eventually(lambda: status(auth_stack, token) == 401, seconds=5)


def test_changing_a_service_accounts_groups_takes_effect_at_once(
    auth_stack: AuthStack, database_url: str
) -> None:
    eventually(lambda: cache_enabled(auth_stack))
    name, token = service_account(auth_stack, ["grimoire-admins"])
    with auth_stack.api(token) as api:
        assert api.get(f"{API}/experiments/search").status_code == 200
        execute(
            database_url,
            "UPDATE service_accounts SET groups = '[]'::jsonb WHERE name = $1",
            name.removeprefix("service:"),
        )
        # No longer an administrator: an admin-only route is refused.
        eventually(
            lambda: api.get("/api/2.0/grimoire/service-accounts").status_code == 403, seconds=5
        )


def test_a_lost_listener_reconnects_and_starts_from_an_empty_cache(
    auth_stack: AuthStack, database_url: str
) -> None:
    eventually(lambda: cache_enabled(auth_stack))
    _, token = service_account(auth_stack, ["grimoire-admins"])
    assert status(auth_stack, token) == 200  # cached
    connects = metric(auth_stack, "grimoire_auth_credential_listener_connects_total")
    terminated = execute(
        database_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = 'grimoire-watch' AND datname = current_database()",
    )
    assert terminated == "SELECT 1"
    eventually(
        lambda: (
            metric(auth_stack, "grimoire_auth_credential_listener_connects_total") == connects + 1
        )
    )
    assert cache_enabled(auth_stack)
    # Whatever changed while no one listened is unknown, so nothing cached survives.
    before = hits(auth_stack)
    assert status(auth_stack, token) == 200
    assert hits(auth_stack) == before + 1  # only the scrape's own lookup hit
    # And the new listener hears changes.
    execute(
        database_url, "UPDATE auth_tokens SET revoked_at = 1 WHERE token_hash = $1", _hash(token)
    )
    eventually(lambda: status(auth_stack, token) == 401, seconds=5)


def test_the_cache_stores_nothing_while_off_or_when_a_change_raced_the_lookup() -> None:
    from services.core.auth.credential_cache import TokenCache, TokenRecord

    record = TokenRecord("id", "service:a", [], None, None)
    cache = TokenCache()
    cache.put("h", record, cache.generation)
    assert cache.get("h") is None  # off until a listener is connected
    cache.set_enabled(True)
    read_at = cache.generation
    cache.invalidate()  # a notification arrived while the lookup was in flight
    cache.put("h", record, read_at)
    assert cache.get("h") is None
    cache.put("h", record, cache.generation)
    assert cache.get("h") is record
    cache.set_enabled(False)
    assert cache.get("h") is None


def _hash(token: str) -> str:
    from services.core.auth.secret_digest import secret_digest

    return secret_digest(token)
