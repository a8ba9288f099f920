"""The artifact proxy on both stores (local folder, S3 protocol via moto), through the real
mlflow client where a user meets it, and at the wire where the contract is sharper."""

import hashlib
import http.client
import os
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import mlflow
import pytest
from mlflow import MlflowClient

from tests.fixtures.artifacts import ARTIFACTS, MiB, snapshot
from tests.fixtures.s3 import S3_BUCKET, s3_client
from tests.fixtures.servers import RunningServer, start_server, stop_server


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 * MiB):
            digest.update(chunk)
    return digest.hexdigest()


def random_file(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        remaining = size
        while remaining:
            block = os.urandom(min(remaining, 8 * MiB))
            handle.write(block)
            remaining -= len(block)
    return path


def raw_request(
    server: RunningServer, method: str, raw_path: str, body: bytes = b""
) -> tuple[int, bytes]:
    """http.client sends the path byte for byte (httpx would normalise dot segments)."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request(method, raw_path, body=body or None)
    response = connection.getresponse()
    return response.status, response.read()


def test_every_log_call_round_trips(store_server: RunningServer, client_on, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    client_on(store_server)
    source = tmp_path / "src"
    (source / "deep" / "deeper").mkdir(parents=True)
    (source / "top.txt").write_text("top")
    (source / "deep" / "mid.txt").write_text("mid")
    (source / "deep" / "deeper" / "заклинание.txt").write_text("огонь", encoding="utf-8")
    single = tmp_path / "single.csv"
    single.write_text("a,b\n")
    figure, axes = plt.subplots()
    axes.plot([1, 2, 3])
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(single), artifact_path="tables")
        mlflow.log_artifacts(str(source), artifact_path="tree")
        mlflow.log_text("some text", "texts/note.txt")
        mlflow.log_dict({"k": [1, 2]}, "dicts/config.json")
        mlflow.log_figure(figure, "figures/line.png")
    run_id = run.info.run_id
    client = MlflowClient()
    assert {a.path for a in client.list_artifacts(run_id)} == {
        "tables",
        "tree",
        "texts",
        "dicts",
        "figures",
    }
    tree = {a.path: a for a in client.list_artifacts(run_id, "tree/deep")}
    assert set(tree) == {"tree/deep/mid.txt", "tree/deep/deeper"}
    assert tree["tree/deep/mid.txt"].file_size == 3 and tree["tree/deep/deeper"].is_dir
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/tree/deep/deeper/заклинание.txt") == "огонь"
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/texts/note.txt") == "some text"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/dicts/config.json") == {"k": [1, 2]}
    image = Path(client.download_artifacts(run_id, "figures/line.png", str(tmp_path / "img")))
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    whole = Path(
        mlflow.artifacts.download_artifacts(f"runs:/{run_id}/tree", dst_path=str(tmp_path / "all"))
    )
    assert (whole / "deep" / "deeper" / "заклинание.txt").read_text(encoding="utf-8") == "огонь"
    assert (whole / "top.txt").read_text() == "top"


def test_model_save_and_load_via_runs_uri(store_server: RunningServer, client_on) -> None:
    from sklearn.tree import DecisionTreeClassifier

    client_on(store_server)
    model = DecisionTreeClassifier(random_state=0).fit([[0], [1], [2], [3]], [0, 0, 1, 1])
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            pip_requirements=["scikit-learn"],
            skops_trusted_types=["sklearn.tree._tree.Tree"],
        )
    for uri in (f"runs:/{run.info.run_id}/model", info.model_uri):
        loaded = mlflow.pyfunc.load_model(uri)
        assert list(loaded.predict([[0], [3]])) == [0, 1]


def test_64_mib_sha256_round_trip(store_server: RunningServer, client_on, tmp_path: Path) -> None:
    client_on(store_server)
    original = random_file(tmp_path / "blob.bin", 64 * MiB)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(original), artifact_path="big")
    [listed] = MlflowClient().list_artifacts(run.info.run_id, "big")
    assert listed.file_size == 64 * MiB
    back = Path(
        MlflowClient().download_artifacts(run.info.run_id, "big/blob.bin", str(tmp_path / "dl"))
    )
    assert sha256_of(back) == sha256_of(original)


def test_forced_multipart_upload(
    store_server: RunningServer, client_on, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_on(store_server)
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", "1")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(5 * MiB))
    original = random_file(tmp_path / "parts.bin", 12 * MiB + 123)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(original), artifact_path="mp")
    back = Path(
        MlflowClient().download_artifacts(run.info.run_id, "mp/parts.bin", str(tmp_path / "dl"))
    )
    assert sha256_of(back) == sha256_of(original)
    metrics = httpx.get(f"{store_server.url}/metrics").text
    assert 'route="/api/2.0/mlflow-artifacts/mpu/create/{artifact_path:path}"' in metrics
    assert 'route="/api/2.0/mlflow-artifacts/mpu/complete/{artifact_path:path}"' in metrics


def test_one_gib_through_the_local_proxy(server: RunningServer, client_on, tmp_path: Path) -> None:
    """1 GiB: once through the client (multipart, as server-info advertises), once as one
    proxied PUT streamed by httpx, then a streamed GET; all verified by sha256."""
    client_on(server)
    original = random_file(tmp_path / "gib.bin", 1024 * MiB)
    expected = sha256_of(original)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(original))
    back = Path(MlflowClient().download_artifacts(run.info.run_id, "gib.bin", str(tmp_path / "a")))
    assert sha256_of(back) == expected
    back.unlink()

    def stream():
        with original.open("rb") as handle:
            while chunk := handle.read(4 * MiB):
                yield chunk

    target = f"{ARTIFACTS}/0/single-put/gib.bin"
    with httpx.Client(base_url=server.url, timeout=120) as api:
        assert api.put(target, content=stream()).status_code == 200
        digest = hashlib.sha256()
        with api.stream("GET", target) as response:
            assert response.headers["content-length"] == str(1024 * MiB)
            for chunk in response.iter_bytes(4 * MiB):
                digest.update(chunk)
    assert digest.hexdigest() == expected


def counter(server: RunningServer, name: str) -> float:
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def test_five_gib_upload_through_client_multipart(
    server: RunningServer, client_on, tmp_path: Path
) -> None:
    """5 GiB through the real client: multipart (server-info advertises it), parts through
    the proxy on the local store; verified by sha256 and the proxy's byte counters."""
    client_on(server)
    original = random_file(tmp_path / "five.bin", 5 * 1024 * MiB)
    expected = sha256_of(original)
    bytes_in = counter(server, "grimoire_artifact_bytes_in_total")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(original), artifact_path="huge")
    assert counter(server, "grimoire_artifact_bytes_in_total") - bytes_in >= 5 * 1024 * MiB
    original.unlink()
    bytes_out = counter(server, "grimoire_artifact_bytes_out_total")
    back = Path(MlflowClient().download_artifacts(run.info.run_id, "huge/five.bin", str(tmp_path)))
    assert back.stat().st_size == 5 * 1024 * MiB
    assert sha256_of(back) == expected
    assert counter(server, "grimoire_artifact_bytes_out_total") - bytes_out >= 5 * 1024 * MiB
    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'route="/api/2.0/mlflow-artifacts/mpu/parts/{upload_id}/{part_number}"' in metrics


