"""Answer 501 NOT_IMPLEMENTED, in MLflow's error shape, for every MLflow endpoint a service
owns but does not implement: a client gets an honest error, never a fake 200 or a 404 that
it might misread as "resource missing"."""

from importlib import resources

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.requests import Request

from services.core.errors import NotImplementedByGrimoire
from services.core.spec import RoutingTable, ServiceSpec


def mlflow_endpoints() -> list[tuple[str, str]]:
    text = resources.files("services.core").joinpath("mlflow_endpoints.txt").read_text()
    return [
        (method, path)
        for method, path in (line.split(" ", 1) for line in text.splitlines())
        if not method.startswith("#")
    ]


async def _not_implemented(request: Request) -> None:
    raise NotImplementedByGrimoire(
        f"Grimoire does not implement {request.method} {request.url.path}."
    )


def add_not_implemented_routes(app: FastAPI, spec: ServiceSpec, routing: RoutingTable) -> None:
    implemented = {
        (method, route.path.replace(":path}", "}"))
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    for method, path in mlflow_endpoints():
        if (
            routing.service_for(path) != spec.name
            or (method, path.replace(":path}", "}")) in implemented
        ):
            continue
        app.add_api_route(
            path, _not_implemented, methods=[method], include_in_schema=False, name=f"501 {path}"
        )
