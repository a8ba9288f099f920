"""The Job and Secret of a training job, built by the pure builder (services/jobs/manifests.py)
and validated strictly against Kubernetes' own schemas; what the schema cannot say (names,
quantities, restart policy) is checked with the rules the API server applies."""

import json
import uuid

import kubernetes_validate
import pytest
from kubernetes.utils import parse_quantity

from services.jobs import run_state
from services.jobs.manifests import GPU_RESOURCE, JobSpec, build_job, build_secret
from services.jobs.names import is_dns_label, job_name, run_of_job, secret_name
from services.jobs.queues import JobsSettings, QueueConfig

VERSIONS = ["1.29.0", "1.33.0", "1.37.0"]
A100 = {"cloud.google.com/gke-accelerator": "nvidia-tesla-a100"}


def spec(**overrides: object) -> JobSpec:
    values: dict[str, object] = {
        "run_id": uuid.uuid4().hex,
        "experiment_id": "7",
        "namespace": "ml-training",
        "local_queue": "gpu",
        "image": "registry.example/train:1.2",
        "entry_point": "main",
        "parameters": {"alpha": "0.4", "model_name": "it's quoted"},
        "source": {"type": "artifact", "path": "code/project.tar.gz"},
        "tracking_uri": "http://grimoire-tracking.grimoire.svc:5000",
        "cpu": "4",
        "memory": "16Gi",
        "timeout_seconds": 21600,
        "max_retries": 2,
        "ttl_seconds_after_finished": 3600,
        "service_account": "grimoire-job",
        "gpus": 1,
        "gpu_node_labels": A100,
    }
    values.update(overrides)
    return JobSpec(**values)  # type: ignore[arg-type]


SPECS = {
    "one a100": spec(),
    "cpu only": spec(gpus=0, gpu_node_labels={}, cpu="500m", memory="1G"),
    "eight gpus, any flavor": spec(gpus=8, gpu_node_labels={}, max_retries=0),
    "git source": spec(
        source={"type": "git", "uri": "https://github.com/o/r", "commit": "a" * 40},
        parameters={},
    ),
    "authentication off": spec(with_token=False),
}


def container(job: dict) -> dict:
    (only,) = job["spec"]["template"]["spec"]["containers"]
    return only


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", list(SPECS))
def test_every_built_manifest_is_valid_in_strict_mode(name: str, version: str) -> None:
    built = SPECS[name]
    secrets = (build_secret(built, "tok"), build_secret(built, "tok", str(uuid.uuid4())))
    for manifest in (build_job(built), *secrets):
        kubernetes_validate.validate(manifest, version, strict=True)


def test_strict_validation_catches_a_misspelt_field() -> None:
    job = build_job(spec())
    job["spec"]["backofflimit"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, "1.33.0", strict=True)


@pytest.mark.parametrize("name", list(SPECS))
def test_names_are_dns_1123_labels_and_quantities_parse(name: str) -> None:
    built = SPECS[name]
    job, secret = build_job(built), build_secret(built, "tok")
    for manifest in (job, secret):
        assert is_dns_label(manifest["metadata"]["name"])
        assert is_dns_label(manifest["metadata"]["namespace"])
        for key, value in manifest["metadata"]["labels"].items():
            assert len(key.split("/")[-1]) <= 63 and len(value) <= 63
    resources = container(job)["resources"]
    for kind in ("requests", "limits"):
        for quantity in resources[kind].values():
            assert parse_quantity(quantity) > 0
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")


def test_a_gpu_job_asks_its_flavor_and_tolerates_the_gpu_taint() -> None:
    job = build_job(spec(gpus=2))
    pod = job["spec"]["template"]["spec"]
    resources = container(job)["resources"]
    assert resources["limits"][GPU_RESOURCE] == resources["requests"][GPU_RESOURCE] == "2"
    assert {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"} in pod["tolerations"]
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"][0]["matchExpressions"] == [
        {
            "key": "cloud.google.com/gke-accelerator",
            "operator": "In",
            "values": ["nvidia-tesla-a100"],
        }
    ]
    assert "nodeSelector" not in pod  # the flavor's labels, not a hard-coded selector