@pytest.mark.parametrize(
    "raw_path",
    [
        f"{ARTIFACTS}/../../etc/passwd",
        f"{ARTIFACTS}/0/%2e%2e/%2e%2e/escape.txt",
        f"{ARTIFACTS}/0/a%2F..%2F..%2F..%2Fescape.txt",
        f"{ARTIFACTS}/0/%252e%252e/escape.txt",
        f"{ARTIFACTS}//etc/passwd",
        f"{ARTIFACTS}/0/a%5C..%5C..%5Cescape.txt",
        f"{ARTIFACTS}/0/nul%00byte.txt",
        f"{ARTIFACTS}/C:/windows.txt",
    ],
)
def test_traversal_attempts_are_rejected_and_touch_nothing(
    store_server: RunningServer, moto_endpoint: str, raw_path: str
) -> None:
    before = snapshot(store_server, moto_endpoint)
    for method, body in (("PUT", b"owned"), ("GET", b""), ("DELETE", b"")):
        status, payload = raw_request(store_server, method, raw_path, body)
        assert status == 400, (method, raw_path, status, payload)
        assert b"INVALID_PARAMETER_VALUE" in payload
    listing = raw_request(store_server, "GET", f"{ARTIFACTS}?path=..%2F..")
    assert listing[0] == 400
    assert snapshot(store_server, moto_endpoint) == before


