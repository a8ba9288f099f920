"""Notify every process when grants change, so callers' roles can be cached.

Each process remembers a caller's role on an experiment or registered model (the access
cache) while it listens on the `grimoire_credentials` channel. Any insert, update, delete or
truncate of `grants`, however it is made (the API, the CLI, an experiment's creator grant or
plain SQL), notifies that channel at commit, and every process empties its roles.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # grimoire_credentials_changed() is migration 0005's: pg_notify on the shared channel.
    op.execute(
        """
        CREATE TRIGGER grants_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grants
        FOR EACH STATEMENT EXECUTE FUNCTION grimoire_credentials_changed()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER grants_changed ON grants")
