"""MLflow's registry naming rules and limits, with its messages.

Limits are MLflow 3.17.2's: tag keys 250 and values 100,000 characters, aliases 255
(mlflow/utils/validation.py), and registered model names 256 (the `String(256)` name column
of its SQL store, which its PostgreSQL and MySQL backends enforce). Within them every value
fits PostgreSQL's btree entries (at most ~2.7 kB: 256 characters are at most 1 kB of UTF-8);
beyond them a request is a 400, never a failed insert.
"""

import posixpath
import re

from services.core.errors import InvalidParameterValue
from services.core.fields import INT32_MAX

STAGES = {"none": "None", "staging": "Staging", "production": "Production", "archived": "Archived"}
MAX_MODEL_NAME_LENGTH = 256
MAX_TAG_KEY_LENGTH = 250
MAX_TAG_VALUE_LENGTH = 100_000
MAX_ALIAS_LENGTH = 255
_ALIAS = re.compile(r"^[\w\-]*$")
_VERSION_ALIAS = re.compile(r"^[vV]\d+$")
_VERSION = re.compile(r"[0-9]{1,10}")  # 2**31 - 1 has ten digits; never parse more


def validate_model_name(name: str) -> None:
    """Any name may be looked up (names stored before the limits still answer)."""
    if not name:
        raise InvalidParameterValue("Registered model name cannot be empty.")


def validate_new_model_name(name: str, field: str = "name") -> None:
    """A name a model is created with or renamed to: MLflow's rules. '/' and ':' would make
    `models:/<name>/<version>` ambiguous; so would a name that is not its own normal path."""
    if not name or not name.strip():
        raise InvalidParameterValue(f"Missing value for required parameter '{field}'.")
    if "/" in name or ":" in name:
        raise InvalidParameterValue(
            f"Invalid model name '{name}'. Names cannot contain '/' or ':'."
        )
    normal = posixpath.normpath(name)
    if normal != name or normal == "." or normal.startswith(".."):
        raise InvalidParameterValue(f"Invalid value '{name}' for parameter '{field}'.")
    if len(name) > MAX_MODEL_NAME_LENGTH:
        raise InvalidParameterValue(
            f"'{field}' exceeds the maximum length of {MAX_MODEL_NAME_LENGTH} characters."
        )


def parse_version(version: str) -> int:
    """Decimal digits within the version column's 32 bits (int() would also take ' 7', '+7'
    or '٧', and a number past 2**31 - 1 was PostgreSQL's error, a 500)."""
    number = int(version) if isinstance(version, str) and _VERSION.fullmatch(version) else 0
    if not 1 <= number <= INT32_MAX:
        raise InvalidParameterValue(
            f"Parameter 'version' must be a positive integer, got '{version}'."
        )
    return number


def validate_max_results(max_results: int, limit: int) -> None:
    if not 1 <= max_results <= limit:
        raise InvalidParameterValue(
            f"Invalid value for max_results. It must be at most {limit}, "
            f"but got value {max_results}"
        )


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
