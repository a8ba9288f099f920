"""What a second `grimoire import` compares instead of reading everything again: the digest
of an imported run's rows as Grimoire stored them, and the size and sha256 of every artifact
file the import copied (services/core/db/tables/imports.py).

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_ledger", sa.Column("stored_digest", sa.String(length=64)))
    op.add_column("import_ledger", sa.Column("files", postgresql.JSONB()))


def downgrade() -> None:
    op.drop_column("import_ledger", "files")
    op.drop_column("import_ledger", "stored_digest")
