"""Registry: creation keys, and version files looked up by an md5 of their location.

- `registered_models.creation_key`, `model_versions.creation_key` (unique): chosen once per
  request, so a creation replayed after its COMMIT's answer was lost recognises its own row
  instead of answering "already exists" or taking a second version number.
- `ix_model_versions_storage_location_md5`: the guard asks which versions store their files
  at a prefix of an artifact path. Locations are free text of any length, and a btree entry
  must stay under ~2.7 kB, so the index holds their md5 (the lookup rechecks the text).

Registered model names stay under a plain unique index: they are limited to MLflow's 256
characters (at most 1 kB of UTF-8), enforced by the registry service.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("registered_models", sa.Column("creation_key", sa.String(32), nullable=True))
    op.add_column("model_versions", sa.Column("creation_key", sa.String(32), nullable=True))
    op.create_index(
        "ix_model_versions_creation_key", "model_versions", ["creation_key"], unique=True
    )
    op.create_index(
        "ix_model_versions_storage_location_md5",
        "model_versions",
        [sa.text("md5(rtrim(storage_location, '/'))")],
    )


def downgrade() -> None:
    op.drop_index("ix_model_versions_storage_location_md5", table_name="model_versions")
    op.drop_index("ix_model_versions_creation_key", table_name="model_versions")
    op.drop_column("model_versions", "creation_key")
    op.drop_column("registered_models", "creation_key")
