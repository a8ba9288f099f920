"""Every Grimoire service's spec: the one list `grimoire server`, the routing table (and so
the Kubernetes Ingress: `grimoire routes` prints it) and the policy table are assembled from.
Only composition imports this; a service never does."""

from services.artifacts.spec import SPEC as ARTIFACTS
from services.core.spec import RoutingTable
from services.jobs.spec import SPEC as JOBS
from services.registry.spec import SPEC as REGISTRY
from services.tracking.spec import SPEC as TRACKING
from services.web.spec import SPEC as WEB

SPECS = (TRACKING, ARTIFACTS, REGISTRY, JOBS, WEB)
ROUTING = RoutingTable(SPECS)
