"""The reconciler: makes each job's Kubernetes objects and writes back what they say.

A `LoopService` in every jobs process; replicas share the work through claims with a lease
(FOR UPDATE SKIP LOCKED, services/core/db/leasing.py, as the webhook outbox does), so no job
is handled by two at once and none needs a singleton. A claimed job is:

- not yet in the cluster: its Secret with a fresh token (authentication on), then its Job (a
  retry after a crash meets 409 and adopts the Job it made), then the Secret is given to the
  Job as its owner, so it goes with it;
- in the cluster: its Job, pods and Kueue Workload are read (and, while it waits, its
  LocalQueue's positions from Kueue's visibility API: one call per queue and pass) and
  `run_state.observe` says what it is; the job's row and the run's status and tags change
  in one transaction;
- ended (or cancelled): the pods' logs are copied into the run's artifacts, a cancelled or
  stuck Job is deleted (background propagation), the job's credentials are released.

Without a watch event a job is looked at every `recheck_seconds`; watch.py brings it sooner.
"""

import contextlib
import logging
from typing import Any

from services.core.clock import now_ms
from services.core.config import auth_settings
from services.core.db.engine import Connection, Database
from services.core.loops import LoopService
from services.core.storage.base import ArtifactStore
from services.jobs import credentials, logs, run_state
from services.jobs.jobs import repository
from services.jobs.jobs.service import (
    ATTEMPT_TAG,
    POSITION_SOURCE_TAG,
    POSITION_TAG,
    REASON_TAG,
    STATE_TAG,
)
from services.jobs.kube import Kube, Refused
from services.jobs.manifests import JobSpec, build_job, build_secret
from services.jobs.names import secret_name
from services.jobs.queues import JobsSettings

log = logging.getLogger(__name__)
BATCH = 16


