"""MLflow's limits and naming rules for tracking entities, with its error messages."""

import json
import posixpath
import re
from collections.abc import Sequence
from functools import lru_cache

from services.core.errors import InvalidParameterValue

MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_TAGS_PER_BATCH = 100
MAX_ENTITIES_PER_BATCH = 1000
MAX_ENTITY_KEY_LENGTH = 250
MAX_PARAM_VAL_LENGTH = 6000
MAX_TAG_VAL_LENGTH = 8000
MAX_EXPERIMENT_NAME_LENGTH = 500
MAX_EXPERIMENT_TAG_KEY_LENGTH = 250
MAX_EXPERIMENT_TAG_VAL_LENGTH = 20000
MAX_RESULTS_RUNS = 50_000
MAX_RESULTS_EXPERIMENTS = 50_000
MAX_DATASET_NAME_SIZE = 500
MAX_DATASET_DIGEST_SIZE = 36
MAX_DATASET_SOURCE_SIZE = 65535
MAX_DATASET_SCHEMA_SIZE = 1048575
MAX_DATASET_PROFILE_SIZE = 16777215
MAX_INPUT_TAG_KEY_SIZE = 255
MAX_INPUT_TAG_VALUE_SIZE = 500

# \w is Unicode-aware, so names like "точность" are valid, as in MLflow.
_VALID_NAME = re.compile(r"^[/\w.\- :]*$")


def invalid_value(path: str, value: object, message: str | None = None) -> InvalidParameterValue:
    rendered = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    suffix = f": {message}" if message else "."
    return InvalidParameterValue(
        f"Invalid value {rendered} for parameter '{path}' supplied{suffix}"
    )


@lru_cache(maxsize=8192)
def name_problem(name: str) -> str | None:
    """Why a key is not a valid name, or None. Cached: a training run logs the same few
    keys in every batch."""
    if not _VALID_NAME.match(name):
        return (
            "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), "
            "spaces ( ), colon(:) and slashes (/)."
        )
    normalized = posixpath.normpath(name)
    if normalized != name or normalized == "." or normalized.startswith(("..", "/")):
        return (
            "Names may be treated as files in certain cases, and must not resolve to other "
            f"names when treated as such. This name would resolve to {normalized!r}"
        )
    return None


def validate_name(name: str, path: str) -> None:
    """Param, metric and tag keys may become file names, so they must be path-unique."""
    problem = name_problem(name)
    if problem is not None:
        raise invalid_value(path, name, problem)


def metric_is_valid(key: str, timestamp: int) -> bool:
    """The fast check of validate_metric, for batches: no error path strings built."""
    return timestamp >= 0 and len(key) <= MAX_ENTITY_KEY_LENGTH and name_problem(key) is None


def validate_length(what: str, limit: int, value: str | None) -> None:
    if value is not None and len(value) > limit:
        raise InvalidParameterValue(f"'{what}' exceeds the maximum length of {limit} characters")


def validate_param(key: str, value: str, path: str) -> None:
    validate_name(key, f"{path}.key" if path else "key")
    validate_length("Param key", MAX_ENTITY_KEY_LENGTH, key)
    validate_length("Param value", MAX_PARAM_VAL_LENGTH, value)


def validate_tag(key: str, value: str, path: str) -> None:
    key_path = f"{path}.key" if path else "key"
    validate_name(key, key_path)
    validate_length(key_path, MAX_ENTITY_KEY_LENGTH, key)
    validate_length(f"{path}.value" if path else "value", MAX_TAG_VAL_LENGTH, value)


def validate_metric(key: str, timestamp: int, path: str) -> None:
    validate_name(key, f"{path}.name" if path else "name")
    if timestamp < 0:
        raise invalid_value(
            f"{path}.timestamp" if path else "timestamp",
            timestamp,
            f"metric '{key}'. Timestamp must be a nonnegative long (64-bit integer) ",
        )
    validate_length("Metric name", MAX_ENTITY_KEY_LENGTH, key)


def validate_batch_limits(n_metrics: int, n_params: int, n_tags: int) -> None:
    for entity, limit, count in (
        ("metrics", MAX_METRICS_PER_BATCH, n_metrics),
        ("params", MAX_PARAMS_TAGS_PER_BATCH, n_params),
        ("tags", MAX_PARAMS_TAGS_PER_BATCH, n_tags),
        ("metrics, params, and tags", MAX_ENTITIES_PER_BATCH, n_metrics + n_params + n_tags),
    ):
        if count > limit:
            raise InvalidParameterValue(
                f"A batch logging request can contain at most {limit} {entity}. Got {count} "
                f"{entity}. Please split up {entity} across multiple requests and try again."
            )


def validate_unique_param_keys(keys: Sequence[str]) -> None:
    seen: set[str] = set()
    dupes = []
    for key in keys:
        if key in seen:
            dupes.append(key)
        seen.add(key)
    if dupes:
        raise InvalidParameterValue(
            f"Duplicate parameter keys have been submitted: {dupes}. Please ensure the request "
            "contains only one param value per param key."
        )


def validate_experiment_name(name: str) -> None:
    if not name:
        raise InvalidParameterValue(f"Invalid experiment name: '{name}'")
    validate_length("name", MAX_EXPERIMENT_NAME_LENGTH, name)


def validate_max_results(max_results: int, limit: int) -> None:
    if max_results < 1 or max_results > limit:
        raise InvalidParameterValue(
            f"Invalid value {max_results} for parameter 'max_results' supplied. It must be at "
            f"most {limit}, and at least 1."
        )
