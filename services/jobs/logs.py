"""A job's log: copied from its pods into the run's artifacts (`logs/<pod>.log`) before the
Job's TTL removes them, and streamed live to whoever follows it (the CLI, later the UI).

A live stream holds a thread for as long as it follows (the client is blocking); a process
follows at most `max_log_followers` logs at once and answers 503 with Retry-After past that.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from services.core.artifact_uris import store_path_of
from services.core.errors import InvalidParameterValue, TemporarilyUnavailable
from services.core.storage.base import ArtifactNotFound, ArtifactStore

if TYPE_CHECKING:  # the client loads on first use (services/jobs/quantities.py says why)
    from services.jobs.kube import Kube

LOGS = "logs"
_DONE = object()


def logs_folder(artifact_uri: str) -> str | None:
    """The run's `logs/` folder in the store; None for a run whose artifacts live elsewhere
    (an experiment located on s3:// directly: the server cannot write there)."""
    try:
        return f"{store_path_of(artifact_uri)}/{LOGS}"
    except InvalidParameterValue:
        return None


def started(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pods that have (or had) a container, oldest first: those that have a log."""
    ran = [
        p
        for p in pods
        if (p.get("status") or {}).get("phase") in ("Running", "Succeeded", "Failed")
    ]
    return sorted(
        ran, key=lambda p: (p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"])
    )


async def copy_logs(
    kube: "Kube", store: ArtifactStore, namespace: str, run_id: str, artifact_uri: str
) -> int:
    """Every pod's log of the job into the run's artifacts; the number of logs copied."""
    folder = logs_folder(artifact_uri)
    if folder is None:
        return 0
    copied = 0
    for pod in started(await kube.pods_of(namespace, run_id)):
        name = pod["metadata"]["name"]
        text = await kube.pod_log(namespace, name)

        async def chunks(data: bytes = text) -> AsyncIterator[bytes]:
            yield data

        await store.put(f"{folder}/{name}.log", chunks())
        copied += 1
    return copied


async def copied_logs(
    store: ArtifactStore, artifact_uri: str, skip: set[str]
) -> AsyncIterator[bytes]:
    folder = logs_folder(artifact_uri)
    if folder is None:
        return
    try:
        files = await store.list(folder)
    except ArtifactNotFound:
        return
    for info in sorted(files, key=lambda f: f.path):
        if info.is_dir or info.path.rsplit("/", 1)[-1].removesuffix(".log") in skip:
            continue
        async for chunk in store.read(info.path):
            yield chunk


class Followers:
    """The bounded pool live log streams run in."""

    def __init__(self, size: int):
        self.slots = asyncio.Semaphore(size)
        self.executor = ThreadPoolExecutor(size, thread_name_prefix="job-log")

    async def iterate(self, lines: Iterator[bytes]) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        try:
            while (
                chunk := await loop.run_in_executor(self.executor, next, lines, _DONE)
            ) is not _DONE:
                yield chunk  # type: ignore[misc]
        finally:
            lines.close()  # type: ignore[attr-defined]

    def acquire_nowait(self) -> None:
        if self.slots.locked():
            raise TemporarilyUnavailable("Too many job logs are being followed; retry shortly.")

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