class Reconciler(LoopService):
    name = "jobs-reconciler"
    failure_backoff = (1.0, 2.0, 5.0, 10.0)

    def __init__(
        self,
        db: Database,
        kube: Kube,
        store: ArtifactStore,
        settings: JobsSettings,
        tracking_uri: str,
        with_tokens: bool | None = None,
    ):
        super().__init__()
        self.db, self.kube, self.store, self.settings = db, kube, store, settings
        self.tracking_uri = tracking_uri
        self.with_tokens = auth_settings().enabled if with_tokens is None else with_tokens
        self.interval_seconds = settings.reconcile_seconds
        # This pass's answers of Kueue's visibility API, by (namespace, LocalQueue).
        self._positions: dict[tuple[str, str], dict[str, int] | None] = {}

    @property
    def overrun_seconds(self) -> float:
        return self.settings.lease_seconds

    async def run_once(self) -> bool:
        lease_ms = int(self.settings.lease_seconds * 1000)
        namespaces = sorted({queue.namespace for queue in self.settings.queue_list})
        claimed = await self.db.transaction(
            repository.claim_due, namespaces, now_ms(), lease_ms, BATCH
        )
        failures: list[Exception] = []
        self._positions = {}
        for row in claimed:
            try:
                await self.handle(row)
            except Exception as error:
                # Released as it was: the job is looked at again after the recheck, and the
                # batch's other jobs are still handled.
                failures.append(error)
                await self.db.transaction(self._release, row)
        if failures:
            raise failures[0]
        return len(claimed) == BATCH

    async def handle(self, row: Any) -> None:
        if row.cancel_requested:
            await self._cancel(row)
        elif not row.created_in_cluster:
            await self._create(row)
        else:
            await self._observe(row)

    def _local_queue(self, row: Any) -> str:
        queue = self.settings.queue(row.queue)
        return queue.local_queue if queue else row.queue

    def spec(self, row: Any) -> JobSpec:
        queue = self.settings.queue(row.queue)
        resources = row.resources
        gpu_type = resources.get("gpu_type")
        return JobSpec(
            run_id=row.run_uuid,
            experiment_id=str(row.experiment_id),
            namespace=row.namespace,
            local_queue=self._local_queue(row),
            image=row.image,
            entry_point=row.entry_point,
            parameters=row.parameters,
            source=row.source,
            tracking_uri=self.tracking_uri,
            cpu=resources["cpu"],
            memory=resources["memory"],
            timeout_seconds=row.timeout_seconds,
            max_retries=row.max_retries,
            ttl_seconds_after_finished=self.settings.ttl_seconds_after_finished,
            service_account=self.settings.pod_service_account,
            with_token=self.with_tokens,
            gpus=resources.get("gpus") or 0,
            gpu_node_labels=(queue.gpu_types.get(gpu_type, {}) if queue and gpu_type else {}),
        )

    async def _create(self, row: Any) -> None:
        spec = self.spec(row)
        try:
            await self.db.transaction(self._start, row, spec)
        except Refused as refused:
            log.warning("job %s refused by the API server: %s", row.run_uuid, refused)
            if spec.with_token:  # made before the refused Job, so no owner deletes it
                # Its token never committed: a Secret left behind opens nothing.
                with contextlib.suppress(Refused):
                    await self.kube.delete_secret(spec.namespace, secret_name(spec.run_id))
            seen = run_state.Seen(
                "FAILED", f"Refused: {refused.status} {refused.reason}"[:500], row.attempt
            )
            await self._finish(row, seen, copy=False)

    async def _start(self, conn: Connection, row: Any, spec: JobSpec) -> None:
        """The Secret before the Job, so no pod of it can start before its token exists, and
        then owned by the Job. The token commits only once the Secret holds it and the Job
        exists (both written inside this transaction); a Secret whose token did not commit is
        replaced on the next attempt, which adopts the Job."""
        token = None
        if spec.with_token:
            token = await credentials.issue(
                conn, row.run_uuid, str(row.experiment_id), row.timeout_seconds
            )
            await self.kube.put_secret(build_secret(spec, token))
        job, _created = await self.kube.create_job(build_job(spec))
        if token is not None:
            await self.kube.replace_secret(build_secret(spec, token, job["metadata"]["uid"]))
        now = now_ms()
        await repository.update_job(conn, row.run_uuid, created_in_cluster=True, updated_at=now)
        await repository.release(conn, row.run_uuid, row.generation, now, now)

    async def _observe(self, row: Any) -> None:
        job = await self.kube.read_job(row.namespace, row.kubernetes_job)
        pods = await self.kube.pods_of(row.namespace, row.run_uuid) if job else []
        workloads = await self.kube.workloads(row.namespace) if job else []
        waiting = job is not None and bool((job.get("spec") or {}).get("suspend"))
        positions = await self._queue_positions(row) if waiting else None
        unschedulable_ms = int(self.settings.unschedulable_seconds * 1000)
        seen = run_state.observe(row, job, pods, workloads, now_ms(), unschedulable_ms, positions)
        if seen.final:
            await self._finish(row, seen, copy=job is not None, delete=seen.delete_job)
        else:
            await self.db.transaction(self._record, row, seen)

    async def _queue_positions(self, row: Any) -> dict[str, int] | None:
        key = (row.namespace, self._local_queue(row))
        if key not in self._positions:
            self._positions[key] = await self.kube.queue_positions(*key)
        return self._positions[key]

    async def _cancel(self, row: Any) -> None:
        if row.created_in_cluster:
            await self._copy_logs(row)
            await self.kube.delete_job(row.namespace, row.kubernetes_job)
        elif self.with_tokens:  # a create cut short may have left its Secret, unowned
            await self.kube.delete_secret(row.namespace, secret_name(row.run_uuid))
        await self.db.transaction(self._finalize, row)

    async def _finish(
        self, row: Any, seen: run_state.Seen, *, copy: bool, delete: bool = False
    ) -> None:
        if copy:
            await self._copy_logs(row)
        if delete:
            await self.kube.delete_job(row.namespace, row.kubernetes_job)
        await self.db.transaction(self._record, row, seen)

    async def _copy_logs(self, row: Any) -> None:
        run = await self.db.autocommit(repository.run_of, row.run_uuid)
        if run is not None:
            await logs.copy_logs(
                self.kube, self.store, row.namespace, row.run_uuid, run.artifact_uri
            )

    async def _record(self, conn: Connection, row: Any, seen: run_state.Seen) -> None:
        """The job's state and its run's status and tags, together."""
        current = await repository.get(conn, row.run_uuid, lock=True)
        if current is None:
            return
        if current.cancel_requested and seen.state != "CANCELLED":
            # Cancelled while this pass looked: the cancel wins, handled at once.
            await repository.release(conn, row.run_uuid, -1, 0, now_ms())
            return
        now = now_ms()
        changed = (current.state, current.reason, current.attempt, current.queue_position) != (
            seen.state,
            seen.reason,
            seen.attempt,
            seen.queue_position,
        )
        await repository.update_job(
            conn,
            row.run_uuid,
            state=seen.state,
            reason=seen.reason,
            attempt=seen.attempt,
            queue_position=seen.queue_position,
            unschedulable_since=seen.unschedulable_since,
            **({"updated_at": now} if changed else {}),
        )
        run = await repository.run_of(conn, row.run_uuid, lock=True)
        if run is not None:
            status = run_state.run_status(seen.state, run.status)
            if status is not None:
                await repository.set_run_status(conn, row.run_uuid, status, now)
            await repository.set_run_tags(
                conn,
                row.run_uuid,
                {
                    STATE_TAG: seen.state,
                    REASON_TAG: seen.reason,
                    ATTEMPT_TAG: str(seen.attempt),
                    POSITION_TAG: None if seen.queue_position is None else str(seen.queue_position),
                    POSITION_SOURCE_TAG: seen.position_source,
                },
            )
        if seen.final:
            await self._finalize(conn, row)
        else:
            later = now + int(self.settings.recheck_seconds * 1000)
            await repository.release(conn, row.run_uuid, row.generation, later, now)

    async def _finalize(self, conn: Connection, row: Any) -> None:
        await credentials.release(conn, row.run_uuid, row.submitted_by)
        await repository.update_job(conn, row.run_uuid, finalized=True, lease_until=None)

    async def _release(self, conn: Connection, row: Any) -> None:
        now = now_ms()
        later = now + int(self.settings.recheck_seconds * 1000)
        await repository.release(conn, row.run_uuid, row.generation, later, now)
