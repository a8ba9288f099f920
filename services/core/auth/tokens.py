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

from services.core.clock import now_ms
from services.core.db.engine import Connection
from services.core.db.tables.auth import auth_tokens, service_accounts

PREFIX = "gmr_"


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


async def resolve(conn: Connection, token: str) -> tuple[Any, list[str]] | None:
    """The live token row and the owner's groups, or None if unknown, expired or revoked.
    One query: a service account's live groups come along through the join."""
    t, sa = auth_tokens.c, service_accounts.c
    row = (
        await conn.execute(
            select(auth_tokens, sa.groups.label("account_groups"), sa.name.label("account"))
            .outerjoin(service_accounts, t.owner == "service:" + sa.name)
            .where(t.token_hash == digest(token))
        )
    ).first()
    now = now_ms()
    if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
        return None
    groups = list(row.groups)
    if row.owner.startswith("service:"):
        if row.account is None:  # the service account was deleted
            return None
        groups = list(row.account_groups)
    if not row.last_used_at or now - row.last_used_at > 60_000:
        await conn.execute(
            update(auth_tokens)
            .where(auth_tokens.c.token_id == row.token_id)
            .values(last_used_at=now)
        )
    return row, groups
