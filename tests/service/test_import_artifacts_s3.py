"""The importer's artifact copy with S3 at the source (a moto server): listed and streamed
into a local store with sha256 checked, and copied inside S3 into an S3 store (ETag
checked), the multipart-uploaded file streamed instead since its ETag is no MD5."""

import asyncio
import hashlib
from pathlib import Path

import pytest

from services.core.config import ArtifactSettings
from services.core.storage.local import LocalStore
from services.core.storage.s3 import S3Store
from services.importer.artifacts import LocalArtifacts, copy_tree
from services.importer.report import Report
from services.importer.verify import Check, verify_artifacts
from tests.fixtures.s3 import S3_BUCKET, s3_client

SOURCE_BUCKET = "mlflow-source"
ROOT = f"s3://{SOURCE_BUCKET}/mlartifacts/1/{'a' * 32}/artifacts"
FILES = {
    "model/MLmodel": b"flavors: {}\n",
    "свитки/заметка.txt": "привет".encode(),
    "big.bin": bytes(range(256)) * 24_000,  # 6 MiB, uploaded in two parts
}


@pytest.fixture(scope="module")
def source(moto_endpoint: str) -> str:
    client = s3_client(moto_endpoint)
    client.create_bucket(Bucket=SOURCE_BUCKET)
    prefix = ROOT.removeprefix(f"s3://{SOURCE_BUCKET}/")
    for path, data in FILES.items():
        if path == "big.bin":
            key = f"{prefix}/{path}"
            upload = client.create_multipart_upload(Bucket=SOURCE_BUCKET, Key=key)["UploadId"]
            half = 5 * 1024 * 1024
            parts = []
            for number, chunk in enumerate((data[:half], data[half:]), start=1):
                etag = client.upload_part(
                    Bucket=SOURCE_BUCKET, Key=key, UploadId=upload, PartNumber=number, Body=chunk
                )["ETag"]
                parts.append({"ETag": etag, "PartNumber": number})
            client.complete_multipart_upload(
                Bucket=SOURCE_BUCKET, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
            )
        else:
            client.put_object(Bucket=SOURCE_BUCKET, Key=f"{prefix}/{path}", Body=data)
    return moto_endpoint


@pytest.fixture
def mlflow_s3_env(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_S3_ENDPOINT_URL", source)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_s3_files_stream_into_a_local_store_with_their_sha256(
    mlflow_s3_env: None, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "root")
    copied = await copy_tree(
        LocalArtifacts(), ROOT, store, "1/run/artifacts", asyncio.Semaphore(2), lambda _: None
    )
    assert {c.path: c.sha256 for c in copied} == {p: _sha(d) for p, d in FILES.items()}
    for path, data in FILES.items():
        assert (tmp_path / "root" / "1/run/artifacts" / path).read_bytes() == data


async def test_s3_to_s3_copies_inside_s3_and_verifies(mlflow_s3_env: None, source: str) -> None:
    settings = ArtifactSettings(
        root=f"s3://{S3_BUCKET}/imported",
        s3_endpoint_url=source,
        s3_access_key_id="test",
        s3_secret_access_key="test",
        s3_path_style=True,
    )
    store = S3Store(settings)
    artifacts = LocalArtifacts()
    try:
        copied = await copy_tree(
            artifacts, ROOT, store, "1/run/artifacts", asyncio.Semaphore(2), lambda _: None
        )
        by_path = {c.path: c.sha256 for c in copied}
        # Single-part objects were copied inside S3 (no digest taken here); the
        # multipart-uploaded one was streamed and hashed.
        assert by_path["model/MLmodel"] == "" and by_path["свитки/заметка.txt"] == ""
        assert by_path["big.bin"] == _sha(FILES["big.bin"])
        client = s3_client(source)
        for path, data in FILES.items():
            body = client.get_object(Bucket=S3_BUCKET, Key=f"imported/1/run/artifacts/{path}")
            assert body["Body"].read() == data
        report = Report()
        check = Check("run", "r", {}, ROOT, "mlflow-artifacts:/1/run/artifacts", by_path)
        await verify_artifacts(check, artifacts, store, report)
        assert not report.mismatches
        assert report.verified["artifact files"] == len(FILES)
    finally:
        await store.close()
