"""Registered models, their tags and aliases. Each function runs in one transaction.

Writes lock the model's row first, as version writes do (services/registry/versions).
"""

from typing import Any

from sqlalchemy.exc import IntegrityError

from services.core.auth.access import grant_creator, visible
from services.core.auth.principal import Principal
from services.core.clock import now_ms
from services.core.db import use_cases
from services.core.db.engine import Connection, chosen_once
from services.core.db.tables.registry import registered_model_aliases as aliases
from services.core.db.tables.registry import registered_model_tags, registered_models
from services.core.errors import ResourceAlreadyExists, ResourceDoesNotExist
from services.core.ids import new_hex_id
from services.core.paging import search_page
from services.registry import rows
from services.registry.models import repository, search
from services.registry.models.render import (
    RegisteredModel,
    SearchRegisteredModelsResponse,
    render_model,
    search_registered_models_response,
)
from services.registry.models.schemas import (
    CreateRegisteredModel,
    GetLatestVersions,
    SearchRegisteredModels,
)
from services.registry.validation import (
    canonical_stage,
    parse_version,
    validate_alias,
    validate_max_results,
    validate_model_name,
    validate_new_model_name,
    validate_tag,
)
from services.registry.versions import repository as version_rows
from services.registry.versions import service as versions
from services.registry.versions.render import ModelVersion
from services.registry.webhooks import events

MAX_RESULTS_MODELS = 1000


async def require(conn: Connection, name: str, *, lock: bool = False) -> Any:
    validate_model_name(name)
    row = await repository.get_model(conn, name, lock=lock)
    if row is None:
        raise ResourceDoesNotExist(f"Registered Model with name={name} not found")
    return row


async def render(conn: Connection, rows: list[Any]) -> list[RegisteredModel]:
    ids = [row.id for row in rows]
    tags, aliases = await repository.model_children(conn, ids)
    latest = await versions.render(conn, await version_rows.latest_per_stage(conn, ids))
    latest_by_model: dict[str, list[ModelVersion]] = {}
    for version in latest:
        latest_by_model.setdefault(version["name"], []).append(version)
    return [
        render_model(row, tags[row.id], aliases[row.id], latest_by_model.get(row.name, []))
        for row in rows
    ]


@use_cases.transaction
async def get(conn: Connection, name: str) -> RegisteredModel:
    return (await render(conn, [await require(conn, name)]))[0]


@use_cases.transaction
async def create(
    conn: Connection,
    request: CreateRegisteredModel,
    actor: str | None,
    caller: Principal | None,
) -> RegisteredModel:
    validate_new_model_name(request.name)
    for tag in request.tags:
        validate_tag(tag.key, tag.value)
    key = chosen_once("registered_model", new_hex_id)
    now = now_ms()
    model_id = await repository.create_model(
        conn,
        {
            "name": request.name,
            "description": request.description,
            "creation_timestamp": now,
            "last_updated_timestamp": now,
            "user_id": actor,
            "creation_key": key,
        },
    )
    if model_id is None:
        existing = await repository.get_model(conn, request.name)
        if existing is not None and existing.creation_key == key:
            # This call's own earlier attempt committed; its answer was lost with the
            # connection. Everything below was part of that commit.
            return await get.on(conn, request.name)
        raise ResourceAlreadyExists(f"Registered Model (name={request.name}) already exists.")
    await grant_creator(conn, caller, "registered_model", str(model_id))
    for tag in request.tags:
        keys = {"model_id": model_id, "key": tag.key}
        await rows.upsert_tag(conn, registered_model_tags, keys, tag.value)
    await events.emit(
        conn,
        "registered_model",
        "created",
        {
            "name": request.name,
            "tags": {t.key: t.value for t in request.tags},
            "description": request.description,
        },
    )
    return await get.on(conn, request.name)


