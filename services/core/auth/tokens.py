"""Grimoire personal access and service-account tokens: `gmr_` + 256 random bits.

Only their digest is stored (secret_digest.py). The plain token exists once, in the response
that creates it.
"""

import secrets
import uuid
from collections.abc import Mapping
from typing import Any, TypedDict

from sqlalchemy import RowMapping, and_, select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.auth.credential_cache import TokenCache, TokenRecord
from services.core.auth.secret_digest import secret_digest
from services.core.clock import now_ms
from services.core.db.engine import Connection, chosen_once
from services.core.db.tables.auth import auth_tokens, service_accounts, users

PREFIX = "gmr_"
# last_used_at is kept to the minute: no write per request.
LAST_USED_PRECISION_MS = 60_000


class TokenInfo(TypedDict):
    """A token as the API shows it: everything but its hash (times in epoch ms)."""

    token_id: str
    prefix: str
    name: str
    owner: str
    created_at: int
    expires_at: int | None
    revoked_at: int | None
    last_used_at: int | None


class IssuedToken(TokenInfo):
    token: str  # the plain token, in this one response only


async def issue(
    conn: Connection, owner: str, name: str, user_id: int | None, expires_at: int | None
) -> IssuedToken:
    """`user_id`: the person a personal token acts for (None for a service account's).
    Token, id and time are chosen once per call and the row inserted ON CONFLICT DO NOTHING:
    an issue replayed after its COMMIT's answer was lost hands out the token that committed,
    never a second live one nobody was told about."""
    token = chosen_once("auth_token", lambda: PREFIX + secrets.token_urlsafe(32))
    record = {
        "token_id": chosen_once("auth_token_id", lambda: uuid.uuid4().hex),
        "token_hash": secret_digest(token),
        "prefix": token[:10],
        "name": name,
        "owner": owner,
        "user_id": user_id,
        "created_at": chosen_once("auth_token_created_at", now_ms),
        "expires_at": expires_at,
    }
    await conn.execute(insert(auth_tokens).values(**record).on_conflict_do_nothing())
    return {**public(record), "token": token}


def public(record: Mapping[str, Any] | RowMapping) -> TokenInfo:
    """From a row, or from the record just inserted (which is never revoked or used yet)."""
    return {
        "token_id": record["token_id"],
        "prefix": record["prefix"],
        "name": record["name"],
        "owner": record["owner"],
        "created_at": record["created_at"],
        "expires_at": record.get("expires_at"),
        "revoked_at": record.get("revoked_at"),
        "last_used_at": record.get("last_used_at"),
    }


def live(record: TokenRecord, now: int) -> bool:
    return not record.expires_at or record.expires_at > now


async def _lookup(conn: Connection, token_hash: str, issuer: str) -> TokenRecord | None:
    """The token's record if it exists and is not revoked. One query: the live name and
    groups of its owner (a person of this issuer, or a service account), and of whom a
    service account acts for, come along through the joins."""
    t, sa, u = auth_tokens.c, service_accounts.c, users.c
    for_person, for_account = users.alias("for_person"), service_accounts.alias("for_account")
    row = (
        await conn.execute(
            select(
                t.token_id,
                t.owner,
                t.user_id,
                t.expires_at,
                t.revoked_at,
                t.last_used_at,
                sa.groups.label("account_groups"),
                sa.name.label("account"),
                sa.acts_for,
                sa.acts_for_user_id,
                sa.acts_for_groups,
                for_person.c.username.label("for_person_name"),
                for_person.c.groups.label("for_person_groups"),
                for_account.c.groups.label("for_account_groups"),
                u.username,
                u.groups.label("user_groups"),
            )
            .outerjoin(service_accounts, t.owner == "service:" + sa.name)
            .outerjoin(
                for_person,
                and_(sa.acts_for_user_id == for_person.c.user_id, for_person.c.issuer == issuer),
            )
            .outerjoin(for_account, sa.acts_for == "service:" + for_account.c.name)
            .outerjoin(users, and_(t.user_id == u.user_id, u.issuer == issuer))
            .where(t.token_hash == token_hash)
        )
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    acts_for = None
    if row.owner.startswith("service:"):
        if row.account is None:  # the service account was deleted
            return None
        owner, groups = row.owner, list(row.account_groups)
        acts_for = _acting_for(row)
    elif row.username is not None:
        owner, groups = f"user:{row.username}", list(row.user_groups)
    else:  # a person of another issuer (GRIMOIRE_AUTH_ISSUER changed)
        return None
    return TokenRecord(
        row.token_id,
        owner,
        groups,
        row.expires_at,
        row.last_used_at,
        user_id=row.user_id,
        acts_for=acts_for,
    )


def _acting_for(row: Any) -> tuple[str, tuple[str, ...]] | None:
    """Whom a service account acts for, as they are now: a person by their users row, a
    service account by its row, anyone else (a client) by what was recorded. A person of
    another issuer or an account that is gone: nobody (the account keeps only its own
    grants)."""
    if row.acts_for is None:
        return None
    if row.acts_for_user_id is not None:
        if row.for_person_name is None:
            return None
        return row.for_person_name, tuple(row.for_person_groups)
    if row.acts_for.startswith("service:"):
        if row.for_account_groups is None:
            return None
        return row.acts_for, tuple(row.for_account_groups)
    return row.acts_for, tuple(row.acts_for_groups or ())


def cached(cache: TokenCache, token: str) -> TokenRecord | None:
    """The live record from memory, when the cache holds it and it is fresh to use."""
    record, now = cache.get(secret_digest(token)), now_ms()
    if record is None or not live(record, now) or _needs_touch(record, now):
        return None
    return record


def _needs_touch(record: TokenRecord, now: int) -> bool:
    return not record.last_used_at or now - record.last_used_at > LAST_USED_PRECISION_MS


async def resolve(
    conn: Connection, cache: TokenCache, token: str, issuer: str
) -> TokenRecord | None:
    """The live token's record, or None if unknown, expired or revoked. Refreshes
    `last_used_at` at most once a minute per process and token."""
    token_hash = secret_digest(token)
    generation = cache.generation
    record = await _lookup(conn, token_hash, issuer)
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
