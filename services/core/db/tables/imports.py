"""The import ledger written by `grimoire import` (services/importer): what each source's
objects became here, with a fingerprint of their content, so a second import of the same
source changes nothing and an interrupted one resumes where it stopped."""

from sqlalchemy import BigInteger, Column, PrimaryKeyConstraint, String, Table, Text

from services.core.db.tables.base import metadata

import_ledger = Table(
    "import_ledger",
    metadata,
    # The source as the importer names it (a folder's absolute path, a database URL without
    # its password, a server's URL).
    Column("source", Text, nullable=False),
    # experiment, run, logged_model, registered_model
    Column("kind", String(24), nullable=False),
    Column("source_id", Text, nullable=False),
    Column("target_id", Text, nullable=False),
    # sha256 of the object's content as read from the source.
    Column("fingerprint", String(64), nullable=False),
    Column("imported_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("source", "kind", "source_id"),
)
