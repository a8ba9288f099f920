"""The OpenID Connect side: discovery, JWKS, token validation, the authorization code flow.

JWTs are validated with joserfc against the issuer's JWKS, cached and fetched again when a
token names a key id the cache lacks (key rotation at the provider), at most once per
`jwks_refresh_seconds` so forged kids cannot make us hammer the provider. `iss`, `aud`,
`exp`, `nbf` and `iat` are checked with a small leeway. Bearer tokens must be access tokens:
an ID token (or a refresh or logout token) is refused even when its `aud` is our audience.
The browser flow is authorization code with PKCE (S256) through authlib.

The provider being unreachable is an outage, not the caller's fault: 503 with Retry-After
when we cannot know the answer (no key set yet, the token endpoint at sign-in). Once a key
set is known, a kid outside it is refused (401) even if the refresh that would look for it
fails: valid tokens keep working through a provider outage, forged ones never get a 5xx.
"""

import asyncio
import logging
import time
import warnings
from typing import TYPE_CHECKING, Any

import httpx

from services.core.config import AuthSettings
from services.core.errors import TemporarilyUnavailable, Unauthenticated

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import AsyncOAuth2Client
    from joserfc.jwk import KeySet

log = logging.getLogger(__name__)

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
# After a failed attempt to reach the provider with no key set known, the next attempt waits
# this long at most (requests meanwhile get 503 at once); also the Retry-After of the 503s.
PROVIDER_RETRY_SECONDS = 1
# JWT `typ` headers: RFC 9068 access tokens, and the generic value most providers send.
ACCESS_TOKEN_TYPES = {"at+jwt", "application/at+jwt"}
GENERIC_TYPES = {"jwt", "application/jwt"}
# Claims only ID tokens carry (OpenID Connect Core 3.1.3.6, 3.3.2.11).
ID_TOKEN_CLAIMS = ("nonce", "at_hash", "c_hash", "s_hash")


def _unreachable(reason: object) -> TemporarilyUnavailable:
    log.warning("identity provider unreachable: %s", reason)
    return TemporarilyUnavailable(
        "The identity provider cannot be reached; retry shortly.",
        retry_after=PROVIDER_RETRY_SECONDS,
    )


def _refuse_unless_access_token(header: dict[str, Any], claims: dict[str, Any]) -> None:
    """An ID token's `aud` is the client id, which is often also the API audience; it proves
    who signed in to a client, not that the bearer may call the API."""
    typ = header.get("typ")
    if isinstance(typ, str) and typ.lower() in ACCESS_TOKEN_TYPES:
        return
    if typ is not None and not (isinstance(typ, str) and typ.lower() in GENERIC_TYPES):
        raise Unauthenticated(f"A {typ!r} JWT is not an access token.")
    if "token_use" in claims and claims["token_use"] != "access":  # Amazon Cognito
        raise Unauthenticated("The token is not an access token (token_use).")
    if "typ" in claims and claims["typ"] != "Bearer":  # Keycloak: "ID", "Refresh", ...
        raise Unauthenticated("The token is not an access token (typ).")
    if claims.get("typ") == "Bearer" or claims.get("token_use") == "access":
        return
    if any(claim in claims for claim in ID_TOKEN_CLAIMS):
        raise Unauthenticated("An ID token is not an access token; send an access token.")


