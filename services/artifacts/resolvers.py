"""How an artifact path is authorized: through the run (or logged model) it belongs to,
`<experiment>/<run id>/...` or `<experiment>/models/<model id>/...`, and the run or model
must really belong to that experiment. Any other path is for administrators, or, to read,
for those who may read a registered model version stored there."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from services.artifacts.version_files import registered_models_of_version_files
from services.core.artifact_uris import owner_in_store
from services.core.auth.decisions import Decision, Lookup, Resolver, Subject
from services.core.auth.principal import Role
from services.core.db.tables.tracking import logged_models, runs
from services.core.storage.paths import clean_artifact_path


async def _experiment_of(lookup: Lookup, path: str) -> str | None:
    spelled = owner_in_store(path.split("/"))
    if spelled is None or spelled.experiment_id is None:
        return None
    if spelled.logged_model_id is not None:
        statement = select(logged_models.c.experiment_id).where(
            logged_models.c.model_id == spelled.logged_model_id
        )
    else:
        statement = select(runs.c.experiment_id).where(runs.c.run_uuid == spelled.run_id)
    owner = await lookup.scalar(statement)
    return str(spelled.experiment_id) if owner == spelled.experiment_id else None


class ArtifactPath(Resolver):
    def subject(self, value: Any, message: BaseModel | None) -> Subject:
        return Subject(clean_artifact_path(value, allow_root=True))

    async def decide(self, lookup: Lookup, subject: Subject, role: Role) -> Decision:
        path = subject.value
        experiment_id = await _experiment_of(lookup, path)
        if experiment_id is not None:
            decision = await lookup.on("experiment", experiment_id, role)
            if decision.allowed or role != "READ":
                return decision
        elif role != "READ":
            return Decision(False, "artifact", path)
        # Reading a registered model version's files is authorized through the model: READ
        # on the registered model is enough, whatever the experiment that produced the files.
        for model_id in await registered_models_of_version_files(lookup.conn, path):
            decision = await lookup.on("registered_model", str(model_id), "READ")
            if decision.allowed:
                return decision
        return Decision(False, "artifact", path)


RESOLVERS = {"artifact": ArtifactPath()}
