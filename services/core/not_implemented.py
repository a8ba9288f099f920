"""Answer 501 NOT_IMPLEMENTED, in MLflow's error shape, for every MLflow endpoint a service
answers (its spec's `mlflow_endpoints`) but has no route for: a client gets an honest error,
never a fake 200 or a 404 that it might misread as "resource missing"."""

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.requests import Request

from services.core.errors import NotImplementedByGrimoire
from services.core.gate import CATALOGUE_ROUTE_PREFIX
from services.core.spec import Endpoint, ajax_twin


async def _not_implemented(request: Request) -> None:
    raise NotImplementedByGrimoire(
        f"Grimoire does not implement {request.method} {request.url.path}."
    )


def add_not_implemented_routes(app: FastAPI, endpoints: tuple[Endpoint, ...]) -> None:
    implemented = {
        (method, route.path.replace(":path}", "}"))
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    for method, mlflow_path in endpoints:
        for path in (mlflow_path, ajax_twin(mlflow_path)):
            if path is None or (method, path.replace(":path}", "}")) in implemented:
                continue
            app.add_api_route(
                path,
                _not_implemented,
                methods=[method],
                include_in_schema=False,
                name=f"{CATALOGUE_ROUTE_PREFIX}{path}",
            )
