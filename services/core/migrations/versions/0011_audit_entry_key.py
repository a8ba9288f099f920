"""Audit entries keyed by their request, so a replayed transaction never writes one twice.

The guard prepares a request's entry with a random key; the entry is written in the change's
own transaction. When the connection drops after COMMIT was sent, the engine replays the
transaction, and the replay's insert meets the committed row (ON CONFLICT DO NOTHING).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("entry_key", sa.String(length=32), nullable=True))
    op.create_unique_constraint(op.f("uq_audit_log_entry_key"), "audit_log", ["entry_key"])


def downgrade() -> None:
    op.drop_constraint(op.f("uq_audit_log_entry_key"), "audit_log", type_="unique")
    op.drop_column("audit_log", "entry_key")
