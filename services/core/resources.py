"""Long-lived clients (database engine, artifact store), opened in a lifespan and disposed
on shutdown, never at import. `grimoire server` opens one set and shares it between the
mounted services; a standalone service opens its own."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from services.core.config import artifact_settings, database_settings, grimoire_settings
from services.core.db.engine import Database, create_engine
from services.core.db.migrate import SchemaNotAtHead, current_and_head
from services.core.storage.base import ArtifactStore
from services.core.storage.factory import open_store


@dataclass
class Resources:
    db: Database
    store: ArtifactStore

    def attach(self, app: FastAPI) -> None:
        app.state.db = self.db
        app.state.store = self.store


def database_url() -> str:
    url = database_settings().url
    if url is None:
        raise RuntimeError(
            "GRIMOIRE_DATABASE_URL is not set. Point it at PostgreSQL, or run `grimoire server`, "
            "which starts an embedded PostgreSQL when nothing is configured."
        )
    return url.get_secret_value()


async def assert_schema_at_head(db: Database) -> None:
    current, head = await db.run(current_and_head)
    if current != head:
        raise SchemaNotAtHead(current, head)


@asynccontextmanager
async def open_resources(application_name: str) -> AsyncIterator[Resources]:
    settings = database_settings()
    db = Database(create_engine(database_url(), settings, application_name), settings)
    store = open_store(artifact_settings(), grimoire_settings())
    try:
        await assert_schema_at_head(db)
        yield Resources(db=db, store=store)
    finally:
        await store.close()
        await db.dispose()
