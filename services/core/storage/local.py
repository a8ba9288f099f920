"""Artifacts in a local folder (the embedded default).

Writes go to a temporary file in the staging area beside the root (never inside the tree, so
no user path can collide with one) and are renamed into place only when the whole stream
arrived, so an interrupted upload never leaves a half file at the path. File I/O runs in
worker threads in 1 MiB chunks, so the event loop never blocks. Whatever the filesystem
refuses because of a client's path or a race is a 4xx (local_errors.py).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import anyio

from services.core.errors import InvalidParameterValue
from services.core.storage.base import (
    ArtifactNotFound,
    FileInfo,
    ObjectStat,
    PartCredentials,
    PartEtags,
    file_in_the_way,
    folder_in_the_way,
)
from services.core.storage.durable import publish
from services.core.storage.local_errors import os_errors_as_api_errors, translate
from services.core.storage.local_uploads import LocalUploads

# Bodies arrive in ~64 KiB pieces; writing each through a worker thread would cost a thread
# hop per piece. Coalescing into 4 MiB blocks makes the hop negligible and keeps memory bound.
BLOCK = 4 * 1024 * 1024


class LocalStore:
    # Parts go through the proxy (PUT .../mpu/parts/<upload id>/<n>), not to presigned URLs.
    supports_presigned_parts = False

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        # Beside the root, never inside it, so no artifact path can reach the staging area;
        # on the same filesystem, so publishing a file is a rename.
        self.uploads = LocalUploads(self.root.with_name(f"{self.root.name}.uploads"))
        if os.stat(self.uploads.staging).st_dev != os.stat(self.root).st_dev:
            raise RuntimeError(
                f"{self.uploads.staging} must be on the same filesystem as the artifact root "
                f"{self.root} (uploads are renamed into place); mount the folder above the root."
            )

    def resolve(self, path: str) -> Path:
        try:
            target = (self.root / path).resolve() if path else self.root
        except RuntimeError:  # a symlink loop (Python < 3.13 raises this, not ELOOP)
            raise InvalidParameterValue(
                f"Invalid path: {path!r} passes through a symlink loop."
            ) from None
        if target != self.root and self.root not in target.parents:
            raise InvalidParameterValue(f"Invalid path: {path!r} leaves the artifact root.")
        return target

    def _refuse_conflicts(self, target: Path, path: str) -> None:
        """A folder at the target, or a file on the way to it, before a byte is read."""
        if target.is_dir():
            raise folder_in_the_way(path)
        for folder in target.parents:
            if folder == self.root:
                return
            # One stat per folder: asking is_dir() then exists() took a folder that a
            # concurrent upload created between the two questions for a file in the way.
            try:
                mode = folder.stat().st_mode
            except (FileNotFoundError, NotADirectoryError):
                continue
            if stat.S_ISDIR(mode):
                return
            raise file_in_the_way(path, folder.relative_to(self.root).as_posix())

    def _prepare(self, target: Path, path: str) -> None:
        self._refuse_conflicts(target, path)
        target.parent.mkdir(parents=True, exist_ok=True)

    async def put(self, path: str, chunks: AsyncIterator[bytes]) -> int:
        target = self.resolve(path)
        temporary = self.uploads.incoming()
        with os_errors_as_api_errors(path):
            await anyio.to_thread.run_sync(self._prepare, target, path)
            handle = await anyio.to_thread.run_sync(open, temporary, "wb")
        writing: asyncio.Task[int] | None = None
        try:
            written = 0
            block = bytearray()
            async for chunk in chunks:
                block += chunk
                written += len(chunk)
                if len(block) >= BLOCK:
                    # Double buffering: the disk writes block N while the socket fills N+1.
                    if writing is not None:
                        await writing
                    writing = asyncio.create_task(anyio.to_thread.run_sync(handle.write, block))
                    block = bytearray()
            if writing is not None:
                await writing
            if block:
                await anyio.to_thread.run_sync(handle.write, block)
            await anyio.to_thread.run_sync(publish, handle, temporary, target)
        except BaseException as error:
            if writing is not None:
                writing.cancel()
                await asyncio.gather(writing, return_exceptions=True)
            handle.close()
            temporary.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise translate(error, path) from error
            raise
        return written

    async def stat(self, path: str) -> ObjectStat:
        target = self.resolve(path)
        with os_errors_as_api_errors(path):
            if not target.is_file():
                raise ArtifactNotFound(path)
            return ObjectStat(size=target.stat().st_size)

    async def read(self, path: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        target = self.resolve(path)
        with os_errors_as_api_errors(path):
            if not target.is_file():
                raise ArtifactNotFound(path)
            handle = await anyio.to_thread.run_sync(open, target, "rb")
        try:
            handle.seek(start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                size = BLOCK if remaining is None else min(BLOCK, remaining)
                chunk = await anyio.to_thread.run_sync(handle.read, size)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            handle.close()

    def _entries(self, folder: Path) -> list[FileInfo]:
        try:
            found = sorted(os.scandir(folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            return []
        entries = []
        for entry in found:
            relative = Path(entry.path).relative_to(self.root).as_posix()
            try:
                if entry.is_dir():
                    entries.append(FileInfo(relative, True))
                else:
                    entries.append(FileInfo(relative, False, entry.stat().st_size))
            except FileNotFoundError:  # deleted while listing, or a dangling symlink
                continue
        return entries

    async def list(self, path: str) -> list[FileInfo]:
        folder = self.resolve(path)
        with os_errors_as_api_errors(path):
            return await anyio.to_thread.run_sync(self._entries, folder)

    async def delete(self, path: str) -> None:
        target = self.resolve(path)
        with os_errors_as_api_errors(path):
            if target.is_dir():
                await anyio.to_thread.run_sync(shutil.rmtree, target)
            elif target.exists():
                target.unlink()
            else:
                raise ArtifactNotFound(path)

    async def create_multipart(
        self, path: str, num_parts: int, base_url: str
    ) -> tuple[str, PartCredentials]:
        target = self.resolve(path)
        with os_errors_as_api_errors(path):
            await anyio.to_thread.run_sync(self._refuse_conflicts, target, path)
        part_url = f"{base_url}/api/2.0/mlflow-artifacts/mpu/parts/{{upload_id}}/{{part_number}}"
        return await self.uploads.create(path, num_parts, part_url)

    async def put_part(self, upload_id: str, number: int, chunks: AsyncIterator[bytes]) -> str:
        return await self.uploads.put_part(upload_id, number, chunks)

    async def complete_multipart(self, path: str, upload_id: str, parts: PartEtags) -> None:
        target = self.resolve(path)
        with os_errors_as_api_errors(path):
            await self.uploads.complete(
                path, upload_id, parts, target, lambda: self._prepare(target, path)
            )

    async def abort_multipart(self, path: str, upload_id: str) -> None:
        await self.uploads.abort(path, upload_id)

    async def close(self) -> None:
        return None
