"""People: one stable identity per person, whichever way they authenticate.

A person is the issuer plus the `sub` it gives them (`users`, unique on both): a browser
session, a personal Grimoire token and an IdP access token of the same person all become
the same principal, named by the person's current username. The username is the first
configured username claim (GRIMOIRE_AUTH_USERNAME_CLAIMS) of their latest browser sign-in,
whose ID token carries the full profile; an access token only names a person the first time
their subject is seen, because access tokens often carry fewer claims (the test provider's
carry `sub` alone). Grants and GRIMOIRE_AUTH_ADMIN_USERS name that username, as admins type it.

One name, one person: when a sign-in shows that the IdP gave a username to someone else,
whoever held it here is renamed `sub:<their subject>` until they sign in again, so grants made
to the name follow it to its new holder and never stay with the old one.

Groups are those of the most recently issued credential seen (an ID token at sign-in, or an
access token), by its `iat`: a token issued before a change cannot bring old groups back.
`iat` counts seconds; within the second of a sign-in the sign-in's groups stand.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal, select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.auth.credential_cache import Person
from services.core.clock import now_ms
from services.core.config import AuthSettings
from services.core.db.engine import Connection
from services.core.db.tables.auth import auth_tokens, users
from services.core.errors import Unauthenticated
from services.core.fields import contains_nul

u = users.c
DISPLACED_PREFIX = "sub:"


@dataclass(frozen=True)
class Claimed:
    """What a validated ID or access token says about the person it was issued to."""

    subject: str
    username: str | None
    groups: tuple[str, ...] | None  # None: the token has no groups claim, so says nothing
    issued_at: int  # ms
    display_name: str | None = None
    email: str | None = None


def username_from(settings: AuthSettings, claims: dict[str, Any]) -> str | None:
    for claim in (c.strip() for c in settings.username_claims.split(",")):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value
    return None


def groups_from(settings: AuthSettings, claims: dict[str, Any]) -> tuple[str, ...] | None:
    """The groups a token states; None if it has no groups claim (some providers put groups
    in ID tokens only, or in access tokens only)."""
    value = claims.get(settings.groups_claim)
    if value is None:
        return None
    if value == "":
        return ()
    if isinstance(value, str):
        return (value,)  # one group (some providers send a lone group as a string)
    if isinstance(value, list) and all(isinstance(group, str) for group in value):
        return tuple(sorted(set(value)))
    raise Unauthenticated(
        f"The token's {settings.groups_claim!r} claim is neither a string nor a list of strings."
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def claimed(settings: AuthSettings, claims: dict[str, Any]) -> Claimed:
    # A signed token is still input: PostgreSQL text cannot hold U+0000.
    if contains_nul(claims):
        raise Unauthenticated("The token's claims hold a NUL character.")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated("The token names no subject.")
    issued_at = claims.get("iat")
    return Claimed(
        subject=subject,
        username=username_from(settings, claims),
        groups=groups_from(settings, claims),
        issued_at=int(issued_at * 1000) if isinstance(issued_at, (int, float)) else 0,
        display_name=_text(claims.get("name")),
        email=_text(claims.get("email")),
    )


def _states_newer_groups(person: Person, claim: Claimed) -> bool:
    return claim.groups is not None and claim.issued_at > person.groups_issued_at


def _groups_issued_at(claim: Claimed) -> int:
    """When a new row's groups were stated: never, if the token had no groups claim (so any
    token that has one counts as newer)."""
    return claim.issued_at if claim.groups is not None else 0


def groups_now(person: Person, claim: Claimed) -> tuple[str, ...]:
    """The groups of the most recently issued credential: the token's, or the stored ones."""
    stated = claim.groups if _states_newer_groups(person, claim) else None
    return person.groups if stated is None else stated


def brings_new_groups(person: Person, claim: Claimed) -> bool:
    """The token is newer than the stored groups and says something else: store its groups."""
    return _states_newer_groups(person, claim) and claim.groups != person.groups


def _person(row: Any) -> Person:
    return Person(row.user_id, row.username, tuple(sorted(row.groups)), row.groups_issued_at)


_PERSON_COLUMNS = (u.user_id, u.username, u.groups, u.groups_issued_at)


