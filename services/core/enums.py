"""Protobuf enums as they travel in MLflow JSON: by name, or by number from older clients."""

from collections.abc import Callable
from typing import Annotated, Literal, get_args

from pydantic import BeforeValidator

from services.core.errors import InvalidParameterValue


def _enum_name(names: dict[int, str], what: str) -> Callable[[object], str]:
    by_name = {name: name for name in names.values()}

    def parse(value: object) -> str:
        if isinstance(value, str) and value in by_name:
            return value
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, int) and value in names:
            return names[value]
        raise InvalidParameterValue(f"Invalid value {value!r} for {what}.")

    return parse


ViewType = Annotated[
    str, BeforeValidator(_enum_name({1: "ACTIVE_ONLY", 2: "DELETED_ONLY", 3: "ALL"}, "view type"))
]
RunStatus = Annotated[
    str,
    BeforeValidator(
        _enum_name(
            {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}, "run status"
        )
    ),
]
LoggedModelStatus = Annotated[
    str,
    BeforeValidator(
        _enum_name(
            {
                0: "LOGGED_MODEL_STATUS_UNSPECIFIED",
                1: "LOGGED_MODEL_PENDING",
                2: "LOGGED_MODEL_READY",
                3: "LOGGED_MODEL_UPLOAD_FAILED",
            },
            "logged model status",
        )
    ),
]

# Of an experiment or a run.
LifecycleStage = Literal["active", "deleted"]
# Of a model version (MLflow's legacy stages; "None" is a stage, spelled as a string).
ModelVersionStage = Literal["None", "Staging", "Production", "Archived"]
MODEL_VERSION_STAGES: tuple[ModelVersionStage, ...] = get_args(ModelVersionStage)

LIFECYCLE_STAGES: dict[str, tuple[LifecycleStage, ...]] = {
    "ACTIVE_ONLY": ("active",),
    "DELETED_ONLY": ("deleted",),
    "ALL": ("active", "deleted"),
}
