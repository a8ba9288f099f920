"""Auth tables: tokens, service accounts, grants, sessions, pending sign-ins, audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 03:02:43.204483
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("resource_type", sa.Text(), nullable=True),
        sa.Column("resource_id", sa.Text(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_table(
        "auth_pending_logins",
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=False),
        sa.Column("return_to", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_auth_pending_logins")),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("groups", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("session_hash", name=op.f("pk_auth_sessions")),
    )
    op.create_table(
        "auth_tokens",
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("groups", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.Column("last_used_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_auth_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_tokens_token_hash")),
    )
    op.create_index(op.f("ix_auth_tokens_owner"), "auth_tokens", ["owner"], unique=False)
    op.create_table(
        "grants",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("principal_type", sa.String(length=8), nullable=False),
        sa.Column("principal", sa.Text(), nullable=False),
        sa.Column("resource_type", sa.String(length=24), nullable=False),
        sa.Column("resource_id", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("granted_by", sa.Text(), nullable=False),
        sa.Column("granted_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "principal_type IN ('user', 'group')", name=op.f("ck_grants_principal_type")
        ),
        sa.CheckConstraint(
            "resource_type IN ('experiment', 'registered_model', 'default')",
            name=op.f("ck_grants_resource_type"),
        ),
        sa.CheckConstraint(
            "role IN ('READ', 'EDIT', 'MANAGE', 'ADMIN')", name=op.f("ck_grants_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
        sa.UniqueConstraint(
            "principal_type",
            "principal",
            "resource_type",
            "resource_id",
            name=op.f("uq_grants_principal_type_principal_resource_type_resource_id"),
        ),
    )
    op.create_index(
        op.f("ix_grants_resource_type_resource_id"),
        "grants",
        ["resource_type", "resource_id"],
        unique=False,
    )
    op.create_table(
        "service_accounts",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("groups", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_service_accounts")),
    )


def downgrade() -> None:
    op.drop_table("service_accounts")
    op.drop_index(op.f("ix_grants_resource_type_resource_id"), table_name="grants")
    op.drop_table("grants")
    op.drop_index(op.f("ix_auth_tokens_owner"), table_name="auth_tokens")
    op.drop_table("auth_tokens")
    op.drop_table("auth_sessions")
    op.drop_table("auth_pending_logins")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
