"""A registered model as MLflow's RegisteredModel message."""

from typing import Any


def render_model(
    row: Any, tags: list[Any], aliases: list[Any], latest: list[dict[str, Any]]
) -> dict[str, Any]:
    model: dict[str, Any] = {
        "name": row.name,
        "creation_timestamp": row.creation_timestamp,
        "last_updated_timestamp": row.last_updated_timestamp,
        "tags": [{"key": t.key, "value": t.value} for t in tags],
        "aliases": [{"alias": a.alias, "version": str(a.version)} for a in aliases],
        "latest_versions": latest,
    }
    for optional in ("description", "user_id"):
        if getattr(row, optional):
            model[optional] = getattr(row, optional)
    return model
