"""Roles: what a principal may do on an experiment, a registered model, or everything.

READ < EDIT < MANAGE < ADMIN. A principal's role on a resource is the highest of: ADMIN if it
is an admin; its own and its groups' default grants; its own and its groups' grants on that
resource; and its grants on a name pattern the resource's name matches (`team-a/*`: `*`
stands for any run of characters), so a team owns its namespace. The creator of an
experiment or registered model is granted MANAGE on it.

Creating needs one of: a default grant of EDIT or more (EDIT on everything), a create grant
for that kind of resource (`create` / `experiment` or `registered_model`: the right to create,
and so to manage what one created, with no access to anyone else's), or EDIT or more on a
pattern the new name matches.

An account that acts for someone (`Principal.acts_for`: a training job's account, for its
submitter) also holds, on registered models, their role capped at EDIT, computed at each
check (revoking their grant stops the account too), and may create a model where they may.
On experiments it has only its own grants (a job's: its run's experiment).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, cast, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert

from services.core.auth.access_cache import MISSING, AccessCache
from services.core.auth.principal import RANK, Principal, Role, at_least
from services.core.clock import now_ms
from services.core.db.engine import Connection
from services.core.db.tables.auth import grants
from services.core.db.tables.registry import registered_models
from services.core.db.tables.tracking import experiments

g = grants.c
# A grant for everything: it counts toward the principal's role on any resource.
_DEFAULT_SCOPE = and_(g.resource_type == "default", g.resource_id == "*")
PATTERN_SUFFIX = "_pattern"
# The id and name columns of each kind of resource a pattern can name.
_NAMED = {
    "experiment": (experiments.c.experiment_id, experiments.c.name),
    "registered_model": (registered_models.c.id, registered_models.c.name),
}


def _like_of(pattern: Any) -> ColumnElement[str]:
    """A stored glob (`*` only) as a LIKE pattern: LIKE's own wildcards are escaped."""
    for special in ("\\", "%", "_"):
        pattern = func.replace(pattern, special, "\\" + special)
    return func.replace(pattern, "*", "%")


def _pattern_matches(resource_type: str, name: Any) -> ColumnElement[bool]:
    """Grant rows on a pattern of `resource_type` that `name` (a column or a value) matches."""
    subject = literal(name) if isinstance(name, str) else name
    return and_(
        g.resource_type == resource_type + PATTERN_SUFFIX,
        subject.like(_like_of(g.resource_id)),
    )


def _pattern_scope(resource_type: str, resource_id: str) -> ColumnElement[bool]:
    id_column, name_column = _NAMED[resource_type]
    named = select(name_column).where(id_column == int(resource_id)).scalar_subquery()
    return _pattern_matches(resource_type, named)


# Where an account acting for someone also holds their role, and the most it gets from them:
# never MANAGE (grants, deletion) nor ADMIN.
DELEGATED = frozenset({"registered_model"})
DELEGATED_CAP: Role = "EDIT"


def _delegate(principal: Principal, resource_type: str) -> Principal | None:
    """Whom `principal` acts for on this kind of resource, if anyone."""
    return principal.acts_for if resource_type in DELEGATED else None


def _highest(*roles: Role | None) -> Role | None:
    return max((r for r in roles if r is not None), key=RANK.__getitem__, default=None)


def _capped(role: Role | None) -> Role | None:
    return role if role is None or RANK[role] <= RANK[DELEGATED_CAP] else DELEGATED_CAP


def _holder(principal: Principal) -> ColumnElement[bool]:
    return or_(
        and_(g.principal_type == "user", g.principal == principal.name),
        and_(g.principal_type == "group", g.principal.in_(principal.groups or ("",))),
    )


async def role_on(
    conn: Connection,
    principal: Principal,
    resource_type: str,
    resource_id: str | None,
    cache: AccessCache,
) -> Role | None:
    if principal.is_admin:
        return "ADMIN"
    remembered = cache.role(principal, resource_type, resource_id)
    if remembered is not MISSING:
        return remembered
    generation = cache.generation
    scope = _DEFAULT_SCOPE
    if resource_id is not None:
        scope = or_(
            scope,
            and_(g.resource_type == resource_type, g.resource_id == resource_id),
            _pattern_scope(resource_type, resource_id),
        )
    roles = (await conn.execute(select(g.role).where(_holder(principal), scope))).scalars().all()
    role = _highest(*roles)
    delegate = _delegate(principal, resource_type)
    if delegate is not None:
        theirs = await role_on(conn, delegate, resource_type, resource_id, cache)
        role = _highest(role, _capped(theirs))
    cache.remember_role(principal, resource_type, resource_id, role, generation)
    return role


