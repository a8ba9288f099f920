"""The storage protocol both stores implement, so services never care which one runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol, TypedDict

from services.core.errors import InvalidParameterValue


@dataclass(frozen=True)
class FileInfo:
    path: str
    is_dir: bool
    file_size: int | None = None

    def render(self) -> dict[str, object]:
        rendered: dict[str, object] = {"path": self.path, "is_dir": self.is_dir}
        if self.file_size is not None:
            rendered["file_size"] = self.file_size
        return rendered


@dataclass(frozen=True)
class ObjectStat:
    size: int
    etag: str | None = None


class PartCredential(TypedDict):
    """Where the client sends one part of a multipart upload (MLflow's
    MultipartUploadCredential)."""

    url: str
    part_number: int
    headers: dict[str, str]


# (part number, etag) of each uploaded part, as the client reports them on completion.
# Named at module level because inside the stores `list` is a method.
PartEtags = list[tuple[int, str]]
PartCredentials = list[PartCredential]


class ArtifactNotFound(Exception):
    pass


class StoreUnavailable(Exception):
    """The backing store cannot be reached; callers answer 503 with Retry-After."""


# A file and a folder never share a name, on either store: the local filesystem cannot hold
# both, so S3 (which could) refuses them too and both stores give the same answers.


def folder_in_the_way(path: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"Invalid path: '{path}' is a folder; a file cannot replace it.")


def file_in_the_way(path: str, file: str) -> InvalidParameterValue:
    return InvalidParameterValue(
        f"Invalid path: '{path}' would be inside '{file}', which is a file."
    )


class ArtifactStore(Protocol):
    # True: multipart parts go to presigned store URLs; False: through the proxy's part route.
    supports_presigned_parts: bool

    async def put(self, path: str, chunks: AsyncIterator[bytes]) -> int:
        """Store the stream at path atomically (all or nothing); return bytes written.
        Raises folder_in_the_way / file_in_the_way before reading the stream."""

    async def stat(self, path: str) -> ObjectStat:
        """Size of a file; raises ArtifactNotFound."""

    def read(self, path: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Stream bytes [start, end] inclusive; raises ArtifactNotFound."""

    async def list(self, path: str) -> list[FileInfo]:
        """One level below path; paths relative to the store root."""

    async def delete(self, path: str) -> None:
        """Delete a file or a whole folder; raises ArtifactNotFound."""

    async def create_multipart(
        self, path: str, num_parts: int, base_url: str
    ) -> tuple[str, PartCredentials]:
        """Start a multipart upload; return its id and one {url, part_number, headers} per part."""

    async def complete_multipart(self, path: str, upload_id: str, parts: PartEtags) -> None:
        """Assemble (part number, etag) parts into the object at path, atomically."""

    async def abort_multipart(self, path: str, upload_id: str) -> None:
        """Discard an upload and its parts."""

    async def close(self) -> None: ...
