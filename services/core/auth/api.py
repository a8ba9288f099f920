"""/api/2.0/grimoire: tokens, service accounts, permissions and the audit log."""

from fastapi import APIRouter
from pydantic import Field, model_validator
from starlette.requests import Request

from services.core.auth import audit, management
from services.core.auth.policy import ADMIN, AUTHENTICATED, Rule, requires
from services.core.auth.principal import caller_of, require_caller
from services.core.fields import canonical_experiment_id
from services.core.http import JSONResponse, MlflowMessage, accepts, empty, parse_request

# The largest epoch-ms a BIGINT holds: a bigger bound is refused, not sent to PostgreSQL.
MAX_MS = 2**63 - 1

router = APIRouter(prefix="/api/2.0/grimoire", tags=["access"])


class CreateToken(MlflowMessage):
    name: str
    expires_in_days: float | None = None


class ListTokens(MlflowMessage):
    all: bool = False


class CreateServiceAccount(MlflowMessage):
    name: str
    groups: list[str] = []


class GrantsOn(MlflowMessage):
    """A grant's resource, in the one spelling the guard checks and the grant stores."""

    resource_type: management.ResourceType
    resource_id: str = "*"

    @model_validator(mode="after")
    def _canonical_experiment_id(self) -> "GrantsOn":
        if self.resource_type == "experiment":
            self.resource_id = canonical_experiment_id(self.resource_id)
        return self


class Grant(GrantsOn):
    principal_type: str
    principal: str
    role: str | None = None


class AuditQuery(MlflowMessage):
    limit: int = 100
    action: str | None = None
    actor: str | None = None
    resource_type: str | None = None
    object: str | None = None
    since_ms: int | None = Field(
        None, ge=0, le=MAX_MS, description="Entries at or after (epoch ms)."
    )
    until_ms: int | None = Field(None, ge=0, le=MAX_MS, description="Entries before (epoch ms).")


@router.post("/tokens")
@accepts(CreateToken)
@requires(AUTHENTICATED)
async def create_token(request: Request) -> JSONResponse:
    body = await parse_request(request, CreateToken)
    token = await management.create_personal_token(
        request.app.state.db, require_caller(caller_of(request)), body.name, body.expires_in_days
    )
    return JSONResponse({"token": token})


@router.get("/tokens")
@accepts(ListTokens)
@requires(AUTHENTICATED)
async def list_tokens(request: Request) -> JSONResponse:
    body = await parse_request(request, ListTokens)
    listing = await management.list_tokens(
        request.app.state.db, require_caller(caller_of(request)), body.all
    )
    return JSONResponse({"tokens": listing})


@router.delete("/tokens/{token_id}")
@requires(Rule("authenticated", "READ", audit="token.revoke"))
async def revoke_token(request: Request, token_id: str) -> JSONResponse:
    await management.revoke_token(
        request.app.state.db, require_caller(caller_of(request)), token_id
    )
    return empty()


@router.post("/service-accounts")
@accepts(CreateServiceAccount)
@requires(Rule("admin", "ADMIN", audit="service_account.create"))
async def create_service_account(request: Request) -> JSONResponse:
    body = await parse_request(request, CreateServiceAccount)
    account = await management.create_service_account(
        request.app.state.db, require_caller(caller_of(request)).name, body.name, body.groups
    )
    return JSONResponse({"service_account": account})


@router.get("/service-accounts")
@requires(ADMIN)
async def list_service_accounts(request: Request) -> JSONResponse:
    accounts = await management.list_service_accounts(request.app.state.db)
    return JSONResponse({"service_accounts": accounts})


@router.delete("/service-accounts/{name}")
@requires(Rule("admin", "ADMIN", audit="service_account.delete"))
async def delete_service_account(request: Request, name: str) -> JSONResponse:
    await management.delete_service_account(request.app.state.db, name)
    return empty()


@router.post("/service-accounts/{name}/tokens")
@accepts(CreateToken)
@requires(Rule("admin", "ADMIN", audit="service_account.token"))
async def service_account_token(request: Request, name: str) -> JSONResponse:
    body = await parse_request(request, CreateToken)
    token = await management.service_account_token(
        request.app.state.db, name, body.name, body.expires_in_days
    )
    return JSONResponse({"token": token})


@router.post("/permissions")
@accepts(Grant)
@requires(Rule("grant_target", "MANAGE", audit="permission.grant"))
async def grant(request: Request) -> JSONResponse:
    body = await parse_request(request, Grant)
    granted = await management.grant(
        request.app.state.db, require_caller(caller_of(request)).name, body
    )
    return JSONResponse({"grant": granted})


@router.delete("/permissions")
@accepts(Grant)
@requires(Rule("grant_target", "MANAGE", audit="permission.revoke"))
async def revoke(request: Request) -> JSONResponse:
    body = await parse_request(request, Grant)
    await management.revoke(request.app.state.db, body)
    return empty()


@router.get("/permissions")
@accepts(GrantsOn)
@requires(Rule("grant_target", "MANAGE"))
async def list_grants(request: Request) -> JSONResponse:
    body = await parse_request(request, GrantsOn)
    listing = await management.list_grants(
        request.app.state.db, body.resource_type, body.resource_id
    )
    return JSONResponse({"grants": listing})


@router.get("/audit")
@accepts(AuditQuery)
@requires(ADMIN)
async def audit_log(request: Request) -> JSONResponse:
    body = await parse_request(request, AuditQuery)
    wanted = audit.AuditFilter(
        body.action, body.actor, body.resource_type, body.object, body.since_ms, body.until_ms
    )
    entries = await audit.recent(request.app.state.db, min(max(body.limit, 1), 1000), wanted)
    return JSONResponse({"entries": entries})
