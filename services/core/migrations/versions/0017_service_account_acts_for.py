"""Service accounts that act for someone (a training job's account acts for its submitter).

`acts_for` names the principal as grants name it; `acts_for_user_id` is the person when it is
one (their live name and groups are read through it, as a personal token's are; the account
goes with the person); `acts_for_groups` holds the groups at the time only for a principal
whose groups are stored nowhere else (a pipeline's client token). Changes to service accounts
already notify the credential channel (migration 0005).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("service_accounts", sa.Column("acts_for", sa.Text(), nullable=True))
    op.add_column("service_accounts", sa.Column("acts_for_user_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "service_accounts",
        sa.Column("acts_for_groups", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.create_foreign_key(
        op.f("fk_service_accounts_acts_for_user_id_users"),
        "service_accounts",
        "users",
        ["acts_for_user_id"],
        ["user_id"],
        ondelete="CASCADE",
    )
    op.create_index(
        op.f("ix_service_accounts_acts_for_user_id"), "service_accounts", ["acts_for_user_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_service_accounts_acts_for_user_id"), table_name="service_accounts")
    op.drop_constraint(
        op.f("fk_service_accounts_acts_for_user_id_users"), "service_accounts", type_="foreignkey"
    )
    op.drop_column("service_accounts", "acts_for_groups")
    op.drop_column("service_accounts", "acts_for_user_id")
    op.drop_column("service_accounts", "acts_for")
