"""Validated Grimoire tokens and known people kept in memory, dropped the moment a credential
changes.

Looking a token up costs every request a database round trip (and PostgreSQL the query),
for an answer that almost never changes. Each process therefore caches token records by
hash, and the person an IdP access token's subject is (their `users` row), but only while it
listens on the `grimoire_credentials` channel, which triggers on `auth_tokens`,
`service_accounts` and `users` notify at the commit of any revocation, expiry, owner, group,
service-account, username or a person's groups change (migrations 0005 and 0009), whoever
makes it; grant changes notify it too (migration 0006) for the access cache. A notification
empties the cache; so does losing the listening connection, and until it is back the cache is
off and every request reads the database. A lookup that raced a notification is not stored
(the generation counter), and entries also age out after `TTL_SECONDS` as a last resort.
Expiry times are checked on every hit, so an expired token is refused on time.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from cachetools import TTLCache

from services.core.db.notifications import asyncpg_dsn, listening_connection
from services.core.loops import LoopService
from services.core.observability import (
    CREDENTIAL_LISTENER_CONNECTS,
    TOKEN_CACHE_ENABLED,
    TOKEN_CACHE_LOOKUPS,
)

log = logging.getLogger(__name__)

CHANNEL = "grimoire_credentials"
TTL_SECONDS = 300
MAX_ENTRIES = 10_000
RECONNECT_SECONDS = (0.5, 1, 2, 5)
PING_SECONDS = 15


@dataclass
class TokenRecord:
    """What authentication needs of a live token row: its owner's current name and groups."""

    token_id: str
    owner: str  # "user:<current username>" or "service:<name>"
    groups: list[str]
    expires_at: int | None
    last_used_at: int | None
    user_id: int | None = None  # the person a personal token acts for
    # A service account acting for someone (its `acts_for`): their current name and groups.
    acts_for: tuple[str, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Person:
    """A person as the `users` table knows them: the principal an access token naming their
    subject becomes."""

    user_id: int
    username: str
    groups: tuple[str, ...]
    groups_issued_at: int  # ms; groups from an older credential do not replace these


class NotifiedCache:
    """Entries trusted only while the change listener is connected (`CredentialWatch`): a
    notification, and the listener going or coming back, empty them, and a value read before
    the latest notification is not stored (the generation counter)."""

    def __init__(self, entries: TTLCache[Any, Any]) -> None:
        self._entries = entries
        self.generation = 0
        self.enabled = False  # only while the change listener is connected

    def _store(self, key: Any, value: Any, generation: int) -> None:
        """Store a value read at `generation`; dropped if a change arrived meanwhile."""
        if self.enabled and generation == self.generation:
            self._entries[key] = value

    def invalidate(self) -> None:
        self.generation += 1
        self._entries.clear()

    def set_enabled(self, enabled: bool) -> None:
        self.invalidate()
        self.enabled = enabled


class TokenCache(NotifiedCache):
    def __init__(self) -> None:
        super().__init__(TTLCache(MAX_ENTRIES, TTL_SECONDS))

    def get(self, token_hash: str) -> TokenRecord | None:
        record = self._entries.get(token_hash) if self.enabled else None
        TOKEN_CACHE_LOOKUPS.labels("miss" if record is None else "hit").inc()
        return record

    def put(self, token_hash: str, record: TokenRecord, generation: int) -> None:
        self._store(token_hash, record, generation)

    def person(self, subject: str) -> Person | None:
        """The person the configured issuer's `subject` is, if remembered."""
        return self._entries.get(("subject", subject)) if self.enabled else None

    def remember_person(self, subject: str, person: Person, generation: int) -> None:
        # A tuple key: token hashes are strings, so the two kinds of entry never collide.
        self._store(("subject", subject), person, generation)

    def set_enabled(self, enabled: bool) -> None:
        super().set_enabled(enabled)
        TOKEN_CACHE_ENABLED.set(1 if enabled else 0)


class CredentialWatch(LoopService):
    """Keeps one connection listening for credential and grant changes; enables the caches
    (tokens, and the access cache's roles) while it is up.

    Each pass connects if there is no connection, or pings the one there is: a silently
    dropped connection raises no event. A connection that closes wakes the loop, so the
    caches are off from that moment and the next pass reconnects at once; failed connects
    are retried after `RECONNECT_SECONDS`."""

    name = "credential-watch"
    interval_seconds = PING_SECONDS
    failure_backoff = RECONNECT_SECONDS
    # The database unreachable or refusing us: one warning line, the caches stay off.
    expected_errors = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)

    def __init__(self, database_url: str, caches: Sequence[NotifiedCache]):
        super().__init__()
        self.dsn = asyncpg_dsn(database_url)
        self.caches = tuple(caches)
        self._conn: asyncpg.Connection | None = None

    def _enable(self, enabled: bool) -> None:
        for cache in self.caches:
            cache.set_enabled(enabled)

    async def run_once(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            try:
                await self._conn.fetchval("SELECT 1", timeout=5)
                return
            except Exception as error:  # whatever broke, fall back to the database
                log.warning("credential listener lost (%s); token cache off", error)
                self._drop()
        await self._listen()

    async def _listen(self) -> None:
        self._conn = await listening_connection(
            self.dsn, CHANNEL, "grimoire-watch", self._changed, self._terminated
        )
        # Changes made while no one listened are unknown: start from empty.
        self._enable(True)
        CREDENTIAL_LISTENER_CONNECTS.inc()

    def _changed(self, *_: Any) -> None:
        for cache in self.caches:
            cache.invalidate()

    def _terminated(self, conn: asyncpg.Connection) -> None:
        if conn is self._conn:  # not one this watch already dropped itself
            log.warning("credential listener lost; token cache off")
            self._enable(False)
            self.wake()

    def _drop(self) -> None:
        self._enable(False)
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()

    async def on_stop(self) -> None:
        self._drop()
