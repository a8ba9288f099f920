"""The import ledger written by `grimoire import` (services/importer): what each source's
objects became here, with a fingerprint of their content, so a second import of the same
source changes nothing and an interrupted one resumes where it stopped."""

from sqlalchemy import BigInteger, Column, PrimaryKeyConstraint, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

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
    # A run's rows as Grimoire stored them (sha256, services/importer/stored.py): a second
    # import tells a run changed here since from one left alone without reading it back.
    Column("stored_digest", String(64)),
    # {path: [size, sha256]} of the artifact files copied: a second import checks the
    # files by size against this record instead of reading them again (unless --verify).
    Column("files", JSONB),
    Column("imported_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("source", "kind", "source_id"),
)
