"""Find what a request acts on, and the caller's role there.

The guard hands over what the rule names, read from the request's one parsed message (see
`Subject`), so the check is about exactly what the endpoint will execute. A target that
cannot be found is refused here (404), never passed on: the endpoint cannot disagree about
something it is never asked. Artifact paths are authorized through the run (or logged
model) they belong to: `<experiment>/<run id>/...` or `<experiment>/models/<model id>/...`,
and the run or model must really belong to that experiment; any other artifact path is for
administrators (or, to read, for those who may read a registered model version stored there).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from services.core.artifact_uris import owner_in_store
from services.core.auth.access import may_create, role_on
from services.core.auth.access_cache import MISSING, AccessCache
from services.core.auth.policy import Rule
from services.core.auth.principal import Principal, at_least
from services.core.auth.version_files import registered_models_of_version_files
from services.core.db.engine import Connection
from services.core.db.tables.registry import registered_models
from services.core.db.tables.tracking import experiments, logged_models, runs
from services.core.errors import ResourceDoesNotExist

# Rules for creating a resource, by the kind they create (see access.may_create).
_NEW = {"new_experiment": "experiment", "new_registered_model": "registered_model"}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    resource_type: str | None = None
    resource_id: str | None = None


@dataclass(frozen=True)
class Subject:
    """What the rule reads from the parsed request: the id its field names (a list for
    `runs`), the resource a grant is about, and the logged models a run write links into."""

    value: Any = None
    grant_on: tuple[str, str] | None = None
    logged_models_written: frozenset[str] = field(default_factory=frozenset)


async def _scalar(conn: Connection, statement: Any) -> Any:
    return (await conn.execute(statement)).scalar_one_or_none()


def _missing(what: str, value: Any) -> ResourceDoesNotExist:
    return ResourceDoesNotExist(f"{what} '{value}' does not exist.")


async def _experiment_of_artifact(conn: Connection, path: str) -> int | None:
    spelled = owner_in_store(path.split("/"))
    experiment_id = spelled.experiment_id if spelled else None
    if spelled is None or experiment_id is None:
        return None
    if spelled.logged_model_id is not None:
        owner = await _LOGGED_MODEL_EXPERIMENT(conn, spelled.logged_model_id)
    else:
        owner = await _RUN_EXPERIMENT(conn, spelled.run_id)
    return experiment_id if owner == experiment_id else None


async def _on_experiment(
    conn: Connection, principal: Principal, role: str, experiment_id: str, cache: AccessCache
) -> Decision:
    granted = await role_on(conn, principal, "experiment", experiment_id, cache)
    return Decision(at_least(granted, role), "experiment", experiment_id)


def _on_experiment_from_memory(
    principal: Principal, role: str, experiment_id: str, cache: AccessCache
) -> Decision | None:
    granted = cache.role(principal, "experiment", experiment_id)
    if granted is MISSING:
        return None
    return Decision(at_least(granted, role), "experiment", experiment_id)  # type: ignore[arg-type]


def _owner_lookup(column: Any, key: Any) -> Callable[[Connection, str], Awaitable[Any]]:
    async def lookup(conn: Connection, object_id: str) -> Any:
        return await _scalar(conn, select(column).where(key == object_id))

    return lookup


_RUN_EXPERIMENT = _owner_lookup(runs.c.experiment_id, runs.c.run_uuid)
_LOGGED_MODEL_EXPERIMENT = _owner_lookup(logged_models.c.experiment_id, logged_models.c.model_id)


async def _experiment_of(
    conn: Connection,
    object_id: str,
    lookup: Callable[[Connection, str], Awaitable[Any]],
    what: str,
    cache: AccessCache,
) -> str:
    remembered = cache.experiment_of(object_id)
    if remembered is not None:
        return remembered
    eid = await lookup(conn, object_id)
    if eid is None:
        raise _missing(what, object_id)
    cache.remember_experiment_of(object_id, str(eid))
    return str(eid)


def _settled_by_rule(principal: Principal, rule: Rule, subject: Subject) -> Decision | None:
    """Administrators, any-caller and admin-only routes: no grant to look at."""
    if principal.is_admin:
        value = subject.value
        return Decision(True, rule.target, str(value) if isinstance(value, str) else None)
    if rule.target == "authenticated":
        return Decision(True)
    if rule.target == "admin":
        return Decision(False)
    return None


def _objects(rule: Rule, subject: Subject) -> list[str] | None:
    """The runs and logged models whose experiments decide a run or logged-model rule."""
    if rule.target == "run":
        return [subject.value, *subject.logged_models_written]
    if rule.target == "runs":
        return list(subject.value)
    if rule.target == "logged_model":
        return [subject.value]
    return None


def decide_without_database(
    principal: Principal, rule: Rule, subject: Subject, cache: AccessCache
) -> Decision | None:
    """The decision when no database read is needed: the rule alone settles it, or
    everything it needs is in the access cache (a run's experiment, the caller's role
    there). None: call `decide`."""
    settled = _settled_by_rule(principal, rule, subject)
    if settled is not None:
        return settled
    if rule.target == "experiment":
        return _on_experiment_from_memory(principal, rule.role, subject.value, cache)
    if rule.target == "experiments":
        decision = None
        for experiment_id in subject.value:
            decision = _on_experiment_from_memory(principal, rule.role, experiment_id, cache)
            if decision is None or not decision.allowed:
                return decision
        return decision
    objects = _objects(rule, subject)
    if objects is None:
        return None
    decision: Decision | None = None
    for object_id in objects:
        eid = cache.experiment_of(object_id)
        if eid is None:
            return None
        decision = _on_experiment_from_memory(principal, rule.role, eid, cache)
        if decision is None or not decision.allowed:
            return decision
    return decision


async def decide(
    conn: Connection, principal: Principal, rule: Rule, subject: Subject, cache: AccessCache
) -> Decision:
    """On the guard's connection, once `decide_without_database` had no answer (or before
    the caller was known): the lookups below still consult the access cache, and fill it.
    Raises ResourceDoesNotExist for a target that is not there."""
    settled = _settled_by_rule(principal, rule, subject)
    if settled is not None:
        return settled
    value = subject.value
    if rule.target in _NEW:
        return Decision(await may_create(conn, principal, _NEW[rule.target], value))
    if rule.target == "experiment":
        return await _on_experiment(conn, principal, rule.role, value, cache)
    if rule.target == "experiments":
        decision = Decision(True)
        for experiment_id in value:
            decision = await _on_experiment(conn, principal, rule.role, experiment_id, cache)
            if not decision.allowed:
                return decision
        return decision
    if rule.target == "experiment_by_name":
        eid = await _scalar(
            conn, select(experiments.c.experiment_id).where(experiments.c.name == value)
        )
        if eid is None:
            raise _missing("Experiment", value)
        return await _on_experiment(conn, principal, rule.role, str(eid), cache)
    objects = _objects(rule, subject)
    if objects is not None:
        decision = Decision(False)
        for object_id in objects:
            is_model = object_id.startswith("m-")
            eid = await _experiment_of(
                conn,
                object_id,
                _LOGGED_MODEL_EXPERIMENT if is_model else _RUN_EXPERIMENT,
                "Logged model" if is_model else "Run",
                cache,
            )
            decision = await _on_experiment(conn, principal, rule.role, eid, cache)
            if not decision.allowed:
                return decision
        return decision
    if rule.target == "model":
        return await _on_registered_model(conn, principal, rule.role, value, cache)
    if rule.target == "artifact":
        return await _on_artifact(conn, principal, rule.role, value, cache)
    if rule.target == "grant_target":
        return await _grant_target(conn, principal, rule, subject, cache)
    return Decision(False)


async def _on_registered_model(
    conn: Connection, principal: Principal, role: str, name: Any, cache: AccessCache
) -> Decision:
    model_id = await _scalar(
        conn, select(registered_models.c.id).where(registered_models.c.name == name)
    )
    if model_id is None:
        raise _missing("Registered model", name)
    granted = await role_on(conn, principal, "registered_model", str(model_id), cache)
    return Decision(at_least(granted, role), "registered_model", str(model_id))


async def _on_artifact(
    conn: Connection, principal: Principal, role: str, path: str, cache: AccessCache
) -> Decision:
    eid = await _experiment_of_artifact(conn, path)
    if eid is not None:
        decision = await _on_experiment(conn, principal, role, str(eid), cache)
        if decision.allowed or role != "READ":
            return decision
    elif role != "READ":
        return Decision(False, "artifact", path)
    # Reading a registered model version's files is authorized through the model: READ on
    # the registered model is enough, whatever the experiment that produced the files.
    for model_id in await registered_models_of_version_files(conn, path):
        granted = await role_on(conn, principal, "registered_model", str(model_id), cache)
        if at_least(granted, "READ"):
            return Decision(True, "registered_model", str(model_id))
    return Decision(False, "artifact", path)


async def _grant_target(
    conn: Connection, principal: Principal, rule: Rule, subject: Subject, cache: AccessCache
) -> Decision:
    """Managing grants on a resource needs MANAGE there; default grants need ADMIN."""
    if subject.grant_on is None:
        return Decision(False)
    resource_type, resource_id = subject.grant_on
    if resource_type == "experiment":
        return await _on_experiment(conn, principal, rule.role, resource_id, cache)
    if resource_type == "registered_model":
        return await _on_registered_model(conn, principal, rule.role, resource_id, cache)
    return Decision(principal.is_admin, resource_type, resource_id)
