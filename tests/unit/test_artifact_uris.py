"""services/core/artifact_uris.py: the layout built and parsed in one place, foreign schemes
never read as store paths (tests/api/test_artifact_uris_served.py shows the server reading
locations with the same parser)."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.core.artifact_uris import (
    ForeignUri,
    LoggedModelReference,
    MalformedReference,
    ProxiedUri,
    RegisteredVersionReference,
    RunReference,
    StoreOwner,
    experiment_location,
    is_proxied,
    logged_model_artifact_uri,
    owner_in_store,
    parse_location,
    parse_source,
    run_artifact_uri,
    store_path_of,
)
from services.core.errors import InvalidParameterValue
from services.core.fields import INT64_MAX

RUN = "0123456789abcdef0123456789abcdef"
MODEL = "m-" + "ab" * 16

experiment_ids = st.integers(min_value=0, max_value=INT64_MAX)
run_ids = st.text("0123456789abcdef", min_size=32, max_size=32)
model_ids = run_ids.map(lambda hex_id: f"m-{hex_id}")


def test_the_documented_layout() -> None:
    location = experiment_location(7)
    assert location == "mlflow-artifacts:/7"
    assert run_artifact_uri(location, RUN) == f"mlflow-artifacts:/7/{RUN}/artifacts"
    assert logged_model_artifact_uri(location, MODEL) == (
        f"mlflow-artifacts:/7/models/{MODEL}/artifacts"
    )


def test_a_foreign_experiment_location_keeps_its_scheme_and_gains_no_double_slash() -> None:
    assert run_artifact_uri("s3://bucket/x/", RUN) == f"s3://bucket/x/{RUN}/artifacts"
    assert logged_model_artifact_uri("gs://b", MODEL) == f"gs://b/models/{MODEL}/artifacts"


@given(experiment_ids, run_ids)
def test_a_built_run_uri_parses_back_to_its_run(experiment_id: int, run_id: str) -> None:
    uri = run_artifact_uri(experiment_location(experiment_id), run_id)
    path = store_path_of(uri)
    assert path == f"{experiment_id}/{run_id}/artifacts"
    owner = owner_in_store(path.split("/"))
    assert owner == StoreOwner(str(experiment_id), run_id, None)
    assert owner.experiment_id == experiment_id
    assert owner.root_depth == len(path.split("/"))


@given(experiment_ids, model_ids)
def test_a_built_logged_model_uri_parses_back_to_its_model(
    experiment_id: int, model_id: str
) -> None:
    uri = logged_model_artifact_uri(experiment_location(experiment_id), model_id)
    segments = store_path_of(uri).split("/")
    owner = owner_in_store(segments)
    assert owner == StoreOwner(str(experiment_id), None, model_id)
    assert owner.root_depth == len(segments)
    assert parse_source(f"models:/{model_id}") == LoggedModelReference(model_id)


@given(run_ids, st.lists(st.text("abc.xyz_-", min_size=1), max_size=4))
def test_a_runs_reference_parses_to_its_run_and_path(run_id: str, path: list[str]) -> None:
    assert parse_source("/".join([f"runs:/{run_id}", *path])) == RunReference(run_id, tuple(path))


@pytest.mark.parametrize(
    "spelling",
    [
        f"mlflow-artifacts:/1/{RUN}/artifacts",
        f"mlflow-artifacts:///1/{RUN}/artifacts",
        f"mlflow-artifacts:1/{RUN}/artifacts",
        f"MLFLOW-Artifacts:/1/{RUN}/artifacts",
        f"mlflow-artifacts://files.example/1/{RUN}/artifacts",
    ],
)
def test_every_accepted_spelling_names_the_same_store_path(spelling: str) -> None:
    assert is_proxied(spelling)
    assert store_path_of(spelling) == f"1/{RUN}/artifacts"


def test_a_host_is_kept_for_the_caller_to_judge() -> None:
    parsed = parse_location("mlflow-artifacts://evil.example/1/x")
    assert parsed == ProxiedUri("evil.example", "1/x", "", "")


@pytest.mark.parametrize(
    ("uri", "scheme", "local"),
    [
        ("s3://bucket/1/x", "s3", False),
        ("gs://bucket/1/x", "gs", False),
        ("https://host/api/2.0/mlflow-artifacts/artifacts/1", "https", False),
        ("file:///srv/artifacts/1", "file", True),
        ("/srv/artifacts/1", "", True),
        ("1/abc/artifacts", "", True),
        ("C:/artifacts/1", "c", True),
        ("mlflow-artifacts", "", True),  # no colon: a relative path, not the scheme
    ],
)
def test_foreign_locations_are_foreign_and_never_store_paths(
    uri: str, scheme: str, local: bool
) -> None:
    parsed = parse_location(uri)
    assert isinstance(parsed, ForeignUri)
    assert (parsed.scheme, parsed.is_local_path) == (scheme, local)
    assert not is_proxied(uri)
    with pytest.raises(InvalidParameterValue, match="is not served by this server"):
        store_path_of(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "mlflow-artifacts:/1/x?version=2",
        "mlflow-artifacts:/1/x#top",
        "mlflow-artifacts://[::1/1/x",  # no URI at all
    ],
)
def test_a_query_a_fragment_or_no_uri_is_not_served(uri: str) -> None:
    with pytest.raises(InvalidParameterValue, match="is not served by this server"):
        store_path_of(uri)


@pytest.mark.parametrize(
    "uri", ["mlflow-artifacts:/", "mlflow-artifacts:/1/../2", "mlflow-artifacts:/1//x"]
)
def test_a_proxied_uri_outside_the_store_paths_is_refused(uri: str) -> None:
    with pytest.raises(InvalidParameterValue, match="is not a valid store path"):
        store_path_of(uri)


@pytest.mark.parametrize(
    ("segments", "owner"),
    [
        ([], None),
        (["1"], None),
        (["1", RUN], StoreOwner("1", RUN, None)),
        (["1", "models"], StoreOwner("1", "models", None)),  # a run folder named so
        (["1", "models", MODEL, "artifacts", "f"], StoreOwner("1", None, MODEL)),
    ],
)
def test_which_owner_a_store_path_spells(segments: list[str], owner: StoreOwner | None) -> None:
    assert owner_in_store(segments) == owner


@pytest.mark.parametrize("experiment", ["١", "+1", "x", ""])
def test_only_ascii_digits_spell_an_experiment(experiment: str) -> None:
    owner = owner_in_store([experiment, RUN])
    assert owner is not None and owner.experiment_id is None


@pytest.mark.parametrize(
    ("source", "parsed"),
    [
        (f"runs:/{RUN}", RunReference(RUN, ())),
        (f"runs:/{RUN}/model/", RunReference(RUN, ("model",))),
        (f"models:/{MODEL}", LoggedModelReference(MODEL)),
        ("models:/my-model/3", RegisteredVersionReference("my-model", "3")),
        (f"mlflow-artifacts:/1/{RUN}/artifacts", ProxiedUri("", f"1/{RUN}/artifacts", "", "")),
    ],
)
def test_sources_parse_to_what_they_name(source: str, parsed: object) -> None:
    assert parse_source(source) == parsed


def test_other_sources_are_foreign() -> None:
    parsed = parse_source("s3://other-bucket/m")
    assert isinstance(parsed, ForeignUri) and parsed.scheme == "s3"


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("runs:/", "runs:/<run_id>/<path>"),
        ("runs://host/x", "runs:/<run_id>/<path>"),
        ("models:/my-model/Production", "models:/<name>/<n>"),
        ("models:/my-model", "models:/<name>/<n>"),
        ("models://host/m/1", "models:/<name>/<n>"),
        (f"models:/{MODEL}/extra", "models:/<name>/<n>"),
        ("models:/m/12345678901", "models:/<name>/<n>"),  # more digits than a version has
    ],
)
def test_references_that_name_nothing_say_what_to_use(source: str, hint: str) -> None:
    with pytest.raises(MalformedReference, match=re.escape(hint)):
        parse_source(source)


def test_no_uri_at_all_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_source("http://[::1/x")
