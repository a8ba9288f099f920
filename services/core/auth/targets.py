"""Find what a request acts on, and the caller's role there.

Artifact paths are authorized through the run (or logged model) they belong to:
`<experiment>/<run id>/...` or `<experiment>/models/<model id>/...`, and the run or model
must really belong to that experiment. Any other artifact path is for administrators.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, or_, select

from services.core.auth.access import role_on
from services.core.auth.access_cache import MISSING, AccessCache
from services.core.auth.policy import Rule
from services.core.auth.principal import Principal, at_least
from services.core.db.engine import Connection
from services.core.db.tables.registry import model_versions, registered_models
from services.core.db.tables.tracking import experiments, logged_models, runs


@dataclass(frozen=True)
class Decision:
    allowed: bool
    resource_type: str | None = None
    resource_id: str | None = None


async def _scalar(conn: Connection, statement: Any) -> Any:
    return (await conn.execute(statement)).scalar_one_or_none()


async def _experiment_of_artifact(conn: Connection, path: str) -> int | None:
    parts = [p for p in (path or "").split("/") if p]
    if len(parts) < 2 or not parts[0].isdigit():
        return None
    experiment_id = int(parts[0])
    if parts[1] == "models" and len(parts) >= 3:
        owner = await _scalar(
            conn, select(logged_models.c.experiment_id).where(logged_models.c.model_id == parts[2])
        )
    else:
        owner = await _scalar(conn, select(runs.c.experiment_id).where(runs.c.run_uuid == parts[1]))
    return experiment_id if owner == experiment_id else None


def _malformed(experiment_id: str | None) -> bool:
    """A malformed id is let through: the endpoint answers INVALID_PARAMETER_VALUE."""
    return experiment_id is not None and not experiment_id.isdigit()


def _run_ids(rule: Rule, params: dict) -> list[Any]:
    value = params.get(rule.field) if rule.field else None
    return value if isinstance(value, list) else [value or params.get("run_uuid")]


async def _on_experiment(
    conn: Connection, principal: Principal, rule: Rule, eid: Any, cache: AccessCache
) -> Decision:
    experiment_id = str(eid) if eid is not None else None
    if _malformed(experiment_id):
        return Decision(True)
    role = await role_on(conn, principal, "experiment", experiment_id, cache)
    return Decision(at_least(role, rule.role), "experiment", experiment_id)


def _on_experiment_from_memory(
    principal: Principal, rule: Rule, eid: Any, cache: AccessCache
) -> Decision | None:
    experiment_id = str(eid)
    if _malformed(experiment_id):
        return Decision(True)
    role = cache.role(principal, "experiment", experiment_id)
    if role is MISSING:
        return None
    return Decision(at_least(role, rule.role), "experiment", experiment_id)  # type: ignore[arg-type]


async def _experiment_of_run(conn: Connection, run_id: Any, cache: AccessCache) -> Any:
    if isinstance(run_id, str):
        remembered = cache.experiment_of_run(run_id)
        if remembered is not None:
            return remembered
    eid = await _scalar(conn, select(runs.c.experiment_id).where(runs.c.run_uuid == run_id))
    if eid is not None and isinstance(run_id, str):
        cache.remember_run(run_id, str(eid))
    return eid


def _settled_by_rule(principal: Principal, rule: Rule, params: dict) -> Decision | None:
    """Administrators, any-caller and admin-only routes: no grant to look at."""
    if principal.is_admin:
        return Decision(True, rule.target, str(params.get(rule.field)) if rule.field else None)
    if rule.target == "authenticated":
        return Decision(True)
    if rule.target == "admin":
        return Decision(False)
    return None


def decide_without_database(
    principal: Principal, rule: Rule, params: dict, cache: AccessCache
) -> Decision | None:
    """The decision when no database read is needed: the rule alone settles it, or
    everything it needs is in the access cache (a run's experiment, the caller's role
    there). None: call `decide`."""
    settled = _settled_by_rule(principal, rule, params)
    if settled is not None:
        return settled
    if rule.target == "default":
        role = cache.role(principal, "default", None)
        return None if role is MISSING else Decision(at_least(role, rule.role))  # type: ignore[arg-type]
    if rule.target == "experiment":
        value = params.get(rule.field) if rule.field else None
        return _on_experiment_from_memory(
            principal, rule, value if value is not None else "0", cache
        )
    if rule.target in ("run", "runs"):
        decision: Decision | None = Decision(True)
        for run_id in _run_ids(rule, params):
            eid = cache.experiment_of_run(run_id) if isinstance(run_id, str) else None
            if eid is None:
                return None
            decision = _on_experiment_from_memory(principal, rule, eid, cache)
            if decision is None or not decision.allowed:
                return decision
        return decision
    return None


async def decide(
    conn: Connection, principal: Principal, rule: Rule, params: dict, cache: AccessCache
) -> Decision:
    """On the guard's connection, once `decide_without_database` had no answer (or before
    the caller was known): the lookups below still consult the access cache, and fill it."""
    settled = _settled_by_rule(principal, rule, params)
    if settled is not None:
        return settled
    value = params.get(rule.field) if rule.field else None
    if rule.target == "default":
        return Decision(at_least(await role_on(conn, principal, "default", None, cache), rule.role))
    if rule.target == "experiment":
        return await _on_experiment(
            conn, principal, rule, value if value is not None else "0", cache
        )
    if rule.target == "experiment_by_name":
        eid = await _scalar(
            conn, select(experiments.c.experiment_id).where(experiments.c.name == value)
        )
        return (
            await _on_experiment(conn, principal, rule, eid, cache)
            if eid is not None
            else Decision(True)
        )
    if rule.target in ("run", "runs"):
        decision = Decision(True)
        for run_id in _run_ids(rule, params):
            eid = await _experiment_of_run(conn, run_id, cache)
            if eid is None:
                continue  # the endpoint answers RESOURCE_DOES_NOT_EXIST
            decision = await _on_experiment(conn, principal, rule, eid, cache)
            if not decision.allowed:
                return decision
        return decision
    if rule.target == "logged_model":
        eid = await _scalar(
            conn, select(logged_models.c.experiment_id).where(logged_models.c.model_id == value)
        )
        return (
            await _on_experiment(conn, principal, rule, eid, cache)
            if eid is not None
            else Decision(True)
        )
    if rule.target == "model":
        model_id = await _scalar(
            conn, select(registered_models.c.id).where(registered_models.c.name == value)
        )
        if model_id is None:
            return Decision(True)
        role = await role_on(conn, principal, "registered_model", str(model_id), cache)
        return Decision(at_least(role, rule.role), "registered_model", str(model_id))
    if rule.target == "artifact":
        eid = await _experiment_of_artifact(conn, value or "")
        decision = (
            await _on_experiment(conn, principal, rule, eid, cache)
            if eid is not None
            else Decision(False, "artifact", value)
        )
        if not decision.allowed and rule.role == "READ":
            return await _through_registered_model(conn, principal, value or "", decision, cache)
        return decision
    if rule.target == "grant_target":
        return await _grant_target(conn, principal, rule, params, cache)
    return Decision(False)


async def _through_registered_model(
    conn: Connection, principal: Principal, path: str, denied: Decision, cache: AccessCache
) -> Decision:
    """Reading a registered model version's files is authorized through the model: READ on
    the registered model is enough, whatever the experiment that produced the files."""
    uri = f"mlflow-artifacts:/{path.strip('/')}"
    location = func.rtrim(model_versions.c.storage_location, "/")
    escaped = func.replace(
        func.replace(func.replace(location, "\\", "\\\\"), "%", "\\%"), "_", "\\_"
    )
    owners = (
        (
            await conn.execute(
                select(model_versions.c.model_id)
                .distinct()
                .where(or_(literal(uri) == location, literal(uri).like(escaped + "/%")))
            )
        )
        .scalars()
        .all()
    )
    for model_id in owners:
        if at_least(
            await role_on(conn, principal, "registered_model", str(model_id), cache), "READ"
        ):
            return Decision(True, "registered_model", str(model_id))
    return denied


async def _grant_target(
    conn: Connection, principal: Principal, rule: Rule, params: dict, cache: AccessCache
) -> Decision:
    """Managing grants on a resource needs MANAGE there; default grants need ADMIN."""
    resource_type, resource_id = params.get("resource_type"), params.get("resource_id")
    if resource_type == "experiment":
        return await _on_experiment(conn, principal, rule, resource_id, cache)
    if resource_type == "registered_model":
        model_id = await _scalar(
            conn, select(registered_models.c.id).where(registered_models.c.name == resource_id)
        )
        role = await role_on(
            conn, principal, "registered_model", str(model_id) if model_id else None, cache
        )
        return Decision(at_least(role, rule.role), "registered_model", resource_id)
    return Decision(principal.is_admin, resource_type, resource_id)
