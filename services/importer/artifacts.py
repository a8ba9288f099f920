"""Artifacts: read from where the source's URIs point, written through Grimoire's storage
protocol, each file's sha256 taken on the way in and checked by reading the stored copy back.

Source roots: local paths and `file:` URIs (a `mlruns/` folder, a laptop's SQL database),
`mlflow-artifacts:` URIs (an MLflow server's proxied store: through the server's artifact
routes, or, for its database read directly, under `--source-artifacts` where that server kept
them). Other schemes are reported as failures with the scheme named, never skipped silently.
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
from services.importer.model import ArtifactFile, ArtifactSource

CHUNK = 1 << 20


class UnreadableArtifacts(Exception):
    """A source root this importer cannot read (its scheme, or a proxied store with no
    location given); the message says which and what to pass."""


def _proxied_path(uri: str) -> str:
    return unquote(urlsplit(uri).path).lstrip("/")


class LocalArtifacts:
    """Files on this machine; `proxied_root` is where `mlflow-artifacts:/` points, if known."""

    def __init__(self, proxied_root: Path | None = None):
        self.proxied_root = proxied_root

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
        root = self.folder(root_uri)
        found = []
        for folder, _, files in os.walk(root):
            for name in files:
                path = Path(folder) / name
                found.append(ArtifactFile(path.relative_to(root).as_posix(), path.stat().st_size))
        return sorted(found, key=lambda f: f.path)

    def read(self, root_uri: str, path: str) -> Iterator[bytes]:
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


async def copy_file(
    source: ArtifactSource, root_uri: str, file: ArtifactFile, store: ArtifactStore, target: str
) -> CopiedFile:
    """Stream one file into the store, then read the stored copy back: both sha256 agree or
    this raises (the run's row is then not committed)."""
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
