from typing import Any

from sqlalchemy import and_, or_, select

from services.core.auth.principal import Principal
from services.core.db.engine import Connection
from services.core.db.tables.auth import grants
from services.core.db.tables.registry import registered_models
from services.core.db.tables.tracking import experiments


async def _names(conn: Connection, resource_type: str, ids: set[str]) -> dict[str, str]:
    """The names of the experiments or registered models grants are kept against (their ids),
    so a person reads "churn", not "#41"; ids of deleted resources have none."""
    numeric = [int(i) for i in ids if i.isdigit()]
    if not numeric:
        return {}
    table = experiments if resource_type == "experiment" else registered_models
    id_column = table.c.experiment_id if resource_type == "experiment" else table.c.id
    rows = await conn.execute(select(id_column, table.c.name).where(id_column.in_(numeric)))
    return {str(row[0]): row[1] for row in rows}


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
    found = list(rows)
    names = {
        kind: await _names(conn, kind, {r.resource_id for r in found if r.resource_type == kind})
        for kind in ("experiment", "registered_model")
    }
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
                **(
                    {"resource_name": names[r.resource_type][r.resource_id]}
                    if r.resource_id in names.get(r.resource_type, {})
                    else {}
                ),
            }
            for r in found
        ],
    }
    if principal.csrf_token is not None:
        # A browser session's writes must echo it as X-CSRF-Token; a bearer token has none.
        described["csrf_token"] = principal.csrf_token
    return described
