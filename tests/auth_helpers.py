"""Helpers for auth tests: forged JWTs, scripted password sign-in, principals with roles."""

import os
import re
import time
import uuid
from urllib.parse import urljoin

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

from services.core.auth.policy import Rule, route_rules
from tests.auth_fixtures import AuthStack


def forge(key: dict, **claims: object) -> str:
    """A JWT signed with `key`; claims default to a valid token for the test issuer."""
    header = {"alg": "RS256", "kid": key["kid"], "typ": "at+jwt"}
    return jwt.encode(header, claims, RSAKey.import_key(key))


def valid_claims(stack: AuthStack, **overrides: object) -> dict:
    now = int(time.time())
    claims = {
        "iss": stack.provider.url,
        "aud": "grimoire",
        "sub": "forged-user",
        "iat": now,
        "exp": now + 600,
        "groups": ["ml-team"],
    }
    claims.update(overrides)
    return claims


def sign_in(base_url: str, username: str, password: str) -> httpx.Client:
    """The browser flow without a browser: follow redirects, post the provider's form."""
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.get("/auth/login?next=/me")
    for _ in range(15):
        if response.status_code in (301, 302, 303):
            response = client.get(urljoin(str(response.url), response.headers["location"]))
            continue
        form = re.search(r'action="([^"]+)"', response.text)
        if response.status_code == 200 and form and "password" in response.text:
            response = client.post(
                urljoin(str(response.url), form.group(1)),
                data={"login": username, "password": password},
            )
            continue
        break
    return client


def service_account(stack: AuthStack, groups: list[str]) -> tuple[str, str]:
    """(principal name, token) of a fresh service account in `groups`."""
    name = f"sa-{uuid.uuid4().hex[:8]}"
    with stack.api(stack.root_token) as api:
        assert (
            api.post(
                "/api/2.0/grimoire/service-accounts", json={"name": name, "groups": groups}
            ).status_code
            == 200
        )
        token = api.post(f"/api/2.0/grimoire/service-accounts/{name}/tokens", json={"name": "t"})
        return f"service:{name}", token.json()["token"]["token"]


def grant(
    stack: AuthStack,
    principal: str,
    resource_type: str,
    resource_id: str,
    role: str,
    principal_type: str = "user",
) -> None:
    body = {
        "principal_type": principal_type,
        "principal": principal,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "role": role,
    }
    with stack.api(stack.root_token) as api:
        response = api.post("/api/2.0/grimoire/permissions", json=body)
        assert response.status_code == 200, response.text


def policy_table() -> dict[tuple[str, str], Rule]:
    """(method, path template) -> the rule declared next to the route, for every route of
    every service that has one (the MLflow 501 catalogue left out)."""
    os.environ.setdefault("GRIMOIRE_AUTH_DISABLED", "true")  # building apps needs no issuer
    from services.server import GrimoireServer

    return {
        (entry.method, entry.template): entry.rule
        for entry in route_rules(GrimoireServer().apps)
        if entry.rule is not None and not entry.catalogue
    }
