"""The artifact proxy, as the kit and the routing table see it."""

from services.artifacts.inert import InertResponses
from services.artifacts.multipart import router as multipart
from services.artifacts.resolvers import RESOLVERS
from services.artifacts.router import router
from services.artifacts.transfer_counters import BYTES_IN, BYTES_OUT
from services.core.spec import ServiceSpec, mlflow_endpoints

SPEC = ServiceSpec(
    name="artifacts",
    prefixes=("/api/2.0/mlflow-artifacts/", "/ajax-api/2.0/mlflow-artifacts/"),
    routers=(router, multipart),
    resolvers=RESOLVERS,
    # Outermost: every response of the service, the guard's and the limits' included.
    middleware=(InertResponses,),
    metrics=(BYTES_IN, BYTES_OUT),
    mlflow_endpoints=mlflow_endpoints(__package__),
)
