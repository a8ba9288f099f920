"""Kubernetes names of a job's objects, derived from the run id so a retried submit finds
(409) the Job it created before instead of creating a twin."""

import re

MAX_LABEL = 63
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
RUN_ID_LABEL = "grimoire.dev/run-id"
EXPERIMENT_ID_LABEL = "grimoire.dev/experiment-id"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"


def is_dns_label(name: str) -> bool:
    """RFC 1123 label: what the API server accepts as a namespace or Job name."""
    return len(name) <= MAX_LABEL and _DNS_LABEL.fullmatch(name) is not None


def job_name(run_id: str) -> str:
    return f"grimoire-run-{run_id}"


def secret_name(run_id: str) -> str:
    return f"grimoire-run-{run_id}-token"


def run_of_job(name: str) -> str | None:
    prefix = "grimoire-run-"
    run_id = name[len(prefix) :] if name.startswith(prefix) else ""
    return run_id if re.fullmatch(r"[0-9a-f]{32}", run_id) else None
