"""Tables written by the tracking service."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from services.core.db.tables.base import metadata

LIFECYCLE_CHECK = "lifecycle_stage IN ('active', 'deleted')"
# Params and tags are indexed by key and the first characters of the value, not the whole
# value: a btree entry holds at most 2,704 bytes, and a value within MLflow's limits (6,000
# and 8,000 characters, up to 4 bytes each) did not fit, a 500 on insert. A 250-character
# key and 256 characters of value are at most 2,024 bytes. Searches write `=` and `IN` to
# use the prefix (search_sql.compare_string).
INDEXED_VALUE_PREFIX = 256

experiments = Table(
    "experiments",
    metadata,
    # Identity starts at 1: experiment 0 ("Default") is inserted by the first migration.
    Column("experiment_id", BigInteger, Identity(start=1), primary_key=True),
    Column("name", Text, nullable=False),
    Column("artifact_location", Text, nullable=False),
    Column("lifecycle_stage", String(16), nullable=False, server_default="active"),
    Column("creation_time", BigInteger, nullable=False),
    Column("last_update_time", BigInteger, nullable=False),
    UniqueConstraint("name"),
    CheckConstraint(LIFECYCLE_CHECK, name="lifecycle_stage"),
)


def _experiment_fk() -> Column[int]:
    return Column(
        "experiment_id",
        BigInteger,
        ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    )


experiment_tags = Table(
    "experiment_tags",
    metadata,
    _experiment_fk(),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("experiment_id", "key"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_uuid", String(32), primary_key=True),
    _experiment_fk(),
    Column("name", Text, nullable=False, server_default=""),
    Column("user_id", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False),
    Column("start_time", BigInteger, nullable=False),
    Column("end_time", BigInteger),
    Column("lifecycle_stage", String(16), nullable=False, server_default="active"),
    Column("artifact_uri", Text, nullable=False),
    Column("deleted_time", BigInteger),
    CheckConstraint(LIFECYCLE_CHECK, name="lifecycle_stage"),
    CheckConstraint(
        "status IN ('RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED')", name="status"
    ),
    # Serves the default search order (start_time DESC, run_uuid) within an experiment.
    Index(None, "experiment_id", text("start_time DESC"), "run_uuid"),
)


# Named views of an experiment's runs table, shared by the team: `state` is the UI's URL
# view state (filter, sort, columns, page), opaque to the server.
experiment_views = Table(
    "experiment_views",
    metadata,
    _experiment_fk(),
    Column("name", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("created_by", Text, nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("experiment_id", "name"),
)


def _run_fk() -> Column[str]:
    return Column(
        "run_uuid", String(32), ForeignKey("runs.run_uuid", ondelete="CASCADE"), nullable=False
    )


params = Table(
    "params",
    metadata,
    _run_fk(),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("run_uuid", "key"),
)

tags = Table(
    "tags",
    metadata,
    _run_fk(),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("run_uuid", "key"),
)


def _key_value_prefix_index(table: Table) -> Index:
    """Declared on the table (created by migration 0007)."""
    prefix = func.left(table.c.value, literal_column(str(INDEXED_VALUE_PREFIX)))
    return Index(f"ix_{table.name}_key_value_prefix", table.c.key, prefix)


_key_value_prefix_index(params)
_key_value_prefix_index(tags)


# The hot table. No foreign key: a per-row FK check would halve ingest speed, and runs are
# soft-deleted, never removed while their metrics exist. The primary key is MLflow's identity
# of a point, so a retried batch is idempotent (ON CONFLICT DO NOTHING). NaN and +/-Infinity
# are stored as the float8 values themselves; PostgreSQL orders and compares them totally.
metrics = Table(
    "metrics",
    metadata,
    Column("run_uuid", String(32), nullable=False),
    Column("key", Text, nullable=False),
    Column("step", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("value", Double, nullable=False),
    Column("model_id", Text),
    Column("dataset_name", Text),
    Column("dataset_digest", Text),
    # History order (timestamp, step, value): a history page is an index range scan.
    PrimaryKeyConstraint("run_uuid", "key", "timestamp", "step", "value"),
)

# One row per (run, key): the value at the highest step, then latest timestamp, then largest
# value. Maintained by a single upsert per batch; search filters and sorts on it.
latest_metrics = Table(
    "latest_metrics",
    metadata,
    _run_fk(),
    Column("key", Text, nullable=False),
    Column("step", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("value", Double, nullable=False),
    PrimaryKeyConstraint("run_uuid", "key"),
    Index(None, "key", "value"),
)

# A chart's downsampled history of one (run, key), kept after it is first drawn: the picked
# points (each bucket's lowest, highest and last) as parallel arrays. Metric points are only
# ever inserted, so the number of points the run had when it was picked tells whether it is
# still the run's history. One row per (run, key): the last `max_results` asked for.
metric_bucket_cache = Table(
    "metric_bucket_cache",
    metadata,
    _run_fk(),
    Column("key", Text, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("max_results", Integer, nullable=False),
    Column("picked_steps", ARRAY(BigInteger), nullable=False),
    Column("picked_timestamps", ARRAY(BigInteger), nullable=False),
    Column("picked_values", ARRAY(Double), nullable=False),
    PrimaryKeyConstraint("run_uuid", "key"),
)

datasets = Table(
    "datasets",
    metadata,
    Column("dataset_uuid", String(32), primary_key=True),
    _experiment_fk(),
    Column("name", Text, nullable=False),
    Column("digest", Text, nullable=False),
    Column("source_type", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("schema", Text),
    Column("profile", Text),
    UniqueConstraint("experiment_id", "name", "digest"),
)

run_dataset_inputs = Table(
    "run_dataset_inputs",
    metadata,
    _run_fk(),
    Column(
        "dataset_uuid",
        String(32),
        ForeignKey("datasets.dataset_uuid", ondelete="CASCADE"),
        nullable=False,
    ),
    # [{"key": ..., "value": ...}]: input tags such as mlflow.data.context.
    Column("tags", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    PrimaryKeyConstraint("run_uuid", "dataset_uuid"),
)

logged_models = Table(
    "logged_models",
    metadata,
    Column("model_id", String(34), primary_key=True),
    _experiment_fk(),
    Column("name", Text, nullable=False),
    Column("artifact_location", Text, nullable=False),
    Column("creation_timestamp_ms", BigInteger, nullable=False),
    Column("last_updated_timestamp_ms", BigInteger, nullable=False),
    # LoggedModelStatus enum numbers: 1 PENDING, 2 READY, 3 UPLOAD_FAILED.
    Column("status", Integer, nullable=False),
    Column("lifecycle_stage", String(16), nullable=False, server_default="active"),
    Column("model_type", Text),
    Column("source_run_id", String(32)),
    Column("status_message", Text),
    CheckConstraint(LIFECYCLE_CHECK, name="lifecycle_stage"),
    Index(None, "experiment_id", text("creation_timestamp_ms DESC")),
)


def _model_fk() -> Column[str]:
    return Column(
        "model_id",
        String(34),
        ForeignKey("logged_models.model_id", ondelete="CASCADE"),
        nullable=False,
    )


logged_model_params = Table(
    "logged_model_params",
    metadata,
    _model_fk(),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("model_id", "key"),
)

logged_model_tags = Table(
    "logged_model_tags",
    metadata,
    _model_fk(),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("model_id", "key"),
)

logged_model_metrics = Table(
    "logged_model_metrics",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    _model_fk(),
    Column("key", Text, nullable=False),
    Column("value", Double, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("step", BigInteger, nullable=False),
    Column("run_id", String(32)),
    Column("dataset_name", Text),
    Column("dataset_digest", Text),
    Index(None, "model_id", "key"),
)

run_model_inputs = Table(
    "run_model_inputs",
    metadata,
    _run_fk(),
    Column("model_id", String(34), nullable=False),
    PrimaryKeyConstraint("run_uuid", "model_id"),
)

run_model_outputs = Table(
    "run_model_outputs",
    metadata,
    _run_fk(),
    Column("model_id", String(34), nullable=False),
    Column("step", BigInteger, nullable=False, server_default="0"),
    PrimaryKeyConstraint("run_uuid", "model_id"),
)
