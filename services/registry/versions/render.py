"""A model version as MLflow's ModelVersion message."""

from typing import Any


def render_version(row: Any, tags: list[Any], aliases: list[str]) -> dict[str, Any]:
    version: dict[str, Any] = {
        "name": row.name,
        "version": str(row.version),
        "creation_timestamp": row.creation_timestamp,
        "last_updated_timestamp": row.last_updated_timestamp,
        "current_stage": row.current_stage,
        "source": row.source,
        "status": row.status,
        "tags": [{"key": t.key, "value": t.value} for t in tags],
        "aliases": aliases,
    }
    for optional in ("user_id", "description", "run_id", "run_link", "status_message"):
        if getattr(row, optional):
            version[optional] = getattr(row, optional)
    if row.logged_model_id:
        version["model_id"] = row.logged_model_id
    return version
