"""Tables written by the jobs service: one row per training job, keyed by the run it is.

The reconciler claims due rows (`next_check_at` passed) with a lease (services/core/db/
leasing.py), so replicas never handle one job at once; a watch event makes a job due now.
A job is `finalized` once it has ended and what it held is released (its pod log copied into
the run's artifacts, its token revoked); finalized rows are never claimed again.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.core.db.tables.base import metadata

JOB_STATES = ("QUEUED", "ADMITTED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")
FINAL_JOB_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")

jobs = Table(
    "jobs",
    metadata,
    Column(
        "run_uuid", String(32), ForeignKey("runs.run_uuid", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "experiment_id",
        BigInteger,
        ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("queue", Text, nullable=False),
    Column("namespace", Text, nullable=False),
    Column("kubernetes_job", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("reason", Text),
    # 1 + the evictions (preemption, node loss) the job went through: they are not failures.
    Column("attempt", Integer, nullable=False, server_default="1"),
    Column("queue_position", Integer),
    Column("image", Text, nullable=False),
    Column("entry_point", Text, nullable=False),
    Column("parameters", JSONB, nullable=False),
    Column("source", JSONB, nullable=False),
    Column("resources", JSONB, nullable=False),
    Column("timeout_seconds", Integer, nullable=False),
    Column("max_retries", Integer, nullable=False),
    Column("submitted_by", Text, nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    # When the reconciler looks next: a watch event brings it to now and bumps `generation`,
    # so a pass in progress knows to look again at once.
    Column("next_check_at", BigInteger, nullable=False),
    Column("generation", Integer, nullable=False, server_default="0"),
    Column("lease_until", BigInteger),
    # The Kubernetes Job (and its Secret) exist: from here on the reconciler observes.
    Column("created_in_cluster", Boolean, nullable=False, server_default="false"),
    Column("cancel_requested", Boolean, nullable=False, server_default="false"),
    Column("finalized", Boolean, nullable=False, server_default="false"),
    # Since when the job's pod has been unschedulable (a job stuck past the limit fails).
    Column("unschedulable_since", BigInteger),
    CheckConstraint(
        "state IN (" + ", ".join(f"'{state}'" for state in JOB_STATES) + ")", name="state"
    ),
    # The claim's candidates: unfinished work, oldest lease first.
    Index(None, "next_check_at", postgresql_where=text("NOT finalized")),
    Index(None, "experiment_id", "created_at"),
)
