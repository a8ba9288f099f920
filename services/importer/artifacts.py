"""Artifacts: read from where the source's URIs point, written through Grimoire's storage
protocol, each file's sha256 taken on the way in and checked by reading the stored copy back.

Source roots: local paths and `file:` URIs (a `mlruns/` folder, a laptop's SQL database),
`mlflow-artifacts:` URIs (an MLflow server's proxied store: through the server's artifact
routes, or, for its database read directly, under `--source-artifacts` where that server kept
them), and `s3://` roots (with the credentials MLflow uses: the AWS chain and
MLFLOW_S3_ENDPOINT_URL). When both ends are S3 a file is copied inside S3 (CopyObject); its
ETag, S3's MD5 of the bytes, must then equal the source's. Other schemes are reported as
failures with the scheme named, never skipped silently.
"""

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import httpx

from services.core.storage.base import ArtifactNotFound, ArtifactStore
from services.core.storage.s3 import S3Store
from services.importer.model import ArtifactFile, ArtifactSource

CHUNK = 1 << 20
MAX_SERVER_SIDE_COPY = 5 * 1024**3  # CopyObject's limit; larger files are streamed


class UnreadableArtifacts(Exception):
    """A source root this importer cannot read (its scheme, or a proxied store with no
    location given); the message says which and what to pass."""


def _proxied_path(uri: str) -> str:
    return unquote(urlsplit(uri).path).lstrip("/")


class S3Artifacts:
    """`s3://bucket/prefix` roots, read with boto3 as MLflow's own S3 repository reads them."""

    def __init__(self) -> None:
        import boto3  # type: ignore[import-untyped]

        self.client = boto3.client("s3", endpoint_url=os.environ.get("MLFLOW_S3_ENDPOINT_URL"))

    @staticmethod
    def location(root_uri: str, path: str = "") -> tuple[str, str]:
        parts = urlsplit(root_uri)
        key = parts.path.strip("/")
        return parts.netloc, f"{key}/{path}" if path else key

    def list_files(self, root_uri: str) -> list[ArtifactFile]:
        bucket, prefix = self.location(root_uri)
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=f"{prefix}/"
        ):
            for item in page.get("Contents", []):
                found.append(ArtifactFile(item["Key"][len(prefix) + 1 :], item["Size"]))
        return sorted(found, key=lambda f: f.path)

    def read(self, root_uri: str, path: str) -> Iterator[bytes]:
        bucket, key = self.location(root_uri, path)
        body = self.client.get_object(Bucket=bucket, Key=key)["Body"]
        yield from body.iter_chunks(CHUNK)

    def etag(self, root_uri: str, path: str) -> str:
        bucket, key = self.location(root_uri, path)
        return str(self.client.head_object(Bucket=bucket, Key=key)["ETag"])


class LocalArtifacts:
    """Files on this machine; `proxied_root` is where `mlflow-artifacts:/` points, if known;
    `s3://` roots through S3Artifacts."""

    def __init__(self, proxied_root: Path | None = None):
        self.proxied_root = proxied_root
        self._s3: S3Artifacts | None = None

    @property
    def s3(self) -> S3Artifacts:
        if self._s3 is None:
            self._s3 = S3Artifacts()
        return self._s3

    def folder(self, root_uri: str) -> Path:
        parts = urlsplit(root_uri)
        if parts.scheme == "file":
            return Path(unquote(parts.path))
        if parts.scheme == "mlflow-artifacts":
            if self.proxied_root is None:
                raise UnreadableArtifacts(
                    f"{root_uri} is in an MLflow server's proxied store: pass --source-artifacts "
                    "with that server's --artifacts-destination folder"
                )
            return self.proxied_root / _proxied_path(root_uri)
        if parts.scheme == "" or len(parts.scheme) == 1:  # a path (or a Windows drive letter)
            return Path(root_uri)
        raise UnreadableArtifacts(
            f"artifacts at {root_uri}: the scheme {parts.scheme}: is not read"
        )

    def list_files(self, root_uri: str) -> list[ArtifactFile]:
        if urlsplit(root_uri).scheme == "s3":
            return self.s3.list_files(root_uri)
        root = self.folder(root_uri)
        found = []
        for folder, _, files in os.walk(root):
            for name in files:
                path = Path(folder) / name
                found.append(ArtifactFile(path.relative_to(root).as_posix(), path.stat().st_size))
        return sorted(found, key=lambda f: f.path)

    def read(self, root_uri: str, path: str) -> Iterator[bytes]:
        if urlsplit(root_uri).scheme == "s3":
            yield from self.s3.read(root_uri, path)
            return
        with (self.folder(root_uri) / path).open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk


