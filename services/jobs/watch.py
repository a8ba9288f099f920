"""Watches of the Jobs, Pods and Kueue Workloads of every queue's namespace: what changes
there makes the job it belongs to due now, so the reconciler looks at it without waiting for
its recheck (the reconciler reads the objects itself: the watch only says where to look).

Each watch resumes from the resourceVersion it last saw; a 410 Gone (that version is no
longer kept) relists, and a relist makes every job it lists due. One watch request lasts
`watch_seconds`; it holds a daemon thread while it waits (the official client blocks), so a
stopping process never waits for one to end.
"""

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubernetes import watch
from kubernetes.client.rest import ApiException

from services.core.clock import now_ms
from services.core.db.engine import Database
from services.core.loops import LoopService
from services.jobs.jobs import repository
from services.jobs.kube import KUEUE, Kube
from services.jobs.names import RUN_ID_LABEL, run_of_job
from services.jobs.queues import JobsSettings

MANAGED = "app.kubernetes.io/managed-by=grimoire"


def run_of(obj: dict[str, Any]) -> str | None:
    metadata = obj.get("metadata") or {}
    labelled = (metadata.get("labels") or {}).get(RUN_ID_LABEL)
    if labelled:
        return str(labelled)
    for owner in metadata.get("ownerReferences") or ():
        if owner.get("kind") == "Job" and (found := run_of_job(owner.get("name", ""))):
            return found
    return None


@dataclass
class Stream:
    kind: str
    namespace: str
    resource_version: str | None = None


class Watches(LoopService):
    name = "jobs-watch"
    failure_backoff = (1.0, 2.0, 5.0, 10.0)

    def __init__(
        self, db: Database, kube: Kube, settings: JobsSettings, on_due: Callable[[], None]
    ):
        super().__init__()
        self.db, self.kube, self.settings, self.on_due = db, kube, settings, on_due
        self.interval_seconds = 1.0
        namespaces = sorted({queue.namespace for queue in settings.queue_list})
        self.streams = [
            Stream(kind, ns) for ns in namespaces for kind in ("job", "pod", "workload")
        ]

    @property
    def overrun_seconds(self) -> float:
        return self.settings.watch_seconds + self.settings.kube_timeout_seconds * 2

    def _list_call(
        self, stream: Stream
    ) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        if stream.kind == "job":
            return (
                self.kube.batch.list_namespaced_job,
                (stream.namespace,),
                {"label_selector": MANAGED},
            )
        if stream.kind == "pod":
            return (
                self.kube.core.list_namespaced_pod,
                (stream.namespace,),
                {"label_selector": MANAGED},
            )
        group, version, plural = KUEUE
        return (
            self.kube.custom.list_namespaced_custom_object,
            (group, version, stream.namespace, plural),
            {},
        )

    def _window(self, stream: Stream, seen: Callable[[str], None]) -> None:
        """Blocking: relist if needed, then one watch request from the version reached."""
        fn, args, kwargs = self._list_call(stream)
        if stream.resource_version is None:
            listing = self.kube.as_dict(fn(*args, **kwargs, _request_timeout=self.kube.timeout))
            for item in listing.get("items") or ():
                if found := run_of(item):
                    seen(found)
            stream.resource_version = listing["metadata"]["resourceVersion"]
        watcher = watch.Watch()
        try:
            for event in watcher.stream(
                fn,
                *args,
                **kwargs,
                resource_version=stream.resource_version,
                timeout_seconds=self.settings.watch_seconds,
                _request_timeout=self.settings.watch_seconds + self.kube.timeout,
            ):
                if found := run_of(event["raw_object"]):
                    seen(found)
                if watcher.resource_version:
                    stream.resource_version = watcher.resource_version
        except ApiException as error:
            if error.status != 410:
                raise
            stream.resource_version = None  # gone: relist on the next window

    async def _in_thread(self, stream: Stream, seen: Callable[[str], None]) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()

        def target() -> None:
            try:

                def report(run_id: str) -> None:
                    loop.call_soon_threadsafe(seen, run_id)

                self._window(stream, report)
                loop.call_soon_threadsafe(_settle, done, None)
            except BaseException as error:  # handed to the loop's task, which logs it
                loop.call_soon_threadsafe(_settle, done, error)

        threading.Thread(target=target, name=f"watch-{stream.kind}", daemon=True).start()
        await done

    async def run_once(self) -> bool:
        due: set[str] = set()
        arrived = asyncio.Event()

        def seen(run_id: str) -> None:
            due.add(run_id)
            arrived.set()

        windows = asyncio.gather(*(self._in_thread(stream, seen) for stream in self.streams))
        while not windows.done():
            waiter = asyncio.ensure_future(arrived.wait())
            pending: set[asyncio.Future[Any]] = {windows, waiter}
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            arrived.clear()
            await self._flush(due)
        await self._flush(due)
        windows.result()
        return True  # watch again at once

    async def _flush(self, due: set[str]) -> None:
        if not due:
            return
        run_ids = sorted(due)
        due.clear()
        await self.db.transaction(repository.mark_due, run_ids, now_ms())
        self.on_due()


def _settle(future: "asyncio.Future[None]", error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
