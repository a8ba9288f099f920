"""`grimoire server`: every service in one process, for a laptop or a small team.

Requests are dispatched by the same routing table the Kubernetes Ingress applies, so both
topologies behave alike. The services share one set of resources (database pool, artifact
store) opened in this app's lifespan, because Starlette does not run mounted apps' lifespans.
"""

from contextlib import AsyncExitStack

from starlette.types import Receive, Scope, Send

from services.core.app import create_app, enter_loops
from services.core.resources import open_resources
from services.specs import ROUTING, SPECS


class GrimoireServer:
    def __init__(self) -> None:
        self.apps = {spec.name: create_app(spec, own_lifespan=False) for spec in SPECS}

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
                    await enter_loops(stack, app)
            except Exception as error:
                await send({"type": "lifespan.startup.failed", "message": str(error)})
                return
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})


app = GrimoireServer()