class ServerArtifacts:
    """A running MLflow server: `mlflow-artifacts:` roots through its artifact routes (the
    same ones the client downloads with), other roots as local files."""

    def __init__(self, http: httpx.Client, local: LocalArtifacts):
        self.http = http
        self.local = local

    def list_files(self, root_uri: str) -> list[ArtifactFile]:
        if urlsplit(root_uri).scheme != "mlflow-artifacts":
            return self.local.list_files(root_uri)
        root = _proxied_path(root_uri)
        found: list[ArtifactFile] = []
        pending = [""]
        while pending:
            relative = pending.pop()
            listed = self.http.get(
                "/api/2.0/mlflow-artifacts/artifacts", params={"path": f"{root}/{relative}"}
            )
            listed.raise_for_status()
            for entry in listed.json().get("files", []):
                child = f"{relative}/{entry['path']}".lstrip("/")
                if entry.get("is_dir"):
                    pending.append(child)
                else:
                    found.append(ArtifactFile(child, int(entry.get("file_size", 0))))
        return sorted(found, key=lambda f: f.path)

    def read(self, root_uri: str, path: str) -> Iterator[bytes]:
        if urlsplit(root_uri).scheme != "mlflow-artifacts":
            yield from self.local.read(root_uri, path)
            return
        url = "/api/2.0/mlflow-artifacts/artifacts/" + quote(f"{_proxied_path(root_uri)}/{path}")
        with self.http.stream("GET", url) as response:
            response.raise_for_status()
            yield from response.iter_bytes(CHUNK)


@dataclass(frozen=True)
class CopiedFile:
    """`sha256` is "" for a copy made inside S3 (verified by its ETag; the verification
    pass hashes both sides)."""

    path: str
    size: int
    sha256: str


class ChecksumMismatch(Exception):
    pass


async def _in_thread(chunks: Iterator[bytes], digest: "hashlib._Hash") -> AsyncIterator[bytes]:
    """A blocking source iterator read in a worker thread, hashed as it passes."""
    done = object()
    while (chunk := await asyncio.to_thread(next, chunks, done)) is not done:
        assert isinstance(chunk, bytes)
        digest.update(chunk)
        yield chunk


async def stored_sha256(store: ArtifactStore, path: str) -> str | None:
    digest = hashlib.sha256()
    try:
        async for chunk in store.read(path):
            digest.update(chunk)
    except ArtifactNotFound:
        return None
    return digest.hexdigest()


async def _copy_in_s3(
    source: S3Artifacts, root_uri: str, file: ArtifactFile, store: S3Store, target: str
) -> CopiedFile | None:
    """None when the source's ETag is not its MD5 (a multipart upload's): then the copy's
    ETag could not be compared, so the caller streams and hashes instead."""
    expected = await asyncio.to_thread(source.etag, root_uri, file.path)
    if "-" in expected:
        return None
    bucket, key = source.location(root_uri, file.path)
    client = await store.client()
    await client.copy_object(
        CopySource={"Bucket": bucket, "Key": key}, Bucket=store.bucket, Key=store.key(target)
    )
    stored = (await client.head_object(Bucket=store.bucket, Key=store.key(target)))["ETag"]
    if stored != expected:
        raise ChecksumMismatch(f"{file.path}: source ETag {expected}, stored {stored}")
    return CopiedFile(file.path, file.size, "")


def _s3_source(source: ArtifactSource, root_uri: str) -> S3Artifacts | None:
    if urlsplit(root_uri).scheme != "s3":
        return None
    local = source.local if isinstance(source, ServerArtifacts) else source
    return local.s3 if isinstance(local, LocalArtifacts) else None


async def copy_file(
    source: ArtifactSource, root_uri: str, file: ArtifactFile, store: ArtifactStore, target: str
) -> CopiedFile:
    """Stream one file into the store, then read the stored copy back: both sha256 agree or
    this raises (the run's row is then not committed). S3 to S3 (up to CopyObject's 5 GiB)
    is copied inside S3 instead."""
    s3 = _s3_source(source, root_uri)
    if s3 is not None and isinstance(store, S3Store) and file.size <= MAX_SERVER_SIDE_COPY:
        copied = await _copy_in_s3(s3, root_uri, file, store, target)
        if copied is not None:
            return copied
    digest = hashlib.sha256()
    size = await store.put(target, _in_thread(source.read(root_uri, file.path), digest))
    expected = digest.hexdigest()
    stored = await stored_sha256(store, target)
    if stored != expected:
        raise ChecksumMismatch(f"{file.path}: source sha256 {expected}, stored {stored}")
    return CopiedFile(file.path, size, expected)


async def copy_tree(
    source: ArtifactSource,
    root_uri: str,
    store: ArtifactStore,
    target_root: str,
    streams: asyncio.Semaphore,
    on_bytes: Callable[[int], None],
) -> list[CopiedFile]:
    """Every file under `root_uri` to `target_root/<path>`, at most `streams` at a time across
    the whole import."""
    files = await asyncio.to_thread(source.list_files, root_uri)

    async def one(file: ArtifactFile) -> CopiedFile:
        async with streams:
            copied = await copy_file(source, root_uri, file, store, f"{target_root}/{file.path}")
            on_bytes(copied.size)
            return copied

    return list(await asyncio.gather(*(one(file) for file in files)))
