"""The OpenID Connect side: discovery, JWKS, token validation, the authorization code flow.

JWTs are validated with joserfc against the issuer's JWKS, cached and fetched again when a
token names a key id the cache lacks (key rotation at the provider), at most once per
`jwks_refresh_seconds` so forged kids cannot make us hammer the provider. `iss`, `aud`,
`exp`, `nbf` and `iat` are checked with a small leeway. The browser flow is authorization
code with PKCE (S256) through authlib.
"""

import asyncio
import time
import warnings
from typing import Any

import authlib.deprecate  # noqa: E402,F401  (installs authlib's "always" filter first)
import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.core.config import AuthSettings
from services.core.errors import Unauthenticated

with warnings.catch_warnings():
    # authlib announces a future move of its httpx integration at import; the API used here
    # is unchanged, and the notice would otherwise print at every server start.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]


class OIDCProvider:
    def __init__(self, settings: AuthSettings, http: httpx.AsyncClient):
        if not settings.issuer:
            raise RuntimeError("GRIMOIRE_AUTH_ISSUER is required when authentication is on.")
        self.settings = settings
        self.issuer = settings.issuer.rstrip("/")
        self.http = http
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._keys_fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            response = await self.http.get(f"{self.issuer}/.well-known/openid-configuration")
            response.raise_for_status()
            self._metadata = response.json()
        return self._metadata

    async def _fetch_keys(self) -> KeySet:
        response = await self.http.get((await self.metadata())["jwks_uri"])
        response.raise_for_status()
        self._keys = KeySet.import_key_set(response.json())
        self._keys_fetched_at = time.monotonic()
        return self._keys

    async def keys(self, kid: str | None) -> KeySet:
        async with self._lock:
            known = self._keys is not None and (
                kid is None or any(k.kid == kid for k in self._keys.keys)
            )
            stale = time.monotonic() - self._keys_fetched_at > self.settings.jwks_refresh_seconds
            if self._keys is None or (not known and stale):
                return await self._fetch_keys()
            return self._keys

    async def validate(self, token: str, audience: str, nonce: str | None = None) -> dict:
        """Claims of a valid JWT from our issuer for `audience`; Unauthenticated otherwise."""
        try:
            header = jws.extract_compact(token.encode()).headers()
        except (JoseError, ValueError):
            raise Unauthenticated("The bearer token is not a valid JWT.") from None
        keys = await self.keys(header.get("kid"))
        try:
            decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
        except (JoseError, ValueError) as error:
            raise Unauthenticated(
                f"The token's signature is invalid ({type(error).__name__})."
            ) from None
        requirements: dict[str, Any] = {
            "iss": {"essential": True, "value": self.issuer},
            "aud": {"essential": True, "value": audience},
            "exp": {"essential": True},
        }
        if nonce is not None:
            requirements["nonce"] = {"essential": True, "value": nonce}
        registry = jwt.JWTClaimsRegistry(leeway=self.settings.leeway_seconds, **requirements)
        try:
            registry.validate(decoded.claims)
        except JoseError as error:
            raise Unauthenticated(f"The token was rejected: {error.error}.") from None
        return decoded.claims

    def _client(self, redirect_uri: str) -> AsyncOAuth2Client:
        secret = self.settings.client_secret
        return AsyncOAuth2Client(
            client_id=self.settings.client_id,
            client_secret=secret.get_secret_value() if secret else None,
            scope=self.settings.scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )

    async def authorization_url(
        self, redirect_uri: str, state: str, nonce: str, code_verifier: str
    ) -> str:
        endpoint = (await self.metadata())["authorization_endpoint"]
        async with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                endpoint, state=state, nonce=nonce, code_verifier=code_verifier
            )
        return url

    async def exchange(self, redirect_uri: str, code: str, code_verifier: str) -> dict:
        endpoint = (await self.metadata())["token_endpoint"]
        async with self._client(redirect_uri) as client:
            return await client.fetch_token(endpoint, code=code, code_verifier=code_verifier)
