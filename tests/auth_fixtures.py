"""A real OpenID Connect provider (npm oidc-provider) and a Grimoire server with auth on."""

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


def ensure_node_modules() -> None:
    if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True)


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
    (folder / "users.json").write_text(json.dumps(USERS))
    server_port, provider_port = free_port(), free_port()
    server_url = f"http://127.0.0.1:{server_port}"
    provider = Provider(
        f"http://127.0.0.1:{provider_port}", provider_port, folder, f"{server_url}/auth/callback"
    )
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
    env = {
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": str(folder / "artifacts"),
        "GRIMOIRE_AUTH_DISABLED": "false",
        "GRIMOIRE_AUTH_ISSUER": provider.url,
        "GRIMOIRE_AUTH_CLIENT_ID": "grimoire",
        "GRIMOIRE_AUTH_CLIENT_SECRET": "grimoire-secret",
        "GRIMOIRE_AUTH_AUDIENCE": "grimoire",
        "GRIMOIRE_AUTH_ADMIN_GROUPS": "grimoire-admins",
        "GRIMOIRE_AUTH_COOKIE_SECURE": "false",
        "GRIMOIRE_AUTH_JWKS_REFRESH_SECONDS": "1",
        "GRIMOIRE_SERVER_PUBLIC_URL": server_url,
    }
    server = start_server("services.server:app", env, folder / "server.log", port=server_port)
    yield AuthStack(provider, server, root_token, key)
    stop_server(server)
    provider.stop()
