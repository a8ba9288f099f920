"""A job's log as the API serves it: the live pods' logs while the job runs (following them
as they are written with `follow`), the copies in the run's artifacts once it has ended."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from services.core.db.tables.jobs import FINAL_JOB_STATES
from services.jobs import logs
from services.jobs.jobs import repository


def check_capacity(state: Any) -> None:
    """Before the response starts: past the bound a follower gets 503, not a cut stream."""
    state.jobs_followers.acquire_nowait()


async def log_of(state: Any, run_id: str, follow: bool) -> AsyncIterator[bytes]:
    if not follow:
        async for chunk in _log(state, run_id, follow=False):
            yield chunk
        return
    async with state.jobs_followers.slots:
        async for chunk in _log(state, run_id, follow=True):
            yield chunk


async def _log(state: Any, run_id: str, follow: bool) -> AsyncIterator[bytes]:
    db, store, kube = state.db, state.store, getattr(state, "jobs_kube", None)
    streamed: set[str] = set()
    while True:
        row = await db.autocommit(repository.get, run_id)
        run = await db.autocommit(repository.run_of, run_id)
        if row is None or run is None:
            return
        if row.finalized or kube is None:
            async for chunk in logs.copied_logs(store, run.artifact_uri, streamed):
                yield chunk
            return
        if row.created_in_cluster:
            for pod in logs.started(await kube.pods_of(row.namespace, run_id)):
                name = pod["metadata"]["name"]
                if name in streamed:
                    continue
                streamed.add(name)
                if follow:
                    lines = kube.follow_log(row.namespace, name)
                    async for chunk in state.jobs_followers.iterate(lines):
                        yield chunk
                else:
                    yield await kube.pod_log(row.namespace, name)
        if not follow or row.state in FINAL_JOB_STATES:
            return
        await asyncio.sleep(state.jobs_settings.reconcile_seconds)
