"""Artifact path validation: what MLflow's validate_path_is_safe rejects, and more.

A path is relative, uses forward slashes, and has no empty, "." or ".." segment, even after
percent-decoding (clients and proxies decode differently, so both forms are checked). NUL
bytes, backslashes and drive letters are refused. The local store additionally refuses any
path whose resolved location leaves its root (symlink escapes).
"""

import posixpath
import re
from urllib.parse import unquote

from services.core.errors import InvalidParameterValue

_DRIVE = re.compile(r"^[A-Za-z]:")


def _reject(path: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"Invalid path: {path!r}")


def clean_artifact_path(path: str | None, *, allow_root: bool = False) -> str:
    """Return the normalised relative path, or raise INVALID_PARAMETER_VALUE."""
    if path is None or path in ("", "/", "."):
        if allow_root:
            return ""
        raise _reject(path or "")
    for candidate in (path, unquote(path)):
        if "\x00" in candidate or "\\" in candidate or _DRIVE.match(candidate):
            raise _reject(path)
        if candidate.startswith("/") or candidate.startswith("~"):
            raise _reject(path)
        parts = candidate.rstrip("/").split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise _reject(path)
    normalized = posixpath.normpath(path.rstrip("/"))
    if normalized.startswith(".."):
        raise _reject(path)
    return normalized
