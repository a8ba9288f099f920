"""Browser sessions and sign-ins in flight, kept server-side (the cookie is a random key)."""

import hashlib
import secrets
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from services.core.clock import now_ms
from services.core.db.engine import Connection
from services.core.db.tables.auth import auth_pending_logins, auth_sessions

LOGIN_TTL_MS = 10 * 60 * 1000


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def begin_login(conn: Connection, return_to: str) -> dict[str, str]:
    pending = {
        "state": secrets.token_urlsafe(32),
        "code_verifier": secrets.token_urlsafe(48),
        "nonce": secrets.token_urlsafe(24),
        "return_to": return_to,
        "expires_at": now_ms() + LOGIN_TTL_MS,
    }
    await conn.execute(
        delete(auth_pending_logins).where(auth_pending_logins.c.expires_at < now_ms())
    )
    await conn.execute(insert(auth_pending_logins).values(**pending))
    return pending


async def finish_login(conn: Connection, state: str) -> Any | None:
    """The pending sign-in for this state, consumed (a state works once)."""
    row = (
        await conn.execute(
            delete(auth_pending_logins)
            .where(auth_pending_logins.c.state == state)
            .returning(*auth_pending_logins.c)
        )
    ).first()
    return row if row is not None and row.expires_at >= now_ms() else None


async def create_session(
    conn: Connection, identity: dict[str, Any], lifetime_ms: int
) -> tuple[str, str]:
    """Return (cookie value, CSRF token)."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    await conn.execute(
        insert(auth_sessions).values(
            session_hash=_hash(cookie),
            csrf_token=csrf,
            created_at=now_ms(),
            expires_at=now_ms() + lifetime_ms,
            **identity,
        )
    )
    return cookie, csrf


async def end_session(conn: Connection, cookie: str) -> None:
    await conn.execute(delete(auth_sessions).where(auth_sessions.c.session_hash == _hash(cookie)))


async def session_csrf(conn: Connection, cookie: str) -> str | None:
    return (
        await conn.execute(
            select(auth_sessions.c.csrf_token).where(auth_sessions.c.session_hash == _hash(cookie))
        )
    ).scalar_one_or_none()
