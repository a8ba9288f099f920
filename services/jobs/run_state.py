"""How what Kubernetes and Kueue say about a job becomes the job's state and its run's.

Pure: it reads the Job, its pods and its Kueue Workload as the API server sends them (JSON
dicts) and the job's row, and says what the job is now. The reconciler writes the result,
and the run's status and tags, in one transaction.

| seen | job state | run status |
|---|---|---|
| Workload waiting for quota (Job suspended) | QUEUED, `queue_position` (+ its source) | SCHEDULED |
| Workload admitted, no pod running yet | ADMITTED | SCHEDULED |
| a pod running | RUNNING | RUNNING |
| evicted or preempted after admission (Job suspended again) | QUEUED, `attempt` + 1 | SCHEDULED |
| Job Complete | SUCCEEDED | FINISHED * |
| Job Failed (BackoffLimitExceeded, DeadlineExceeded), OOMKilled | FAILED, `reason` | FAILED * |
| an image pull error, unschedulable too long, the Job deleted | FAILED, `reason` | FAILED * |
| cancelled | CANCELLED | KILLED |

(*) unless the script ended the run itself: then its own end stands.

The queue position is Kueue's own (`positionInLocalQueue` from its visibility API, source
`kueue`) when that API answers; else it is estimated from the namespace's pending Workloads
(source `estimate`: creation order, blind to priorities and to other namespaces sharing the
ClusterQueue).
"""

from dataclasses import dataclass
from typing import Any

from services.core.db.tables.jobs import FINAL_JOB_STATES

