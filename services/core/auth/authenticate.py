"""Turn a request's credentials into a Principal, or refuse with 401.

Accepted, as the unmodified mlflow client sends them:
- `Authorization: Bearer <token>` (MLFLOW_TRACKING_TOKEN);
- `Authorization: Basic base64(user:<token>)` (MLFLOW_TRACKING_USERNAME / _PASSWORD, with a
  token as the password; the user name is ignored);
where <token> is a Grimoire token (`gmr_...`) or a JWT access token from the issuer with our
audience (also client_credentials tokens for pipelines). Browsers use the session cookie.

A person is the same principal whichever of these they use: the name and groups come from
their `users` row (services/core/auth/users.py), which sessions and personal tokens point at
and an access token's subject finds.
"""

import base64
from typing import TYPE_CHECKING, Any

from services.core.auth import sessions, tokens, users
from services.core.auth.credential_cache import Person, TokenCache, TokenRecord
from services.core.auth.principal import Principal
from services.core.config import AuthSettings
from services.core.db.engine import Connection
from services.core.errors import Unauthenticated

if TYPE_CHECKING:  # authlib and joserfc are imported only where an issuer is configured
    from services.core.auth.oidc import OIDCProvider

SESSION_COOKIE = "grimoire_session"


def _csv(value: str) -> set[str]:
    return {part.strip() for part in value.split(",") if part.strip()}


def make_principal(
    settings: AuthSettings, name: str, kind: str, groups: Any, **extra: Any
) -> Principal:
    admin = name in _csv(settings.admin_users) or bool(_csv(settings.admin_groups) & set(groups))
    return Principal(name, kind, tuple(sorted(groups)), admin, **extra)


def bearer_token(authorization: str) -> str | None:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic":
        try:
            _, _, password = base64.b64decode(value.strip()).decode().partition(":")
        except ValueError:  # bad base64 (binascii.Error), non-ASCII, or not UTF-8
            raise Unauthenticated("Malformed Basic credentials.") from None
        return password or None
    return None


def _client_principal(settings: AuthSettings, claims: dict[str, Any]) -> Principal | None:
    """A pipeline's own token (client_credentials: the subject is the client): no person."""
    if "client_id" not in claims or claims["client_id"] != claims.get("sub"):
        return None
    name = users.username_from(settings, claims)
    if name is None:
        raise Unauthenticated("The token names no client.")
    return make_principal(settings, name, "client", users.groups_from(settings, claims) or ())


def _person_principal(settings: AuthSettings, person: Person, claim: users.Claimed) -> Principal:
    groups = users.groups_now(person, claim)
    return make_principal(settings, person.username, "user", groups, user_id=person.user_id)


def _token_principal(settings: AuthSettings, record: TokenRecord) -> Principal:
    kind, _, owner = record.owner.partition(":")
    name = record.owner if kind == "service" else owner
    acts_for = None
    if record.acts_for is not None:
        # Made as any principal is, so an administrator is one here too (its role is capped
        # where it is used); only its name, groups and admin status count.
        for_name, for_groups = record.acts_for
        for_kind = "service" if for_name.startswith("service:") else "user"
        acts_for = make_principal(settings, for_name, for_kind, for_groups)
    return make_principal(
        settings,
        name,
        kind,
        record.groups,
        token_id=record.token_id,
        user_id=record.user_id,
        acts_for=acts_for,
    )


def _token_of(authorization: str) -> str:
    token = bearer_token(authorization)
    if not token:
        raise Unauthenticated("Unsupported Authorization header; use Bearer or Basic.")
    return token


async def without_database(
    settings: AuthSettings,
    oidc: "OIDCProvider",
    cache: TokenCache,
    authorization: str | None,
) -> Principal | None:
    """The caller when no database read is needed to know it: a Grimoire token found in the
    cache, or a JWT (checked against the issuer's keys) of a client or of a person the cache
    knows, unless it brings newer groups to store. None: ask `authenticate`."""
    if not authorization:
        return None
    token = _token_of(authorization)
    if token.startswith(tokens.PREFIX):
        record = tokens.cached(cache, token)
        return _token_principal(settings, record) if record is not None else None
    claims = await oidc.validate_access_token(token)
    client = _client_principal(settings, claims)
    if client is not None:
        return client
    claim = users.claimed(settings, claims)
    person = cache.person(claim.subject)
    if person is None or users.brings_new_groups(person, claim):
        return None  # authenticate() checks the token again: once per person and process
    return _person_principal(settings, person, claim)


async def authenticate(
    conn: Connection,
    settings: AuthSettings,
    oidc: "OIDCProvider",
    cache: TokenCache,
    authorization: str | None,
    session_cookie: str | None,
) -> Principal:
    """Runs on the guard's one read-only connection, with the authorization that follows."""
    if authorization:
        token = _token_of(authorization)
        if token.startswith(tokens.PREFIX):
            record = await tokens.resolve(conn, cache, token, oidc.issuer)
            if record is None:
                raise Unauthenticated("The token is unknown, expired or revoked.")
            return _token_principal(settings, record)
        claims = await oidc.validate_access_token(token)
        client = _client_principal(settings, claims)
        if client is not None:
            return client
        claim = users.claimed(settings, claims)
        generation = cache.generation
        person = await users.person_of_access_token(conn, oidc.issuer, claim)
        cache.remember_person(claim.subject, person, generation)
        return _person_principal(settings, person, claim)
    if session_cookie:
        session = await sessions.live_session(conn, session_cookie, oidc.issuer)
        if session is None:
            raise Unauthenticated("The session has expired; sign in again at /auth/login.")
        return make_principal(
            settings,
            session.username,
            "user",
            session.groups,
            csrf_token=session.csrf_token,
            user_id=session.user_id,
        )
    raise Unauthenticated(
        "Authentication required: send a token (MLFLOW_TRACKING_TOKEN) or sign in at /auth/login."
    )
