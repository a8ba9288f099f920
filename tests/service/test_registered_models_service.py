"""Registered-model use cases (services/registry/models/service.py) called directly on a
rolled-back connection."""

import uuid

import pytest

from services.core.db.engine import Connection
from services.core.errors import ResourceAlreadyExists, ResourceDoesNotExist
from services.registry.models import service
from services.registry.models.schemas import CreateRegisteredModel, SearchRegisteredModels


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def create(conn: Connection, name: str, actor: str | None = None, **tags: str) -> dict:
    request = CreateRegisteredModel.model_validate(
        {
            "name": name,
            "description": "a classifier",
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        }
    )
    return await service.create.on(conn, request, actor, None)


async def test_a_created_model_reads_back_as_mlflow_renders_it(db_connection: Connection) -> None:
    name = unique("model")
    created = await create(db_connection, name, actor="alice", owner="vision")
    assert created == await service.get.on(db_connection, name)
    assert created["name"] == name
    assert created["description"] == "a classifier"
    assert created["user_id"] == "alice"
    assert created["tags"] == [{"key": "owner", "value": "vision"}]
    assert created["aliases"] == []
    assert created["latest_versions"] == []
    assert created["creation_timestamp"] == created["last_updated_timestamp"]


async def test_a_taken_name_is_refused_on_create_and_on_rename(db_connection: Connection) -> None:
    first, second = unique("first"), unique("second")
    await create(db_connection, first)
    await create(db_connection, second)
    with pytest.raises(ResourceAlreadyExists, match=rf"^Registered Model \(name={first}\)"):
        await create(db_connection, first)
    with pytest.raises(ResourceAlreadyExists, match=rf"^Registered Model \(name={first}\)"):
        await service.rename.on(db_connection, second, first)
    renamed = await service.rename.on(db_connection, second, unique("third"))
    with pytest.raises(ResourceDoesNotExist):
        await service.get.on(db_connection, second)
    assert (await service.get.on(db_connection, renamed["name"]))["description"] == "a classifier"


async def test_tags_are_set_and_a_missing_one_cannot_be_deleted(db_connection: Connection) -> None:
    name = unique("tagged")
    await create(db_connection, name)
    await service.set_tag.on(db_connection, name, "stage", "candidate")
    await service.set_tag.on(db_connection, name, "stage", "approved")
    assert (await service.get.on(db_connection, name))["tags"] == [
        {"key": "stage", "value": "approved"}
    ]
    await service.delete_tag.on(db_connection, name, "stage")
    with pytest.raises(
        ResourceDoesNotExist, match=f"No tag with key 'stage' on registered model '{name}'"
    ):
        await service.delete_tag.on(db_connection, name, "stage")


async def test_an_alias_needs_an_existing_version(db_connection: Connection) -> None:
    name = unique("aliased")
    await create(db_connection, name)
    with pytest.raises(ResourceDoesNotExist, match=rf"^Model Version \(name={name}, version=1\)"):
        await service.set_alias.on(db_connection, name, "champion", "1")
    with pytest.raises(ResourceDoesNotExist, match="^Registered model alias champion not found"):
        await service.delete_alias.on(db_connection, name, "champion")


async def test_search_finds_by_name_pattern_and_a_deleted_model_is_gone(
    db_connection: Connection,
) -> None:
    prefix = unique("searched")
    for suffix in ("a", "b"):
        await create(db_connection, f"{prefix}-{suffix}")
    request = SearchRegisteredModels(filter=f"name LIKE '{prefix}-%'", order_by=["name DESC"])
    found = await service.search_models.on(db_connection, request, None)
    assert [m["name"] for m in found["registered_models"]] == [f"{prefix}-b", f"{prefix}-a"]
    await service.delete.on(db_connection, f"{prefix}-b")
    found = await service.search_models.on(db_connection, request, None)
    assert [m["name"] for m in found["registered_models"]] == [f"{prefix}-a"]
    with pytest.raises(ResourceDoesNotExist, match=f"name={prefix}-b not found"):
        await service.get.on(db_connection, f"{prefix}-b")
