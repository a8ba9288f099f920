"""Settings for every Grimoire process.

Each concern has its own class and environment prefix (`GRIMOIRE_DATABASE_URL`,
`GRIMOIRE_ARTIFACTS_ROOT`, ...). The CLI flags of `grimoire server` and the Helm chart's
env entries map onto exactly these names, so one vocabulary configures every topology.
"""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _prefixed(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", case_sensitive=False)


class DatabaseSettings(BaseSettings):
    model_config = _prefixed("GRIMOIRE_DATABASE_")

    url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL URL (postgresql://user:pass@host:5432/db). Unset: the embedded "
        "PostgreSQL under the data directory is used by `grimoire server`.",
    )
    pool_size: int = Field(
        default=30,
        ge=1,
        description="Connections a process keeps open (opened as concurrency needs them). Size "
        "it to the concurrency you expect: past it, requests wait for a connection.",
    )
    max_overflow: int = Field(
        default=0,
        ge=0,
        description="Extra connections a process may open past pool_size; each is closed again "
        "when returned to a full pool, so under sustained load they are opened and closed "
        "over and over (a PostgreSQL backend start and every statement prepared anew).",
    )
    pool_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a request waits for a pooled connection before it is answered "
        "503 with Retry-After (overload is not a client error). The wait queue is bounded by "
        "GRIMOIRE_SERVER_MAX_IN_FLIGHT and served in arrival order; 256 clients writing at once "
        "on 2 workers waited up to ~1.5 s (p99).",
    )
    statement_timeout_ms: int = Field(
        default=30_000, ge=0, description="PostgreSQL statement_timeout for every session."
    )
    outage_retry_seconds: float = Field(
        default=3.0,
        ge=0,
        description="How long a request keeps retrying its transaction while the database is "
        "unreachable (a restart or failover) before answering 503.",
    )
    analyze_interval_seconds: float = Field(
        default=10.0,
        ge=0,
        description="When PostgreSQL's autovacuum is off, how often each process looks for "
        "tables past autovacuum's default rules and analyzes or vacuums them (0: never).",
    )


class ArtifactSettings(BaseSettings):
    model_config = _prefixed("GRIMOIRE_ARTIFACTS_")

    root: str | None = Field(
        default=None,
        description="Where artifacts live: a local folder, or s3://bucket/prefix. Unset: "
        "<data dir>/artifacts.",
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint (MinIO, moto). Unset: AWS."
    )
    s3_region: str = Field(default="us-east-1", description="S3 region.")
    s3_access_key_id: str | None = Field(
        default=None, description="Access key; unset: the standard AWS credential chain."
    )
    s3_secret_access_key: SecretStr | None = Field(default=None, description="Secret key.")
    s3_path_style: bool = Field(
        default=True, description="Path-style addressing (needed by MinIO and moto)."
    )
    chunk_bytes: int = Field(
        default=1024 * 1024, ge=64 * 1024, description="Streaming chunk size in bytes."
    )


class ServerSettings(BaseSettings):
    model_config = _prefixed("GRIMOIRE_SERVER_")

    host: str = Field(default="127.0.0.1", description="Interface to bind.")
    port: int = Field(default=5000, ge=0, le=65535, description="TCP port to bind.")
    workers: int = Field(default=0, ge=0, description="Worker processes; 0 means one per CPU core.")
    graceful_shutdown_seconds: int = Field(
        default=10,
        ge=1,
        description="After SIGTERM, seconds `grimoire server` lets in-flight requests finish "
        "(new connections are refused at once) before cancelling them; keep it below the "
        "orchestrator's kill deadline (Kubernetes terminationGracePeriodSeconds, compose "
        "stop_grace_period).",
    )
    max_in_flight: int = Field(
        default=256,
        ge=1,
        description="Requests a worker process serves at once; the next ones get 503 with "
        "Retry-After instead of queueing without bound.",
    )
    max_request_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="Largest request body of an API call (a JSON message); past it, 413 "
        "before the body is read.",
    )
    max_upload_bytes: int = Field(
        default=64 * 1024**3,
        ge=1024,
        description="Largest artifact a single upload (or multipart part) may stream; past "
        "it, 413. Larger models go up in multipart parts.",
    )
    public_url: str | None = Field(
        default=None,
        description="The URL clients use to reach Grimoire (https://grimoire.team), for links "
        "the server hands out such as multipart part URLs. Unset: taken from each request.",
    )
    retry_after_seconds: int = Field(
        default=1, ge=1, description="Retry-After sent with every overload 503."
    )
    request_log: bool = Field(
        default=True,
        description="One JSON line per request on standard output (route template, status, "
        "duration, request id, user; never headers or tokens).",
    )
    opentelemetry: bool = Field(
        default=False,
        description="FastAPI's native OpenTelemetry spans, metrics and logs, exported when an "
        "OpenTelemetry provider is configured (OTEL_* variables). Off: Prometheus /metrics "
        "only, and no per-request check for a provider (5% of a small request's server time).",
    )


