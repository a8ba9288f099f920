"""Multipart uploads, as the mlflow client drives them with
MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true (or when server-info advertises them).

`mpu/create/<dir>` names the target folder; the file name is the basename of the client's
local `path`, as in MLflow. S3 hands out presigned part URLs; the local store hands out part
URLs on this service (`mpu/parts/<upload id>/<n>`).
"""

import posixpath

from fastapi import APIRouter
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from services.artifacts.router import disconnected
from services.artifacts.transfer_counters import BYTES_IN, counted
from services.core.auth.policy import PUBLIC, artifact, requires
from services.core.config import server_settings
from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.core.fields import PositiveInt32
from services.core.gate import streams_body
from services.core.http import JSONResponse, MlflowMessage, accepts, empty, parse_request, validate
from services.core.storage.base import ArtifactNotFound
from services.core.storage.paths import clean_artifact_path, clean_file_path

router = APIRouter(tags=["artifacts"])
PREFIX = "/api/2.0/mlflow-artifacts/mpu"


class CreateMultipartUpload(MlflowMessage):
    path: str
    num_parts: PositiveInt32 = 1


class UploadPart(MlflowMessage):
    part_number: PositiveInt32
    etag: str
    url: str | None = None


class CompleteMultipartUpload(MlflowMessage):
    path: str
    upload_id: str
    parts: list[UploadPart] = []


class AbortMultipartUpload(MlflowMessage):
    path: str
    upload_id: str


class PartRef(MlflowMessage):
    """The part route's path parameters (a part number that is no number is a 400, not
    FastAPI's 422)."""

    upload_id: str
    part_number: PositiveInt32


def _target(request: Request, local_path: str) -> str:
    folder = clean_artifact_path(request.path_params["artifact_path"])
    name = posixpath.basename(local_path.replace("\\", "/"))
    if not name:
        raise InvalidParameterValue(f"Invalid path: {local_path!r} names no file.")
    return clean_file_path(f"{folder}/{name}")


def _base_url(request: Request) -> str:
    return (server_settings().public_url or str(request.base_url)).rstrip("/")


@router.post(PREFIX + "/create/{artifact_path:path}")
@accepts(CreateMultipartUpload)
@requires(artifact("EDIT"))
async def create_multipart_upload(request: Request) -> JSONResponse:
    body = await parse_request(request, CreateMultipartUpload)
    if not 1 <= body.num_parts <= 10_000:
        raise InvalidParameterValue("num_parts must be between 1 and 10000.")
    store = request.app.state.store
    upload_id, credentials = await store.create_multipart(
        _target(request, body.path), body.num_parts, _base_url(request)
    )
    return JSONResponse({"upload_id": upload_id, "credentials": credentials})


@router.post(PREFIX + "/complete/{artifact_path:path}")
@accepts(CompleteMultipartUpload)
@requires(artifact("EDIT"))
async def complete_multipart_upload(request: Request) -> JSONResponse:
    body = await parse_request(request, CompleteMultipartUpload)
    parts = [(part.part_number, part.etag) for part in body.parts]
    target = _target(request, body.path)
    try:
        await request.app.state.store.complete_multipart(target, body.upload_id, parts)
    except ArtifactNotFound:  # a folder on the way vanished under a concurrent delete
        raise ResourceDoesNotExist(f"A folder of '{target}' was deleted meanwhile.") from None
    return empty()


@router.post(PREFIX + "/abort/{artifact_path:path}")
@accepts(AbortMultipartUpload)
@requires(artifact("EDIT"))
async def abort_multipart_upload(request: Request) -> JSONResponse:
    body = await parse_request(request, AbortMultipartUpload)
    await request.app.state.store.abort_multipart(_target(request, body.path), body.upload_id)
    return empty()


@router.put(PREFIX + "/parts/{upload_id}/{part_number}")
@streams_body
@requires(PUBLIC)
async def upload_part(request: Request) -> Response:
    part = validate(PartRef, request.path_params)
    store = request.app.state.store
    if store.supports_presigned_parts:
        raise InvalidParameterValue("This store takes parts at presigned URLs.")
    chunks = counted(request.stream(), BYTES_IN)
    try:
        etag = await store.put_part(part.upload_id, part.part_number, chunks)
    except ClientDisconnect:
        raise disconnected() from None
    return Response(status_code=200, headers={"ETag": etag})
