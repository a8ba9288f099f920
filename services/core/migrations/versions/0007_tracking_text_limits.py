"""Indexes that let every param and tag value within MLflow's limits be stored.

A btree entry holds at most 2,704 bytes, so the `(key, value)` indexes of params and tags
refused any value past that (a 6,000-character param of random text: a 500). They become
`(key, left(value, 256))`: equality and IN filters still use an index (search_sql), and the
planner keeps the same plans (measured over 20,000 runs). Creating them takes a write lock
on each table for as long as the build; on a large installation, build them beforehand with
CREATE INDEX CONCURRENTLY under the same names and this migration skips them.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# services.core.db.tables.tracking.INDEXED_VALUE_PREFIX, written out: a migration must not
# change when the code does.
PREFIX = 256
TABLES = ("params", "tags")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_key_value")
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_{table}_key_value_prefix "
            f"ON {table} (key, left(value, {PREFIX}))"
        )


def downgrade() -> None:
    # The whole-value index cannot be built while a long value is stored.
    for table in TABLES:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_key_value_prefix")
        op.execute(f"CREATE INDEX ix_{table}_key_value ON {table} (key, value)")
