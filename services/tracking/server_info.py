"""`/api/3.0/mlflow/server-info`: what the client asks before choosing how to upload."""

from fastapi import APIRouter
from starlette.requests import Request

from services.core.auth.policy import AUTHENTICATED, requires
from services.core.http import JSONResponse

router = APIRouter(tags=["server-info"])


@router.get("/api/3.0/mlflow/server-info")
@router.get("/ajax-api/3.0/mlflow/server-info")
@requires(AUTHENTICATED)
async def server_info(_: Request) -> JSONResponse:
    return JSONResponse(
        {
            "store_type": "SqlStore",
            "workspaces_enabled": False,
            "trace_archival_enabled": False,
            # Both stores take multipart uploads (S3 presigned, local through the proxy).
            "multipart_uploads_enabled": True,
            "multipart_downloads_enabled": False,
            "presigned_upload_run_id_supported": False,
            "presigned_upload_model_id_supported": False,
            "features_enabled": {"gateway": False},
        }
    )
