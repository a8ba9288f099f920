"""The local store's staging area: multipart uploads, and every file still being received.

It sits beside the artifact root, never inside it, so no artifact path can name anything in
it: a user file may be called `.model.pkl.0123abcd.part` and is stored and listed like any
other. `incoming/` holds files being written (a PUT, an assembly) until they are renamed into
place; the other folders are multipart uploads.

MLflow offers multipart only for cloud stores; Grimoire offers it for the local store too,
so a large upload never depends on one long request. The client PUTs each part to the URL it
was given, without its credentials (it expects presigned URLs), so the upload id itself is
the capability: 256 random bits, valid for a limited time, naming a staging folder. A part is
kept as `<number>.<md5>`, written under a temporary name and renamed, so a part and its ETag
appear together (a part sent twice at once cannot pair one's bytes with the other's ETag).
Completing concatenates the parts, in order and chosen by their ETags, into a file in
`incoming/` and renames it into place.

Exactly one complete or abort of an upload proceeds: each first renames the upload's folder
to a name of its own (rename(2) is atomic, also between worker processes); the others find no
upload, a 404. A complete that then fails renames the folder back, so the client can abort.
"""

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypedDict

import anyio

from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.core.storage.base import PartCredentials, PartEtags
from services.core.storage.durable import publish

UPLOAD_TTL_SECONDS = 24 * 3600
MAX_PARTS = 10_000
_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{43}")
_ETAG = re.compile(r'"?([0-9a-f]{32})"?')


class UploadMeta(TypedDict):
    """meta.json of an upload in progress."""

    path: str
    num_parts: int
    expires: float  # epoch seconds


def _no_upload() -> ResourceDoesNotExist:
    return ResourceDoesNotExist("No such multipart upload (it may have been completed or aborted).")


class LocalUploads:
    def __init__(self, staging: Path):
        self.staging = staging
        self.incoming_folder = staging / "incoming"
        self.incoming_folder.mkdir(parents=True, exist_ok=True)
        self._sweep_expired()

    def incoming(self) -> Path:
        """A fresh name for a file being received, outside the artifact tree."""
        return self.incoming_folder / f"{uuid.uuid4().hex}.part"

    def _folder(self, upload_id: str) -> Path:
        if not _UPLOAD_ID.fullmatch(upload_id):
            raise _no_upload()
        folder = self.staging / upload_id
        if not (folder / "meta.json").is_file():
            raise _no_upload()
        return folder

    def _meta(self, upload_id: str) -> tuple[Path, UploadMeta]:
        folder = self._folder(upload_id)
        try:
            meta = json.loads((folder / "meta.json").read_text())
        except FileNotFoundError:  # completed or aborted since _folder looked
            raise _no_upload() from None
        if meta["expires"] < time.time():
            shutil.rmtree(folder, ignore_errors=True)
            raise ResourceDoesNotExist("The multipart upload has expired.")
        return folder, meta

    def _claim(self, folder: Path) -> Path:
        claimed = folder.with_name(f"{folder.name}.{secrets.token_hex(8)}.claimed")
        try:
            os.rename(folder, claimed)
        except FileNotFoundError:
            raise _no_upload() from None
        return claimed

    def _sweep_expired(self) -> None:
        """Expired uploads, and files a crashed process left in incoming/ (a file being
        received is written to all the time, so its mtime is recent)."""
        now = time.time()
        for folder in self.staging.iterdir():
            try:
                if json.loads((folder / "meta.json").read_text())["expires"] < now:
                    shutil.rmtree(folder, ignore_errors=True)
            except (OSError, ValueError, KeyError):
                continue
        for leftover in self.incoming_folder.iterdir():
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < now - UPLOAD_TTL_SECONDS:
                    leftover.unlink()

    async def create(self, path: str, num_parts: int, part_url: str) -> tuple[str, PartCredentials]:
        if not 1 <= num_parts <= MAX_PARTS:
            raise InvalidParameterValue(f"num_parts must be between 1 and {MAX_PARTS}.")
        await anyio.to_thread.run_sync(self._sweep_expired)
        upload_id = secrets.token_urlsafe(32)
        folder = self.staging / upload_id
        folder.mkdir()
        meta: UploadMeta = {
            "path": path,
            "num_parts": num_parts,
            "expires": time.time() + UPLOAD_TTL_SECONDS,
        }
        (folder / "meta.json").write_text(json.dumps(meta))
        credentials: PartCredentials = [
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
        try:
            handle = await anyio.to_thread.run_sync(open, temporary, "wb")
        except FileNotFoundError:
            raise _no_upload() from None
        try:
            async for chunk in chunks:
                digest.update(chunk)
                await anyio.to_thread.run_sync(handle.write, chunk)
            await anyio.to_thread.run_sync(handle.close)
            part = folder / f"{number}.{digest.hexdigest()}"
            await anyio.to_thread.run_sync(os.replace, temporary, part)
        except BaseException as error:
            handle.close()
            temporary.unlink(missing_ok=True)
            if isinstance(error, FileNotFoundError):  # claimed by a complete or an abort
                raise _no_upload() from None
            raise
        return f'"{digest.hexdigest()}"'

    @staticmethod
    def _chosen_parts(folder: Path, parts: PartEtags) -> list[Path]:
        numbers = sorted(number for number, _ in parts)
        if not numbers or numbers != list(range(1, len(numbers) + 1)):
            raise InvalidParameterValue("Parts must be numbered 1..n without gaps.")
        chosen = []
        for number, etag in sorted(parts):
            match = _ETAG.fullmatch(etag)
            part = folder / f"{number}.{match.group(1)}" if match else None
            if part is None or not part.is_file():
                raise InvalidParameterValue(f"Part {number} is missing or its ETag differs.")
            chosen.append(part)
        return chosen

    async def complete(
        self,
        path: str,
        upload_id: str,
        parts: PartEtags,
        target: Path,
        prepare: Callable[[], None],
    ) -> None:
        """`prepare` readies the target's folder (and refuses conflicts) in the worker thread."""
        folder, meta = self._meta(upload_id)
        if meta["path"] != path:
            raise InvalidParameterValue("The upload id belongs to another path.")
        claimed = self._claim(folder)

        def assemble() -> None:
            chosen = self._chosen_parts(claimed, parts)
            prepare()
            temporary = self.incoming()
            try:
                with open(temporary, "wb") as out:
                    for part in chosen:
                        with open(part, "rb") as source:
                            shutil.copyfileobj(source, out, 4 * 1024 * 1024)
                    publish(out, temporary, target)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise

        try:
            await anyio.to_thread.run_sync(assemble)
        except BaseException:
            with contextlib.suppress(OSError):  # swept meanwhile: nothing left to give back
                os.rename(claimed, folder)
            raise
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(claimed, ignore_errors=True))

    async def abort(self, path: str, upload_id: str) -> None:
        folder, meta = self._meta(upload_id)
        if meta["path"] != path:
            raise InvalidParameterValue("The upload id belongs to another path.")
        claimed = self._claim(folder)
        await anyio.to_thread.run_sync(shutil.rmtree, claimed)
