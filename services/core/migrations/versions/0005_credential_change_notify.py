"""Notify every process when a credential changes, so token lookups can be cached.

Each process keeps validated tokens in memory and listens on the `grimoire_credentials`
channel; these triggers fire on every change that can withdraw or alter a token (revocation,
expiry, owner or groups; service-account groups or deletion), however it is made: the API,
the CLI or plain SQL. NOTIFY is delivered at commit, after the change is visible. Updates of
`last_used_at` alone do not notify.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CHANNEL = "grimoire_credentials"


def upgrade() -> None:
    op.execute(
        f"""
        CREATE FUNCTION grimoire_credentials_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER auth_tokens_changed
        AFTER UPDATE OF revoked_at, expires_at, owner, groups, token_hash OR DELETE
        ON auth_tokens FOR EACH STATEMENT EXECUTE FUNCTION grimoire_credentials_changed()
        """
    )
    op.execute(
        """
        CREATE TRIGGER service_accounts_changed
        AFTER UPDATE OR DELETE ON service_accounts
        FOR EACH STATEMENT EXECUTE FUNCTION grimoire_credentials_changed()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER service_accounts_changed ON service_accounts")
    op.execute("DROP TRIGGER auth_tokens_changed ON auth_tokens")
    op.execute("DROP FUNCTION grimoire_credentials_changed()")
