"""The target of the grants API (`/api/2.0/grimoire/grants/...`): managing grants on a
resource needs MANAGE there; default grants (and any other resource type) need ADMIN."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from services.core.auth.decisions import (
    Decision,
    Lookup,
    Named,
    OnResource,
    Resolver,
    Subject,
)
from services.core.auth.principal import Role
from services.core.db.tables.registry import registered_models


async def _registered_model_id(lookup: Lookup, name: Any) -> Any:
    return await lookup.scalar(
        select(registered_models.c.id).where(registered_models.c.name == name)
    )


# A registered model is named in requests (and in grants); its grants are kept by its id, so
# a rename keeps them. The registry's "model" rule target is this same lookup.
REGISTERED_MODEL_BY_NAME = Named("registered_model", "Registered model", _registered_model_id)
# What a grant may be about, other than the defaults (which need ADMIN).
_GRANTABLE: dict[str, Resolver] = {
    "experiment": OnResource("experiment"),
    "registered_model": REGISTERED_MODEL_BY_NAME,
}


class GrantTarget(Resolver):
    def subject(self, value: Any, message: BaseModel | None) -> Subject:
        if message is None:
            return Subject()
        return Subject((getattr(message, "resource_type", ""), getattr(message, "resource_id", "")))

    async def decide(self, lookup: Lookup, subject: Subject, role: Role) -> Decision:
        if subject.value is None:
            return Decision(False)
        resource_type, resource_id = subject.value
        resolver = _GRANTABLE.get(resource_type)
        if resolver is None:
            return Decision(lookup.principal.is_admin, resource_type, resource_id)
        return await resolver.decide(lookup, Subject(resource_id), role)


# The kit's own routes (sign-in, grants, tokens) need only this one.
CORE_RESOLVERS = {"grant_target": GrantTarget()}
