"""Artifacts in S3 or any S3-compatible store (MinIO, moto), through aioboto3.

Uploads of unknown length stream through a bounded buffer: a body that fits one part is a
single PutObject; a longer one becomes a multipart upload in which one part uploads while
the next fills (memory stays near two parts whatever the file size) and is aborted on any
failure, so an interrupted upload never leaves an object, or a half one, at the key.

S3 has no folders, but the local store does, and users expect one answer from both: an
upload is refused when keys exist below its path (a folder there) or a key exists at one of
its parents (a file on the way), exactly where the local filesystem would refuse it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import aioboto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from services.core.config import ArtifactSettings
from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.core.storage.base import (
    ArtifactNotFound,
    FileInfo,
    ObjectStat,
    PartCredentials,
    PartEtags,
    StoreUnavailable,
    file_in_the_way,
    folder_in_the_way,
)

PART_SIZE = 8 * 1024 * 1024
PRESIGNED_PART_SECONDS = 3600
MAX_KEY_BYTES = 1024  # S3's limit on a whole key, the root's prefix included
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_UNAVAILABLE = {"500", "502", "503", "504", "SlowDown", "ServiceUnavailable", "InternalError"}
# What S3 refuses because of what the client sent (its parts, its ETags, its upload id).
_CLIENT_MISTAKES = {
    "EntityTooSmall",
    "InvalidArgument",
    "InvalidPart",
    "InvalidPartOrder",
    "InvalidRequest",
    "KeyTooLongError",
    "MalformedXML",
}


def _translate(error: Exception, path: str) -> Exception:
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = str(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        if code == "NoSuchUpload":
            return ResourceDoesNotExist(
                "No such multipart upload (it may have been completed or aborted)."
            )
        if code in _CLIENT_MISTAKES:
            message = error.response.get("Error", {}).get("Message", "")
            return InvalidParameterValue(f"The store refused the upload: {code}: {message}")
        if code in _NOT_FOUND or status == "404":
            return ArtifactNotFound(path)
        if code in _UNAVAILABLE or status in _UNAVAILABLE:
            return StoreUnavailable(f"S3 answered {code or status}")
        return error
    if isinstance(error, (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError)):
        return StoreUnavailable(type(error).__name__)
    if isinstance(error, (BotoCoreError, OSError)):
        return StoreUnavailable(type(error).__name__)
    return error


def parse_s3_root(root: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix")."""
    bucket, _, prefix = root.removeprefix("s3://").partition("/")
    return bucket, prefix.strip("/")


