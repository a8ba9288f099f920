"""Grimoire personal access and service-account tokens: `gmr_` + 256 random bits.

Only the SHA-256 is stored; a fast hash suffices because the tokens are random, not
passwords. The plain token exists once, in the response that creates it.
"""

import hashlib
import secrets
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.auth.credential_cache import TokenCache, TokenRecord
from services.core.clock import now_ms
from services.core.db.engine import Connection
from services.core.db.tables.auth import auth_tokens, service_accounts

PREFIX = "gmr_"
# last_used_at is kept to the minute: no write per request.
LAST_USED_PRECISION_MS = 60_000


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(
    conn: Connection, owner: str, name: str, groups: list[str], expires_at: int | None
) -> dict[str, Any]:
    token = PREFIX + secrets.token_urlsafe(32)
    record = {
        "token_id": uuid.uuid4().hex,
        "token_hash": digest(token),
        "prefix": token[:10],
        "name": name,
        "owner": owner,
        "groups": groups,
        "created_at": now_ms(),
        "expires_at": expires_at,
    }
    await conn.execute(insert(auth_tokens).values(**record))
    return {**public(record), "token": token}


def public(record: Any) -> dict[str, Any]:
    get = record.get if isinstance(record, dict) else lambda k: getattr(record, k, None)
    return {
        key: get(key)
        for key in (
            "token_id",
            "prefix",
            "name",
            "owner",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        )
    }


def live(record: TokenRecord, now: int) -> bool:
    return not record.expires_at or record.expires_at > now


async def _lookup(conn: Connection, token_hash: str) -> TokenRecord | None:
    """The token's record if it exists and is not revoked. One query: a service account's
    live groups come along through the join."""
    t, sa = auth_tokens.c, service_accounts.c
    row = (
        await conn.execute(
            select(auth_tokens, sa.groups.label("account_groups"), sa.name.label("account"))
            .outerjoin(service_accounts, t.owner == "service:" + sa.name)
            .where(t.token_hash == token_hash)
        )
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    groups = list(row.groups)
    if row.owner.startswith("service:"):
        if row.account is None:  # the service account was deleted
            return None
        groups = list(row.account_groups)
    return TokenRecord(row.token_id, row.owner, groups, row.expires_at, row.last_used_at)


def cached(cache: TokenCache, token: str) -> TokenRecord | None:
    """The live record from memory, when the cache holds it and it is fresh to use."""
    record, now = cache.get(digest(token)), now_ms()
    if record is None or not live(record, now) or _needs_touch(record, now):
        return None
    return record


def _needs_touch(record: TokenRecord, now: int) -> bool:
    return not record.last_used_at or now - record.last_used_at > LAST_USED_PRECISION_MS


async def resolve(conn: Connection, cache: TokenCache, token: str) -> TokenRecord | None:
    """The live token's record, or None if unknown, expired or revoked. Refreshes
    `last_used_at` at most once a minute per process and token."""
    token_hash = digest(token)
    generation = cache.generation
    record = await _lookup(conn, token_hash)
    now = now_ms()
    if record is None or not live(record, now):
        return None
    if _needs_touch(record, now):
        await conn.execute(
            update(auth_tokens)
            .where(auth_tokens.c.token_id == record.token_id)
            .values(last_used_at=now)
        )
        record.last_used_at = now
    cache.put(token_hash, record, generation)
    return record