IMAGE_PULL_ERRORS = frozenset(
    {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
)
CONFIG_ERRORS = frozenset({"CreateContainerConfigError", "CreateContainerError"})
FINAL_RUN_STATUSES = frozenset({"FINISHED", "FAILED", "KILLED"})
RUN_STATUS_OF = {
    "QUEUED": "SCHEDULED",
    "ADMITTED": "SCHEDULED",
    "RUNNING": "RUNNING",
    "SUCCEEDED": "FINISHED",
    "FAILED": "FAILED",
    "CANCELLED": "KILLED",
}


@dataclass(frozen=True)
class Seen:
    state: str
    reason: str | None
    attempt: int
    queue_position: int | None = None
    position_source: str | None = None  # "kueue" or "estimate" (with a position)
    unschedulable_since: int | None = None
    # The Job will not end by itself (an image that cannot be pulled, a pod that cannot be
    # scheduled): the reconciler deletes it.
    delete_job: bool = False

    @property
    def final(self) -> bool:
        return self.state in FINAL_JOB_STATES


def condition(obj: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
    for found in ((obj or {}).get("status") or {}).get("conditions") or ():
        if found.get("type") == kind and found.get("status") == "True":
            return found
    return None


def _container_states(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    states = []
    for pod in pods:
        for container in (pod.get("status") or {}).get("containerStatuses") or ():
            states.append(container.get("state") or {})
            states.append(container.get("lastState") or {})
    return states


def _oom_killed(pods: list[dict[str, Any]]) -> bool:
    return any(
        (state.get("terminated") or {}).get("reason") == "OOMKilled"
        for state in _container_states(pods)
    )


def _stuck_reason(pods: list[dict[str, Any]]) -> str | None:
    """An image that cannot be pulled or a container that cannot be created: it would wait
    until the deadline, so the job fails now with the kubelet's reason."""
    for state in _container_states(pods):
        reason = (state.get("waiting") or {}).get("reason")
        if reason in IMAGE_PULL_ERRORS or reason in CONFIG_ERRORS:
            return str(reason)
    return None


def _unschedulable(pods: list[dict[str, Any]]) -> bool:
    for pod in pods:
        for found in (pod.get("status") or {}).get("conditions") or ():
            if (
                found.get("type") == "PodScheduled"
                and found.get("status") == "False"
                and found.get("reason") == "Unschedulable"
            ):
                return True
    return False


def workload_of(workloads: list[dict[str, Any]], job_name: str) -> dict[str, Any] | None:
    """Kueue names a Job's Workload itself; it is the one the Job owns."""
    for workload in workloads:
        owners = (workload.get("metadata") or {}).get("ownerReferences") or ()
        if any(o.get("kind") == "Job" and o.get("name") == job_name for o in owners):
            return workload
    return None


def estimated_position(workloads: list[dict[str, Any]], mine: dict[str, Any]) -> int | None:
    """1 + the pending Workloads of the same LocalQueue created before this one (Kueue's
    order within a priority; the namespace's view, which is what its users share)."""
    queue = (mine.get("spec") or {}).get("queueName")
    pending = [
        w
        for w in workloads
        if (w.get("spec") or {}).get("queueName") == queue
        and condition(w, "QuotaReserved") is None
        and condition(w, "Finished") is None
    ]
    pending.sort(
        key=lambda w: (w["metadata"].get("creationTimestamp") or "", w["metadata"]["name"])
    )
    names = [w["metadata"]["name"] for w in pending]
    name = mine["metadata"]["name"]
    return names.index(name) + 1 if name in names else None


def queue_position(
    workloads: list[dict[str, Any]], mine: dict[str, Any], positions: dict[str, int] | None
) -> tuple[int | None, str | None]:
    """The Workload's position and where it comes from: Kueue's `positions` (by Workload
    name) when they name it, else the estimate."""
    name = mine["metadata"]["name"]
    if positions is not None and name in positions:
        return positions[name], "kueue"
    estimate = estimated_position(workloads, mine)
    return estimate, None if estimate is None else "estimate"


def observe(
    row: Any,
    job: dict[str, Any] | None,
    pods: list[dict[str, Any]],
    workloads: list[dict[str, Any]],
    now: int,
    unschedulable_ms: int,
    positions: dict[str, int] | None = None,
) -> Seen:
    """What the job is now. `row` is its jobs row (state, attempt, unschedulable_since);
    `positions`: its LocalQueue's from Kueue's visibility API, None when it did not answer."""
    attempt = row.attempt
    if row.cancel_requested:
        return Seen("CANCELLED", "Cancelled", attempt)
    if job is None:
        return Seen("FAILED", "JobDeleted", attempt)
    if condition(job, "Complete") or condition(job, "SuccessCriteriaMet"):
        return Seen("SUCCEEDED", None, attempt)
    failed = condition(job, "Failed") or condition(job, "FailureTarget")
    if failed:
        reason = "OOMKilled" if _oom_killed(pods) else failed.get("reason") or "Failed"
        return Seen("FAILED", reason, attempt)
    stuck = _stuck_reason(pods)
    if stuck:
        return Seen("FAILED", stuck, attempt, delete_job=True)
    workload = workload_of(workloads, job["metadata"]["name"])
    # Kueue unsuspends the Job when it admits the Workload, and suspends it again when the
    # Workload is evicted or preempted.
    if (job.get("spec") or {}).get("suspend"):
        evicted = row.state in ("ADMITTED", "RUNNING")
        reason = None
        if evicted:
            attempt += 1
            gone = condition(workload, "Evicted") or condition(workload, "Preempted")
            reason = (gone or {}).get("reason") or "Evicted"
        elif row.state == "QUEUED":
            reason = row.reason  # keep why an earlier attempt was evicted
        position, source = (
            queue_position(workloads, workload, positions) if workload else (None, None)
        )
        return Seen("QUEUED", reason, attempt, queue_position=position, position_source=source)
    running = any((pod.get("status") or {}).get("phase") == "Running" for pod in pods)
    if running:
        return Seen("RUNNING", None, attempt)
    if _unschedulable(pods):
        since = row.unschedulable_since or now
        if now - since > unschedulable_ms:
            return Seen("FAILED", "Unschedulable", attempt, delete_job=True)
        return Seen("ADMITTED", "Unschedulable", attempt, unschedulable_since=since)
    return Seen("ADMITTED", None, attempt)


def run_status(seen_state: str, current_run_status: str) -> str | None:
    """The run's new status, or None to leave it: a run the script ended stays as it ended
    (cancelling still marks it KILLED: the user asked for it)."""
    wanted = RUN_STATUS_OF[seen_state]
    if current_run_status in FINAL_RUN_STATUSES and seen_state != "CANCELLED":
        return None
    if current_run_status == wanted:
        return None
    return wanted
