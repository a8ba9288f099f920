"""Training jobs: one row per run launched on Kubernetes (services/jobs).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STATES = "'QUEUED', 'ADMITTED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'"


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("run_uuid", sa.String(32), nullable=False),
        sa.Column("experiment_id", sa.BigInteger(), nullable=False),
        sa.Column("queue", sa.Text(), nullable=False),
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("kubernetes_job", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("attempt", sa.Integer(), server_default="1", nullable=False),
        sa.Column("queue_position", sa.Integer()),
        sa.Column("image", sa.Text(), nullable=False),
        sa.Column("entry_point", sa.Text(), nullable=False),
        sa.Column("parameters", postgresql.JSONB(), nullable=False),
        sa.Column("source", postgresql.JSONB(), nullable=False),
        sa.Column("resources", postgresql.JSONB(), nullable=False),
        sa.Column("timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("max_retries", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("next_check_at", sa.BigInteger(), nullable=False),
        sa.Column("generation", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_until", sa.BigInteger()),
        sa.Column("created_in_cluster", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("finalized", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("unschedulable_since", sa.BigInteger()),
        sa.CheckConstraint(f"state IN ({STATES})", name=op.f("ck_jobs_state")),
        sa.ForeignKeyConstraint(
            ["run_uuid"],
            ["runs.run_uuid"],
            name=op.f("fk_jobs_run_uuid_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name=op.f("fk_jobs_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_uuid", name=op.f("pk_jobs")),
    )
    op.create_index(
        op.f("ix_jobs_next_check_at"),
        "jobs",
        ["next_check_at"],
        postgresql_where=sa.text("NOT finalized"),
    )
    op.create_index(
        op.f("ix_jobs_experiment_id_created_at"), "jobs", ["experiment_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("jobs")