@use_cases.transaction
async def rename(conn: Connection, name: str, new_name: str) -> RegisteredModel:
    validate_new_model_name(new_name, "new_name")
    row = await require(conn, name, lock=True)
    taken = ResourceAlreadyExists(f"Registered Model (name={new_name}) already exists.")
    if new_name != name and await repository.get_model(conn, new_name) is not None:
        raise taken
    try:
        await repository.update_model(conn, row.id, name=new_name, last_updated_timestamp=now_ms())
    except IntegrityError:  # a concurrent create or rename took the name after the check
        raise taken from None
    return await get.on(conn, new_name)


@use_cases.transaction
async def update_description(
    conn: Connection, name: str, description: str | None
) -> RegisteredModel:
    row = await require(conn, name, lock=True)
    await repository.update_model(
        conn, row.id, description=description, last_updated_timestamp=now_ms()
    )
    return await get.on(conn, name)


@use_cases.transaction
async def delete(conn: Connection, name: str) -> None:
    row = await require(conn, name, lock=True)
    await repository.delete_model(conn, row.id)


@use_cases.search
async def search_models(
    conn: Connection, request: SearchRegisteredModels, caller: Principal | None
) -> SearchRegisteredModelsResponse:
    validate_max_results(request.max_results, MAX_RESULTS_MODELS)
    where = search.model_filter(request.filter)
    readable = visible(caller, registered_models.c.id, "registered_model")
    if readable is not None:
        where.append(readable)
    order = search.model_order(request.order_by)
    page = await search_page(
        request,
        lambda offset, limit: repository.search_models(conn, where, order, offset, limit),
        lambda page: render(conn, page),
    )
    return search_registered_models_response(page)


@use_cases.transaction
async def latest_versions(conn: Connection, request: GetLatestVersions) -> list[ModelVersion]:
    row = await require(conn, request.name)
    stages = {canonical_stage(stage) for stage in request.stages}
    latest = await version_rows.latest_per_stage(conn, [row.id])
    chosen = [v for v in latest if not stages or v.current_stage in stages]
    return await versions.render(conn, chosen)


@use_cases.transaction
async def set_tag(conn: Connection, name: str, key: str, value: str) -> None:
    validate_tag(key, value)
    row = await require(conn, name, lock=True)
    keys = {"model_id": row.id, "key": key}
    await rows.upsert_tag(conn, registered_model_tags, keys, value)


@use_cases.transaction
async def delete_tag(conn: Connection, name: str, key: str) -> None:
    row = await require(conn, name, lock=True)
    tags = registered_model_tags.c
    if not await rows.delete_rows(
        conn, registered_model_tags, tags.model_id == row.id, tags.key == key
    ):
        raise ResourceDoesNotExist(f"No tag with key '{key}' on registered model '{name}'.")


@use_cases.transaction
async def set_alias(conn: Connection, name: str, alias: str, version: str) -> None:
    validate_alias(alias)
    row = await require(conn, name, lock=True)
    number = parse_version(version)
    if await version_rows.get_version(conn, row.id, number) is None:
        raise ResourceDoesNotExist(f"Model Version (name={name}, version={version}) not found")
    await repository.set_alias(conn, row.id, alias, number)
    await repository.update_model(conn, row.id, last_updated_timestamp=now_ms())
    await events.emit(
        conn,
        "model_version_alias",
        "created",
        {"name": name, "alias": alias, "version": str(number)},
    )


@use_cases.transaction
async def delete_alias(conn: Connection, name: str, alias: str) -> None:
    row = await require(conn, name, lock=True)
    if not await rows.delete_rows(
        conn, aliases, aliases.c.model_id == row.id, aliases.c.alias == alias
    ):
        raise ResourceDoesNotExist(f"Registered model alias {alias} not found.")
    await events.emit(conn, "model_version_alias", "deleted", {"name": name, "alias": alias})


@use_cases.transaction
async def version_by_alias(conn: Connection, name: str, alias: str) -> ModelVersion:
    row = await require(conn, name)
    number = await repository.alias_version(conn, row.id, alias)
    if number is None:
        raise ResourceDoesNotExist(f"Registered model alias {alias} not found.")
    return await versions.get.on(conn, name, str(number))
