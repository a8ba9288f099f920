"""The caller's own role on one registered model, as the guard computes it, so the web UI
shows exactly the controls the server will accept (it enforces them anyway)."""

from services.core.auth.access import role_on
from services.core.auth.access_cache import AccessCache
from services.core.auth.principal import Principal
from services.core.db import use_cases
from services.core.db.engine import Connection
from services.registry.models.service import require


@use_cases.transaction
async def caller_role(
    conn: Connection, name: str, caller: Principal | None, cache: AccessCache
) -> str:
    model = await require(conn, name)
    if caller is None:  # authentication is off: everyone may do everything
        return "ADMIN"
    role = await role_on(conn, caller, "registered_model", str(model.id), cache)
    return role or "NONE"