async def _find(conn: Connection, issuer: str, subject: str, lock: bool = False) -> Any:
    statement = select(*_PERSON_COLUMNS).where(u.issuer == issuer, u.subject == subject)
    return (await conn.execute(statement.with_for_update() if lock else statement)).first()


async def _rename_tokens(conn: Connection, user_id: int, username: str) -> None:
    """Token owners show the current name (listing and revoking match it)."""
    await conn.execute(
        update(auth_tokens).where(auth_tokens.c.user_id == user_id).values(owner=f"user:{username}")
    )


async def _release_username(conn: Connection, issuer: str, username: str, subject: str) -> None:
    released = await conn.execute(
        update(users)
        .where(u.issuer == issuer, u.username == username, u.subject != subject)
        .values(username=literal(DISPLACED_PREFIX) + u.subject)
        .returning(u.user_id, u.username)
    )
    for user_id, new_name in released.all():
        await _rename_tokens(conn, user_id, new_name)


async def remember_sign_in(conn: Connection, issuer: str, claim: Claimed) -> int:
    """The person an ID token names, created or brought up to date; their user_id."""
    if claim.username is None:
        raise Unauthenticated("The ID token names no user.")
    await _release_username(conn, issuer, claim.username, claim.subject)
    profile: dict[str, object] = {
        "username": claim.username,
        "display_name": claim.display_name,
        "email": claim.email,
        "signed_in_at": now_ms(),
    }
    created = await conn.execute(
        insert(users)
        .values(
            issuer=issuer,
            subject=claim.subject,
            groups=list(claim.groups or ()),
            groups_issued_at=_groups_issued_at(claim),
            **profile,
        )
        .on_conflict_do_nothing(index_elements=["issuer", "subject"])
        .returning(u.user_id)
    )
    user_id: int | None = created.scalar_one_or_none()
    if user_id is not None:
        return user_id
    known = await _find(conn, issuer, claim.subject, lock=True)
    if claim.groups is not None and claim.issued_at >= known.groups_issued_at:
        # (a tie, iat being in seconds, goes to the sign-in)
        profile |= {"groups": list(claim.groups), "groups_issued_at": claim.issued_at}
    await conn.execute(update(users).where(u.user_id == known.user_id).values(**profile))
    if known.username != claim.username:
        await _rename_tokens(conn, known.user_id, claim.username)
    known_id: int = known.user_id
    return known_id


async def _first_seen(conn: Connection, issuer: str, claim: Claimed) -> Person:
    """A person known only from an access token so far. Its name never displaces anyone's:
    if another person holds it, this one is known by subject until they sign in."""
    if claim.username is None:
        raise Unauthenticated("The token names no user.")
    taken = await conn.execute(
        select(u.user_id).where(u.issuer == issuer, u.username == claim.username).limit(1)
    )
    username = claim.username if taken.first() is None else DISPLACED_PREFIX + claim.subject
    created = await conn.execute(
        insert(users)
        .values(
            issuer=issuer,
            subject=claim.subject,
            username=username,
            groups=list(claim.groups or ()),
            groups_issued_at=_groups_issued_at(claim),
        )
        .on_conflict_do_nothing(index_elements=["issuer", "subject"])
        .returning(*_PERSON_COLUMNS)
    )
    row = created.first() or await _find(conn, issuer, claim.subject)  # or a concurrent insert
    return _person(row)


async def person_of_access_token(conn: Connection, issuer: str, claim: Claimed) -> Person:
    """The person an access token names; a newer token's groups are stored (a write only
    when they changed, which notifies every process)."""
    row = await _find(conn, issuer, claim.subject)
    if row is None:
        return await _first_seen(conn, issuer, claim)
    person = _person(row)
    if not brings_new_groups(person, claim):
        return person
    updated = await conn.execute(
        update(users)
        .where(u.user_id == person.user_id, u.groups_issued_at < claim.issued_at)
        .values(groups=list(claim.groups or ()), groups_issued_at=claim.issued_at)
        .returning(*_PERSON_COLUMNS)
    )
    row = updated.first() or await _find(conn, issuer, claim.subject)  # or a newer one won
    return _person(row)
