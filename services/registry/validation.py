"""MLflow's registry naming rules and limits, with its messages."""

import re

from services.core.errors import InvalidParameterValue

STAGES = {"none": "None", "staging": "Staging", "production": "Production", "archived": "Archived"}
MAX_TAG_KEY_LENGTH = 250
MAX_TAG_VALUE_LENGTH = 100_000
MAX_ALIAS_LENGTH = 255
_ALIAS = re.compile(r"^[\w\-]*$")
_VERSION_ALIAS = re.compile(r"^[vV]\d+$")


def validate_model_name(name: str) -> None:
    if not name:
        raise InvalidParameterValue("Registered model name cannot be empty.")


def parse_version(version: str) -> int:
    try:
        number = int(version)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise InvalidParameterValue(
            f"Parameter 'version' must be a positive integer, got '{version}'."
        )
    return number


def canonical_stage(stage: str) -> str:
    canonical = STAGES.get(stage.lower()) if isinstance(stage, str) else None
    if canonical is None:
        raise InvalidParameterValue(
            f"Invalid Model Version stage: {stage}. "
            "Value must be one of None, Staging, Production, Archived."
        )
    return canonical


def validate_tag(key: str, value: str) -> None:
    if not key:
        raise InvalidParameterValue("Missing value for required parameter 'key'.")
    if len(key) > MAX_TAG_KEY_LENGTH:
        raise InvalidParameterValue(f"'key' exceeds the maximum length of {MAX_TAG_KEY_LENGTH}")
    if len(value) > MAX_TAG_VALUE_LENGTH:
        raise InvalidParameterValue(f"'value' exceeds the maximum length of {MAX_TAG_VALUE_LENGTH}")


def validate_alias(alias: str) -> None:
    if not alias:
        raise InvalidParameterValue("Registered model alias name cannot be empty.")
    if not _ALIAS.match(alias):
        raise InvalidParameterValue(
            f"Invalid alias name: '{alias}'. Names may only contain alphanumerics, "
            "underscores (_), and dashes (-)."
        )
    if len(alias) > MAX_ALIAS_LENGTH:
        raise InvalidParameterValue(f"Alias '{alias}' exceeds {MAX_ALIAS_LENGTH} characters.")
    if alias.lower() == "latest":
        raise InvalidParameterValue("'latest' alias name (case insensitive) is reserved.")
    if _VERSION_ALIAS.match(alias):
        raise InvalidParameterValue(f"Version alias name '{alias}' is reserved.")