def test_a_cpu_job_has_no_gpu_and_no_toleration() -> None:
    job = build_job(SPECS["cpu only"])
    pod = job["spec"]["template"]["spec"]
    assert GPU_RESOURCE not in container(job)["resources"]["limits"]
    assert "tolerations" not in pod and "affinity" not in pod


def test_the_job_is_queued_suspended_and_disruptions_spend_no_retry() -> None:
    built = spec(max_retries=3, timeout_seconds=7200)
    job = build_job(built)
    assert job["metadata"]["name"] == job_name(built.run_id)
    assert run_of_job(job["metadata"]["name"]) == built.run_id
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "gpu"
    assert job["spec"]["suspend"] is True
    assert job["spec"]["backoffLimit"] == 3
    assert job["spec"]["activeDeadlineSeconds"] == 7200
    assert job["spec"]["ttlSecondsAfterFinished"] == 3600
    assert job["spec"]["podFailurePolicy"]["rules"] == [
        {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}
    ]
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["serviceAccountName"] == "grimoire-job"
    assert pod["automountServiceAccountToken"] is False


def test_the_container_gets_the_run_and_its_token_from_the_secret() -> None:
    built = spec()
    env = {e["name"]: e for e in container(build_job(built))["env"]}
    assert container(build_job(built))["command"] == ["grimoire", "job-exec"]
    assert env["MLFLOW_RUN_ID"]["value"] == built.run_id
    assert env["MLFLOW_EXPERIMENT_ID"]["value"] == "7"
    assert env["MLFLOW_TRACKING_URI"]["value"] == built.tracking_uri
    assert json.loads(env["GRIMOIRE_JOB_PARAMETERS"]["value"]) == built.parameters
    assert json.loads(env["GRIMOIRE_JOB_SOURCE"]["value"]) == built.source
    assert env["GRIMOIRE_JOB_ENTRY_POINT"]["value"] == "main"
    reference = env["MLFLOW_TRACKING_TOKEN"]["valueFrom"]["secretKeyRef"]
    # Required: a pod that starts before its Secret exists waits for it, never runs tokenless.
    assert reference == {"name": secret_name(built.run_id), "key": "token", "optional": False}
    assert all("value" not in e or "tok" not in e["value"] for e in env.values())


def test_without_authentication_the_container_references_no_secret() -> None:
    env = container(build_job(SPECS["authentication off"]))["env"]
    assert "MLFLOW_TRACKING_TOKEN" not in {e["name"] for e in env}
    assert all("valueFrom" not in e for e in env)


