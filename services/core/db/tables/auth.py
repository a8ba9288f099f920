"""Tables of core auth: tokens, service accounts, grants, sessions, logins in flight, audit."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Identity,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.core.db.tables.base import metadata

ROLE_CHECK = "role IN ('READ', 'EDIT', 'MANAGE', 'ADMIN')"

# Personal access tokens and service-account tokens. Only a SHA-256 of the token is kept
# (tokens are 256-bit random, so a fast hash is enough); the plain token is shown once.
auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("name", Text, nullable=False),
    # "user:<name>" or "service:<name>"
    Column("owner", Text, nullable=False),
    # A user's groups when the token was made (service accounts' groups are read live).
    Column("groups", JSONB, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger),
    Column("revoked_at", BigInteger),
    Column("last_used_at", BigInteger),
    UniqueConstraint("token_hash"),
    Index(None, "owner"),
)

service_accounts = Table(
    "service_accounts",
    metadata,
    Column("name", Text, primary_key=True),
    Column("groups", JSONB, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# A role given to a user or a group, on one experiment, one registered model, or everything.
grants = Table(
    "grants",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("principal_type", String(8), nullable=False),
    Column("principal", Text, nullable=False),
    Column("resource_type", String(24), nullable=False),
    Column("resource_id", Text, nullable=False),
    Column("role", String(8), nullable=False),
    Column("granted_by", Text, nullable=False),
    Column("granted_at", BigInteger, nullable=False),
    UniqueConstraint("principal_type", "principal", "resource_type", "resource_id"),
    CheckConstraint("principal_type IN ('user', 'group')", name="principal_type"),
    CheckConstraint(
        "resource_type IN ('experiment', 'registered_model', 'default')", name="resource_type"
    ),
    CheckConstraint(ROLE_CHECK, name="role"),
    Index(None, "resource_type", "resource_id"),
)

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("subject", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("display_name", Text),
    Column("email", Text),
    Column("groups", JSONB, nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)

# Sign-ins in flight: the OAuth state, PKCE verifier and nonce, for ten minutes.
auth_pending_logins = Table(
    "auth_pending_logins",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("code_verifier", Text, nullable=False),
    Column("nonce", Text, nullable=False),
    Column("return_to", Text, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("resource_type", Text),
    Column("resource_id", Text),
    Column("details", JSONB, nullable=False),
    Index(None, "at"),
)
