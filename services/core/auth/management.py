"""Tokens, service accounts and grants: the use cases behind /api/2.0/grimoire/..."""

from typing import Any, Literal, Protocol, TypedDict, get_args

from sqlalchemy import and_, delete, select, update

from services.core.auth import access, tokens
from services.core.auth.principal import ROLES, Principal, Role, is_role
from services.core.clock import now_ms
from services.core.config import auth_settings
from services.core.db import use_cases
from services.core.db.engine import Connection
from services.core.db.tables.auth import auth_tokens, grants, service_accounts
from services.core.db.tables.registry import registered_models
from services.core.db.tables.tracking import experiments
from services.core.errors import (
    InvalidParameterValue,
    PermissionDenied,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
)

CREATABLE = ("experiment", "registered_model")
ResourceType = Literal[
    "experiment",
    "registered_model",
    "default",
    "create",
    "experiment_pattern",
    "registered_model_pattern",
]
RESOURCE_TYPES = get_args(ResourceType)
MAX_PATTERN_LENGTH = 256


class GrantInfo(TypedDict):
    """One grant on a resource, as the permissions listing shows it."""

    principal_type: str  # "user" or "group"
    principal: str
    role: Role
    granted_by: str
    granted_at: int  # epoch ms


class GrantRequest(Protocol):
    """A grant or revoke message as the API parses it (services.core.auth.api.Grant)."""

    principal_type: str
    principal: str
    resource_type: ResourceType
    resource_id: str
    role: str | None

    def model_dump(self) -> dict[str, Any]: ...


DAY_MS = 24 * 3600 * 1000


def expiry(expires_in_days: float | None, default_days: float | None = None) -> int | None:
    """When a token asking for `expires_in_days` (else `default_days`; None: never) expires."""
    days = default_days if expires_in_days is None else expires_in_days
    if days is None:
        return None
    maximum = auth_settings().token_max_days
    if not 0 < days <= maximum:
        raise InvalidParameterValue(f"expires_in_days must be in (0, {maximum:g}].")
    return now_ms() + int(days * DAY_MS)


def owner_of(principal: Principal) -> str:
    if principal.kind == "service":
        return principal.name  # already "service:<name>"
    return f"user:{principal.name}"


@use_cases.transaction
async def create_personal_token(
    conn: Connection, principal: Principal, name: str, expires_in_days: float | None
) -> tokens.IssuedToken:
    if principal.kind == "client":
        raise PermissionDenied(
            "OAuth clients cannot create Grimoire tokens; use a service account."
        )
    # A person's token acts for their users row (their current name and groups); your own
    # token always expires (GRIMOIRE_AUTH_TOKEN_DEFAULT_DAYS unless asked otherwise).
    lifetime = expiry(expires_in_days, auth_settings().token_default_days)
    return await tokens.issue(conn, owner_of(principal), name, principal.user_id, lifetime)


@use_cases.transaction
async def list_tokens(
    conn: Connection, principal: Principal, everyone: bool
) -> list[tokens.TokenInfo]:
    statement = select(auth_tokens).order_by(auth_tokens.c.created_at)
    if not (everyone and principal.is_admin):
        statement = statement.where(auth_tokens.c.owner == owner_of(principal))
    return [tokens.public(row._mapping) for row in await conn.execute(statement)]


@use_cases.transaction
async def revoke_token(conn: Connection, principal: Principal, token_id: str) -> None:
    condition = auth_tokens.c.token_id == token_id
    if not principal.is_admin:
        condition = and_(condition, auth_tokens.c.owner == owner_of(principal))
    result = await conn.execute(
        update(auth_tokens)
        .where(condition, auth_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now_ms())
    )
    if result.rowcount == 0:
        raise ResourceDoesNotExist(f"No active token {token_id} of yours.")


@use_cases.transaction
async def create_service_account(
    conn: Connection, principal_name: str, name: str, groups: list[str]
) -> dict[str, Any]:
    if not name or ":" in name or "/" in name:
        raise InvalidParameterValue("Service account names are non-empty, without ':' or '/'.")
    existing = await conn.execute(
        select(service_accounts.c.name).where(service_accounts.c.name == name)
    )
    if existing.first() is not None:
        raise ResourceAlreadyExists(f"Service account '{name}' already exists.")
    await conn.execute(
        service_accounts.insert().values(
            name=name, groups=groups, created_by=principal_name, created_at=now_ms()
        )
    )
    return {"name": name, "groups": groups, "principal": f"service:{name}"}


