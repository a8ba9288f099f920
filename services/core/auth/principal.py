"""Who is calling, once authenticated. The guard stores it in the request's scope; routers
read it with `caller_of` and pass it to the service functions that depend on it (searches
filtered to what the caller may read, creator grants), so a service function's arguments
say everything it acts on."""

from dataclasses import dataclass
from typing import Literal, TypeGuard, get_args

from starlette.requests import HTTPConnection

from services.core.errors import FeatureDisabled

# Each role includes the ones before it.
Role = Literal["READ", "EDIT", "MANAGE", "ADMIN"]
ROLES: tuple[Role, ...] = get_args(Role)
RANK: dict[Role, int] = {role: rank for rank, role in enumerate(ROLES, start=1)}


@dataclass(frozen=True)
class Principal:
    name: str  # user name, "service:<account>", or an OAuth client id
    kind: str  # "user", "service" or "client"
    groups: tuple[str, ...]
    is_admin: bool
    csrf_token: str | None = None  # set when authenticated by a browser session cookie
    token_id: str | None = None
    user_id: int | None = None  # a person's users row (issuer + subject): their stable key
    # Whom a service account acts for (a training job's account: its submitter). In the
    # registry the account may also do what they may, up to EDIT (auth/access.py).
    acts_for: "Principal | None" = None


# The key of the request scope's state under which the guard keeps the Principal.
PRINCIPAL_STATE = "principal"


def caller_of(request: HTTPConnection) -> Principal | None:
    """The authenticated caller of `request`; None with authentication off (no guard)."""
    principal: Principal | None = request.scope.get("state", {}).get(PRINCIPAL_STATE)
    return principal


def is_role(value: str) -> TypeGuard[Role]:
    return value in RANK


def at_least(role: Role | None, required: Role) -> bool:
    return role is not None and RANK[role] >= RANK[required]


def require_caller(principal: Principal | None) -> Principal:
    """The authenticated caller. With authentication off there is none: tokens, grants,
    service accounts, the audit log and /me have nothing to act on, and say so."""
    if principal is None:
        raise FeatureDisabled(
            "Authentication is off on this server (no GRIMOIRE_AUTH_ISSUER): there are no "
            "accounts, tokens or grants."
        )
    return principal
