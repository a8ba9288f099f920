"""`grimoire server`: every service in one process, for a laptop or a small team.

Requests are dispatched by the same routing table the Kubernetes Ingress applies, so both
topologies behave alike. The services share one set of resources (database pool, artifact
store) opened in this app's lifespan, because Starlette does not run mounted apps' lifespans.
"""

from contextlib import AsyncExitStack

from starlette.types import Receive, Scope, Send

from services.artifacts.main import build as build_artifacts
from services.core.app import enter_extensions
from services.core.resources import open_resources
from services.registry.main import build as build_registry
from services.specs import ROUTING
from services.tracking.main import build as build_tracking
from services.web.main import build as build_web


class GrimoireServer:
    def __init__(self) -> None:
        self.apps = {
            "tracking": build_tracking(own_lifespan=False),
            "artifacts": build_artifacts(own_lifespan=False),
            "registry": build_registry(own_lifespan=False),
            "web": build_web(own_lifespan=False),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        # Web claims "/", so every path has a service.
        await self.apps[ROUTING.service_for(scope.get("path", "/")) or "web"](scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        async with AsyncExitStack() as stack:
            await receive()  # lifespan.startup
            try:
                resources = await stack.enter_async_context(open_resources("grimoire-server"))
            except Exception as error:
                await send({"type": "lifespan.startup.failed", "message": str(error)})
                return
            try:
                for app in self.apps.values():
                    resources.attach(app)
                    await enter_extensions(stack, app)
            except Exception as error:
                await send({"type": "lifespan.startup.failed", "message": str(error)})
                return
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})


app = GrimoireServer()
