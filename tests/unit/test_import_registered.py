"""A source's registered model against the one here (services/importer/registered.py): what
a later import adds, what it reports as a conflict, and what it leaves alone."""

from dataclasses import replace

from services.importer.model import ModelVersion, RegisteredModel
from services.importer.registered import plan


def version(number: int, stage: str = "None") -> ModelVersion:
    return ModelVersion(
        number,
        10,
        20,
        "ana",
        stage,
        None,
        f"runs:/r{number}/model",
        None,
        f"r{number}",
        None,
        "READY",
        None,
    )


def model(*versions: ModelVersion, **changes: object) -> RegisteredModel:
    made = RegisteredModel("m", "desc", 1, 2, {"team": "a"}, {"best": 1}, list(versions))
    return replace(made, **changes)


def placed(m: RegisteredModel) -> list[tuple[ModelVersion, str, str]]:
    return [(v, v.source, v.source) for v in m.versions]


def test_the_same_content_writes_nothing_and_conflicts_with_nothing() -> None:
    source = model(version(1), version(2))
    here = replace(model(version(1), version(2)), last_updated_timestamp=99, next_version=3)
    found = plan(source, placed(source), here, ours=False)
    assert not found.writes and found.conflicts == [] and found.notes == []


def test_a_model_from_elsewhere_that_differs_is_one_conflict_and_left_alone() -> None:
    source = model(version(1), version(2))
    here = model(version(1), description="theirs", next_version=2)
    found = plan(source, placed(source), here, ours=False)
    assert not found.writes
    assert [(c.kind, c.source_id) for c in found.conflicts] == [("registered_model", "m")]
    assert "description" in found.conflicts[0].detail and "versions" in found.conflicts[0].detail


def test_our_model_takes_new_versions_and_aliases_and_lists_what_changed_here() -> None:
    source = model(version(1), version(2), version(3), version(4), aliases={"best": 1, "new": 4})
    here = model(version(1, stage="Production"), version(3), next_version=4)  # 2 deleted here
    found = plan(source, placed(source), here, ours=True)
    assert [v.version for v, _, _ in found.new_versions] == [4]
    assert found.new_aliases == {"new": 4}
    assert [(c.kind, c.source_id) for c in found.conflicts] == [("model_version", "m/1")]
    assert "current_stage" in found.conflicts[0].detail
    assert [(n.source_id, n.detail) for n in found.notes] == [
        ("m/2", "deleted here since imported; kept so")
    ]


def test_an_alias_moved_here_is_a_conflict_of_the_model() -> None:
    source = model(version(1), version(2))
    here = model(version(1), version(2), aliases={"best": 2}, next_version=3)
    found = plan(source, placed(source), here, ours=True)
    assert not found.writes
    assert [(c.source_id, c.detail) for c in found.conflicts] == [
        ("m", "exists here with different alias best; not overwritten")
    ]
