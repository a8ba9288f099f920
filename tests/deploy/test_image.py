"""The real container image: built from the Containerfile with buildah, `grimoire server`
started inside it (buildah run shares the host network, so it answers on 127.0.0.1), and
driven from outside by the unmodified mlflow client."""

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from mlflow import MlflowClient

from tests.fixtures.container_image import build_image, ensure_base_image, run, skip_without_tools
from tests.fixtures.servers import free_port

pytestmark = pytest.mark.image

TAG = "localhost/grimoire:test"
UID = 10001
MOUNT = "/var/lib/grimoire"


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    skip_without_tools()
    ensure_base_image()
    build_image(TAG, tmp_path_factory.mktemp("image-build"))
    return TAG


@pytest.fixture
def container(image: str) -> Iterator[str]:
    name = f"grimoire-test-{uuid.uuid4().hex[:8]}"
    run("buildah", "from", "--name", name, image)
    yield name
    run("buildah", "rm", name)


def in_container(container: str, *command: str, volume: str | None = None) -> list[str]:
    mounts = ["-v", volume] if volume else []
    return ["buildah", "run", "--isolation", "chroot", *mounts, container, "--", *command]


def test_image_config_runs_as_a_numeric_user_with_healthcheck_labels_and_a_volume(
    image: str,
) -> None:
    config = json.loads(run("buildah", "inspect", "--type", "image", image))
    docker = config["Docker"]["config"]
    assert docker["User"] == f"{UID}:{UID}"
    assert docker["Cmd"] == ["grimoire", "server", "--host", "0.0.0.0"]
    assert list(docker["Volumes"]) == ["/data"]
    assert "GRIMOIRE_DATA_DIR=/data" in docker["Env"]
    assert "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN=10" in docker["Env"]
    assert "GRIMOIRE_SERVER_WORKERS=1" in docker["Env"]  # one process a container (drain)
    assert "/health" in " ".join(docker["Healthcheck"]["Test"])
    labels = docker["Labels"]
    for key in ("title", "description", "licenses", "version", "revision"):
        assert labels[f"org.opencontainers.image.{key}"], key


def test_every_command_is_in_the_image_and_no_compiler_is(container: str) -> None:
    routes = run(*in_container(container, "grimoire", "routes"))
    assert "/api/2.0/mlflow-artifacts/\tartifacts" in routes
    assert "upgrade" in run(*in_container(container, "grimoire", "db", "--help"))
    # Each service's uvicorn target imports (builds its app) with the packaged files; the UI
    # is inside the wheel.
    services = "tracking", "artifacts", "registry", "web"
    check = "; ".join(f"import services.{svc}.main" for svc in services)
    check += "; import services.web.router as w; assert (w.STATIC / 'index.html').is_file()"
    run(*in_container(container, "python3", "-c", check))
    compilers = run(*in_container(container, "sh", "-c", "command -v gcc cc c++ clang || true"))
    assert compilers.strip() == ""


def wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"not ready in 120 s:\n{log.read_text()}")


def grimoire_process(buildah: subprocess.Popen) -> psutil.Process:
    """`grimoire server` itself: chroot isolation keeps the host's process namespace, so a
    SIGTERM reaches it as an orchestrator's would."""
    for child in psutil.Process(buildah.pid).children(recursive=True):
        command = child.cmdline()
        if command[0].endswith("python3") and command[1:3] == [
            "/opt/grimoire/bin/grimoire",
            "server",
        ]:
            return child
    raise AssertionError("grimoire server not found under buildah run")


def overlay_changes(container: str) -> list[str]:
    """Every path the container wrote outside its volumes (the overlay's upper layer)."""
    merged = Path(run("buildah", "mount", container).strip())
    try:
        upper = merged.parent / "diff"
        return sorted(str(path.relative_to(upper)) for path in upper.rglob("*"))
    finally:
        run("buildah", "umount", container)


def test_grimoire_server_in_the_image_serves_the_mlflow_client(
    container: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, UID, UID)  # the volume belongs to the image's user, as an operator sets it
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The port by the image's own setting, so the image's HEALTHCHECK probes this server.
    # The data directory on a host folder: buildah 1.28 shadows a bind mount on the image's
    # VOLUME (/data) with its own volume, so the folder is mounted beside it.
    run("buildah", "config", "--env", f"GRIMOIRE_SERVER_PORT={port}", container)
    run("buildah", "config", "--env", f"GRIMOIRE_DATA_DIR={MOUNT}", container)
    log = tmp_path / "server.log"
    # The default command, on loopback: the host network is shared with this test.
    buildah = subprocess.Popen(
        in_container(container, "grimoire", "server", "--workers", "1", volume=f"{data}:{MOUNT}"),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(url, buildah, log)
        assert f"MLFLOW_TRACKING_URI={url}" in log.read_text()
        healthcheck = json.loads(run("buildah", "inspect", "--type", "image", TAG))["Docker"][
            "config"
        ]["Healthcheck"]["Test"]
        assert healthcheck[0] == "CMD-SHELL"
        run(*in_container(container, "sh", "-c", healthcheck[1]))

        client = MlflowClient(tracking_uri=url)
        experiment_id = client.create_experiment("in-the-image")
        run_id = client.create_run(experiment_id).info.run_id
        client.log_param(run_id, "lr", "0.01")
        client.log_metric(run_id, "loss", 0.25, step=3)
        weights = tmp_path / "weights.bin"
        weights.write_bytes(b"\x00grimoire\xff" * 10_000)
        client.log_artifact(run_id, str(weights), artifact_path="model")
        client.set_terminated(run_id)

        stored = client.get_run(run_id)
        assert stored.data.params == {"lr": "0.01"}
        assert stored.data.metrics == {"loss": 0.25}
        assert [m.step for m in client.get_metric_history(run_id, "loss")] == [3]
        assert [f.path for f in client.list_artifacts(run_id, "model")] == ["model/weights.bin"]
        back = Path(client.download_artifacts(run_id, "model/weights.bin", str(tmp_path)))
        assert back.read_bytes() == weights.read_bytes()
    finally:
        grimoire_process(buildah).send_signal(signal.SIGTERM)
        returncode = buildah.wait(timeout=60)
    # A clean stop: requests drained, the embedded PostgreSQL stopped with it.
    assert returncode == 0, log.read_text()
    assert (data / "postgres" / "PG_VERSION").is_file()
    assert not (data / "postgres" / "postmaster.pid").exists()
    assert any((data / "artifacts").rglob("weights.bin"))
    # Read-only-root friendly: outside the data volume nothing but /tmp was written (besides
    # the empty mount points buildah made: /run and the volume's).
    changes = overlay_changes(container)
    outside_tmp = [path for path in changes if path.split("/")[0] != "tmp"]
    assert set(outside_tmp) <= {"run", "var", "var/lib", "var/lib/grimoire"}, outside_tmp
