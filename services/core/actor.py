from starlette.requests import Request


def actor(request: Request) -> str | None:
    """Who is making the request, for audit fields and events. Set by authentication once it
    exists; None while the server runs without it."""
    return getattr(request.state, "user", None)
