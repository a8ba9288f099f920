"""Tables written by the registry service: registered models, versions, aliases, tags, and the
webhook subscriptions with their durable outbox."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.core.db.tables.base import metadata
from services.core.enums import MODEL_VERSION_STAGES

registered_models = Table(
    "registered_models",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("creation_timestamp", BigInteger, nullable=False),
    Column("last_updated_timestamp", BigInteger, nullable=False),
    Column("user_id", Text),
    # The next version number. Incremented by UPDATE ... RETURNING inside the registering
    # transaction: concurrent registrations serialise on the row, and a rolled-back one
    # rolls its increment back, so versions have neither gaps nor duplicates.
    Column("next_version", Integer, nullable=False, server_default="1"),
    # Chosen once per request (engine.chosen_once): a creation replayed after its COMMIT's
    # answer was lost recognises its own row instead of answering "already exists".
    Column("creation_key", String(32)),
    UniqueConstraint("name"),
)


def _model_fk() -> Column[int]:
    return Column(
        "model_id",
        BigInteger,
        ForeignKey("registered_models.id", ondelete="CASCADE"),
        nullable=False,
    )


registered_model_tags = Table(
    "registered_model_tags",
    metadata,
    _model_fk(),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("model_id", "key"),
)

model_versions = Table(
    "model_versions",
    metadata,
    _model_fk(),
    Column("version", Integer, nullable=False),
    Column("creation_timestamp", BigInteger, nullable=False),
    Column("last_updated_timestamp", BigInteger, nullable=False),
    Column("user_id", Text),
    Column("current_stage", String(16), nullable=False, server_default="None"),
    Column("description", Text),
    Column("source", Text, nullable=False),
    # Where the artifacts really are (a logged model's or run's location), for downloads.
    Column("storage_location", Text, nullable=False),
    Column("run_id", String(32)),
    Column("run_link", Text),
    Column("logged_model_id", String(34)),
    Column("status", String(24), nullable=False, server_default="READY"),
    Column("status_message", Text),
    # Chosen once per request: a registration replayed after its COMMIT's answer was lost
    # finds the version it made instead of taking a second number.
    Column("creation_key", String(32)),
    PrimaryKeyConstraint("model_id", "version"),
    CheckConstraint(
        f"current_stage IN ({', '.join(repr(stage) for stage in MODEL_VERSION_STAGES)})",
        name="stage",
    ),
    Index(None, "run_id"),
    Index(None, "creation_key", unique=True),
)

# The guard asks which versions store their files at a given prefix of an artifact path
# (services/artifacts/version_files.py). Locations are long free text, so the equality is
# looked up by their md5 (a btree entry must stay under ~2.7 kB) and then checked in full.
STORED_LOCATION = func.rtrim(model_versions.c.storage_location, "/", type_=Text)
STORAGE_LOCATION_KEY = func.md5(STORED_LOCATION, type_=Text)
Index("ix_model_versions_storage_location_md5", STORAGE_LOCATION_KEY)

model_version_tags = Table(
    "model_version_tags",
    metadata,
    Column("model_id", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("model_id", "version", "key"),
    ForeignKeyConstraint(
        ["model_id", "version"],
        ["model_versions.model_id", "model_versions.version"],
        ondelete="CASCADE",
    ),
)

registered_model_aliases = Table(
    "registered_model_aliases",
    metadata,
    Column("model_id", BigInteger, nullable=False),
    Column("alias", Text, nullable=False),
    Column("version", Integer, nullable=False),
    PrimaryKeyConstraint("model_id", "alias"),
    ForeignKeyConstraint(
        ["model_id", "version"],
        ["model_versions.model_id", "model_versions.version"],
        ondelete="CASCADE",
    ),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("webhook_id", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("url", Text, nullable=False),
    # ["registered_model.created", "model_version_stage.transitioned", ...]
    Column("events", JSONB, nullable=False),
    # Fernet ciphertext of the signing secret; never returned by the API.
    Column("secret_encrypted", LargeBinary),
    Column("status", String(16), nullable=False, server_default="ACTIVE"),
    Column("creation_timestamp", BigInteger, nullable=False),
    Column("last_updated_timestamp", BigInteger, nullable=False),
    CheckConstraint("status IN ('ACTIVE', 'DISABLED')", name="status"),
)

# The outbox: one row per (event, subscribed webhook), written in the same transaction as
# the change that caused the event. Delivery workers in any replica claim due rows with
# FOR UPDATE SKIP LOCKED and a lease, so no attempt is sent twice and none is lost.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery_id", String(36), primary_key=True),
    Column(
        "webhook_id",
        String(32),
        ForeignKey("webhooks.webhook_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("entity", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("state", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("lease_until", BigInteger),
    Column("created_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger),
    CheckConstraint("state IN ('pending', 'succeeded', 'failed')", name="state"),
    Index(None, "state", "next_attempt_at"),
    Index(None, "webhook_id", "created_at"),
)

webhook_delivery_attempts = Table(
    "webhook_delivery_attempts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column(
        "delivery_id",
        String(36),
        ForeignKey("webhook_deliveries.delivery_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("attempt", Integer, nullable=False),
    Column("started_at", BigInteger, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer),
    Column("success", Boolean, nullable=False),
    Column("error", Text),
    Column("response_excerpt", Text),
    Index(None, "delivery_id", "attempt"),
)
