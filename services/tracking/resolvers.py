"""How tracking's rule targets are found (see services/core/auth/decisions.py): runs and
logged models are authorized through the experiment they belong to, which never changes, so
the access cache remembers it."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from services.core.auth.decisions import (
    Creating,
    Decision,
    Lookup,
    Memory,
    Named,
    OnResource,
    Resolver,
    Subject,
    missing,
)
from services.core.auth.principal import Role
from services.core.db.tables.tracking import experiments, logged_models, runs

EXPERIMENT = OnResource("experiment")


def _is_logged_model(object_id: str) -> bool:
    return object_id.startswith("m-")


async def experiment_of(lookup: Lookup, object_id: str) -> str:
    """The experiment of a run or logged model (they cannot collide: `m-` + hex vs hex)."""
    remembered = lookup.cache.experiment_of(object_id)
    if remembered is not None:
        return remembered
    if _is_logged_model(object_id):
        what, column, key = "Logged model", logged_models.c.experiment_id, logged_models.c.model_id
    else:
        what, column, key = "Run", runs.c.experiment_id, runs.c.run_uuid
    found = await lookup.scalar(select(column).where(key == object_id))
    if found is None:
        raise missing(what, object_id)
    lookup.cache.remember_experiment_of(object_id, str(found))
    return str(found)


class InExperiments(Resolver):
    """Runs and logged models: the role is needed on the experiment of every object the
    request names (`run_ids`) or writes into (a run's metrics linked to logged models)."""

    def __init__(self, many: bool = False):
        self.many = many

    def subject(self, value: Any, message: BaseModel | None) -> Subject:
        written = getattr(message, "logged_models_written", None)
        related = tuple(sorted(written())) if written else ()
        return Subject(value, related)

    def _objects(self, subject: Subject) -> list[str]:
        named = list(subject.value) if self.many else [subject.value]
        return [*named, *subject.related]

    def from_memory(self, memory: Memory, subject: Subject, role: Role) -> Decision | None:
        decision: Decision | None = None
        for object_id in self._objects(subject):
            experiment_id = memory.cache.experiment_of(object_id)
            if experiment_id is None:
                return None
            decision = memory.on("experiment", experiment_id, role)
            if decision is None or not decision.allowed:
                return decision
        return decision

    async def decide(self, lookup: Lookup, subject: Subject, role: Role) -> Decision:
        decision = Decision(False)
        for object_id in self._objects(subject):
            decision = await lookup.on("experiment", await experiment_of(lookup, object_id), role)
            if not decision.allowed:
                return decision
        return decision


class EveryExperiment(Resolver):
    """A list of experiment ids: the role is needed on each."""

    def subject(self, value: Any, message: BaseModel | None) -> Subject:
        return Subject(tuple(str(experiment_id) for experiment_id in value))

    def from_memory(self, memory: Memory, subject: Subject, role: Role) -> Decision | None:
        decision: Decision | None = Decision(True)
        for experiment_id in subject.value:
            decision = memory.on("experiment", experiment_id, role)
            if decision is None or not decision.allowed:
                return decision
        return decision

    async def decide(self, lookup: Lookup, subject: Subject, role: Role) -> Decision:
        decision = Decision(True)
        for experiment_id in subject.value:
            decision = await lookup.on("experiment", experiment_id, role)
            if not decision.allowed:
                return decision
        return decision


async def _experiment_named(lookup: Lookup, name: Any) -> Any:
    return await lookup.scalar(
        select(experiments.c.experiment_id).where(experiments.c.name == name)
    )


RESOLVERS = {
    "experiment": EXPERIMENT,
    "experiments": EveryExperiment(),
    "experiment_by_name": Named("experiment", "Experiment", _experiment_named),
    "new_experiment": Creating("experiment"),
    "run": InExperiments(),
    "runs": InExperiments(many=True),
    "logged_model": InExperiments(),
}
