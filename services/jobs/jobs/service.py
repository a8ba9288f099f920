"""Job use cases: submit (checked against its queue before anything is written), read,
list, cancel. The reconciler (services/jobs/reconciler.py) does the Kubernetes side."""

from dataclasses import dataclass

from services.core.auth.principal import Principal
from services.core.clock import now_ms
from services.core.db import use_cases
from services.core.db.engine import Connection
from services.core.db.tables.jobs import FINAL_JOB_STATES
from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.core.paging import decode_page_token, next_page_token
from services.jobs import credentials
from services.jobs.jobs import repository
from services.jobs.jobs.render import Job, ListJobsResponse, Queue, list_jobs_response, render_job
from services.jobs.jobs.schemas import ListJobs, SubmitJob
from services.jobs.names import job_name
from services.jobs.queues import JobsSettings, QueueConfig

STATE_TAG = "grimoire.job.state"
REASON_TAG = "grimoire.job.reason"
ATTEMPT_TAG = "grimoire.job.attempt"
POSITION_TAG = "grimoire.job.queue_position"
# "kueue" (Kueue's visibility API) or "estimate" (the namespace's pending Workloads).
POSITION_SOURCE_TAG = "grimoire.job.queue_position_source"
QUEUE_TAG = "grimoire.job.queue"
BACKEND_TAG = "grimoire.job.backend"


@dataclass(frozen=True)
class Placement:
    """Where and how a job runs, once its request passed its queue's limits."""

    queue: QueueConfig
    image: str
    resources: dict[str, int | str | None]


def place(body: SubmitJob, settings: JobsSettings) -> Placement:
    """The queue's verdict on a request: refused here creates nothing."""
    queue = settings.queue(body.queue)
    if queue is None:
        known = ", ".join(q.name for q in settings.queue_list)
        raise InvalidParameterValue(f"Unknown queue '{body.queue}'. Queues: {known}.")
    wanted = body.resources
    if wanted.gpus > queue.max_gpus:
        raise InvalidParameterValue(
            f"Queue '{queue.name}' allows at most {queue.max_gpus} GPUs per job; "
            f"{wanted.gpus} asked."
        )
    if wanted.gpu_type is not None:
        if wanted.gpu_type not in queue.gpu_types:
            allowed = ", ".join(sorted(queue.gpu_types)) or "none"
            raise InvalidParameterValue(
                f"Queue '{queue.name}' does not offer GPU type '{wanted.gpu_type}' "
                f"(allowed: {allowed})."
            )
        if wanted.gpus == 0:
            raise InvalidParameterValue("A GPU type was given for a job asking no GPUs.")
    image = body.image or queue.image or settings.default_image
    if image is None:
        raise InvalidParameterValue(
            f"No image given, and neither queue '{queue.name}' nor GRIMOIRE_JOBS_DEFAULT_IMAGE "
            "names one."
        )
    resources = {
        "gpus": wanted.gpus,
        "gpu_type": wanted.gpu_type,
        "cpu": wanted.cpu or queue.default_cpu,
        "memory": wanted.memory or queue.default_memory,
    }
    return Placement(queue, image, resources)


@use_cases.transaction
async def submit(
    conn: Connection, body: SubmitJob, placement: Placement, submitter: Principal | None
) -> Job:
    """Idempotent per run: a second submit of the same run answers the job the first made.
    `submitter`: the caller (None without authentication), whom the job's token acts for."""
    existing = await repository.get(conn, body.run_id)
    if existing is not None:
        return render_job(existing)
    run = await repository.run_of(conn, body.run_id, lock=True)
    if run is None or run.lifecycle_stage != "active":
        raise ResourceDoesNotExist(f"Run '{body.run_id}' does not exist.")
    if run.status != "SCHEDULED":
        raise InvalidParameterValue(
            f"Run '{body.run_id}' is {run.status}; a job starts from a SCHEDULED run."
        )
    now = now_ms()
    values = {
        "run_uuid": body.run_id,
        "experiment_id": run.experiment_id,
        "queue": placement.queue.name,
        "namespace": placement.queue.namespace,
        "kubernetes_job": job_name(body.run_id),
        "state": "QUEUED",
        "image": placement.image,
        "entry_point": body.entry_point,
        "parameters": body.parameters,
        "source": body.source.model_dump(exclude_none=True),
        "resources": placement.resources,
        "timeout_seconds": body.timeout_seconds,
        "max_retries": body.max_retries,
        "submitted_by": submitter.name if submitter else "",
        "created_at": now,
        "updated_at": now,
        "next_check_at": now,
    }
    await repository.insert_job(conn, values)
    await credentials.enlist(conn, body.run_id, submitter)
    await repository.set_run_tags(
        conn,
        body.run_id,
        {BACKEND_TAG: "kubernetes", QUEUE_TAG: placement.queue.name, STATE_TAG: "QUEUED"},
    )
    found = await repository.get(conn, body.run_id)
    assert found is not None  # inserted above, or by the concurrent submit that won
    return render_job(found)


@use_cases.autocommit
async def get(conn: Connection, run_id: str) -> Job:
    found = await repository.get(conn, run_id)
    if found is None:
        raise ResourceDoesNotExist(f"No job for run '{run_id}'.")
    return render_job(found)


@use_cases.autocommit
async def list_page(conn: Connection, body: ListJobs) -> ListJobsResponse:
    offset = decode_page_token(body.page_token)
    rows = await repository.page(conn, body.experiment_id, offset, body.max_results + 1)
    jobs = [render_job(row) for row in rows[: body.max_results]]
    return list_jobs_response(jobs, next_page_token(offset, body.max_results, len(rows)))


@use_cases.transaction
async def cancel(conn: Connection, run_id: str) -> Job:
    """The run is KILLED at once; the reconciler then copies the pod's log and deletes the
    Job (background propagation: its pods and Secret go too). Cancelling an ended job
    changes nothing."""
    found = await repository.get(conn, run_id, lock=True)
    if found is None:
        raise ResourceDoesNotExist(f"No job for run '{run_id}'.")
    if found.state in FINAL_JOB_STATES:
        return render_job(found)
    now = now_ms()
    await repository.update_job(
        conn,
        run_id,
        state="CANCELLED",
        reason="Cancelled",
        cancel_requested=True,
        queue_position=None,
        updated_at=now,
        next_check_at=now,
        generation=found.generation + 1,
    )
    run = await repository.run_of(conn, run_id, lock=True)
    if run is not None and run.status not in ("FINISHED", "FAILED", "KILLED"):
        await repository.set_run_status(conn, run_id, "KILLED", now)
    await repository.set_run_tags(
        conn,
        run_id,
        {
            STATE_TAG: "CANCELLED",
            REASON_TAG: "Cancelled",
            POSITION_TAG: None,
            POSITION_SOURCE_TAG: None,
        },
    )
    return await get.on(conn, run_id)


def queues(settings: JobsSettings) -> list[Queue]:
    return [
        {
            "name": q.name,
            "gpu_types": sorted(q.gpu_types),
            "max_gpus": q.max_gpus,
            "default_cpu": q.default_cpu,
            "default_memory": q.default_memory,
            "namespace": q.namespace,
        }
        for q in settings.queue_list
    ]