@use_cases.transaction
async def list_service_accounts(conn: Connection) -> list[dict[str, Any]]:
    rows = await conn.execute(select(service_accounts).order_by(service_accounts.c.name))
    return [{"name": r.name, "groups": r.groups, "created_by": r.created_by} for r in rows]


@use_cases.transaction
async def delete_service_account(conn: Connection, name: str) -> None:
    result = await conn.execute(delete(service_accounts).where(service_accounts.c.name == name))
    if result.rowcount == 0:
        raise ResourceDoesNotExist(f"No service account '{name}'.")
    await conn.execute(
        update(auth_tokens)
        .where(auth_tokens.c.owner == f"service:{name}", auth_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now_ms())
    )


@use_cases.transaction
async def service_account_token(
    conn: Connection, name: str, token_name: str, expires_in_days: float | None
) -> tokens.IssuedToken:
    found = await conn.execute(
        select(service_accounts.c.name).where(service_accounts.c.name == name)
    )
    if found.first() is None:
        raise ResourceDoesNotExist(f"No service account '{name}'.")
    return await tokens.issue(conn, f"service:{name}", token_name, None, expiry(expires_in_days))


async def _resource_key(conn: Connection, resource_type: str, resource_id: str) -> str:
    """Grants are stored against stable ids: experiment ids, registered model row ids; a
    create grant names the kind it creates, a pattern grant its pattern."""
    if resource_type == "default":
        return "*"
    if resource_type == "create":
        if resource_id not in CREATABLE:
            raise InvalidParameterValue(f"A create grant names one of {', '.join(CREATABLE)}.")
        return resource_id
    if resource_type.endswith(access.PATTERN_SUFFIX):
        if not 0 < len(resource_id) <= MAX_PATTERN_LENGTH or resource_id.strip("*") == "":
            raise InvalidParameterValue(
                f"A name pattern is 1-{MAX_PATTERN_LENGTH} characters and more than '*' "
                "(use a default grant for everything)."
            )
        return resource_id
    if resource_type == "experiment":
        if (
            not resource_id.isdigit()
            or (
                await conn.execute(
                    select(experiments.c.experiment_id).where(
                        experiments.c.experiment_id == int(resource_id)
                    )
                )
            ).first()
            is None
        ):
            raise ResourceDoesNotExist(f"No Experiment with id={resource_id} exists")
        return resource_id
    if resource_type == "registered_model":
        model_id = (
            await conn.execute(
                select(registered_models.c.id).where(registered_models.c.name == resource_id)
            )
        ).scalar_one_or_none()
        if model_id is None:
            raise ResourceDoesNotExist(f"Registered Model with name={resource_id} not found")
        return str(model_id)
    raise InvalidParameterValue(f"resource_type must be one of {', '.join(RESOURCE_TYPES)}.")


def _check_principal(principal_type: str, principal: str) -> None:
    if principal_type not in ("user", "group") or not principal:
        raise InvalidParameterValue("principal_type must be user or group, with a principal name.")


@use_cases.transaction
async def grant(conn: Connection, granted_by: str, request: GrantRequest) -> dict[str, Any]:
    _check_principal(request.principal_type, request.principal)
    role = (request.role or "").upper()
    if not is_role(role):
        raise InvalidParameterValue(f"role must be one of {', '.join(ROLES)}.")
    key = await _resource_key(conn, request.resource_type, request.resource_id)
    await access.grant(
        conn,
        request.principal_type,
        request.principal,
        request.resource_type,
        key,
        role,
        granted_by,
    )
    return {**request.model_dump(), "role": role}


@use_cases.transaction
async def revoke(conn: Connection, request: GrantRequest) -> None:
    _check_principal(request.principal_type, request.principal)
    key = await _resource_key(conn, request.resource_type, request.resource_id)
    g = grants.c
    result = await conn.execute(
        delete(grants).where(
            g.principal_type == request.principal_type,
            g.principal == request.principal,
            g.resource_type == request.resource_type,
            g.resource_id == key,
        )
    )
    if result.rowcount == 0:
        raise ResourceDoesNotExist("No such grant.")


@use_cases.transaction
async def list_grants(conn: Connection, resource_type: str, resource_id: str) -> list[GrantInfo]:
    key = await _resource_key(conn, resource_type, resource_id)
    g = grants.c
    rows = await conn.execute(
        select(grants).where(g.resource_type == resource_type, g.resource_id == key).order_by(g.id)
    )
    return [
        {
            "principal_type": r.principal_type,
            "principal": r.principal,
            "role": r.role,
            "granted_by": r.granted_by,
            "granted_at": r.granted_at,
        }
        for r in rows
    ]
