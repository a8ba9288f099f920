"""Auth: one stable identity per person (users), sessions and personal tokens bound to it.

Identity: a `users` row per (issuer, subject) holds the person's current username and groups.
Sessions and personal tokens point at it, so the same person is the same principal however
they authenticate, and a personal token follows its owner's current groups instead of the
groups frozen when it was made (the `auth_tokens.groups` column goes). Personal tokens made
before this revision name a person only by a username, which is not a stable key: they are
revoked (their owners create new ones); sessions and sign-ins in flight are ended (people sign
in again). Changes of a person's username or groups notify the credential channel.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# grimoire_credentials_changed() is migration 0005's: pg_notify on the shared channel.
_TOKENS_TRIGGER = """
    CREATE TRIGGER auth_tokens_changed
    AFTER UPDATE OF revoked_at, expires_at, owner, {columns}, token_hash OR DELETE
    ON auth_tokens FOR EACH STATEMENT EXECUTE FUNCTION grimoire_credentials_changed()
"""


def upgrade() -> None:
    _identity_upgrade()


def downgrade() -> None:
    _identity_downgrade()


def _identity_upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("user_id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("groups", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("groups_issued_at", sa.BigInteger(), nullable=False),
        sa.Column("signed_in_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_users_issuer_subject")),
    )
    op.create_index(op.f("ix_users_issuer_username"), "users", ["issuer", "username"])
    # Row-level, so a sign-in that changes nothing (the usual case) notifies no one.
    op.execute(
        """
        CREATE TRIGGER users_changed
        AFTER UPDATE OF username, groups ON users FOR EACH ROW
        WHEN (OLD.username IS DISTINCT FROM NEW.username OR OLD.groups IS DISTINCT FROM NEW.groups)
        EXECUTE FUNCTION grimoire_credentials_changed()
        """
    )
    op.execute(
        """
        CREATE TRIGGER users_removed
        AFTER DELETE OR TRUNCATE ON users
        FOR EACH STATEMENT EXECUTE FUNCTION grimoire_credentials_changed()
        """
    )

    op.execute(
        "UPDATE auth_tokens SET revoked_at = (extract(epoch FROM now()) * 1000)::bigint "
        "WHERE owner LIKE 'user:%' AND revoked_at IS NULL"
    )
    op.execute("DROP TRIGGER auth_tokens_changed ON auth_tokens")
    op.drop_column("auth_tokens", "groups")
    op.add_column("auth_tokens", sa.Column("user_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_auth_tokens_user_id_users"),
        "auth_tokens",
        "users",
        ["user_id"],
        ["user_id"],
        ondelete="CASCADE",
    )
    op.create_index(op.f("ix_auth_tokens_user_id"), "auth_tokens", ["user_id"])
    op.execute(_TOKENS_TRIGGER.format(columns="user_id"))

    op.execute("DELETE FROM auth_sessions")
    for column in ("subject", "username", "display_name", "email", "groups"):
        op.drop_column("auth_sessions", column)
    op.add_column("auth_sessions", sa.Column("user_id", sa.BigInteger(), nullable=False))
    op.create_foreign_key(
        op.f("fk_auth_sessions_user_id_users"),
        "auth_sessions",
        "users",
        ["user_id"],
        ["user_id"],
        ondelete="CASCADE",
    )
    op.create_index(op.f("ix_auth_sessions_user_id"), "auth_sessions", ["user_id"])

    op.execute("DELETE FROM auth_pending_logins")
    op.add_column(
        "auth_pending_logins",
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
    )


def _identity_downgrade() -> None:
    op.execute("DELETE FROM auth_pending_logins")
    op.drop_column("auth_pending_logins", "browser_hash")

    op.execute("DELETE FROM auth_sessions")
    op.drop_index(op.f("ix_auth_sessions_user_id"), table_name="auth_sessions")
    op.drop_column("auth_sessions", "user_id")
    op.add_column("auth_sessions", sa.Column("subject", sa.Text(), nullable=False))
    op.add_column("auth_sessions", sa.Column("username", sa.Text(), nullable=False))
    op.add_column("auth_sessions", sa.Column("display_name", sa.Text(), nullable=True))
    op.add_column("auth_sessions", sa.Column("email", sa.Text(), nullable=True))
    op.add_column(
        "auth_sessions",
        sa.Column("groups", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    )

    # Personal tokens lose the person they act for: revoked, as on the way up.
    op.execute(
        "UPDATE auth_tokens SET revoked_at = (extract(epoch FROM now()) * 1000)::bigint "
        "WHERE owner LIKE 'user:%' AND revoked_at IS NULL"
    )
    op.execute("DROP TRIGGER auth_tokens_changed ON auth_tokens")
    op.drop_index(op.f("ix_auth_tokens_user_id"), table_name="auth_tokens")
    op.drop_column("auth_tokens", "user_id")
    op.add_column(
        "auth_tokens",
        sa.Column(
            "groups",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            server_default=sa.text("'[]'::jsonb"),
        ),
    )
    op.alter_column("auth_tokens", "groups", server_default=None)
    op.execute(_TOKENS_TRIGGER.format(columns="groups"))

    op.execute("DROP TRIGGER users_removed ON users")
    op.execute("DROP TRIGGER users_changed ON users")
    op.drop_table("users")
