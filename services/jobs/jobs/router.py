"""The jobs API (docs/jobs.md): submit, list, read, cancel, follow the log; the queues."""

from collections.abc import AsyncIterator

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import StreamingResponse

from services.core.auth.policy import AUTHENTICATED, Rule, experiment, requires
from services.core.auth.principal import caller_of
from services.core.errors import InvalidParameterValue
from services.core.fields import canonical_run_id
from services.core.http import JSONResponse, accepts, parse_request
from services.jobs import follow
from services.jobs.jobs import service
from services.jobs.jobs.render import JobResponse
from services.jobs.jobs.schemas import FollowLogs, ListJobs, SubmitJob
from services.jobs.queues import jobs_settings

router = APIRouter(prefix="/api/grimoire/v1/jobs", tags=["jobs"])


def _job_run(role: str, audit: str | None = None) -> Rule:
    return Rule("job_run", role, "run_id", audit)  # type: ignore[arg-type]


def _run_id(value: str) -> str:
    try:
        return canonical_run_id(value)
    except ValueError as error:
        raise InvalidParameterValue(str(error)) from None


def _wake_reconciler(request: Request) -> None:
    reconciler = getattr(request.app.state, "jobs_reconciler", None)
    if reconciler is not None:
        reconciler.wake()


@router.post("")
@accepts(SubmitJob)
@requires(_job_run("EDIT", "job.submit"))
async def submit_job(request: Request) -> JSONResponse:
    body = await parse_request(request, SubmitJob)
    placement = service.place(body, jobs_settings())
    job = await service.submit(request.app.state.db, body, placement, caller_of(request))
    _wake_reconciler(request)
    return JSONResponse(JobResponse(job=job))


@router.get("")
@accepts(ListJobs)
@requires(experiment("READ"))
async def list_jobs(request: Request) -> JSONResponse:
    body = await parse_request(request, ListJobs)
    return JSONResponse(await service.list_page(request.app.state.db, body))


@router.get("/queues")
@requires(AUTHENTICATED)
async def list_queues(request: Request) -> JSONResponse:
    return JSONResponse({"queues": service.queues(jobs_settings())})


@router.get("/{run_id}")
@requires(_job_run("READ"))
async def get_job(request: Request, run_id: str) -> JSONResponse:
    job = await service.get(request.app.state.db, _run_id(run_id))
    return JSONResponse(JobResponse(job=job))


@router.post("/{run_id}/cancel")
@requires(_job_run("EDIT", "job.cancel"))
async def cancel_job(request: Request, run_id: str) -> JSONResponse:
    job = await service.cancel(request.app.state.db, _run_id(run_id))
    _wake_reconciler(request)
    return JSONResponse(JobResponse(job=job))


@router.get("/{run_id}/logs")
@accepts(FollowLogs)
@requires(_job_run("READ"))
async def job_logs(request: Request, run_id: str) -> StreamingResponse:
    body = await parse_request(request, FollowLogs)
    run_id = _run_id(run_id)
    await service.get(request.app.state.db, run_id)  # 404 before the stream starts
    if body.follow:
        follow.check_capacity(request.app.state)
    chunks: AsyncIterator[bytes] = follow.log_of(request.app.state, run_id, body.follow)
    return StreamingResponse(chunks, media_type="text/plain; charset=utf-8")
