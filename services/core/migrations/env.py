"""Alembic environment. Always driven by services.core.db.migrate, which hands over a live
connection that already holds the migration advisory lock."""

from alembic import context

from services.core.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
