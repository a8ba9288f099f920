"""The importer's pure parts: model-version sources rewritten to the new artifact roots, and
runs compared by content whatever order a source lists them in."""

import math

import pytest

from services.importer.ledger import fingerprint
from services.importer.model import DatasetInput, ModelVersion, Point, Run
from services.importer.sources import Roots, UnresolvedSource, rewrite
from services.importer.stored import comparable

RUNS = {
    "a" * 32: Roots(
        "file:///home/ana/mlruns/1/" + "a" * 32 + "/artifacts",
        "mlflow-artifacts:/1/" + "a" * 32 + "/artifacts",
    )
}
MODELS = {
    "m-" + "b" * 32: Roots(
        "/home/ana/mlruns/1/models/m-" + "b" * 32 + "/artifacts",
        "mlflow-artifacts:/1/models/m-" + "b" * 32 + "/artifacts",
    )
}


def version(source: str, run_id: str | None = None) -> ModelVersion:
    return ModelVersion(1, 0, 0, None, "None", None, source, None, run_id, None, "READY", None)


def test_a_logged_model_source_keeps_its_spelling_and_points_at_the_new_root() -> None:
    rewritten = rewrite(version("models:/m-" + "b" * 32), RUNS, MODELS)
    assert rewritten.source == "models:/m-" + "b" * 32
    assert rewritten.storage_location == MODELS["m-" + "b" * 32].target
    assert not rewritten.foreign


def test_a_runs_source_points_inside_the_new_run_root() -> None:
    rewritten = rewrite(version(f"runs:/{'a' * 32}/model"), RUNS, MODELS)
    assert rewritten.source == f"runs:/{'a' * 32}/model"
    assert rewritten.storage_location == RUNS["a" * 32].target + "/model"


@pytest.mark.parametrize(
    "source",
    [
        "/home/ana/mlruns/1/" + "a" * 32 + "/artifacts/model",
        "file:///home/ana/mlruns/1/" + "a" * 32 + "/artifacts/model",
    ],
)
def test_a_path_inside_a_source_run_root_moves_with_it(source: str) -> None:
    rewritten = rewrite(version(source, "a" * 32), RUNS, MODELS)
    assert rewritten.source == rewritten.storage_location == RUNS["a" * 32].target + "/model"


def test_a_prefix_that_only_looks_alike_is_not_inside() -> None:
    lookalike = "/home/ana/mlruns/1/" + "a" * 32 + "/artifacts-old/model"
    rewritten = rewrite(version(lookalike), RUNS, MODELS)
    assert rewritten.foreign and rewritten.source == lookalike


def test_a_source_naming_what_was_not_imported_is_refused() -> None:
    with pytest.raises(UnresolvedSource, match="not imported"):
        rewrite(version(f"runs:/{'c' * 32}/model"), RUNS, MODELS)
    with pytest.raises(UnresolvedSource):
        rewrite(version("models:/m-" + "c" * 32), RUNS, MODELS)


def run(points: list[Point], **changes: object) -> Run:
    base = Run("a" * 32, "1", "n", "u", "FINISHED", 1, 2, "active", "file:///x", params={"p": "1"})
    base.metrics = points
    base.datasets = [DatasetInput("d", "1", "local", "s", None, None, (("b", "2"), ("a", "1")))]
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_runs_compare_by_content_not_by_order_location_or_repeats() -> None:
    points = [Point("loss", 1.0, 10, 0), Point("loss", math.nan, 11, 1)]
    source = run(points + [points[0]])  # the file store keeps a repeated point twice
    here = run(list(reversed(points)), experiment_id="7", artifact_uri="mlflow-artifacts:/7/x")
    here.datasets = [DatasetInput("d", "1", "local", "s", None, None, (("a", "1"), ("b", "2")))]
    assert fingerprint(comparable(source)) == fingerprint(comparable(here))


def test_a_changed_param_or_point_changes_the_content() -> None:
    points = [Point("loss", 1.0, 10, 0)]
    assert fingerprint(comparable(run(points))) != fingerprint(
        comparable(run(points, params={"p": "2"}))
    )
    assert fingerprint(comparable(run(points))) != fingerprint(
        comparable(run([Point("loss", 1.5, 10, 0)]))
    )
