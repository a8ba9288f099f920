"""The jobs service's settings, queues among them: queues are configuration, not data.

Each queue maps to one Kueue LocalQueue in one namespace and names the GPU types it allows.
A GPU type is a Kueue ResourceFlavor; its entry holds that flavor's node labels, which the
Job's pod asks for as required node affinity so Kueue assigns that flavor (Kueue only gives
a pod a flavor whose labels its affinity matches, and the pod lands on that flavor's nodes).
Queues come from `GRIMOIRE_JOBS_QUEUES` (JSON) or the JSON file `GRIMOIRE_JOBS_QUEUES_FILE`
(the Helm chart mounts one from its values).
"""

import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.jobs.names import is_dns_label
from services.jobs.quantities import parse_quantity


def _quantity(value: str) -> str:
    try:
        parse_quantity(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a Kubernetes quantity") from error
    return value


class QueueConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="The queue's name, as `grimoire run --queue` gives it.")
    local_queue: str = Field(description="The Kueue LocalQueue jobs are labelled with.")
    namespace: str = Field(description="The namespace the queue's Jobs are created in.")
    gpu_types: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Allowed GPU types, each the node labels of its Kueue ResourceFlavor.",
    )
    max_gpus: int = Field(default=0, ge=0, le=64, description="Most GPUs one job may ask for.")
    default_cpu: str = Field(default="2", description="CPU request of a job that names none.")
    default_memory: str = Field(default="8Gi", description="Memory of a job that names none.")
    image: str | None = Field(default=None, description="Image of a job that names none.")

    @field_validator("default_cpu", "default_memory")
    @classmethod
    def _is_quantity(cls, value: str) -> str:
        return _quantity(value)

    @field_validator("local_queue", "namespace")
    @classmethod
    def _is_label(cls, value: str) -> str:
        if not is_dns_label(value):
            raise ValueError(f"{value!r} is not a DNS-1123 label")
        return value


DEFAULT_QUEUES = [QueueConfig(name="default", local_queue="default", namespace="grimoire-jobs")]


class JobsSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GRIMOIRE_JOBS_", extra="ignore", case_sensitive=False
    )

    queues: list[QueueConfig] | None = Field(
        default=None,
        description="The queues, as a JSON list of {name, local_queue, namespace, gpu_types, "
        "max_gpus, default_cpu, default_memory, image} (docs/jobs.md). Unset: one CPU-only "
        "queue `default` (LocalQueue `default` in namespace `grimoire-jobs`).",
    )
    queues_file: Path | None = Field(
        default=None, description="A JSON file holding the queues; replaces GRIMOIRE_JOBS_QUEUES."
    )
    default_queue: str = Field(default="default", description="The queue of a job naming none.")
    default_image: str | None = Field(
        default=None,
        description="The image of a job that names none and whose queue has none; it must "
        "hold python and grimoire (docs/jobs.md).",
    )
    tracking_uri: str | None = Field(
        default=None,
        description="The URL a job's pod reaches Grimoire at (MLFLOW_TRACKING_URI in the pod), "
        "e.g. http://grimoire-tracking.grimoire.svc:5000. Unset: the public URL.",
    )
    kubeconfig: Path | None = Field(
        default=None,
        description="Kubeconfig used outside a cluster. Unset: in-cluster configuration when "
        "running in a pod, else KUBECONFIG; with neither, jobs are accepted but not started.",
    )
    kube_threads: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Threads a process gives the (blocking) Kubernetes client: the bound on "
        "its concurrent API calls.",
    )
    kube_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout of one Kubernetes API call."
    )
    reconcile_seconds: float = Field(
        default=2.0, gt=0, description="How often an idle reconciler looks for due jobs."
    )
    recheck_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How long a job stays unlooked-at without a watch event (the watches "
        "bring changes sooner).",
    )
    lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a claimed job stays with its reconciler; one that dies holding "
        "it releases it to another after this.",
    )
    watch_seconds: int = Field(
        default=30, ge=1, description="Length of one watch request before it is renewed."
    )
    unschedulable_seconds: float = Field(
        default=1800.0,
        gt=0,
        description="How long an admitted job's pod may stay unschedulable before the job fails.",
    )
    ttl_seconds_after_finished: int = Field(
        default=3600,
        ge=60,
        description="ttlSecondsAfterFinished of every Job: its pods (and log) stay this long; "
        "the log is copied into the run's artifacts before.",
    )
    pod_service_account: str = Field(
        default="grimoire-job",
        description="The ServiceAccount job pods run as (it must hold no API rights).",
    )
    max_log_followers: int = Field(
        default=32,
        ge=1,
        description="Live log streams a process serves at once; past it, 503 with Retry-After.",
    )

    @model_validator(mode="after")
    def _queues_from_file(self) -> "JobsSettings":
        if self.queues_file is not None:
            loaded = json.loads(self.queues_file.read_text())
            self.queues = [QueueConfig.model_validate(queue) for queue in loaded]
        names = [queue.name for queue in self.queue_list]
        if len(set(names)) != len(names):
            raise ValueError("two queues have the same name")
        return self

    @property
    def queue_list(self) -> list[QueueConfig]:
        return list(DEFAULT_QUEUES) if self.queues is None else self.queues

    def queue(self, name: str | None) -> QueueConfig | None:
        wanted = name or self.default_queue
        return next((queue for queue in self.queue_list if queue.name == wanted), None)


@lru_cache
def jobs_settings() -> JobsSettings:
    return JobsSettings()
