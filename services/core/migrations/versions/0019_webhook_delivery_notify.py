"""Notify the delivery workers when a webhook delivery becomes due, so idle ones need not poll.

Every registry process runs a delivery worker. An idle one used to look at the outbox every
`webhook_poll_seconds` (0.5 s), in every process, forever: on a busy host that was 4% of a
worker's time with no webhook configured at all. A new delivery (an event's insert) and a
replayed one (its state back to pending) now notify `grimoire_webhooks` at commit, whoever
writes them, and the listening workers look at once; while listening they only look every
`webhook_idle_seconds` for what no notification announces (a retry whose worker died, a lease
it left behind).

Revision ID: 0019
Revises: 0018
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

CHANNEL = "grimoire_webhooks"


def upgrade() -> None:
    op.execute(
        f"""
        CREATE FUNCTION grimoire_webhook_delivery_due() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
        END
        $$
        """
    )
    # One notification per statement (and PostgreSQL folds repeats within a transaction).
    op.execute(
        """
        CREATE TRIGGER webhook_delivery_created
        AFTER INSERT ON webhook_deliveries
        FOR EACH STATEMENT EXECUTE FUNCTION grimoire_webhook_delivery_due()
        """
    )
    op.execute(
        """
        CREATE TRIGGER webhook_delivery_replayed
        AFTER UPDATE OF state ON webhook_deliveries
        FOR EACH ROW WHEN (NEW.state = 'pending' AND OLD.state <> 'pending')
        EXECUTE FUNCTION grimoire_webhook_delivery_due()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER webhook_delivery_replayed ON webhook_deliveries")
    op.execute("DROP TRIGGER webhook_delivery_created ON webhook_deliveries")
    op.execute("DROP FUNCTION grimoire_webhook_delivery_due()")
