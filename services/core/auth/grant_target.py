"""The target of the grants API (`/api/2.0/grimoire/grants/...`): managing grants on a
resource needs MANAGE there; default grants (and any other resource type) need ADMIN."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from services.core.auth.decisions import Decision, Lookup, Resolver, Subject, missing
from services.core.auth.principal import Role
from services.core.db.tables.registry import registered_models


class GrantTarget(Resolver):
    def subject(self, value: Any, message: BaseModel | None) -> Subject:
        if message is None:
            return Subject()
        return Subject((getattr(message, "resource_type", ""), getattr(message, "resource_id", "")))

    async def decide(self, lookup: Lookup, subject: Subject, role: Role) -> Decision:
        if subject.value is None:
            return Decision(False)
        resource_type, resource_id = subject.value
        if resource_type == "experiment":
            return await lookup.on("experiment", resource_id, role)
        if resource_type == "registered_model":
            # Grants on a registered model name it; its grants are kept by id.
            model_id = await lookup.scalar(
                select(registered_models.c.id).where(registered_models.c.name == resource_id)
            )
            if model_id is None:
                raise missing("Registered model", resource_id)
            return await lookup.on("registered_model", str(model_id), role)
        return Decision(lookup.principal.is_admin, resource_type, resource_id)


# The kit's own routes (sign-in, grants, tokens) need only this one.
CORE_RESOLVERS = {"grant_target": GrantTarget()}
