"""Experiment use cases (services/tracking/experiments/service.py) called directly on a
rolled-back connection: what the service decides, without a server in between."""

import uuid

import pytest

from services.core.auth.principal import Principal
from services.core.db.engine import Connection
from services.core.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from services.tracking.experiments import service
from services.tracking.experiments.schemas import (
    CreateExperiment,
    DeleteExperimentTag,
    SearchExperiments,
    SetExperimentTag,
    UpdateExperiment,
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def create(conn: Connection, name: str, **tags: str) -> str:
    request = CreateExperiment.model_validate(
        {"name": name, "tags": [{"key": k, "value": v} for k, v in tags.items()]}
    )
    return await service.create.on(conn, request, None)


@pytest.mark.parametrize("attempt", ["first", "second"])
async def test_what_a_test_writes_is_rolled_back(db_connection: Connection, attempt: str) -> None:
    # The same name in both tests: the second would find it taken if the first had committed.
    experiment_id = await create(db_connection, "rolled-back-every-time")
    assert (await service.get_by_name.on(db_connection, "rolled-back-every-time"))[
        "experiment_id"
    ] == experiment_id


async def test_a_created_experiment_reads_back_with_its_tags(db_connection: Connection) -> None:
    name = unique("created")
    experiment_id = await create(db_connection, name, team="vision")
    experiment = await service.get.on(db_connection, experiment_id)
    assert experiment["name"] == name
    assert experiment["lifecycle_stage"] == "active"
    assert experiment["tags"] == [{"key": "team", "value": "vision"}]
    assert experiment["artifact_location"] == f"mlflow-artifacts:/{experiment_id}"


async def test_a_taken_name_says_whether_the_holder_is_deleted(db_connection: Connection) -> None:
    name = unique("taken")
    experiment_id = await create(db_connection, name)
    with pytest.raises(ResourceAlreadyExists, match=f"Experiment '{name}' already exists.$"):
        await create(db_connection, name)
    await service.set_lifecycle.on(db_connection, experiment_id, "deleted")
    with pytest.raises(ResourceAlreadyExists, match="already exists in deleted state"):
        await create(db_connection, name)


async def test_tags_are_set_replaced_and_deleted(db_connection: Connection) -> None:
    experiment_id = await create(db_connection, unique("tagged"))
    for value in ("a", "b"):
        await service.set_tag.on(
            db_connection,
            SetExperimentTag(experiment_id=experiment_id, key="stage", value=value),
        )
    assert (await service.get.on(db_connection, experiment_id))["tags"] == [
        {"key": "stage", "value": "b"}
    ]
    await service.delete_tag.on(
        db_connection, DeleteExperimentTag(experiment_id=experiment_id, key="stage")
    )
    assert (await service.get.on(db_connection, experiment_id)).get("tags", []) == []


async def test_a_deleted_experiment_cannot_be_renamed(db_connection: Connection) -> None:
    experiment_id = await create(db_connection, unique("renamed"))
    await service.set_lifecycle.on(db_connection, experiment_id, "deleted")
    with pytest.raises(
        InvalidParameterValue, match=f"^Cannot rename a non-active experiment {experiment_id}.$"
    ):
        await service.rename.on(
            db_connection, UpdateExperiment(experiment_id=experiment_id, new_name=unique("new"))
        )


async def test_search_filters_by_tag_and_hides_deleted_unless_asked(
    db_connection: Connection,
) -> None:
    team = unique("team")
    kept = await create(db_connection, unique("kept"), team=team)
    gone = await create(db_connection, unique("gone"), team=team)
    await create(db_connection, unique("other"), team=unique("team"))
    await service.set_lifecycle.on(db_connection, gone, "deleted")

    def ids(page: dict) -> set[str]:
        return {e["experiment_id"] for e in page.get("experiments", [])}

    active = SearchExperiments(filter=f"tags.team = '{team}'")
    assert ids(await service.search.on(db_connection, active, None)) == {kept}
    every = SearchExperiments(filter=f"tags.team = '{team}'", view_type="ALL")
    assert ids(await service.search.on(db_connection, every, None)) == {kept, gone}


async def test_search_shows_the_caller_only_what_it_may_read(db_connection: Connection) -> None:
    team = unique("team")
    theirs = await create(db_connection, unique("theirs"), team=team)
    creator = Principal(unique("creator"), "user", (), is_admin=False)
    request = CreateExperiment.model_validate(
        {"name": unique("mine"), "tags": [{"key": "team", "value": team}]}
    )
    mine = await service.create.on(db_connection, request, creator)  # grants its creator MANAGE
    stranger = Principal(unique("stranger"), "user", (), is_admin=False)
    search = SearchExperiments(filter=f"tags.team = '{team}'")

    def ids(page: dict) -> set[str]:
        return {e["experiment_id"] for e in page.get("experiments", [])}

    assert ids(await service.search.on(db_connection, search, None)) == {theirs, mine}
    assert ids(await service.search.on(db_connection, search, creator)) == {mine}
    assert ids(await service.search.on(db_connection, search, stranger)) == set()


async def test_an_unknown_id_does_not_exist(db_connection: Connection) -> None:
    with pytest.raises(ResourceDoesNotExist, match="No Experiment with id=987654321 exists"):
        await service.get.on(db_connection, "987654321")
