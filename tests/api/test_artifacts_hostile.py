"""The artifact proxy against hostile requests, over raw HTTP, on both stores (local folder,
S3 protocol via moto): every answer is the right 4xx or an inert download, a refused request
stores nothing, and the same keep-alive connection goes on working."""

import hashlib
import os
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures.artifacts import ARTIFACTS, MiB, created, snapshot
from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.servers import RunningServer, sql

MPU = "/api/2.0/mlflow-artifacts/mpu"
T = "/api/2.0/mlflow"
SANDBOX = "default-src 'none'; sandbox"


@pytest.fixture
def api(store_server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=store_server.url, timeout=60) as client:
        yield client


@pytest.fixture
def base() -> str:
    return f"0/hostile-{uuid.uuid4().hex[:10]}"


def assert_inert_headers(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff", response.headers
    assert response.headers["content-security-policy"] == SANDBOX, response.headers


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error_code"] == code, response.text
    assert_inert_headers(response)


def listed(api: httpx.Client, folder: str) -> dict[str, dict]:
    response = api.get(ARTIFACTS, params={"path": folder})
    assert response.status_code == 200, response.text
    return {entry["path"]: entry for entry in response.json().get("files", [])}


SCRIPTABLE = {
    "page.xhtml": b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "page.html": b"<script>alert(document.cookie)</script>",
    "PAGE.HTM": b"<script>alert(1)</script>",
    "image.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "code.js": b"alert(1)",
    "paper.pdf": b"%PDF-1.4 /JavaScript",
    "no-extension": b"<script>alert(1)</script>",
    'we"ird;name.html': b"<script>alert(1)</script>",
}
INLINE = {
    "notes.txt": "text/plain; charset=utf-8",
    "table.csv": "text/plain; charset=utf-8",
    "config.yaml": "text/plain; charset=utf-8",
    "MLmodel": "text/plain; charset=utf-8",
    "metrics.json": "application/json",
    "plot.png": "image/png",
    "photo.JPG": "image/jpeg",
}


def test_scriptable_artifacts_download_as_attachments(api: httpx.Client, base: str) -> None:
    for name, body in SCRIPTABLE.items():
        assert api.put(f"{ARTIFACTS}/{base}/{name}", content=body).status_code == 200
        response = api.get(f"{ARTIFACTS}/{base}/{name}")
        assert response.status_code == 200
        assert response.content == body
        assert response.headers["content-type"] == "application/octet-stream", name
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment; filename*=UTF-8''"), disposition
        assert_inert_headers(response)
    quoted = api.get(f"{ARTIFACTS}/{base}/we%22ird%3Bname.html").headers["content-disposition"]
    assert quoted == "attachment; filename*=UTF-8''we%22ird%3Bname.html"
    ranged = api.get(f"{ARTIFACTS}/{base}/page.html", headers={"Range": "bytes=0-7"})
    assert ranged.status_code == 206 and ranged.content == b"<script>"
    assert ranged.headers["content-type"] == "application/octet-stream"
    assert_inert_headers(ranged)


def test_displayable_artifacts_keep_an_inert_type(api: httpx.Client, base: str) -> None:
    for name, media_type in INLINE.items():
        assert api.put(f"{ARTIFACTS}/{base}/{name}", content=b"x").status_code == 200
        response = api.get(f"{ARTIFACTS}/{base}/{name}")
        assert response.headers["content-type"] == media_type, name
        assert "content-disposition" not in response.headers
        assert_inert_headers(response)


def test_every_artifact_response_carries_the_sandbox(api: httpx.Client, base: str) -> None:
    assert_error(api.get(f"{ARTIFACTS}/{base}/missing.txt"), 404, "RESOURCE_DOES_NOT_EXIST")
    assert_error(api.put(f"{ARTIFACTS}/{base}/a%5Cb", content=b"x"), 400, "INVALID_PARAMETER_VALUE")
    assert_error(api.get("/api/2.0/mlflow-artifacts/nowhere"), 404, "ENDPOINT_NOT_FOUND")
    assert_inert_headers(api.get(ARTIFACTS, params={"path": base}))
    # The request gate answers before any route: a message past its 16 MiB limit.
    too_large = api.post(
        f"{MPU}/create/{base}",
        content=b" " * (17 * MiB),
        headers={"content-type": "application/json"},
    )
    assert_error(too_large, 413, "INVALID_PARAMETER_VALUE")


def test_the_guards_refusals_carry_the_sandbox(auth_stack: AuthStack) -> None:
    with auth_stack.api() as anonymous, auth_stack.api("not-a-token") as forged:
        for client, status, code in (
            (anonymous, 401, "UNAUTHENTICATED"),
            (forged, 401, "UNAUTHENTICATED"),
        ):
            assert_error(client.get(f"{ARTIFACTS}/0/x/artifacts/a.html"), status, code)
            assert_error(
                client.put(f"{ARTIFACTS}/0/x/artifacts/a.html", content=b"<b>"), status, code
            )


LONG_SEGMENT = "a" * 256
LONG_UTF8_SEGMENT = "я" * 128  # 128 characters, 256 bytes
LONG_PATH = "/".join(["b" * 200] * 6)  # every segment fits; 1,205 bytes in all


@pytest.mark.parametrize("name", [LONG_SEGMENT, LONG_UTF8_SEGMENT, LONG_PATH])
def test_oversized_paths_are_400_and_store_nothing(
    store_server: RunningServer, moto_endpoint: str, api: httpx.Client, base: str, name: str
) -> None:
    before = snapshot(store_server, moto_endpoint)
    path = f"{ARTIFACTS}/{base}/{name}"
    assert_error(api.put(path, content=b"x"), 400, "INVALID_PARAMETER_VALUE")
    assert_error(api.get(path), 400, "INVALID_PARAMETER_VALUE")
    assert_error(api.delete(path), 400, "INVALID_PARAMETER_VALUE")
    listing = api.get(ARTIFACTS, params={"path": f"{base}/{name}"})
    assert_error(listing, 400, "INVALID_PARAMETER_VALUE")
    created = api.post(f"{MPU}/create/{base}/{name}", json={"path": "/tmp/x.bin", "num_parts": 1})
    assert_error(created, 400, "INVALID_PARAMETER_VALUE")
    assert snapshot(store_server, moto_endpoint) == before
    assert listed(api, "0") is not None  # the connection still answers


def test_names_at_the_limits_are_stored(api: httpx.Client, base: str) -> None:
    widest = "я" * 127 + "a"  # 255 bytes
    long_path = "/".join(["c" * 200] * 4)  # 803 bytes, and the base
    for name in (widest, long_path):
        assert api.put(f"{ARTIFACTS}/{base}/{name}", content=name.encode()).status_code == 200
        assert api.get(f"{ARTIFACTS}/{base}/{name}").content == name.encode()
    assert set(listed(api, base)) == {widest, "c" * 200}


def test_a_file_and_a_folder_never_share_a_name(
    store_server: RunningServer, moto_endpoint: str, api: httpx.Client, base: str
) -> None:
    assert api.put(f"{ARTIFACTS}/{base}/folder/inner.txt", content=b"inner").status_code == 200
    assert api.put(f"{ARTIFACTS}/{base}/file.txt", content=b"file").status_code == 200
    before = snapshot(store_server, moto_endpoint)
    refused = [
        api.put(f"{ARTIFACTS}/{base}/folder", content=b"over a folder"),
        api.put(f"{ARTIFACTS}/{base}/file.txt/child", content=b"under a file"),
        api.put(f"{ARTIFACTS}/{base}/file.txt/deeper/child", content=b"under a file"),
        api.put(f"{ARTIFACTS}/{base}/new-folder/", content=b"a folder's name"),
        api.post(f"{MPU}/create/{base}", json={"path": "/tmp/folder", "num_parts": 1}),
        api.post(f"{MPU}/create/{base}/file.txt", json={"path": "/tmp/x.bin", "num_parts": 1}),
        api.post(f"{MPU}/create/{base}", json={"path": "/tmp/dir/", "num_parts": 1}),
    ]
    for response in refused:
        assert_error(response, 400, "INVALID_PARAMETER_VALUE")
    assert snapshot(store_server, moto_endpoint) == before
    assert api.get(f"{ARTIFACTS}/{base}/folder/inner.txt").content == b"inner"
    assert api.get(f"{ARTIFACTS}/{base}/file.txt").content == b"file"
    entries = listed(api, base)
    assert {name: entry["is_dir"] for name, entry in entries.items()} == {
        "folder": True,
        "file.txt": False,
    }
    # Once the folder is gone its name is free for a file, and the reverse.
    assert api.delete(f"{ARTIFACTS}/{base}/folder").status_code == 200
    assert api.put(f"{ARTIFACTS}/{base}/folder", content=b"now a file").status_code == 200
    assert api.get(f"{ARTIFACTS}/{base}/folder").content == b"now a file"


TEMP_LIKE = [
    ".x.part",
    ".model.pkl.0123456789abcdef0123456789abcdef.part",
    "1.0123456789abcdef.tmp",
    "incoming",
    "meta.json",
]


def test_names_like_temporary_files_are_stored_and_listed(
    store_server: RunningServer, api: httpx.Client, base: str
) -> None:
    for name in TEMP_LIKE:
        assert api.put(f"{ARTIFACTS}/{base}/{name}", content=name.encode()).status_code == 200
    entries = listed(api, base)
    assert set(entries) == set(TEMP_LIKE)
    for name in TEMP_LIKE:
        assert entries[name]["file_size"] == len(name.encode())
        assert api.get(f"{ARTIFACTS}/{base}/{name}").content == name.encode()
    if store_server.store == "local":  # nothing was left behind in the staging area
        staging = store_server.artifacts_root.with_name(
            f"{store_server.artifacts_root.name}.uploads"
        )
        assert list((staging / "incoming").iterdir()) == []


def _start_upload(api: httpx.Client, folder: str, parts: list[bytes]) -> tuple[str, list[dict]]:
    created = api.post(f"{MPU}/create/{folder}", json={"path": "/data/big.bin", "num_parts": 2})
    assert created.status_code == 200, created.text
    upload_id, credentials = created.json()["upload_id"], created.json()["credentials"]
    uploaded = []
    for credential, body in zip(credentials, parts, strict=True):
        response = httpx.put(credential["url"], content=body, timeout=60)
        assert response.status_code == 200, response.text
        uploaded.append(
            {"part_number": credential["part_number"], "etag": response.headers["etag"]}
        )
    return upload_id, uploaded


def test_concurrent_completes_of_one_upload(
    store_server: RunningServer, api: httpx.Client, base: str
) -> None:
    """Local: exactly one complete wins, the others find no upload (404). S3 itself treats a
    repeated complete of a completed upload as success (AWS, moto) or NoSuchUpload (MinIO),
    so there each answer is 200 or 404; never a 5xx, and the file is whole either way."""
    parts = [os.urandom(5 * MiB), os.urandom(1234)]
    upload_id, uploaded = _start_upload(api, base, parts)
    body = {"path": "/data/big.bin", "upload_id": upload_id, "parts": uploaded}
    statuses: list[tuple[int, str]] = []
    start = threading.Barrier(6)

    def complete() -> None:
        with httpx.Client(base_url=store_server.url, timeout=60) as own:
            start.wait()
            response = own.post(f"{MPU}/complete/{base}", json=body)
            code = response.json().get("error_code", "") if response.status_code != 200 else ""
            statuses.append((response.status_code, code))

    threads = [threading.Thread(target=complete) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wins = statuses.count((200, ""))
    losses = statuses.count((404, "RESOURCE_DOES_NOT_EXIST"))
    assert wins + losses == 6, statuses
    assert wins == 1 if store_server.store == "local" else wins >= 1, statuses
    whole = api.get(f"{ARTIFACTS}/{base}/big.bin")
    assert hashlib.sha256(whole.content).digest() == hashlib.sha256(b"".join(parts)).digest()
    aborted = api.post(
        f"{MPU}/abort/{base}", json={"path": "/data/big.bin", "upload_id": upload_id}
    )
    assert_error(aborted, 404, "RESOURCE_DOES_NOT_EXIST")
    assert api.get(f"{ARTIFACTS}/{base}/big.bin").content == whole.content


def test_multipart_requests_a_client_can_garble(
    store_server: RunningServer, api: httpx.Client, base: str
) -> None:
    before = listed(api, base)
    parts_route = f"{MPU}/parts/{'x' * 43}"
    for number in ("one", "0", "99999999999999999999"):
        assert_error(
            api.put(f"{parts_route}/{number}", content=b"x"), 400, "INVALID_PARAMETER_VALUE"
        )
    surrogate = b'{"path": "/tmp/\\ud800.bin", "num_parts": 1}'
    created = api.post(
        f"{MPU}/create/{base}", content=surrogate, headers={"content-type": "application/json"}
    )
    assert_error(created, 400, "INVALID_PARAMETER_VALUE")
    for num_parts in (0, 10_001, True, 1.5):
        created = api.post(f"{MPU}/create/{base}", json={"path": "x.bin", "num_parts": num_parts})
        assert_error(created, 400, "INVALID_PARAMETER_VALUE")
    if store_server.store == "local":
        upload_id, uploaded = _start_upload(api, base, [b"a" * 10, b"b" * 10])
        for etag in ("../../../meta.json", '"' + "0" * 32 + '"', "ZZ"):
            garbled = [uploaded[0], {"part_number": 2, "etag": etag}]
            body = {"path": "/data/big.bin", "upload_id": upload_id, "parts": garbled}
            completed = api.post(f"{MPU}/complete/{base}", json=body)
            assert_error(completed, 400, "INVALID_PARAMETER_VALUE")
        body = {"path": "/data/big.bin", "upload_id": upload_id, "parts": uploaded}
        assert api.post(f"{MPU}/complete/{base}", json=body).status_code == 200
        assert api.get(f"{ARTIFACTS}/{base}/big.bin").content == b"a" * 10 + b"b" * 10
        assert_error(
            api.put(f"{MPU}/parts/{upload_id}/1", content=b"late"), 404, "RESOURCE_DOES_NOT_EXIST"
        )
    else:
        assert listed(api, base) == before


def test_hostile_ranges_and_names(
    store_server: RunningServer, moto_endpoint: str, api: httpx.Client, base: str
) -> None:
    body = bytes(range(256))
    target = f"{ARTIFACTS}/{base}/data.bin"
    assert api.put(target, content=body).status_code == 200
    for header in (
        "bytes=" + "9" * 5000 + "-",
        "bytes=5-2",
        "bytes=0-1,4-5",
    ):
        whole = api.get(target, headers={"Range": header})
        assert whole.status_code == 200 and whole.content == body, header
    assert api.get(target, headers={"Range": "bytes=-0"}).status_code == 416
    before = snapshot(store_server, moto_endpoint)
    for name in ("tab%09name.txt", "carriage%0Dreturn.txt", "bell%07.txt", "del%7F.txt"):
        assert_error(
            api.put(f"{ARTIFACTS}/{base}/{name}", content=b"x"), 400, "INVALID_PARAMETER_VALUE"
        )
    # A newline never reaches us: the router's path pattern stops at it.
    newline = api.put(f"{ARTIFACTS}/{base}/new%0Aline.txt", content=b"x")
    assert_error(newline, 404, "ENDPOINT_NOT_FOUND")
    assert snapshot(store_server, moto_endpoint) == before


def test_listings_serve_only_mlflow_artifacts_locations(
    server: RunningServer, database_url: str
) -> None:
    """Another scheme's location was cut at a fixed length and listed a wrong prefix of the
    store; now it is refused, and every spelling of mlflow-artifacts: lists the right one."""
    with httpx.Client(base_url=server.url, timeout=30) as api:
        foreign = created(
            api.post(
                f"{T}/experiments/create",
                json={
                    "name": f"foreign-{uuid.uuid4().hex}",
                    "artifact_location": "s3://elsewhere/x",
                },
            ),
            "experiment_id",
        )
        run = created(
            api.post(f"{T}/runs/create", json={"experiment_id": foreign}), "run", "info", "run_id"
        )
        model = created(
            api.post(f"{T}/logged-models", json={"experiment_id": foreign}),
            "model",
            "info",
            "model_id",
        )
        for response in (
            api.get(f"{T}/artifacts/list", params={"run_id": run}),
            api.get(f"{T}/logged-models/{model}/artifacts/directories"),
        ):
            assert response.status_code == 400, response.text
            assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
            assert "s3://elsewhere/x" in response.json()["message"]

        # A location with a host can no longer be chosen through the API (experiments in the
        # proxied store get theirs from the server), but history brought in from MLflow keeps
        # its own: stored here as an import would store it.
        root = f"hostile-{uuid.uuid4().hex[:10]}"
        location = f"mlflow-artifacts://files.example/{root}"
        proxied = created(
            api.post(f"{T}/experiments/create", json={"name": f"netloc-{uuid.uuid4().hex}"}),
            "experiment_id",
        )
        sql(
            database_url,
            "UPDATE experiments SET artifact_location = $1 WHERE experiment_id = $2",
            location,
            int(proxied),
        )
        run = created(
            api.post(f"{T}/runs/create", json={"experiment_id": proxied}), "run", "info", "run_id"
        )
        assert api.put(f"{ARTIFACTS}/{root}/{run}/artifacts/f.txt", content=b"f").status_code == 200
        assert api.get(f"{T}/artifacts/list", params={"run_id": run}).json() == {
            "root_uri": f"{location}/{run}/artifacts",
            "files": [{"path": "f.txt", "is_dir": False, "file_size": 1}],
        }
