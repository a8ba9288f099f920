"""Requests of the jobs API (docs/jobs.md). Quantities are checked with the Kubernetes
client's own parser, so what is accepted here is what the API server accepts."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.core.fields import ExperimentId, RunId
from services.core.http import MlflowMessage
from services.jobs.quantities import parse_quantity

MAX_TIMEOUT_SECONDS = 7 * 24 * 3600
MAX_PARAMETERS = 256
_COMMIT = re.compile(r"[0-9a-f]{40}")
_RELATIVE_PATH = re.compile(r"[A-Za-z0-9._\-/]{1,512}")


def _quantity(value: str) -> str:
    try:
        if parse_quantity(value) <= 0:
            raise ValueError
    except ValueError:
        raise ValueError(f"{value!r} is not a positive Kubernetes quantity") from None
    return value


def _relative(path: str) -> str:
    parts = path.split("/")
    if not _RELATIVE_PATH.fullmatch(path) or path.startswith("/") or ".." in parts:
        raise ValueError(f"{path!r} must be a relative path without '..'")
    return path


def _commit(value: str) -> str:
    if not _COMMIT.fullmatch(value):
        raise ValueError("commit must be 40 lowercase hex characters")
    return value


def _git_uri(value: str) -> str:
    if not re.fullmatch(r"(https://|ssh://|git@)[^\s]{1,1024}", value):
        raise ValueError("uri must be an https://, ssh:// or git@ git URL")
    return value


Quantity = Annotated[str, Field(max_length=32), AfterValidator(_quantity)]
RelativePath = Annotated[str, AfterValidator(_relative)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArtifactSource(_Strict):
    type: Literal["artifact"]
    path: RelativePath = Field(description="The packed project among the run's artifacts.")


class GitSource(_Strict):
    type: Literal["git"]
    uri: Annotated[str, AfterValidator(_git_uri)] = Field(description="The repository.")
    commit: Annotated[str, AfterValidator(_commit)] = Field(description="The commit to run.")
    subdirectory: RelativePath | None = Field(default=None, description="The project's folder.")


class Resources(_Strict):
    gpus: int = Field(default=0, ge=0, le=64, description="GPUs (nvidia.com/gpu).")
    gpu_type: str | None = Field(
        default=None, max_length=64, description="A GPU type the queue allows."
    )
    cpu: Quantity | None = Field(default=None, description="CPU request (queue default).")
    memory: Quantity | None = Field(default=None, description="Memory (queue default).")


class SubmitJob(MlflowMessage):
    run_id: RunId = Field(description="The run the job is: created by the caller, SCHEDULED.")
    entry_point: str = Field(
        default="main", min_length=1, max_length=256, description="The MLproject entry point."
    )
    parameters: dict[
        Annotated[str, Field(max_length=256)], Annotated[str, Field(max_length=6000)]
    ] = Field(
        default_factory=dict, max_length=MAX_PARAMETERS, description="Entry point parameters."
    )
    source: ArtifactSource | GitSource = Field(discriminator="type", description="The code.")
    image: str | None = Field(
        default=None, min_length=1, max_length=512, description="The image (queue default)."
    )
    queue: str | None = Field(default=None, max_length=64, description="The queue (default).")
    resources: Resources = Field(default_factory=Resources, description="What the job needs.")
    timeout_seconds: int = Field(
        default=6 * 3600, ge=60, le=MAX_TIMEOUT_SECONDS, description="activeDeadlineSeconds."
    )
    max_retries: int = Field(
        default=2, ge=0, le=10, description="Failed pods tolerated (backoffLimit)."
    )


class ListJobs(MlflowMessage):
    experiment_id: ExperimentId = Field(description="The experiment whose jobs to list.")
    max_results: int = Field(default=100, ge=1, le=1000, description="Page size.")
    page_token: str | None = Field(default=None, description="From the previous page.")


class FollowLogs(MlflowMessage):
    follow: bool = Field(default=False, description="Stay open until the job ends.")