class S3Store:
    supports_presigned_parts = True

    def __init__(self, settings: ArtifactSettings):
        self.bucket, self.prefix = parse_s3_root(settings.root or "")
        self.settings = settings
        self._stack = AsyncExitStack()
        self._client: Any = None
        self._lock = asyncio.Lock()

    async def client(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    secret = self.settings.s3_secret_access_key
                    session = aioboto3.Session(
                        aws_access_key_id=self.settings.s3_access_key_id,
                        aws_secret_access_key=secret.get_secret_value() if secret else None,
                        region_name=self.settings.s3_region,
                    )
                    config = Config(
                        signature_version="s3v4",
                        s3={"addressing_style": "path" if self.settings.s3_path_style else "auto"},
                        retries={"max_attempts": 3, "mode": "standard"},
                        connect_timeout=5,
                        read_timeout=60,
                        max_pool_connections=32,
                    )
                    self._client = await self._stack.enter_async_context(
                        session.client(
                            "s3", endpoint_url=self.settings.s3_endpoint_url, config=config
                        )
                    )
        return self._client

    def key(self, path: str) -> str:
        key = f"{self.prefix}/{path}" if self.prefix and path else (self.prefix or path)
        if len(key.encode()) > MAX_KEY_BYTES:
            raise InvalidParameterValue(
                f"Invalid path: with the store's prefix the key is longer than S3's "
                f"{MAX_KEY_BYTES} bytes."
            )
        return key

    async def _refuse_conflicts(self, client: Any, path: str) -> None:
        """As on the local store, a file and a folder never share a name: refused are a
        folder at the path (keys below it) and a file on the way to it (a key at a parent).
        One LIST and one HEAD per parent, concurrently. S3 cannot check and write in one
        step, so two conflicting uploads racing each other may both land."""
        segments = path.split("/")
        parents = ["/".join(segments[:n]) for n in range(1, len(segments))]
        try:
            below, *parent_files = await asyncio.gather(
                client.list_objects_v2(Bucket=self.bucket, Prefix=f"{self.key(path)}/", MaxKeys=1),
                *(self._exists(client, self.key(parent)) for parent in parents),
            )
        except Exception as error:
            raise _translate(error, path) from error
        if below.get("Contents"):
            raise folder_in_the_way(path)
        for parent, is_file in zip(parents, parent_files, strict=True):
            if is_file:
                raise file_in_the_way(path, parent)

    async def put(self, path: str, chunks: AsyncIterator[bytes]) -> int:
        client = await self.client()
        key = self.key(path)
        await self._refuse_conflicts(client, path)
        total = 0
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        sending: asyncio.Task[None] | None = None
        buffer = bytearray()

        async def send_part(number: int, body: bytearray) -> None:
            response = await client.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
            )
            parts.append({"PartNumber": number, "ETag": response["ETag"]})

        try:
            async for chunk in chunks:
                total += len(chunk)
                room = PART_SIZE - len(buffer)
                buffer += chunk[:room]
                if len(buffer) < PART_SIZE:
                    continue
                if upload_id is None:
                    created = await client.create_multipart_upload(Bucket=self.bucket, Key=key)
                    upload_id = created["UploadId"]
                # One part uploads while the next fills: memory stays near two parts.
                if sending is not None:
                    await sending
                sending = asyncio.create_task(send_part(len(parts) + 1, buffer))
                buffer = bytearray(chunk[room:])
            if sending is not None:
                await sending
                sending = None
            if upload_id is None:
                await client.put_object(Bucket=self.bucket, Key=key, Body=buffer)
                return total
            if buffer:
                await send_part(len(parts) + 1, buffer)
            await client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": sorted(parts, key=lambda p: p["PartNumber"])},
            )
            return total
        except BaseException as error:
            if sending is not None:
                sending.cancel()
                await asyncio.gather(sending, return_exceptions=True)
            if upload_id is not None:
                await asyncio.shield(self._abort(client, key, upload_id))
            if isinstance(error, Exception):
                raise _translate(error, path) from error
            raise

    async def _abort(self, client: Any, key: str, upload_id: str) -> None:
        try:
            await client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except Exception:  # the store's lifecycle rule reaps what an abort could not
            pass

    async def stat(self, path: str) -> ObjectStat:
        client = await self.client()
        try:
            head = await client.head_object(Bucket=self.bucket, Key=self.key(path))
        except Exception as error:
            raise _translate(error, path) from error
        return ObjectStat(size=head["ContentLength"], etag=head.get("ETag"))

    async def read(self, path: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        client = await self.client()
        arguments: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key(path)}
        if start or end is not None:
            arguments["Range"] = f"bytes={start}-{'' if end is None else end}"
        try:
            response = await client.get_object(**arguments)
        except Exception as error:
            raise _translate(error, path) from error
        body = response["Body"]
        try:
            while chunk := await body.read(self.settings.chunk_bytes):
                yield chunk
        finally:
            body.close()

    async def list(self, path: str) -> list[FileInfo]:
        client = await self.client()
        prefix = self.key(path)
        prefix = f"{prefix}/" if prefix else ""
        strip = len(f"{self.prefix}/") if self.prefix else 0
        entries: list[FileInfo] = []
        paginator = client.get_paginator("list_objects_v2")
        try:
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
                for common in page.get("CommonPrefixes", []):
                    entries.append(FileInfo(common["Prefix"][strip:].rstrip("/"), True))
                for item in page.get("Contents", []):
                    if item["Key"] != prefix:
                        entries.append(FileInfo(item["Key"][strip:], False, item["Size"]))
        except Exception as error:
            raise _translate(error, path) from error
        return sorted(entries, key=lambda e: e.path)

    async def delete(self, path: str) -> None:
        client = await self.client()
        key = self.key(path)
        try:
            keys = [key] if await self._exists(client, key) else []
            paginator = client.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{key}/"):
                keys += [item["Key"] for item in page.get("Contents", [])]
            if not keys:
                raise ArtifactNotFound(path)
            for start in range(0, len(keys), 1000):
                batch = [{"Key": k} for k in keys[start : start + 1000]]
                await client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch})
        except ArtifactNotFound:
            raise
        except Exception as error:
            raise _translate(error, path) from error

    async def _exists(self, client: Any, key: str) -> bool:
        try:
            await client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if isinstance(_translate(error, key), ArtifactNotFound):
                return False
            raise
        return True

    # Multipart uploads the client sends straight to S3 through presigned part URLs.

    async def create_multipart(
        self, path: str, num_parts: int, base_url: str
    ) -> tuple[str, PartCredentials]:
        client = await self.client()
        key = self.key(path)
        await self._refuse_conflicts(client, path)
        try:
            upload_id = (await client.create_multipart_upload(Bucket=self.bucket, Key=key))[
                "UploadId"
            ]
            credentials: PartCredentials = []
            for number in range(1, num_parts + 1):
                url = await client.generate_presigned_url(
                    "upload_part",
                    Params={
                        "Bucket": self.bucket,
                        "Key": key,
                        "UploadId": upload_id,
                        "PartNumber": number,
                    },
                    ExpiresIn=PRESIGNED_PART_SECONDS,
                )
                credentials.append({"url": url, "part_number": number, "headers": {}})
        except Exception as error:
            raise _translate(error, path) from error
        return upload_id, credentials

    async def complete_multipart(self, path: str, upload_id: str, parts: PartEtags) -> None:
        client = await self.client()
        # Again: a conflicting file or folder may have appeared while the parts went up.
        await self._refuse_conflicts(client, path)
        try:
            await client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self.key(path),
                UploadId=upload_id,
                MultipartUpload={
                    "Parts": [{"PartNumber": n, "ETag": etag} for n, etag in sorted(parts)]
                },
            )
        except Exception as error:
            raise _translate(error, path) from error

    async def abort_multipart(self, path: str, upload_id: str) -> None:
        client = await self.client()
        try:
            await client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key(path), UploadId=upload_id
            )
        except Exception as error:
            raise _translate(error, path) from error

    async def close(self) -> None:
        await self._stack.aclose()
