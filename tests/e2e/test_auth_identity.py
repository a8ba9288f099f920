"""Sign-in cannot be forged, and every caller has one stable identity.

Against the real OIDC provider (npm oidc-provider) and the real server over HTTP: the sign-in
is bound to the browser that started it, provider failures are 401 or 503 (never 500), only
access tokens are bearer tokens, and a person is the same principal (same name, same current
groups) with a browser session, a personal Grimoire token and an IdP access token.
"""

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.fixtures.auth_helpers import forge, grant, sign_in, valid_claims
from tests.fixtures.auth_stack import (
    AuthStack,
    Provider,
    follow_to,
    new_key,
    new_provider,
    server_env,
)
from tests.fixtures.servers import RunningServer, free_port, sql, start_server, stop_server

API = "/api/2.0/mlflow"
G = "/api/2.0/grimoire"
DAY_MS = 24 * 3600 * 1000


def value(database_url: str, query: str, *args: object) -> object:
    return sql(database_url, query, *args)[0][0]


def session_count(database_url: str) -> int:
    return value(database_url, "SELECT count(*) FROM auth_sessions")  # type: ignore[return-value]


def eventually(condition: Callable[[], bool], seconds: float = 10) -> None:
    """For effects carried by a database notification (a cache emptied at commit)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def bearer(server_url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def me(server_url: str, token: str) -> dict:
    with bearer(server_url, token) as api:
        response = api.get("/me")
    assert response.status_code == 200, response.text
    return response.json()


def experiment_status(server_url: str, token: str, experiment_id: str) -> int:
    with bearer(server_url, token) as api:
        return api.get(
            f"{API}/experiments/get", params={"experiment_id": experiment_id}
        ).status_code


def new_experiment(stack: AuthStack) -> str:
    with stack.api(stack.root_token) as root:
        response = root.post(f"{API}/experiments/create", json={"name": f"id-{uuid.uuid4().hex}"})
    assert response.status_code == 200, response.text
    return response.json()["experiment_id"]


def grant_group(stack: AuthStack, group: str, experiment_id: str, role: str = "READ") -> None:
    body = {
        "principal_type": "group",
        "principal": group,
        "resource_type": "experiment",
        "resource_id": experiment_id,
        "role": role,
    }
    with stack.api(stack.root_token) as root:
        assert root.post(f"{G}/permissions", json=body).status_code == 200


def personal_token(browser: httpx.Client, **body: object) -> httpx.Response:
    """A personal token made from a browser session (the session's CSRF token rides along)."""
    page = browser.get("/me", headers={"Accept": "text/html"}).text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return browser.post(
        f"{G}/tokens", json={"name": "laptop", **body}, headers={"X-CSRF-Token": csrf}
    )


def start_sign_in(server_url: str, login: str, password: str) -> tuple[httpx.Client, str]:
    """A browser that began a sign-in at Grimoire and signed in at the provider, and the
    callback URL the provider sent it to (not followed yet)."""
    browser = httpx.Client(base_url=server_url, timeout=30)
    start = browser.get("/auth/login?next=/me")
    return browser, follow_to(browser, start, f"{server_url}/auth/callback", login, password)


def assert_error(response: httpx.Response, status: int, error_code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error_code"] == error_code
    assert "grimoire_session" not in response.cookies


# --- 1. login CSRF: the callback is accepted only from the browser that started the sign-in


def test_a_sign_in_finished_in_another_browser_is_refused(
    auth_stack: AuthStack, database_url: str
) -> None:
    url = auth_stack.server.url
    attacker, callback = start_sign_in(url, "bob", "builder")
    login_cookie = next(c for c in attacker.cookies.jar if c.name.startswith("grimoire_login_"))
    assert login_cookie.path == "/auth/callback"
    assert login_cookie.has_nonstandard_attr("HttpOnly")
    assert login_cookie.get_nonstandard_attr("SameSite") == "lax"
    before = session_count(database_url)

    with httpx.Client(base_url=url, timeout=30) as victim:
        assert_error(victim.get(callback), 401, "UNAUTHENTICATED")  # no cookie at all
        victim.cookies.set(login_cookie.name, "a-guess", path="/auth/callback")
        assert_error(victim.get(callback), 401, "UNAUTHENTICATED")  # the wrong value
        assert session_count(database_url) == before
        assert victim.get("/health").status_code == 200  # the same connection still serves

    # The browser that started it completes it: the refusals above consumed nothing.
    done = attacker.get(callback)
    assert done.status_code == 302 and done.headers["location"] == "/me"
    assert attacker.get("/me").json()["name"] == "bob@example.com"
    assert session_count(database_url) == before + 1
    attacker.close()


# --- 2. the provider refusing a code is 401; the provider unreachable is 503


def test_a_bogus_authorization_code_is_401_and_stores_nothing(
    auth_stack: AuthStack, database_url: str
) -> None:
    url = auth_stack.server.url
    with httpx.Client(base_url=url, timeout=30) as browser:
        started = browser.get("/auth/login")
        assert started.status_code == 302
        state = parse_qs(urlparse(started.headers["location"]).query)["state"][0]
        before = session_count(database_url)
        bogus = browser.get("/auth/callback", params={"state": state, "code": "bogus"})
        assert_error(bogus, 401, "UNAUTHENTICATED")
        assert "invalid_grant" in bogus.json()["message"]
        missing = browser.get("/auth/callback", params={"state": state})
        assert_error(missing, 401, "UNAUTHENTICATED")
        assert session_count(database_url) == before
        assert browser.get("/health").status_code == 200


@dataclass
class LoneStack:
    """A Grimoire server of its own provider, which tests stop and start."""

    provider: Provider
    server: RunningServer
    key: dict


@pytest.fixture
def lone_stack(database_url: str, tmp_path: Path) -> Iterator[LoneStack]:
    server_port = free_port()
    provider = new_provider(tmp_path, f"http://127.0.0.1:{server_port}")
    # Every unknown kid may look for new keys: the refresh is never what a test waits for.
    env = {
        **server_env(database_url, provider, tmp_path),
        "GRIMOIRE_AUTH_JWKS_REFRESH_SECONDS": "0.01",
    }
    server = start_server("services.server:app", env, tmp_path / "server.log", port=server_port)
    yield LoneStack(provider, server, new_key("lone-1"))
    stop_server(server)
    provider.stop()


def test_the_provider_unreachable_at_login_or_callback_is_503_and_stores_nothing(
    lone_stack: LoneStack, database_url: str
) -> None:
    provider = lone_stack.provider
    pending = "SELECT count(*) FROM auth_pending_logins"
    with httpx.Client(base_url=lone_stack.server.url, timeout=30) as early:
        before = value(database_url, pending)
        login = early.get("/auth/login")  # the provider has not come up yet
        assert_error(login, 503, "TEMPORARILY_UNAVAILABLE")
        assert int(login.headers["retry-after"]) >= 1
        assert value(database_url, pending) == before
        assert not any(c.name.startswith("grimoire_login_") for c in early.cookies.jar)

    provider.start([lone_stack.key])
    browser, callback = start_sign_in(lone_stack.server.url, "alice", "wonderland")
    provider.stop()
    before = session_count(database_url)
    down = browser.get(callback)
    assert_error(down, 503, "TEMPORARILY_UNAVAILABLE")
    assert int(down.headers["retry-after"]) >= 1
    assert session_count(database_url) == before
    assert browser.get("/health").status_code == 200

    # Back up: the pending sign-in was not consumed by the outage; the provider itself lost
    # the code when it restarted, so it is the provider that refuses it now.
    provider.start([lone_stack.key])
    again = browser.get(callback)
    assert_error(again, 401, "UNAUTHENTICATED")
    assert "invalid_grant" in again.json()["message"]
    browser.close()


# --- 3. a forged JWT while the provider is unreachable: 503, then 401 once keys are known


def test_a_forged_jwt_with_the_provider_down_is_503_without_keys_and_401_with_them(
    lone_stack: LoneStack,
) -> None:
    url, provider = lone_stack.server.url, lone_stack.provider
    forged = forge(new_key("attacker"), **valid_claims(lone_stack, iss=provider.url))  # type: ignore[arg-type]
    with bearer(url, forged) as api:
        response = api.get("/me")  # the server has never reached the provider
        assert_error(response, 503, "TEMPORARILY_UNAVAILABLE")
        assert int(response.headers["retry-after"]) >= 1
        assert api.get("/health").status_code == 200

    provider.start([lone_stack.key])
    valid = provider.client_credentials_token()
    assert me(url, valid)["name"] == "ci-pipeline"  # the key set is fetched now
    provider.stop()
    with bearer(url, forged) as api:
        # The known key set lacks the kid, and looking again fails: the token is refused.
        assert_error(api.get("/me"), 401, "UNAUTHENTICATED")
    assert me(url, valid)["name"] == "ci-pipeline"  # valid tokens work through the outage


# --- 4. one person, one identity, however they authenticate


def test_a_person_is_one_principal_by_session_personal_token_and_idp_access_token(
    auth_stack: AuthStack,
) -> None:
    url = auth_stack.server.url
    experiment_id = new_experiment(auth_stack)
    grant(auth_stack, "alice@example.com", "experiment", experiment_id, "READ")

    session = sign_in(url, "alice", "wonderland")
    created = personal_token(session)
    assert created.status_code == 200, created.text
    token = created.json()["token"]["token"]
    access_token = auth_stack.provider.user_tokens("alice", "wonderland")["access_token"]

    seen = session.get(f"{API}/experiments/get", params={"experiment_id": experiment_id})
    assert seen.status_code == 200
    assert experiment_status(url, token, experiment_id) == 200
    assert experiment_status(url, access_token, experiment_id) == 200
    identities = [session.get("/me").json(), me(url, token), me(url, access_token)]
    assert {(i["name"], i["kind"], tuple(i["groups"])) for i in identities} == {
        ("alice@example.com", "user", ("ml-team",))
    }
    # Someone else's access token does not see it: the grant is alice's.
    bob = auth_stack.provider.user_tokens("bob", "builder")["access_token"]
    assert experiment_status(url, bob, experiment_id) == 403
    session.close()


# --- 5. only access tokens are bearer tokens


def test_an_id_token_is_not_a_bearer_token(auth_stack: AuthStack) -> None:
    tokens = auth_stack.provider.user_tokens("alice", "wonderland")
    with bearer(auth_stack.server.url, tokens["id_token"]) as api:
        refused = api.get("/me")
        assert_error(refused, 401, "UNAUTHENTICATED")
        assert refused.headers["www-authenticate"].startswith("Bearer")
    assert me(auth_stack.server.url, tokens["access_token"])["name"] == "alice@example.com"


def _signed(stack: AuthStack, header_typ: str | None, claims: dict) -> str:
    header = {"alg": "RS256", "kid": stack.signing_key["kid"]}
    if header_typ is not None:
        header["typ"] = header_typ
    sub = f"robot-{uuid.uuid4().hex[:8]}"
    return jwt.encode(
        header, valid_claims(stack, sub=sub, **claims), RSAKey.import_key(stack.signing_key)
    )


@pytest.mark.parametrize(
    ("typ", "claims", "status"),
    [
        (None, {"nonce": "n"}, 401),  # an OpenID Connect ID token
        ("JWT", {"at_hash": "x"}, 401),
        ("JWT", {"typ": "ID"}, 401),  # Keycloak's ID token
        (None, {"token_use": "id"}, 401),  # Amazon Cognito's ID token
        ("logout+jwt", {}, 401),
        ("JWT", {"typ": "Bearer", "nonce": "n"}, 200),  # Keycloak's access token
        (None, {"token_use": "access"}, 200),
        ("JWT", {}, 200),
    ],
)
def test_jwts_that_are_not_access_tokens_are_401(
    auth_stack: AuthStack, typ: str | None, claims: dict, status: int
) -> None:
    with bearer(auth_stack.server.url, _signed(auth_stack, typ, claims)) as api:
        assert api.get("/me").status_code == status


# --- 6. a groups claim that is one string is one group


def test_a_string_groups_claim_is_one_group(auth_stack: AuthStack) -> None:
    url = auth_stack.server.url
    experiment_id = new_experiment(auth_stack)
    grant_group(auth_stack, "solo-pipelines", experiment_id)
    pipeline = auth_stack.provider.client_credentials_token("ci-solo", "solo-secret")
    assert me(url, pipeline)["groups"] == ["solo-pipelines"]
    assert experiment_status(url, pipeline, experiment_id) == 200
    carol = sign_in(url, "carol", "singer")  # her ID token's groups claim is "analysts"
    assert carol.get("/me").json()["groups"] == ["analysts"]
    carol.close()


# --- 7. personal tokens expire by default and follow their owner's current groups


def test_personal_tokens_expire_by_default_within_the_maximum(
    auth_stack: AuthStack,
) -> None:
    access_token = auth_stack.provider.user_tokens("alice", "wonderland")["access_token"]
    with bearer(auth_stack.server.url, access_token) as api:
        made = api.post(f"{G}/tokens", json={"name": f"default-{uuid.uuid4().hex[:6]}"})
        assert made.status_code == 200, made.text
        token = made.json()["token"]
        # created_at and expires_at are two clock readings in one request, a minute at most.
        assert 0 <= token["created_at"] + 90 * DAY_MS - token["expires_at"] < 60_000
        listed = api.get(f"{G}/tokens").json()["tokens"]
        too_long = api.post(f"{G}/tokens", json={"name": "forever", "expires_in_days": 367})
        assert_error(too_long, 400, "INVALID_PARAMETER_VALUE")
        assert api.get(f"{G}/tokens").json()["tokens"] == listed


@pytest.fixture
def provider(auth_stack: AuthStack) -> Iterator[Provider]:
    """The shared provider, with every user a test changed put back afterwards."""
    users_file = auth_stack.provider.folder / "users.json"
    saved = users_file.read_text()
    yield auth_stack.provider
    users_file.write_text(saved)


def test_a_personal_token_follows_its_owners_groups_from_the_latest_sign_in(
    auth_stack: AuthStack, provider: Provider
) -> None:
    url = auth_stack.server.url
    experiment_id = new_experiment(auth_stack)
    grant_group(auth_stack, "dora-team", experiment_id)
    provider.set_user("dora", groups=["dora-team"])
    first = sign_in(url, "dora", "explorer")
    made = personal_token(first)
    assert made.status_code == 200, made.text
    token = made.json()["token"]["token"]
    old_access_token = provider.user_tokens("dora", "explorer")["access_token"]
    for credential in (token, old_access_token):
        assert experiment_status(url, credential, experiment_id) == 200

    provider.set_user("dora", groups=[])  # removed from the team at the provider
    second = sign_in(url, "dora", "explorer")
    assert second.get("/me").json()["groups"] == []
    eventually(lambda: experiment_status(url, token, experiment_id) == 403)
    assert me(url, token)["groups"] == []
    # An access token issued before the sign-in cannot bring the old groups back.
    assert experiment_status(url, old_access_token, experiment_id) == 403
    assert (
        first.get(f"{API}/experiments/get", params={"experiment_id": experiment_id}).status_code
        == 403
    )
    first.close()
    second.close()


def test_a_newer_access_token_brings_new_groups_and_an_older_one_does_not(
    auth_stack: AuthStack,
) -> None:
    url, key = auth_stack.server.url, auth_stack.signing_key
    now = int(time.time())
    subject = f"robot-{uuid.uuid4().hex[:8]}"

    def access_token(issued_ago: int, groups: list[str] | None) -> str:
        claims = valid_claims(auth_stack, sub=subject, iat=now - issued_ago, groups=groups)
        if groups is None:
            del claims["groups"]  # a token without a groups claim says nothing about them
        return forge(key, **claims)

    with bearer(url, access_token(100, ["team-old"])) as api:
        made = api.post(f"{G}/tokens", json={"name": "robot"})
    assert made.status_code == 200, made.text
    token = made.json()["token"]["token"]
    assert me(url, token)["groups"] == ["team-old"]
    assert me(url, access_token(50, ["team-new"]))["groups"] == ["team-new"]
    eventually(lambda: me(url, token)["groups"] == ["team-new"])
    assert me(url, access_token(80, ["team-old"]))["groups"] == ["team-new"]
    assert me(url, access_token(10, None))["groups"] == ["team-new"]
    assert me(url, token)["groups"] == ["team-new"]


def test_a_username_the_provider_gives_to_someone_else_leaves_its_old_holder(
    auth_stack: AuthStack, provider: Provider
) -> None:
    url = auth_stack.server.url
    experiment_id = new_experiment(auth_stack)
    erin = sign_in(url, "erin", "brockovich")
    made = personal_token(erin)
    assert made.status_code == 200, made.text
    token = made.json()["token"]["token"]
    grant(auth_stack, "erin@example.com", "experiment", experiment_id, "READ")
    assert experiment_status(url, token, experiment_id) == 200

    # The provider renames erin and gives her old name to frank; erin has not signed in since.
    provider.set_user("erin", email="erin.new@example.com")
    provider.set_user("frank", email="erin@example.com")
    frank = sign_in(url, "frank", "sinatra")
    assert frank.get("/me").json()["name"] == "erin@example.com"
    seen = frank.get(f"{API}/experiments/get", params={"experiment_id": experiment_id})
    assert seen.status_code == 200  # the grant follows the name to its new holder
    eventually(lambda: me(url, token)["name"] == "sub:erin")
    assert experiment_status(url, token, experiment_id) == 403

    again = sign_in(url, "erin", "brockovich")
    assert again.get("/me").json()["name"] == "erin.new@example.com"
    eventually(lambda: me(url, token)["name"] == "erin.new@example.com")
    with bearer(url, token) as api:
        owners = {t["owner"] for t in api.get(f"{G}/tokens").json()["tokens"]}
    assert owners == {"user:erin.new@example.com"}
    for browser in (erin, frank, again):
        browser.close()
