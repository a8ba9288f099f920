"""Metric points keyed in history order.

The primary key becomes (run_uuid, key, timestamp, step, value), the order MLflow returns a
metric's history in, so a page of history is a range scan of the index with no sort (keyset
paging instead of OFFSET). Same columns, so a point's identity and idempotent retries are
unchanged.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("pk_metrics", "metrics", type_="primary")
    op.create_primary_key(
        "pk_metrics", "metrics", ["run_uuid", "key", "timestamp", "step", "value"]
    )


def downgrade() -> None:
    op.drop_constraint("pk_metrics", "metrics", type_="primary")
    op.create_primary_key(
        "pk_metrics", "metrics", ["run_uuid", "key", "step", "timestamp", "value"]
    )
