"""The Kubernetes objects of one job, built as plain manifests (pure: no client, no I/O).

A Job per run: created suspended with its Kueue queue label, so Kueue decides when it runs
and on which ResourceFlavor; disruptions (preemption, node drain, spot loss) are ignored by
its podFailurePolicy so they do not spend `max_retries`; its token (with authentication on)
lives in a Secret owned by the Job, so deleting the Job deletes the token too, and the
container's reference to it is required: a pod that starts before the Secret exists waits for
it instead of running without a token.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from services.jobs.names import (
    EXPERIMENT_ID_LABEL,
    QUEUE_LABEL,
    RUN_ID_LABEL,
    job_name,
    secret_name,
)

GPU_RESOURCE = "nvidia.com/gpu"
TOKEN_KEY = "token"
CONTAINER = "train"


@dataclass(frozen=True)
class JobSpec:
    run_id: str
    experiment_id: str
    namespace: str
    local_queue: str
    image: str
    entry_point: str
    parameters: dict[str, str]
    source: dict[str, Any]
    tracking_uri: str
    cpu: str
    memory: str
    timeout_seconds: int
    max_retries: int
    ttl_seconds_after_finished: int
    service_account: str
    # Authentication is on: the job gets a token from its Secret (off: neither exists).
    with_token: bool = True
    gpus: int = 0
    # The node labels of the GPU type's Kueue ResourceFlavor (empty: any flavor).
    gpu_node_labels: dict[str, str] = field(default_factory=dict)


def labels(spec: JobSpec) -> dict[str, str]:
    return {
        "app.kubernetes.io/managed-by": "grimoire",
        "app.kubernetes.io/component": "training-job",
        RUN_ID_LABEL: spec.run_id,
        EXPERIMENT_ID_LABEL: spec.experiment_id,
    }


def _env(spec: JobSpec) -> list[dict[str, Any]]:
    plain = {
        "MLFLOW_TRACKING_URI": spec.tracking_uri,
        "MLFLOW_RUN_ID": spec.run_id,
        "MLFLOW_EXPERIMENT_ID": spec.experiment_id,
        "GRIMOIRE_JOB_SOURCE": json.dumps(spec.source, sort_keys=True),
        "GRIMOIRE_JOB_ENTRY_POINT": spec.entry_point,
        "GRIMOIRE_JOB_PARAMETERS": json.dumps(spec.parameters, sort_keys=True),
        "PYTHONUNBUFFERED": "1",  # the log streams as the script prints
    }
    env: list[dict[str, Any]] = [{"name": name, "value": value} for name, value in plain.items()]
    if spec.with_token:
        reference = {"name": secret_name(spec.run_id), "key": TOKEN_KEY, "optional": False}
        env.append({"name": "MLFLOW_TRACKING_TOKEN", "valueFrom": {"secretKeyRef": reference}})
    return env


def _resources(spec: JobSpec) -> dict[str, dict[str, str]]:
    requests = {"cpu": spec.cpu, "memory": spec.memory}
    limits = {"memory": spec.memory}
    if spec.gpus:
        # An extended resource's request must equal its limit.
        requests[GPU_RESOURCE] = limits[GPU_RESOURCE] = str(spec.gpus)
    return {"requests": requests, "limits": limits}


def _pod_spec(spec: JobSpec) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "restartPolicy": "Never",
        "serviceAccountName": spec.service_account,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {
                "name": CONTAINER,
                "image": spec.image,
                "command": ["grimoire", "job-exec"],
                "env": _env(spec),
                "resources": _resources(spec),
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                },
            }
        ],
    }
    if spec.gpus:
        pod["tolerations"] = [{"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}]
    if spec.gpu_node_labels:
        terms = [
            {"key": key, "operator": "In", "values": [value]}
            for key, value in sorted(spec.gpu_node_labels.items())
        ]
        pod["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": terms}]
                }
            }
        }
    return pod


def build_job(spec: JobSpec) -> dict[str, Any]:
    job_labels = {**labels(spec), QUEUE_LABEL: spec.local_queue}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": job_name(spec.run_id),
            "namespace": spec.namespace,
            "labels": job_labels,
        },
        "spec": {
            # Kueue unsuspends the Job when it admits its Workload.
            "suspend": True,
            "backoffLimit": spec.max_retries,
            "activeDeadlineSeconds": spec.timeout_seconds,
            "ttlSecondsAfterFinished": spec.ttl_seconds_after_finished,
            "podFailurePolicy": {
                "rules": [
                    {
                        "action": "Ignore",
                        "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
                    }
                ]
            },
            "template": {"metadata": {"labels": labels(spec)}, "spec": _pod_spec(spec)},
        },
    }


def build_secret(spec: JobSpec, token: str, owner_uid: str | None = None) -> dict[str, Any]:
    """The job's token; once the Job exists, owned by it (its uid) so the garbage collector
    deletes it with the Job."""
    metadata: dict[str, Any] = {
        "name": secret_name(spec.run_id),
        "namespace": spec.namespace,
        "labels": labels(spec),
    }
    if owner_uid is not None:
        metadata["ownerReferences"] = [
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "name": job_name(spec.run_id),
                "uid": owner_uid,
                "blockOwnerDeletion": False,
            }
        ]
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": metadata,
        "stringData": {TOKEN_KEY: token},
    }
