"""Long-lived clients (database engine, artifact store), opened in a lifespan and disposed
on shutdown, never at import. `grimoire server` opens one set and shares it between the
mounted services; a standalone service opens its own."""

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI

from services.core.auth.access_cache import AccessCache
from services.core.auth.credential_cache import CredentialWatch, TokenCache
from services.core.config import (
    AuthSettings,
    artifact_settings,
    auth_settings,
    database_settings,
    grimoire_settings,
)
from services.core.db.engine import Database, create_engine
from services.core.db.schema_version import SchemaNotAtHead, current_and_head
from services.core.db.statistics import StatisticsKeeper
from services.core.gc_tuning import tune_garbage_collection
from services.core.observability import forget_this_process, record_pool_limits
from services.core.storage.base import ArtifactStore
from services.core.storage.factory import open_store

if TYPE_CHECKING:
    from services.core.auth.oidc import OIDCProvider

log = logging.getLogger(__name__)


@dataclass
class Resources:
    db: Database
    store: ArtifactStore
    auth: AuthSettings
    oidc: "OIDCProvider | None"
    token_cache: TokenCache
    access_cache: AccessCache

    def attach(self, app: FastAPI) -> None:
        app.state.token_cache = self.token_cache
        app.state.access_cache = self.access_cache
        app.state.db = self.db
        app.state.store = self.store
        app.state.auth_settings = self.auth
        app.state.oidc = self.oidc


def database_url() -> str:
    url = database_settings().url
    if url is None:
        raise RuntimeError(
            "GRIMOIRE_DATABASE_URL is not set. Point it at PostgreSQL, or run `grimoire server`, "
            "which starts an embedded PostgreSQL when nothing is configured."
        )
    return url.get_secret_value()


async def assert_schema_at_head(db: Database) -> None:
    current, head = await db.transaction(current_and_head)
    if current != head:
        raise SchemaNotAtHead(current, head)


def _open_oidc(stack: AsyncExitStack, auth: AuthSettings) -> "OIDCProvider":
    """The identity provider's client, imported here (with httpx), not at module level: a
    process without authentication never loads it. joserfc, authlib and the provider's HTTP
    client load later still, at their first use (services/core/auth/oidc.py)."""
    from services.core.auth.oidc import OIDCProvider

    provider = OIDCProvider(auth)
    stack.push_async_callback(provider.aclose)
    return provider


@asynccontextmanager
async def open_resources(application_name: str) -> AsyncIterator[Resources]:
    settings = database_settings()
    db = Database(create_engine(database_url(), settings, application_name), settings)
    record_pool_limits(settings.pool_size, settings.max_overflow)
    store = open_store(artifact_settings(), grimoire_settings())
    auth = auth_settings()
    token_cache = TokenCache()
    access_cache = AccessCache()
    try:
        await assert_schema_at_head(db)
        async with AsyncExitStack() as stack:
            oidc = _open_oidc(stack, auth) if auth.enabled else None
            await stack.enter_async_context(StatisticsKeeper(db, settings.analyze_interval_seconds))
            if auth.enabled:
                await stack.enter_async_context(
                    CredentialWatch(database_url(), (token_cache, access_cache))
                )
            else:
                log.warning("AUTHENTICATION IS OFF: anyone who can reach this server can use it.")
            tune_garbage_collection()
            yield Resources(
                db=db,
                store=store,
                auth=auth,
                oidc=oidc,
                token_cache=token_cache,
                access_cache=access_cache,
            )
    finally:
        await store.close()
        await db.dispose()
        forget_this_process()
