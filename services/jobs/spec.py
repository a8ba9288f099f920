"""The jobs service, as the kit and the routing table see it."""

from services.core.spec import ServiceSpec
from services.jobs.jobs.router import router as jobs
from services.jobs.resolvers import RESOLVERS
from services.jobs.runtime import jobs_runtime

SPEC = ServiceSpec(
    name="jobs",
    prefixes=("/api/grimoire/v1/jobs",),
    routers=(jobs,),
    resolvers=RESOLVERS,
    loops=(jobs_runtime,),
)
