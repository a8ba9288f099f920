"""The artifact proxy: files stream between the client and the store, never via temp files.

Paths are relative to the store root (`mlflow-artifacts:/<experiment>/<run>/artifacts/...`
maps to `<root>/<experiment>/<run>/artifacts/...`).
"""

import mimetypes
import re

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from services.artifacts.metrics import BYTES_IN, BYTES_OUT, counted
from services.core.errors import ResourceDoesNotExist
from services.core.http import JSONResponse, empty
from services.core.storage.base import ArtifactNotFound
from services.core.storage.paths import clean_artifact_path

router = APIRouter(tags=["artifacts"])
PREFIXES = ("/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts")
# Types a browser would execute are served as plain text so an artifact cannot run script.
_UNSAFE_TYPES = {"text/html", "application/javascript", "text/javascript", "image/svg+xml"}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _content_type(path: str) -> str:
    guessed, _ = mimetypes.guess_type(path)
    if guessed is None:
        return "application/octet-stream"
    if guessed in _UNSAFE_TYPES or guessed.startswith("text/"):
        return "text/plain; charset=utf-8"
    return guessed


def _missing(path: str) -> ResourceDoesNotExist:
    return ResourceDoesNotExist(f"Artifact '{path}' does not exist.")


async def upload(request: Request) -> Response:
    path = clean_artifact_path(request.path_params["artifact_path"])
    store = request.app.state.store
    await store.put(path, counted(request.stream(), BYTES_IN))
    return empty()


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    match = _RANGE.match(header.strip())
    if match is None or not (match.group(1) or match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if first:
        start, end = int(first), int(last) if last else size - 1
    else:
        start, end = max(size - int(last), 0), size - 1
    return start, min(end, size - 1)


async def download(request: Request) -> Response:
    path = clean_artifact_path(request.path_params["artifact_path"])
    store = request.app.state.store
    try:
        stat = await store.stat(path)
    except ArtifactNotFound:
        raise _missing(path) from None
    headers = {"accept-ranges": "bytes"}
    byte_range = _parse_range(request.headers.get("range", ""), stat.size)
    if byte_range is not None:
        start, end = byte_range
        if start >= stat.size or start > end:
            return Response(status_code=416, headers={"content-range": f"bytes */{stat.size}"})
        headers["content-range"] = f"bytes {start}-{end}/{stat.size}"
        headers["content-length"] = str(end - start + 1)
        body = counted(store.read(path, start, end), BYTES_OUT)
        return StreamingResponse(body, 206, headers, media_type=_content_type(path))
    headers["content-length"] = str(stat.size)
    body = counted(store.read(path), BYTES_OUT)
    return StreamingResponse(body, 200, headers, media_type=_content_type(path))


async def delete(request: Request) -> Response:
    path = clean_artifact_path(request.path_params["artifact_path"])
    try:
        await request.app.state.store.delete(path)
    except ArtifactNotFound:
        raise _missing(path) from None
    return empty()


async def list_artifacts(request: Request) -> Response:
    raw = request.query_params.get("path")
    path = clean_artifact_path(raw, allow_root=True)
    entries = await request.app.state.store.list(path)
    files = [{**entry.render(), "path": entry.path.rsplit("/", 1)[-1]} for entry in entries]
    return JSONResponse({"files": files} if files else {})


for prefix in PREFIXES:
    router.add_api_route(f"{prefix}/artifacts/{{artifact_path:path}}", upload, methods=["PUT"])
    router.add_api_route(f"{prefix}/artifacts/{{artifact_path:path}}", download, methods=["GET"])
    router.add_api_route(f"{prefix}/artifacts/{{artifact_path:path}}", delete, methods=["DELETE"])
    router.add_api_route(f"{prefix}/artifacts", list_artifacts, methods=["GET"])
