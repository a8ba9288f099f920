"""Artifact path validation: what MLflow's validate_path_is_safe rejects, and more.

A path is relative, uses forward slashes, and has no empty, "." or ".." segment, even after
percent-decoding (clients and proxies decode differently, so both forms are checked). NUL
bytes and other control characters, backslashes and drive letters are refused. The local
store additionally refuses any path whose resolved location leaves its root (symlink escapes).

One size limit holds on every store, so a path that one store keeps the other keeps too: at
most 255 UTF-8 bytes a segment (a file name on ext4, XFS, APFS) and 1024 bytes in all (an S3
key; far below PATH_MAX). Past either, the filesystem or S3 would refuse the path with an
error that used to surface as a 500.
"""

import posixpath
import re
from urllib.parse import unquote

from services.core.errors import InvalidParameterValue

MAX_SEGMENT_BYTES = 255
MAX_PATH_BYTES = 1024

_DRIVE = re.compile(r"^[A-Za-z]:")
# C0 controls and DEL: no real file name holds them, S3 lists them only URL-encoded, and a
# newline in a name would reach response headers (Content-Disposition).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _reject(path: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"Invalid path: {path!r}")


def _check_size(path: str, original: str) -> None:
    try:
        size = len(path.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate from a JSON "\ud800" escape
        raise _reject(original) from None
    if size > MAX_PATH_BYTES:
        raise InvalidParameterValue(
            f"Invalid path: {size} bytes long; an artifact path holds at most "
            f"{MAX_PATH_BYTES} bytes (UTF-8)."
        )
    for segment in path.split("/"):
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise InvalidParameterValue(
                f"Invalid path: the name {segment[:40]!r}... is longer than "
                f"{MAX_SEGMENT_BYTES} bytes (UTF-8)."
            )


def clean_artifact_path(path: str | None, *, allow_root: bool = False) -> str:
    """Return the normalised relative path, or raise INVALID_PARAMETER_VALUE."""
    if path is None or path in ("", "/", "."):
        if allow_root:
            return ""
        raise _reject(path or "")
    for candidate in (path, unquote(path)):
        if _CONTROL.search(candidate) or "\\" in candidate or _DRIVE.match(candidate):
            raise _reject(path)
        if candidate.startswith(("/", "~")):
            raise _reject(path)
        parts = candidate.rstrip("/").split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise _reject(path)
    normalized = posixpath.normpath(path.rstrip("/"))
    if normalized.startswith(".."):
        raise _reject(path)
    _check_size(normalized, path)
    return normalized


def clean_file_path(path: str | None) -> str:
    """A path that names a file to write: as clean_artifact_path, and not ending in "/"
    (which used to store a file named like the folder)."""
    if path is not None and path.endswith("/"):
        raise InvalidParameterValue(f"Invalid path: {path!r} names a folder, not a file.")
    return clean_artifact_path(path)
