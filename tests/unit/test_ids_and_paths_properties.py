"""Properties of the two gates every id and artifact path passes before anything uses it.

The guard and the endpoint see one parsed value, so these functions are where "one spelling"
is decided: an experiment id is accepted exactly when it is ASCII digits within int64, a run id
exactly when it is 32 lowercase hex, and a cleaned artifact path can never leave its root.
"""

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.core.errors import InvalidParameterValue
from services.core.fields import (
    INT64_MAX,
    INT64_MIN,
    canonical_experiment_id,
    canonical_run_id,
)
from services.core.storage.paths import MAX_PATH_BYTES, MAX_SEGMENT_BYTES, clean_artifact_path

_ASCII_DIGITS = re.compile(r"[0-9]+")


@given(st.text(max_size=30))
def test_an_experiment_id_is_accepted_exactly_when_it_is_ascii_digits_within_int64(
    value: str,
) -> None:
    valid = _ASCII_DIGITS.fullmatch(value) is not None and int(value) <= INT64_MAX
    try:
        canonical = canonical_experiment_id(value)
    except ValueError:
        assert not valid
        return
    assert valid
    assert canonical == str(int(value))  # one spelling: no leading zeros
    assert canonical_experiment_id(canonical) == canonical


@given(st.integers(min_value=INT64_MIN, max_value=2 * INT64_MAX))
def test_numeric_experiment_ids(value: int) -> None:
    if 0 <= value <= INT64_MAX:
        assert canonical_experiment_id(value) == str(value)
    else:
        with pytest.raises(ValueError):
            canonical_experiment_id(value)


@given(st.text(alphabet=string.hexdigits + string.ascii_letters + " \n-", max_size=34))
def test_a_run_id_is_accepted_exactly_when_it_is_32_lowercase_hex(value: str) -> None:
    valid = len(value) == 32 and all(c in "0123456789abcdef" for c in value)
    try:
        assert canonical_run_id(value) == value
    except ValueError:
        assert not valid
        return
    assert valid


_segment = st.one_of(
    st.sampled_from(["..", ".", "", "%2e%2e", "%2E.", "~", "a\\b", "C:", "x"]),
    st.text(max_size=12),
)


@given(st.lists(_segment, max_size=6), st.booleans(), st.booleans())
def test_a_cleaned_path_never_leaves_its_root(
    segments: list[str], leading_slash: bool, trailing_slash: bool
) -> None:
    path = ("/" if leading_slash else "") + "/".join(segments) + ("/" if trailing_slash else "")
    try:
        cleaned = clean_artifact_path(path, allow_root=True)
    except InvalidParameterValue:
        return
    if cleaned == "":
        return
    parts = cleaned.split("/")
    assert not cleaned.startswith(("/", "~"))
    assert all(part not in ("", ".", "..") for part in parts)
    assert "\\" not in cleaned and "\x00" not in cleaned
    assert len(cleaned.encode()) <= MAX_PATH_BYTES
    assert all(len(part.encode()) <= MAX_SEGMENT_BYTES for part in parts)
    assert clean_artifact_path(cleaned) == cleaned  # idempotent: one spelling
