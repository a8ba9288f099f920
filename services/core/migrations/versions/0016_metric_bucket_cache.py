"""The charts' downsampled histories, kept after first drawn (metric_bucket_cache).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_bucket_cache",
        sa.Column("run_uuid", sa.String(length=32), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("max_results", sa.Integer(), nullable=False),
        sa.Column("picked_steps", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("picked_timestamps", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("picked_values", postgresql.ARRAY(sa.Double()), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_uuid"],
            ["runs.run_uuid"],
            name=op.f("fk_metric_bucket_cache_run_uuid_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_uuid", "key", name=op.f("pk_metric_bucket_cache")),
    )


def downgrade() -> None:
    op.drop_table("metric_bucket_cache")
