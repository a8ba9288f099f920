"""Multipart uploads for the local store, with parts sent through the proxy.

MLflow offers multipart only for cloud stores; Grimoire offers it for the local store too,
so a large upload never depends on one long request. The client PUTs each part to the URL it
was given, without its credentials (it expects presigned URLs), so the upload id itself is
the capability: 256 random bits, valid for a limited time, naming a staging folder beside
the artifact root. Completing concatenates the parts, in order and verified by their ETags,
into a temporary file beside the target and renames it into place.
"""

import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio

from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.core.storage.durable import publish

UPLOAD_TTL_SECONDS = 24 * 3600
MAX_PARTS = 10_000
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")


class LocalUploads:
    def __init__(self, staging: Path):
        self.staging = staging
        self.staging.mkdir(parents=True, exist_ok=True)

    def _folder(self, upload_id: str) -> Path:
        if not _UPLOAD_ID.match(upload_id):
            raise ResourceDoesNotExist("No such multipart upload.")
        folder = self.staging / upload_id
        if not (folder / "meta.json").is_file():
            raise ResourceDoesNotExist("No such multipart upload.")
        return folder

    def _meta(self, upload_id: str) -> tuple[Path, dict]:
        folder = self._folder(upload_id)
        meta = json.loads((folder / "meta.json").read_text())
        if meta["expires"] < time.time():
            shutil.rmtree(folder, ignore_errors=True)
            raise ResourceDoesNotExist("The multipart upload has expired.")
        return folder, meta

    def _sweep_expired(self) -> None:
        now = time.time()
        for folder in self.staging.iterdir():
            try:
                if json.loads((folder / "meta.json").read_text())["expires"] < now:
                    shutil.rmtree(folder, ignore_errors=True)
            except (OSError, ValueError, KeyError):
                continue

    async def create(self, path: str, num_parts: int, part_url: str) -> tuple[str, list[dict]]:
        if not 1 <= num_parts <= MAX_PARTS:
            raise InvalidParameterValue(f"num_parts must be between 1 and {MAX_PARTS}.")
        await anyio.to_thread.run_sync(self._sweep_expired)
        upload_id = secrets.token_urlsafe(32)
        folder = self.staging / upload_id
        folder.mkdir()
        meta = {"path": path, "num_parts": num_parts, "expires": time.time() + UPLOAD_TTL_SECONDS}
        (folder / "meta.json").write_text(json.dumps(meta))
        credentials = [
            {
                "url": part_url.format(upload_id=upload_id, part_number=n),
                "part_number": n,
                "headers": {},
            }
            for n in range(1, num_parts + 1)
        ]
        return upload_id, credentials

    async def put_part(self, upload_id: str, number: int, chunks: AsyncIterator[bytes]) -> str:
        folder, meta = self._meta(upload_id)
        if not 1 <= number <= meta["num_parts"]:
            raise InvalidParameterValue(f"Part number {number} is outside 1..{meta['num_parts']}.")
        temporary = folder / f"{number}.{secrets.token_hex(8)}.tmp"
        digest = hashlib.md5(usedforsecurity=False)
        handle = await anyio.to_thread.run_sync(open, temporary, "wb")
        try:
            async for chunk in chunks:
                digest.update(chunk)
                await anyio.to_thread.run_sync(handle.write, chunk)
            await anyio.to_thread.run_sync(handle.close)
            etag = f'"{digest.hexdigest()}"'
            (folder / f"{number}.etag").write_text(etag)
            await anyio.to_thread.run_sync(os.replace, temporary, folder / str(number))
        except BaseException:
            handle.close()
            temporary.unlink(missing_ok=True)
            raise
        return etag

    async def complete(
        self, path: str, upload_id: str, parts: list[tuple[int, str]], target: Path
    ) -> None:
        folder, meta = self._meta(upload_id)
        if meta["path"] != path:
            raise InvalidParameterValue("The upload id belongs to another path.")
        numbers = sorted(number for number, _ in parts)
        if not numbers or numbers != list(range(1, len(numbers) + 1)):
            raise InvalidParameterValue("Parts must be numbered 1..n without gaps.")
        for number, etag in parts:
            stored = folder / f"{number}.etag"
            if not stored.is_file() or stored.read_text().strip('"') != etag.strip('"'):
                raise InvalidParameterValue(f"Part {number} is missing or its ETag differs.")

        def assemble() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.parent / f".{target.name}.{secrets.token_hex(8)}.part"
            try:
                out = open(temporary, "wb")
                for number in numbers:
                    with open(folder / str(number), "rb") as part:
                        shutil.copyfileobj(part, out, 4 * 1024 * 1024)
                publish(out, temporary, target)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            shutil.rmtree(folder, ignore_errors=True)

        await anyio.to_thread.run_sync(assemble)

    async def abort(self, path: str, upload_id: str) -> None:
        folder, meta = self._meta(upload_id)
        if meta["path"] != path:
            raise InvalidParameterValue("The upload id belongs to another path.")
        await anyio.to_thread.run_sync(shutil.rmtree, folder)
