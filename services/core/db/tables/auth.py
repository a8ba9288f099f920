"""Tables of core auth: people, tokens, service accounts, grants, sessions, logins in flight,
audit."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
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
# `create`: the right to create experiments or registered models (resource_id names which);
# `*_pattern`: a role on every experiment or model whose name matches resource_id's glob.
RESOURCE_TYPE_CHECK = (
    "resource_type IN ('experiment', 'registered_model', 'default', 'create', "
    "'experiment_pattern', 'registered_model_pattern')"
)

# One row per person: the issuer and the `sub` it gives them are the stable key (a person is
# the same person however they authenticate); the username (the configured username claim of
# their latest sign-in) is what grants and GRIMOIRE_AUTH_ADMIN_USERS name, and the groups are
# those of the most recently issued credential seen (an ID token at sign-in, or an access
# token), so personal tokens follow them. Changes to username or groups notify the
# credential channel (migration 0009).
users = Table(
    "users",
    metadata,
    Column("user_id", BigInteger, Identity(), primary_key=True),
    Column("issuer", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("display_name", Text),
    Column("email", Text),
    Column("groups", JSONB, nullable=False),
    # `iat` (ms) of the credential the groups came from: an older token never overwrites them.
    Column("groups_issued_at", BigInteger, nullable=False),
    Column("signed_in_at", BigInteger),
    UniqueConstraint("issuer", "subject"),
    Index(None, "issuer", "username"),
)

# Personal access tokens and service-account tokens. Only a SHA-256 of the token is kept
# (tokens are 256-bit random, so a fast hash is enough); the plain token is shown once.
auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("name", Text, nullable=False),
    # "user:<current username>" or "service:<name>"
    Column("owner", Text, nullable=False),
    # The person a personal token acts for: its name and groups are theirs, read live.
    Column("user_id", BigInteger, ForeignKey("users.user_id", ondelete="CASCADE")),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger),
    Column("revoked_at", BigInteger),
    Column("last_used_at", BigInteger),
    UniqueConstraint("token_hash"),
    Index(None, "owner"),
    Index(None, "user_id"),
)

service_accounts = Table(
    "service_accounts",
    metadata,
    Column("name", Text, primary_key=True),
    Column("groups", JSONB, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    # An account that acts for someone (a training job's, for its submitter): in the
    # registry its role is also theirs, capped at EDIT (services/core/auth/access.py). The
    # principal as grants name it; the person, whose live name and groups count (the account
    # goes with them); the groups at the time, for a principal stored nowhere else (a client).
    Column("acts_for", Text),
    Column(
        "acts_for_user_id",
        BigInteger,
        ForeignKey("users.user_id", ondelete="CASCADE"),
        index=True,
    ),
    Column("acts_for_groups", JSONB),
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
    CheckConstraint(RESOURCE_TYPE_CHECK, name="resource_type"),
    CheckConstraint(ROLE_CHECK, name="role"),
    Index(None, "resource_type", "resource_id"),
)

# A browser session of a person; their name and groups are read from `users` at each request.
auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column(
        "user_id",
        BigInteger,
        ForeignKey("users.user_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)

# Sign-ins in flight: the OAuth state, PKCE verifier and nonce, for ten minutes, and the
# SHA-256 of the random value in the HttpOnly cookie of the browser that started it: the
# callback is accepted only from that browser (no login CSRF).
auth_pending_logins = Table(
    "auth_pending_logins",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("code_verifier", Text, nullable=False),
    Column("nonce", Text, nullable=False),
    Column("return_to", Text, nullable=False),
    Column("browser_hash", String(64), nullable=False),
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
    # Chosen when the request's entry is prepared: a transaction replayed after its COMMIT's
    # answer was lost meets its own row instead of writing the entry twice.
    Column("entry_key", String(32)),
    Index(None, "at"),
    UniqueConstraint("entry_key"),
)
