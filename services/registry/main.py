"""The registry service: `uvicorn services.registry.main:app`.

Registered models, versions, stages, aliases, tags and webhooks. Every process also runs a
webhook delivery worker; replicas share the work through row locks (no singleton).
"""

from services.core.app import create_app
from services.registry.spec import SPEC

app = create_app(SPEC)
