"""The artifact proxy: files stream between the client and the store, never via temp files.

Paths are relative to the store root (`mlflow-artifacts:/<experiment>/<run>/artifacts/...`
maps to `<root>/<experiment>/<run>/artifacts/...`).
"""

import re
from collections.abc import AsyncIterator

from fastapi import APIRouter
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from services.artifacts.inert import download_type
from services.artifacts.transfer_counters import BYTES_IN, BYTES_OUT, counted
from services.core.auth.policy import artifact, requires
from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.core.gate import streams_body
from services.core.http import JSONResponse, MlflowMessage, accepts, empty, parse_request
from services.core.storage.base import ArtifactNotFound
from services.core.storage.paths import clean_artifact_path, clean_file_path

router = APIRouter(tags=["artifacts"])
PREFIX = "/api/2.0/mlflow-artifacts"  # and its /ajax-api/ twin, added by the app factory
# ASCII digits only, and at most 19 (int64): `\d` would take any Unicode digit, and a number
# of thousands of digits exceeds int()'s limit. Anything else is not a range we serve.
_RANGE = re.compile(r"bytes=([0-9]{0,19})-([0-9]{0,19})")


def _missing(path: str) -> ResourceDoesNotExist:
    return ResourceDoesNotExist(f"Artifact '{path}' does not exist.")


def disconnected() -> InvalidParameterValue:
    # Nobody reads this answer; it keeps a dropped upload out of the 500s and the error log.
    return InvalidParameterValue("The client disconnected before the upload completed.")


class ListArtifacts(MlflowMessage):
    """mlflow-artifacts' ListArtifacts: the folder to list, relative to the store root."""

    path: str | None = None


@streams_body
@requires(artifact("EDIT"))
async def upload(request: Request) -> Response:
    path = clean_file_path(request.path_params["artifact_path"])
    store = request.app.state.store
    try:
        await store.put(path, counted(request.stream(), BYTES_IN))
    except ArtifactNotFound:
        raise _missing(path) from None
    except ClientDisconnect:
        raise disconnected() from None
    return empty()


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """RFC 9110: a Range we cannot parse is ignored (the whole file, 200)."""
    match = _RANGE.fullmatch(header.strip())
    if match is None or not (match.group(1) or match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if first:
        start, end = int(first), int(last) if last else size - 1
        if last and end < start:
            return None
    else:
        start, end = max(size - int(last), 0), size - 1
        if int(last) == 0:
            start = size  # a zero-length suffix is unsatisfiable
    return start, min(end, size - 1)


async def _opened(path: str, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Open the stream before the status line goes out, so a file deleted since its stat is
    a 404 rather than a 200 that breaks off."""
    try:
        first = await anext(chunks)
    except StopAsyncIteration:
        first = b""
    except ArtifactNotFound:
        raise _missing(path) from None

    async def rest() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for chunk in chunks:
            yield chunk

    return rest()


@requires(artifact("READ"))
async def download(request: Request) -> Response:
    path = clean_artifact_path(request.path_params["artifact_path"])
    store = request.app.state.store
    try:
        stat = await store.stat(path)
    except ArtifactNotFound:
        raise _missing(path) from None
    media_type, headers = download_type(path)
    headers["accept-ranges"] = "bytes"
    byte_range = _parse_range(request.headers.get("range", ""), stat.size)
    if byte_range is not None:
        start, end = byte_range
        if start >= stat.size:
            return Response(status_code=416, headers={"content-range": f"bytes */{stat.size}"})
        headers["content-range"] = f"bytes {start}-{end}/{stat.size}"
        headers["content-length"] = str(end - start + 1)
        body = await _opened(path, store.read(path, start, end))
        return StreamingResponse(counted(body, BYTES_OUT), 206, headers, media_type=media_type)
    headers["content-length"] = str(stat.size)
    body = await _opened(path, store.read(path))
    return StreamingResponse(counted(body, BYTES_OUT), 200, headers, media_type=media_type)


@requires(artifact("EDIT"))
async def delete(request: Request) -> Response:
    path = clean_artifact_path(request.path_params["artifact_path"])
    try:
        await request.app.state.store.delete(path)
    except ArtifactNotFound:
        raise _missing(path) from None
    return empty()


@accepts(ListArtifacts)
@requires(artifact("READ", "path"))
async def list_artifacts(request: Request) -> Response:
    body = await parse_request(request, ListArtifacts)
    path = clean_artifact_path(body.path, allow_root=True)
    entries = await request.app.state.store.list(path)
    files = [{**entry.render(), "path": entry.path.rsplit("/", 1)[-1]} for entry in entries]
    return JSONResponse({"files": files} if files else {})


router.add_api_route(f"{PREFIX}/artifacts/{{artifact_path:path}}", upload, methods=["PUT"])
router.add_api_route(f"{PREFIX}/artifacts/{{artifact_path:path}}", download, methods=["GET"])
router.add_api_route(f"{PREFIX}/artifacts/{{artifact_path:path}}", delete, methods=["DELETE"])
router.add_api_route(f"{PREFIX}/artifacts", list_artifacts, methods=["GET"])