class OIDCProvider:
    def __init__(self, settings: AuthSettings):
        if not settings.issuer:
            raise RuntimeError("GRIMOIRE_AUTH_ISSUER is required when authentication is on.")
        self.settings = settings
        self.issuer = settings.issuer.rstrip("/")
        self._http: httpx.AsyncClient | None = None
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._keys_tried_at = -float("inf")
        self._lock = asyncio.Lock()

    def _provider_http(self) -> httpx.AsyncClient:
        """Opened at the first discovery or key fetch: its TLS context costs a process ~3 MiB
        and ~60 ms of its start (docs/benchmarks.md), and a process whose callers present only
        Grimoire's own tokens never reaches the provider."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=10)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self._provider_http().get(url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise _unreachable(f"{url}: {error!r}") from None
        if not isinstance(document, dict):
            raise _unreachable(f"{url}: not a JSON object")
        return document

    async def _endpoint(self, name: str) -> str:
        if self._metadata is None:
            self._metadata = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
        url = self._metadata.get(name)
        if not isinstance(url, str):
            raise _unreachable(f"the provider's metadata has no {name}")
        return url

    def _knows(self, kid: Any) -> bool:
        return self._keys is not None and (
            kid is None or any(k.kid == kid for k in self._keys.keys)
        )

    async def keys(self, kid: Any) -> "KeySet":
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        if self._knows(kid):
            return self._keys  # type: ignore[return-value]
        async with self._lock:
            if self._knows(kid):  # fetched while we waited
                return self._keys  # type: ignore[return-value]
            pause = self.settings.jwks_refresh_seconds
            if self._keys is None:  # nothing to fall back on: try again soon
                pause = min(pause, PROVIDER_RETRY_SECONDS)
            if time.monotonic() - self._keys_tried_at >= pause:
                self._keys_tried_at = time.monotonic()
                try:
                    document = await self._get_json(await self._endpoint("jwks_uri"))
                    self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
                except (JoseError, ValueError, KeyError, TypeError, AttributeError) as error:
                    if self._keys is None:
                        raise _unreachable(f"unusable JWKS: {error!r}") from None
                    log.warning("unusable JWKS, keeping the known keys: %r", error)
                except TemporarilyUnavailable:
                    if self._keys is None:
                        raise
                    # The key set is known and this kid is not in it: refused below (401).
            if self._keys is None:
                raise _unreachable("no key set yet; a recent attempt failed")
            return self._keys

    async def _verified(
        self, token: str, audience: str, nonce: str | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(header, claims) of a JWT signed by our issuer's keys for `audience`. joserfc and
        the cryptography it runs on (~10 MiB a process, docs/benchmarks.md) are imported at a
        process's first JWT: callers presenting Grimoire's own tokens or a session never need
        them."""
        from joserfc import jws, jwt
        from joserfc.errors import JoseError

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
        return decoded.header, decoded.claims

    async def validate_access_token(self, token: str) -> dict[str, Any]:
        """Claims of a valid access token from our issuer for our API audience."""
        header, claims = await self._verified(token, self.settings.audience)
        _refuse_unless_access_token(header, claims)
        return claims

    async def validate_id_token(self, tokens: dict[str, Any], nonce: str) -> dict[str, Any]:
        """Claims of the ID token in a token response, issued to our client for this sign-in."""
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise Unauthenticated("The identity provider sent no ID token.")
        client_id = self.settings.client_id or ""
        _, claims = await self._verified(id_token, client_id, nonce=nonce)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != client_id:
            raise Unauthenticated("The ID token was issued to another client (azp).")
        return claims

    def _client(self, redirect_uri: str) -> "AsyncOAuth2Client":
        """authlib's client for the browser's sign-in. authlib (~100 modules) is imported at
        the first sign-in, not at start: a worker that only validates tokens never needs it."""
        import authlib.deprecate  # noqa: F401  (installs authlib's "always" filter first)

        with warnings.catch_warnings():
            # authlib announces a future move of its httpx integration at import; the API
            # used here is unchanged, and the notice would otherwise print at each worker's
            # first sign-in.
            warnings.filterwarnings("ignore", message="The httpx module is deprecated")
            from authlib.integrations.httpx_client import AsyncOAuth2Client

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
        endpoint = await self._endpoint("authorization_endpoint")
        async with self._client(redirect_uri) as client:
            url: str
            url, _ = client.create_authorization_url(
                endpoint, state=state, nonce=nonce, code_verifier=code_verifier
            )
        return url

    async def exchange(self, redirect_uri: str, code: str, code_verifier: str) -> dict[str, Any]:
        """The token response for an authorization code: 401 if the provider refuses the code,
        503 if it cannot be reached or fails."""
        endpoint = await self._endpoint("token_endpoint")
        client = self._client(redirect_uri)
        from authlib.integrations.base_client import OAuthError  # loaded by _client

        try:
            async with client:
                token: dict[str, Any] = await client.fetch_token(
                    endpoint, code=code, code_verifier=code_verifier
                )
                return token
        except OAuthError as error:
            raise Unauthenticated(
                f"The identity provider refused the sign-in ({error.error}); start again at "
                "/auth/login."
            ) from None
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            if status >= 500 or status == 429:
                raise _unreachable(f"token endpoint answered {status}") from None
            raise Unauthenticated(
                f"The identity provider refused the sign-in (HTTP {status})."
            ) from None
        except httpx.HTTPError as error:
            raise _unreachable(f"token endpoint: {error!r}") from None
