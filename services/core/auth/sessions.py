"""Browser sessions and sign-ins in flight, kept server-side (the cookie is a random key).

A sign-in is bound to the browser that started it: /auth/login sets an HttpOnly cookie
holding a fresh random value, only its SHA-256 is kept with the pending sign-in, and the
callback is accepted only with that cookie. Without the binding an attacker could start a
sign-in as themselves and have a victim's browser finish it (login CSRF): the victim would
then work, and upload, in the attacker's account. The cookie's name carries a digest of the
state, so sign-ins started in several tabs at once do not overwrite each other's.
"""

import hmac
import re
import secrets
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from services.core.auth import users
from services.core.auth.secret_digest import secret_digest
from services.core.clock import now_ms
from services.core.db.engine import Connection
from services.core.db.tables.auth import auth_pending_logins, auth_sessions
from services.core.db.tables.auth import users as users_table

LOGIN_TTL_MS = 10 * 60 * 1000
LOGIN_COOKIE_PREFIX = "grimoire_login_"
# What begin_login hands out (token_urlsafe(32)); anything else is not a sign-in of ours.
_STATE = re.compile(r"[A-Za-z0-9_-]{43}")


def login_cookie_name(state: str) -> str:
    return LOGIN_COOKIE_PREFIX + secret_digest(state)[:16]


def new_login(return_to: str) -> tuple[dict[str, Any], str]:
    """(a sign-in to begin, the browser secret to put in its login cookie)."""
    browser_secret = secrets.token_urlsafe(32)
    pending = {
        "state": secrets.token_urlsafe(32),
        "code_verifier": secrets.token_urlsafe(48),
        "nonce": secrets.token_urlsafe(24),
        "return_to": return_to,
        "browser_hash": secret_digest(browser_secret),
        "expires_at": now_ms() + LOGIN_TTL_MS,
    }
    return pending, browser_secret


async def begin_login(conn: Connection, pending: dict[str, Any]) -> None:
    await conn.execute(
        delete(auth_pending_logins).where(auth_pending_logins.c.expires_at < now_ms())
    )
    await conn.execute(insert(auth_pending_logins).values(**pending))


async def pending_login(conn: Connection, state: str) -> Any | None:
    """The unexpired sign-in started with this state (not consumed: see complete_login)."""
    if _STATE.fullmatch(state) is None:
        return None
    row = (
        await conn.execute(select(auth_pending_logins).where(auth_pending_logins.c.state == state))
    ).first()
    return row if row is not None and row.expires_at >= now_ms() else None


def started_in_this_browser(pending: Any, browser_secret: str | None) -> bool:
    return browser_secret is not None and hmac.compare_digest(
        secret_digest(browser_secret), pending.browser_hash
    )


async def complete_login(
    conn: Connection, state: str, issuer: str, claim: users.Claimed, lifetime_ms: int
) -> tuple[str, str] | None:
    """Consume the sign-in (a state works once), remember the person and open their session:
    (cookie value, CSRF token). None if another request completed this sign-in first."""
    consumed = (
        await conn.execute(
            delete(auth_pending_logins)
            .where(auth_pending_logins.c.state == state)
            .returning(auth_pending_logins.c.state)
        )
    ).first()
    if consumed is None:
        return None
    user_id = await users.remember_sign_in(conn, issuer, claim)
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    await conn.execute(
        insert(auth_sessions).values(
            session_hash=secret_digest(cookie),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now_ms(),
            expires_at=now_ms() + lifetime_ms,
        )
    )
    return cookie, csrf


async def live_session(conn: Connection, cookie: str, issuer: str) -> Any | None:
    """The unexpired session's CSRF token and its person's current name and groups."""
    s, u = auth_sessions.c, users_table.c
    row = (
        await conn.execute(
            select(s.csrf_token, s.expires_at, u.user_id, u.username, u.groups)
            .join(users_table, s.user_id == u.user_id)
            .where(s.session_hash == secret_digest(cookie), u.issuer == issuer)
        )
    ).first()
    return row if row is not None and row.expires_at > now_ms() else None


async def end_session(conn: Connection, cookie: str) -> None:
    await conn.execute(
        delete(auth_sessions).where(auth_sessions.c.session_hash == secret_digest(cookie))
    )


async def session_csrf(conn: Connection, cookie: str) -> str | None:
    return (
        await conn.execute(
            select(auth_sessions.c.csrf_token).where(
                auth_sessions.c.session_hash == secret_digest(cookie)
            )
        )
    ).scalar_one_or_none()
