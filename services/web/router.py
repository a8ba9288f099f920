"""The front end's files: `/` is the app shell, `/static/...` the assets Vite built.

The shell holds no data (every datum comes from the JSON APIs with the browser's session), so
both routes are public. index.html is never cached, so a deploy is picked up on the next load;
the assets' names carry their content hash, so they are cached for a year.
"""

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, Response

from services.core.auth.policy import PUBLIC, requires
from services.core.errors import ResourceDoesNotExist

router = APIRouter(tags=["web"])
STATIC = Path(__file__).parent / "static"
# No inline script or style, nothing from another origin; the pages frame nothing but their
# own sandboxed previews (served by the artifact proxy, same origin).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SHELL_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
ASSET_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}


@router.get("/", include_in_schema=False)
@requires(PUBLIC)
async def shell() -> Response:
    index = STATIC / "index.html"
    if not index.is_file():
        raise ResourceDoesNotExist(
            "The web UI is not built: run `make install` (or `npm ci && npm run build` in "
            "services/web/frontend)."
        )
    return FileResponse(index, media_type="text/html; charset=utf-8", headers=SHELL_HEADERS)


@router.get("/static/{path:path}", include_in_schema=False)
@requires(PUBLIC)
async def asset(path: str) -> Response:
    root = STATIC.resolve()
    file = (root / path).resolve()
    # Only files inside the build output: `..`, absolute paths and symlinks out are refused.
    if not file.is_relative_to(root) or not file.is_file() or file.name == "index.html":
        raise ResourceDoesNotExist(f"No static file '{path}'.")
    return FileResponse(file, headers=ASSET_HEADERS)
