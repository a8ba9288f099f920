"""A real OpenID Connect provider (npm oidc-provider) and a Grimoire server with auth on."""

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import httpx
import pytest
from joserfc.jwk import RSAKey

from tests.servers import REPO, RunningServer, free_port, start_server, stop_server

OIDC_DIR = REPO / "tests" / "oidc"
USERS = {
    "alice": {
        "password": "wonderland",
        "name": "Alice",
        "email": "alice@example.com",
        "groups": ["ml-team"],
    },
    "bob": {
        "password": "builder",
        "name": "Bob",
        "email": "bob@example.com",
        "groups": ["other-team"],
    },
    "ada": {
        "password": "lovelace",
        "name": "Ada",
        "email": "ada@example.com",
        "groups": ["grimoire-admins"],
    },
    # A groups claim that is one string, not a list.
    "carol": {
        "password": "singer",
        "name": "Carol",
        "email": "carol@example.com",
        "groups": "analysts",
    },
    # Users whose groups and names tests change (Provider.set_user), each test its own.
    "dora": {"password": "explorer", "name": "Dora", "email": "dora@example.com", "groups": []},
    "erin": {"password": "brockovich", "name": "Erin", "email": "erin@example.com", "groups": []},
    "frank": {"password": "sinatra", "name": "Frank", "email": "frank@example.com", "groups": []},
}


def new_key(kid: str) -> dict:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}).as_dict(
        private=True
    )


@dataclass
class Provider:
    url: str
    port: int
    folder: Path
    redirect_uri: str
    process: subprocess.Popen | None = None

    def start(self, keys: list[dict]) -> None:
        (self.folder / "jwks.json").write_text(json.dumps({"keys": keys}))
        env = {
            **os.environ,
            "PORT": str(self.port),
            "REDIRECT_URI": self.redirect_uri,
            "JWKS_FILE": str(self.folder / "jwks.json"),
            "USERS_FILE": str(self.folder / "users.json"),
        }
        log = (self.folder / "provider.log").open("a")
        self.process = subprocess.Popen(
            ["node", "provider.mjs"], cwd=OIDC_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if (
                    httpx.get(f"{self.url}/.well-known/openid-configuration", timeout=1).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError((self.folder / "provider.log").read_text())

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)

    def client_credentials_token(
        self, client_id: str = "ci-pipeline", secret: str = "ci-secret"
    ) -> str:
        response = httpx.post(
            f"{self.url}/token", auth=(client_id, secret), data={"grant_type": "client_credentials"}
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def set_user(self, login: str, **changes: object) -> None:
        """Change a user at the provider (it reads the users file at every sign-in and token)."""
        users_file = self.folder / "users.json"
        users = json.loads(users_file.read_text())
        users[login] = {**users[login], **changes}
        users_file.write_text(json.dumps(users))

    def user_tokens(self, login: str, password: str) -> dict:
        """A person's own token response (access token and ID token), as a client of the
        provider gets it: the authorization code flow with PKCE as the `grimoire` client, the
        code taken from the redirect to Grimoire's callback instead of following it."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        query = {
            "client_id": "grimoire",
            "response_type": "code",
            "scope": "openid profile email",
            "redirect_uri": self.redirect_uri,
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
            "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16),
        }
        with httpx.Client(timeout=30) as browser:
            start = browser.get(f"{self.url}/auth", params=query)
            callback = follow_to(browser, start, self.redirect_uri, login, password)
            code = parse_qs(urlparse(callback).query)["code"][0]
            response = browser.post(
                f"{self.url}/token",
                auth=("grimoire", "grimoire-secret"),
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.redirect_uri,
                    "code_verifier": verifier,
                },
            )
        response.raise_for_status()
        return response.json()


def follow_to(
    browser: httpx.Client, response: httpx.Response, stop_at: str, login: str, password: str
) -> str:
    """Follow redirects and fill the provider's sign-in form until a redirect points at
    `stop_at`; return that URL, not followed."""
    for _ in range(15):
        if response.status_code in (301, 302, 303):
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(stop_at):
                return location
            response = browser.get(location)
            continue
        form = re.search(r'action="([^"]+)"', response.text)
        assert response.status_code == 200 and form, response.text
        response = browser.post(
            urljoin(str(response.url), form.group(1)), data={"login": login, "password": password}
        )
    raise AssertionError(f"never redirected to {stop_at}")


def ensure_node_modules() -> None:
    if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True)


def new_provider(folder: Path, server_url: str) -> Provider:
    """A provider (not started) on a free port, for the Grimoire server at `server_url`."""
    (folder / "users.json").write_text(json.dumps(USERS))
    port = free_port()
    return Provider(f"http://127.0.0.1:{port}", port, folder, f"{server_url}/auth/callback")


def server_env(database_url: str, provider: Provider, folder: Path) -> dict[str, str]:
    """A Grimoire server with authentication against `provider`."""
    server_url = provider.redirect_uri.removesuffix("/auth/callback")
    return {
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": str(folder / "artifacts"),
        "GRIMOIRE_AUTH_DISABLED": "false",
        "GRIMOIRE_AUTH_ISSUER": provider.url,
        "GRIMOIRE_AUTH_CLIENT_ID": "grimoire",
        "GRIMOIRE_AUTH_CLIENT_SECRET": "grimoire-secret",
        "GRIMOIRE_AUTH_AUDIENCE": "grimoire",
        "GRIMOIRE_AUTH_ADMIN_GROUPS": "grimoire-admins",
        "GRIMOIRE_AUTH_COOKIE_SECURE": "false",
        "GRIMOIRE_SERVER_PUBLIC_URL": server_url,
    }


@dataclass
class AuthStack:
    provider: Provider
    server: RunningServer
    root_token: str  # an administrator's Grimoire token (service:root)
    signing_key: dict  # the provider's current private key, to forge test tokens

    def api(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.server.url, headers=headers, timeout=30)


@pytest.fixture(scope="session")
def auth_stack(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthStack]:
    if shutil.which("node") is None:
        pytest.fail("node is required for the OIDC provider (see .ci/run)")
    ensure_node_modules()
    folder = tmp_path_factory.mktemp("oidc")
    server_port = free_port()
    provider = new_provider(folder, f"http://127.0.0.1:{server_port}")
    key = new_key("key-1")
    provider.start([key])
    bootstrap = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "service-account",
            "create",
            "root",
            "--group",
            "grimoire-admins",
            "--database-url",
            database_url,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    root_token = bootstrap.stdout.strip().splitlines()[-1]
    env = {**server_env(database_url, provider, folder), "GRIMOIRE_AUTH_JWKS_REFRESH_SECONDS": "1"}
    server = start_server("services.server:app", env, folder / "server.log", port=server_port)
    yield AuthStack(provider, server, root_token, key)
    stop_server(server)
    provider.stop()
