"""The web UI, as the kit and the routing table see it."""

from services.core.spec import ServiceSpec
from services.web.router import router

SPEC = ServiceSpec(
    name="web",
    # "/" also makes web the owner of every path no other service claims: an unknown path
    # gets its JSON 404, and the probes exist on every app.
    prefixes=("/", "/static/"),
    routers=(router,),
)