class RegistrySettings(BaseSettings):
    model_config = _prefixed("GRIMOIRE_REGISTRY_")

    webhook_secret_key: SecretStr | None = Field(
        default=None,
        description="Fernet key (32 url-safe base64 bytes) that encrypts webhook signing "
        "secrets at rest. `grimoire server` creates one under the data directory; replicas "
        "must share it.",
    )
    webhook_allow_http: bool = Field(
        default=False, description="Allow http:// webhook URLs (https only by default)."
    )
    webhook_allowed_hosts: str = Field(
        default="",
        description="Comma-separated hosts or CIDRs a webhook may target even though they are "
        "private, loopback or link-local (e.g. an in-cluster CI receiver).",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout of one delivery attempt."
    )
    webhook_max_attempts: int = Field(
        default=10, ge=1, description="Attempts before a delivery is marked failed."
    )
    webhook_backoff_seconds: float = Field(
        default=2.0, gt=0, description="First retry delay; doubles each attempt."
    )
    webhook_max_backoff_seconds: float = Field(
        default=3600.0, gt=0, description="Longest retry delay, also caps Retry-After."
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a claimed delivery stays with its worker; a worker that dies "
        "mid-delivery releases it to another after this.",
    )
    webhook_poll_seconds: float = Field(
        default=0.5,
        gt=0,
        description="How often idle delivery workers look for due work while they cannot "
        "listen for new deliveries (their notification connection is down).",
    )
    webhook_idle_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often idle delivery workers look for due work while they listen: new "
        "and replayed deliveries wake them at commit and their own retries when due, so this "
        "only bounds how late a retry or lease left by a worker that died is picked up.",
    )
    webhook_backlog_sample_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How often each registry process counts the outbox's pending deliveries "
        "and the oldest one's age for /metrics (one indexed count).",
    )


class AuthSettings(BaseSettings):
    model_config = _prefixed("GRIMOIRE_AUTH_")

    disabled: bool = Field(
        default=False,
        description="Serve without authentication. Only for a laptop: `grimoire server` sets it "
        "for the embedded default and then binds to loopback.",
    )
    issuer: str | None = Field(
        default=None, description="OIDC issuer URL (Keycloak realm, Okta, Entra ID, Dex, Google)."
    )
    client_id: str | None = Field(default=None, description="OIDC client id for browser sign-in.")
    client_secret: SecretStr | None = Field(default=None, description="OIDC client secret.")
    audience: str = Field(
        default="grimoire", description="The `aud` access tokens must carry to be accepted."
    )
    scopes: str = Field(default="openid profile email", description="Scopes asked at sign-in.")
    groups_claim: str = Field(default="groups", description="Claim listing the user's groups.")
    username_claims: str = Field(
        default="preferred_username,email,sub",
        description="Claims tried in order for the user name shown and granted to.",
    )
    admin_groups: str = Field(default="", description="Comma-separated groups that are ADMIN.")
    admin_users: str = Field(default="", description="Comma-separated user names that are ADMIN.")
    leeway_seconds: int = Field(
        default=60, ge=0, description="Clock skew tolerated on exp, nbf and iat."
    )
    session_hours: float = Field(default=12.0, gt=0, description="Browser session lifetime.")
    cookie_secure: bool = Field(
        default=True, description="Mark the session cookie Secure (keep on behind TLS)."
    )
    jwks_refresh_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Minimum time between JWKS fetches for unknown key ids (rotation).",
    )
    token_default_days: float = Field(
        default=90.0,
        gt=0,
        description="Lifetime of a personal Grimoire token created without an expiry.",
    )
    token_max_days: float = Field(
        default=366.0,
        gt=0,
        description="Longest lifetime a Grimoire token (personal or service account) may ask for.",
    )

    @model_validator(mode="after")
    def _default_within_maximum(self) -> "AuthSettings":
        if self.token_default_days > self.token_max_days:
            raise ValueError(
                "GRIMOIRE_AUTH_TOKEN_DEFAULT_DAYS exceeds GRIMOIRE_AUTH_TOKEN_MAX_DAYS"
            )
        return self

    @property
    def enabled(self) -> bool:
        return not self.disabled


class GrimoireSettings(BaseSettings):
    model_config = _prefixed("GRIMOIRE_")

    data_dir: Path = Field(
        default=Path.home() / ".grimoire",
        description="One folder for everything the embedded default keeps (PostgreSQL data, "
        "artifacts).",
    )


@lru_cache
def database_settings() -> DatabaseSettings:
    return DatabaseSettings()


@lru_cache
def artifact_settings() -> ArtifactSettings:
    return ArtifactSettings()


@lru_cache
def server_settings() -> ServerSettings:
    return ServerSettings()


@lru_cache
def registry_settings() -> RegistrySettings:
    return RegistrySettings()


@lru_cache
def auth_settings() -> AuthSettings:
    return AuthSettings()


@lru_cache
def grimoire_settings() -> GrimoireSettings:
    return GrimoireSettings()
