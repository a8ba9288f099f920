"""Artifacts are served inert: nothing a user uploads can run on Grimoire's origin.

Anyone with EDIT on a run can upload any bytes under any name, and a teammate (or an
administrator) opening the download link in a browser would run them with their session if
the response were scriptable (an `.html`, `.xhtml` or `.svg` is a page). So:

- a download's type comes from an allow-list of types a browser only displays: text (as
  `text/plain`), JSON, and raster images; everything else (HTML, XHTML, SVG, JavaScript, PDF,
  unknown) is `application/octet-stream` with `Content-Disposition: attachment`, so the
  browser saves it instead of rendering it;
- every response of the artifact service, errors included, carries `nosniff` (the browser
  keeps the declared type) and a sandboxing Content-Security-Policy (even if something is
  rendered, it gets an opaque origin and runs no script).

The table is ours rather than `mimetypes`', which reads the host's /etc/mime.types and would
make the answer differ between machines.
"""

from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TEXT = "text/plain; charset=utf-8"
DOWNLOAD = "application/octet-stream"
_INLINE_BY_EXTENSION = {
    **dict.fromkeys(
        ("txt", "log", "csv", "tsv", "md", "rst", "yaml", "yml", "toml", "ini", "cfg"), TEXT
    ),
    **dict.fromkeys(("py", "r", "sql", "sh", "ipynb"), TEXT),
    "json": "application/json",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
# MLflow's own YAML files have no extension.
_INLINE_BY_NAME = {"MLmodel": TEXT, "MLproject": TEXT}

SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"default-src 'none'; sandbox"),
)
_SECURITY_NAMES = {name for name, _ in SECURITY_HEADERS}


def download_type(path: str) -> tuple[str, dict[str, str]]:
    """The Content-Type a download is served with, and any headers that go with it."""
    name = path.rsplit("/", 1)[-1]
    _, dot, extension = name.rpartition(".")
    inline = _INLINE_BY_NAME.get(name)
    if inline is None and dot:
        inline = _INLINE_BY_EXTENSION.get(extension.lower())
    if inline is not None:
        return inline, {}
    # RFC 6266's UTF-8 form, percent-encoded: any name, and nothing that could end the header.
    disposition = f"attachment; filename*=UTF-8''{quote(name, safe='')}"
    return DOWNLOAD, {"content-disposition": disposition}


class InertResponses:
    """Adds SECURITY_HEADERS to every response of the app it wraps (outermost, so errors
    from the guard, the in-flight limit and the routes all get them)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_inert(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in _SECURITY_NAMES
                ]
                message = {**message, "headers": [*headers, *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_inert)