def test_symlink_escape_on_local_store(server: RunningServer, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (server.artifacts_root / "0").mkdir(exist_ok=True)
    link = server.artifacts_root / "0" / "sneaky"
    link.symlink_to(outside, target_is_directory=True)
    try:
        assert raw_request(server, "GET", f"{ARTIFACTS}/0/sneaky/secret.txt")[0] == 400
        assert raw_request(server, "PUT", f"{ARTIFACTS}/0/sneaky/new.txt", b"x")[0] == 400
        assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    finally:
        link.unlink()


def test_missing_file_is_404_and_range_and_delete(store_server: RunningServer) -> None:
    with httpx.Client(base_url=store_server.url, timeout=30) as api:
        missing = api.get(f"{ARTIFACTS}/0/nope/model/MLmodel")
        assert missing.status_code == 404
        assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
        body = bytes(range(256)) * 4
        assert api.put(f"{ARTIFACTS}/0/ranges/data.bin", content=body).status_code == 200
        part = api.get(f"{ARTIFACTS}/0/ranges/data.bin", headers={"Range": "bytes=10-19"})
        assert part.status_code == 206
        assert part.content == body[10:20]
        assert part.headers["content-range"] == f"bytes 10-19/{len(body)}"
        suffix = api.get(f"{ARTIFACTS}/0/ranges/data.bin", headers={"Range": "bytes=-5"})
        assert suffix.content == body[-5:]
        beyond = api.get(f"{ARTIFACTS}/0/ranges/data.bin", headers={"Range": "bytes=5000-"})
        assert beyond.status_code == 416
        assert api.put(f"{ARTIFACTS}/0/ranges/page.html", content=b"<script>").status_code == 200
        page = api.get(f"{ARTIFACTS}/0/ranges/page.html")  # never rendered: saved
        assert page.headers["content-type"] == "application/octet-stream"
        assert page.headers["content-disposition"].startswith("attachment")
        listing = api.get(ARTIFACTS, params={"path": "0/ranges"}).json()["files"]
        assert {(f["path"], f["file_size"]) for f in listing} == {
            ("data.bin", len(body)),
            ("page.html", 8),
        }
        assert api.delete(f"{ARTIFACTS}/0/ranges/data.bin").status_code == 200
        assert api.get(f"{ARTIFACTS}/0/ranges/data.bin").status_code == 404
        assert api.delete(f"{ARTIFACTS}/0/ranges").status_code == 200
        assert api.get(ARTIFACTS, params={"path": "0/ranges"}).json() == {}
        assert api.delete(f"{ARTIFACTS}/0/ranges").status_code == 404


def test_upload_killed_halfway_leaves_nothing(
    store_server: RunningServer, moto_endpoint: str
) -> None:
    target = f"{ARTIFACTS}/0/killed/half.bin"
    parts = urlsplit(store_server.url)
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(
            f"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {40 * MiB}\r\n\r\n".encode()
        )
        chunk = os.urandom(MiB)
        for _ in range(20):  # 20 MiB of 40: past two S3 parts, so a multipart upload exists
            sock.sendall(chunk)
        time.sleep(0.5)
    deadline = time.monotonic() + 10
    while True:
        status, _ = raw_request(store_server, "GET", target)
        leftovers = _leftovers(store_server, moto_endpoint)
        if (status == 404 and not leftovers) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 404
    assert leftovers == []


def _leftovers(server: RunningServer, moto_endpoint: str) -> list[str]:
    if server.store == "s3":
        uploads = s3_client(moto_endpoint).list_multipart_uploads(Bucket=S3_BUCKET)
        return [u["Key"] for u in uploads.get("Uploads", []) if "killed" in u["Key"]]
    folder = server.artifacts_root / "0" / "killed"
    return [p.name for p in folder.iterdir()] if folder.exists() else []


def test_s3_outage_is_503_with_retry_after(database_url: str, tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port with nothing listening: S3 is "down"
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    env = {
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": f"s3://{S3_BUCKET}/artifacts",
        "GRIMOIRE_ARTIFACTS_S3_ENDPOINT_URL": f"http://127.0.0.1:{dead}",
        "GRIMOIRE_ARTIFACTS_S3_ACCESS_KEY_ID": "test",
        "GRIMOIRE_ARTIFACTS_S3_SECRET_ACCESS_KEY": "test",
    }
    server = start_server("services.artifacts.main:app", env, tmp_path / "log")
    try:
        with httpx.Client(base_url=server.url, timeout=60) as api:
            for response in (
                api.put(f"{ARTIFACTS}/0/down/file.txt", content=b"x" * (9 * MiB)),
                api.get(f"{ARTIFACTS}/0/down/file.txt"),
                api.get(ARTIFACTS, params={"path": "0/down"}),
            ):
                assert response.status_code == 503, response.text
                assert response.headers["retry-after"].isdigit()
                assert response.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
    finally:
        stop_server(server)
