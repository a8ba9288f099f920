"""The jobs API's answers (docs/jobs.md)."""

from typing import Any, TypedDict


class Job(TypedDict):
    run_id: str
    experiment_id: str
    queue: str
    state: str
    reason: str | None
    attempt: int
    queue_position: int | None
    kubernetes_job: str
    namespace: str
    image: str
    entry_point: str
    parameters: dict[str, str]
    source: dict[str, Any]
    resources: dict[str, Any]
    timeout_seconds: int
    max_retries: int
    created_at: int
    updated_at: int


class JobResponse(TypedDict):
    job: Job


class ListJobsResponse(TypedDict, total=False):
    jobs: list[Job]
    next_page_token: str


class Queue(TypedDict):
    name: str
    gpu_types: list[str]
    max_gpus: int
    default_cpu: str
    default_memory: str
    namespace: str


def render_job(row: Any) -> Job:
    return {
        "run_id": row.run_uuid,
        "experiment_id": str(row.experiment_id),
        "queue": row.queue,
        "state": row.state,
        "reason": row.reason,
        "attempt": row.attempt,
        "queue_position": row.queue_position,
        "kubernetes_job": row.kubernetes_job,
        "namespace": row.namespace,
        "image": row.image,
        "entry_point": row.entry_point,
        "parameters": row.parameters,
        "source": row.source,
        "resources": row.resources,
        "timeout_seconds": row.timeout_seconds,
        "max_retries": row.max_retries,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def list_jobs_response(jobs: list[Job], next_page_token: str | None) -> ListJobsResponse:
    response: ListJobsResponse = {"jobs": jobs}
    if next_page_token:
        response["next_page_token"] = next_page_token
    return response
