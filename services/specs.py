"""Every Grimoire service's spec: the one list the routing table is assembled from.

`grimoire server` dispatches by it in one process; the Kubernetes Ingress applies the same
table (`grimoire routes` prints it), so a path lands on the same service in both topologies.
Specs are plain data: importing this list imports no service's code.
"""

from services.artifacts.spec import SPEC as ARTIFACTS
from services.core.spec import RoutingTable
from services.registry.spec import SPEC as REGISTRY
from services.tracking.spec import SPEC as TRACKING
from services.web.spec import SPEC as WEB

SPECS = (TRACKING, ARTIFACTS, REGISTRY, WEB)
ROUTING = RoutingTable(SPECS)
