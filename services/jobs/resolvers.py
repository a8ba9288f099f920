"""How the jobs service's rule targets are found: a job is its run, authorized through the
run's experiment (which never changes, so the access cache remembers it, as tracking's
resolvers do)."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from services.core.auth.decisions import (
    Decision,
    Lookup,
    Memory,
    OnResource,
    Resolver,
    Subject,
    missing,
)
from services.core.auth.principal import Role
from services.core.db.tables.tracking import runs
from services.core.errors import InvalidParameterValue
from services.core.fields import canonical_run_id


class JobRun(Resolver):
    """The value is a run id (the job's); the role is needed on the run's experiment."""

    def subject(self, value: Any, message: BaseModel | None) -> Subject:
        try:
            return Subject(canonical_run_id(value))
        except ValueError as error:
            raise InvalidParameterValue(f"Invalid run id {value!r}: {error}") from None

    def from_memory(self, memory: Memory, subject: Subject, role: Role) -> Decision | None:
        experiment_id = memory.cache.experiment_of(subject.value)
        return None if experiment_id is None else memory.on("experiment", experiment_id, role)

    async def decide(self, lookup: Lookup, subject: Subject, role: Role) -> Decision:
        experiment_id = lookup.cache.experiment_of(subject.value)
        if experiment_id is None:
            found = await lookup.scalar(
                select(runs.c.experiment_id).where(runs.c.run_uuid == subject.value)
            )
            if found is None:
                raise missing("Run", subject.value)
            experiment_id = str(found)
            lookup.cache.remember_experiment_of(subject.value, experiment_id)
        return await lookup.on("experiment", experiment_id, role)


RESOLVERS = {"job_run": JobRun(), "experiment": OnResource("experiment")}
