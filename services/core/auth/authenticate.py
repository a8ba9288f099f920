"""Turn a request's credentials into a Principal, or refuse with 401.

Accepted, as the unmodified mlflow client sends them:
- `Authorization: Bearer <token>` (MLFLOW_TRACKING_TOKEN);
- `Authorization: Basic base64(user:<token>)` (MLFLOW_TRACKING_USERNAME / _PASSWORD, with a
  token as the password; the user name is ignored);
where <token> is a Grimoire token (`gmr_...`) or a JWT access token from the issuer with our
audience (also client_credentials tokens for pipelines). Browsers use the session cookie.
"""

import base64
import binascii
import hashlib

from sqlalchemy import select

from services.core.auth import tokens
from services.core.auth.credential_cache import TokenCache, TokenRecord
from services.core.auth.oidc import OIDCProvider
from services.core.auth.principal import Principal
from services.core.clock import now_ms
from services.core.config import AuthSettings
from services.core.db.engine import Connection
from services.core.db.tables.auth import auth_sessions
from services.core.errors import Unauthenticated

SESSION_COOKIE = "grimoire_session"


def _csv(value: str) -> set[str]:
    return {part.strip() for part in value.split(",") if part.strip()}


def make_principal(
    settings: AuthSettings, name: str, kind: str, groups: list[str], **extra: str | None
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
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthenticated("Malformed Basic credentials.") from None
        return password or None
    return None


def claims_principal(settings: AuthSettings, claims: dict) -> Principal:
    name = next(
        (
            str(claims[c])
            for c in [c.strip() for c in settings.username_claims.split(",")]
            if claims.get(c)
        ),
        None,
    )
    if name is None:
        raise Unauthenticated("The token names no user.")
    groups = claims.get(settings.groups_claim) or []
    kind = "client" if claims.get("client_id") == claims.get("sub") else "user"
    return make_principal(settings, name, kind, [str(g) for g in groups])


def _token_principal(settings: AuthSettings, record: TokenRecord) -> Principal:
    kind, _, owner = record.owner.partition(":")
    name = record.owner if kind == "service" else owner
    return make_principal(settings, name, kind, record.groups, token_id=record.token_id)


async def _from_session(conn: Connection, settings: AuthSettings, cookie: str) -> Principal | None:
    session_hash = hashlib.sha256(cookie.encode()).hexdigest()
    row = (
        await conn.execute(
            select(auth_sessions).where(auth_sessions.c.session_hash == session_hash)
        )
    ).first()
    if row is None or row.expires_at <= now_ms():
        return None
    return make_principal(
        settings, row.username, "user", list(row.groups), csrf_token=row.csrf_token
    )


async def without_database(
    settings: AuthSettings,
    oidc: OIDCProvider,
    cache: TokenCache,
    authorization: str | None,
) -> Principal | None:
    """The caller when no database read is needed to know it: a Grimoire token found in the
    cache, or a JWT (checked against the issuer's keys). None: ask `authenticate`."""
    if not authorization:
        return None
    token = bearer_token(authorization)
    if not token:
        raise Unauthenticated("Unsupported Authorization header; use Bearer or Basic.")
    if token.startswith(tokens.PREFIX):
        record = tokens.cached(cache, token)
        return _token_principal(settings, record) if record is not None else None
    claims = await oidc.validate(token, settings.audience)
    return claims_principal(settings, claims)


async def authenticate(
    conn: Connection,
    settings: AuthSettings,
    oidc: OIDCProvider,
    cache: TokenCache,
    authorization: str | None,
    session_cookie: str | None,
) -> Principal:
    """Runs on the guard's one read-only connection, with the authorization that follows."""
    if authorization:
        token = bearer_token(authorization)
        if not token:
            raise Unauthenticated("Unsupported Authorization header; use Bearer or Basic.")
        if token.startswith(tokens.PREFIX):
            record = await tokens.resolve(conn, cache, token)
            if record is None:
                raise Unauthenticated("The token is unknown, expired or revoked.")
            return _token_principal(settings, record)
        claims = await oidc.validate(token, settings.audience)
        return claims_principal(settings, claims)
    if session_cookie:
        principal = await _from_session(conn, settings, session_cookie)
        if principal is not None:
            return principal
        raise Unauthenticated("The session has expired; sign in again at /auth/login.")
    raise Unauthenticated(
        "Authentication required: send a token (MLFLOW_TRACKING_TOKEN) or sign in at /auth/login."
    )
