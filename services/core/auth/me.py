from typing import Any

from sqlalchemy import and_, or_, select

from services.core.auth.principal import Principal
from services.core.db.engine import Connection
from services.core.db.tables.auth import grants


async def describe(conn: Connection, principal: Principal) -> dict[str, Any]:
    """Who the caller is and every role it holds, directly or through a group; for a
    browser session, also the CSRF token its writes must send."""
    g = grants.c
    rows = await conn.execute(
        select(g.principal_type, g.principal, g.resource_type, g.resource_id, g.role)
        .where(
            or_(
                and_(g.principal_type == "user", g.principal == principal.name),
                and_(g.principal_type == "group", g.principal.in_(principal.groups or ("",))),
            )
        )
        .order_by(g.resource_type, g.resource_id)
    )
    described = {
        "name": principal.name,
        "kind": principal.kind,
        "groups": list(principal.groups),
        "is_admin": principal.is_admin,
        "grants": [
            {
                "resource_type": r.resource_type,
                "resource_id": r.resource_id,
                "role": r.role,
                "via": f"{r.principal_type}:{r.principal}",
            }
            for r in rows
        ],
    }
    if principal.csrf_token is not None:
        # A browser session's writes must echo it as X-CSRF-Token; a bearer token has none.
        described["csrf_token"] = principal.csrf_token
    return described
