"""The events a webhook may subscribe to: MLflow's model registry events, plus the stage
transition event MLflow lacks and CI/CD promotion needs."""

from services.core.errors import InvalidParameterValue

EVENTS = {
    ("REGISTERED_MODEL", "CREATED"),
    ("MODEL_VERSION", "CREATED"),
    ("MODEL_VERSION_TAG", "SET"),
    ("MODEL_VERSION_TAG", "DELETED"),
    ("MODEL_VERSION_ALIAS", "CREATED"),
    ("MODEL_VERSION_ALIAS", "DELETED"),
    ("MODEL_VERSION_STAGE", "TRANSITIONED"),  # Grimoire's addition
}


# Events MLflow's client does not know: listed apart, since the client fails to parse a
# webhook whose `events` contains an entity it has no enum value for.
EXTENSIONS = {"model_version_stage.transitioned"}


def event_key(entity: str, action: str) -> str:
    """("MODEL_VERSION", "CREATED") -> "model_version.created", the stored form."""
    if (entity.upper(), action.upper()) not in EVENTS:
        valid = ", ".join(sorted(f"{e}.{a}".lower() for e, a in EVENTS))
        raise InvalidParameterValue(
            f"Invalid webhook event entity={entity!r} action={action!r}. Valid events: {valid}."
        )
    return f"{entity.lower()}.{action.lower()}"


EXAMPLES: dict[str, dict[str, object]] = {
    "registered_model.created": {"name": "example-model", "tags": {}, "description": None},
    "model_version.created": {
        "name": "example-model",
        "version": "1",
        "source": "models:/m-00000000000000000000000000000000",
        "run_id": None,
        "tags": {},
        "description": None,
    },
    "model_version_tag.set": {"name": "example-model", "version": "1", "key": "k", "value": "v"},
    "model_version_tag.deleted": {"name": "example-model", "version": "1", "key": "k"},
    "model_version_alias.created": {"name": "example-model", "alias": "champion", "version": "1"},
    "model_version_alias.deleted": {"name": "example-model", "alias": "champion"},
    "model_version_stage.transitioned": {
        "name": "example-model",
        "version": "1",
        "from_stage": "Staging",
        "to_stage": "Production",
        "archived_versions": [],
        "user": None,
    },
}
