"""How the registry's rule targets are found: a registered model by its name (grants are
kept by its id, so a rename keeps them)."""

from typing import Any

from sqlalchemy import select

from services.core.auth.decisions import Creating, Lookup, Named
from services.core.db.tables.registry import registered_models


async def _model_named(lookup: Lookup, name: Any) -> Any:
    return await lookup.scalar(
        select(registered_models.c.id).where(registered_models.c.name == name)
    )


RESOLVERS = {
    "model": Named("registered_model", "Registered model", _model_named),
    "new_registered_model": Creating("registered_model"),
}