def test_the_secret_is_owned_by_the_job_and_holds_only_the_token() -> None:
    built = spec()
    uid = str(uuid.uuid4())
    secret = build_secret(built, "grm_secret", uid)
    (owner,) = secret["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["uid"]) == ("Job", job_name(built.run_id), uid)
    assert secret["stringData"] == {"token": "grm_secret"}
    assert "ownerReferences" not in build_secret(built, "grm_secret")["metadata"]  # before the Job


@pytest.mark.parametrize("bad", ["Upper", "-lead", "trail-", "a" * 64, "dots.are.not.labels"])
def test_dns_labels_are_checked_as_the_api_server_does(bad: str) -> None:
    assert not is_dns_label(bad)


def test_queues_refuse_bad_quantities_and_names() -> None:
    with pytest.raises(ValueError, match="quantity"):
        QueueConfig(name="q", local_queue="q", namespace="ns", default_memory="lots")
    with pytest.raises(ValueError, match="DNS-1123"):
        QueueConfig(name="q", local_queue="Q_1", namespace="ns")
    with pytest.raises(ValueError, match="same name"):
        JobsSettings(queues=[QueueConfig(name="q", local_queue="a", namespace="n")] * 2)


def row(state: str = "QUEUED", attempt: int = 1, **extra: object) -> object:
    values = {"state": state, "attempt": attempt, "reason": None, "cancel_requested": False}
    values.update({"unschedulable_since": None, **extra})
    return type("Row", (), values)()


def k8s_job(name: str, suspend: bool, *conditions: tuple[str, str]) -> dict:
    status = {"conditions": [{"type": t, "status": "True", "reason": r} for t, r in conditions]}
    return {"metadata": {"name": name}, "spec": {"suspend": suspend}, "status": status}


def test_run_state_from_queued_to_running_to_evicted() -> None:
    name = job_name("a" * 32)
    workload = {
        "metadata": {
            "name": "w",
            "creationTimestamp": "2026-01-01T00:00:02Z",
            "ownerReferences": [{"kind": "Job", "name": name}],
        },
        "spec": {"queueName": "gpu"},
        "status": {},
    }
    ahead = {
        "metadata": {"name": "v", "creationTimestamp": "2026-01-01T00:00:01Z"},
        "spec": {"queueName": "gpu"},
        "status": {},
    }
    queued = run_state.observe(row(), k8s_job(name, True), [], [ahead, workload], 0, 1000)
    assert (queued.state, queued.queue_position, queued.position_source) == (
        "QUEUED",
        2,
        "estimate",
    )
    # Kueue's visibility API knows better (priorities, other namespaces): its word counts.
    kueue = run_state.observe(row(), k8s_job(name, True), [], [ahead, workload], 0, 1000, {"w": 1})
    assert (kueue.queue_position, kueue.position_source) == (1, "kueue")
    # It answered without this Workload (past its limit, or just admitted): the estimate.
    unlisted = run_state.observe(row(), k8s_job(name, True), [], [ahead, workload], 0, 1000, {})
    assert (unlisted.queue_position, unlisted.position_source) == (2, "estimate")
    running_pod = {"metadata": {"name": "p"}, "status": {"phase": "Running"}}
    running = run_state.observe(row(), k8s_job(name, False), [running_pod], [workload], 0, 1000)
    assert running.state == "RUNNING"
    workload["status"] = {
        "conditions": [{"type": "Evicted", "status": "True", "reason": "Preempted"}]
    }
    evicted = run_state.observe(row("RUNNING"), k8s_job(name, True), [], [workload], 0, 1000)
    assert (evicted.state, evicted.attempt, evicted.reason) == ("QUEUED", 2, "Preempted")


def test_run_state_failures_carry_their_reason() -> None:
    name = job_name("b" * 32)
    oom = {
        "metadata": {"name": "p"},
        "status": {
            "phase": "Failed",
            "containerStatuses": [{"state": {"terminated": {"reason": "OOMKilled"}}}],
        },
    }
    failed = k8s_job(name, False, ("Failed", "BackoffLimitExceeded"))
    assert run_state.observe(row("RUNNING"), failed, [oom], [], 0, 1).reason == "OOMKilled"
    assert run_state.observe(row("RUNNING"), failed, [], [], 0, 1).reason == "BackoffLimitExceeded"
    pull = {
        "metadata": {"name": "p"},
        "status": {
            "phase": "Pending",
            "containerStatuses": [{"state": {"waiting": {"reason": "ImagePullBackOff"}}}],
        },
    }
    stuck = run_state.observe(row("ADMITTED"), k8s_job(name, False), [pull], [], 0, 1)
    assert (stuck.state, stuck.reason, stuck.delete_job) == ("FAILED", "ImagePullBackOff", True)
    unschedulable = {
        "metadata": {"name": "p"},
        "status": {
            "phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}],
        },
    }
    waiting = run_state.observe(row("ADMITTED"), k8s_job(name, False), [unschedulable], [], 10, 5)
    assert (waiting.state, waiting.unschedulable_since) == ("ADMITTED", 10)
    late = run_state.observe(
        row("ADMITTED", unschedulable_since=10), k8s_job(name, False), [unschedulable], [], 16, 5
    )
    assert (late.state, late.reason) == ("FAILED", "Unschedulable")
    assert run_state.observe(row("RUNNING"), None, [], [], 0, 1).reason == "JobDeleted"


def test_a_run_the_script_ended_keeps_its_end() -> None:
    assert run_state.run_status("SUCCEEDED", "RUNNING") == "FINISHED"
    assert run_state.run_status("FAILED", "RUNNING") == "FAILED"
    assert run_state.run_status("SUCCEEDED", "FAILED") is None
    assert run_state.run_status("FAILED", "FINISHED") is None
    assert run_state.run_status("QUEUED", "RUNNING") == "SCHEDULED"
    assert run_state.run_status("CANCELLED", "RUNNING") == "KILLED"