async def may_create(conn: Connection, principal: Principal, resource_type: str, name: str) -> bool:
    """EDIT or more by default, a create grant for the kind, or a pattern the name matches."""
    if principal.is_admin:
        return True
    scope = or_(
        _DEFAULT_SCOPE,
        and_(g.resource_type == "create", g.resource_id == resource_type),
        _pattern_matches(resource_type, name),
    )
    rows = await conn.execute(select(g.resource_type, g.role).where(_holder(principal), scope))
    if any(kind == "create" or at_least(role, "EDIT") for kind, role in rows):
        return True
    delegate = _delegate(principal, resource_type)
    return delegate is not None and await may_create(conn, delegate, resource_type, name)


def visible(
    principal: Principal | None, column: Any, resource_type: str
) -> ColumnElement[bool] | None:
    """A WHERE clause keeping only rows `principal` may READ; None if it may read everything
    (no auth, admin, or a default grant). Used by every search and list, so paging counts
    only visible rows."""
    if principal is None or principal.is_admin:
        return None
    default_read = select(g.id).where(_holder(principal), _DEFAULT_SCOPE)
    granted = select(cast(g.resource_id, BigInteger)).where(
        _holder(principal), g.resource_type == resource_type
    )
    id_column, name_column = _NAMED[resource_type]
    by_pattern = select(id_column).join(
        grants, and_(_holder(principal), _pattern_matches(resource_type, name_column))
    )
    own = or_(default_read.exists(), column.in_(granted), column.in_(by_pattern))
    delegate = _delegate(principal, resource_type)
    if delegate is None:
        return own
    theirs = visible(delegate, column, resource_type)
    return None if theirs is None else or_(own, theirs)


async def readable(
    conn: Connection,
    principal: Principal | None,
    resource_type: str,
    ids: Sequence[int],
    cache: AccessCache,
) -> list[int]:
    """The ids among `ids` `principal` may READ, in their order (all of them with
    no auth, for an administrator or with a default grant). A search over given experiments
    narrows its ids with this instead of checking grants row by row, so it runs the same
    statement as an administrator's, and members' searches stay as fast as theirs (figures:
    docs/benchmarks.md, "Why the code is shaped this way"). The default grant, which most
    members hold, is the access cache's remembered default role: no query at all then."""
    if principal is None or principal.is_admin or not ids:
        return list(ids)
    if await role_on(conn, principal, resource_type, None, cache) is not None:
        return list(ids)  # any default grant reads everything
    scope = or_(
        and_(g.resource_type == resource_type, g.resource_id.in_([str(i) for i in ids])),
        g.resource_type == resource_type + PATTERN_SUFFIX,
    )
    rows = await conn.execute(
        select(g.resource_type, g.resource_id).where(_holder(principal), scope)
    )
    granted, patterns = set(), False
    for granted_type, resource_id in rows:
        if granted_type == resource_type:
            granted.add(resource_id)
        else:
            patterns = True
    if patterns:
        id_column, name_column = _NAMED[resource_type]
        matched = await conn.execute(
            select(id_column)
            .join(grants, and_(_holder(principal), _pattern_matches(resource_type, name_column)))
            .where(id_column.in_(ids))
        )
        granted.update(str(i) for i in matched.scalars())
    return [i for i in ids if str(i) in granted]


async def grant(
    conn: Connection,
    principal_type: str,
    principal: str,
    resource_type: str,
    resource_id: str,
    role: Role,
    granted_by: str,
) -> None:
    statement = insert(grants).values(
        principal_type=principal_type,
        principal=principal,
        resource_type=resource_type,
        resource_id=resource_id,
        role=role,
        granted_by=granted_by,
        granted_at=now_ms(),
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["principal_type", "principal", "resource_type", "resource_id"],
            set_={"role": role, "granted_by": granted_by, "granted_at": now_ms()},
        )
    )


async def grant_creator(
    conn: Connection, principal: Principal | None, resource_type: str, resource_id: str
) -> None:
    """The creator of an experiment or registered model manages it (no-op without auth)."""
    if principal is not None:
        await grant(
            conn, "user", principal.name, resource_type, resource_id, "MANAGE", principal.name
        )


__all__ = ["at_least", "grant", "grant_creator", "may_create", "role_on", "visible"]
