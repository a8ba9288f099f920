"""Model versions: registration, stages, tags, downloads. Each function is one transaction.

Every write first locks the registered model's row (SELECT ... FOR UPDATE): writes to one
model run one at a time (they are rare and short), so what a write checked still holds when
it commits: two promotions to Production with archive_existing_versions leave one version
there, not two; an alias or tag is never set on a version being deleted.
"""

from typing import Any

from services.core.auth.access import visible
from services.core.auth.access_cache import AccessCache
from services.core.auth.principal import Principal
from services.core.clock import now_ms
from services.core.db import use_cases
from services.core.db.engine import Connection, chosen_once
from services.core.db.tables.registry import model_version_tags, model_versions
from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.core.ids import new_hex_id
from services.core.paging import search_page
from services.registry import rows
from services.registry.models import repository as model_rows
from services.registry.validation import (
    canonical_stage,
    parse_version,
    validate_max_results,
    validate_model_name,
    validate_tag,
)
from services.registry.versions import repository, search
from services.registry.versions.render import (
    ModelVersion,
    SearchModelVersionsResponse,
    render_version,
    search_model_versions_response,
)
from services.registry.versions.schemas import (
    CreateModelVersion,
    SearchModelVersions,
    TransitionStage,
)
from services.registry.versions.sources import resolve
from services.registry.webhooks import events

MAX_RESULTS_VERSIONS = 200_000


async def render(conn: Connection, rows: list[Any]) -> list[ModelVersion]:
    keys = [(row.model_id, row.version) for row in rows]
    tags, aliases = await repository.version_children(conn, keys)
    return [
        render_version(row, tags[key], aliases[key]) for row, key in zip(rows, keys, strict=True)
    ]


async def _model(conn: Connection, name: str, *, lock: bool = False) -> Any:
    validate_model_name(name)
    row = await model_rows.get_model(conn, name, lock=lock)
    if row is None:
        raise ResourceDoesNotExist(f"Registered Model with name={name} not found")
    return row


async def require(conn: Connection, name: str, version: str, *, lock: bool = False) -> Any:
    """The version; with `lock`, after locking its registered model's row (see above)."""
    number = parse_version(version)
    model = await _model(conn, name, lock=lock)
    row = await repository.get_version(conn, model.id, number)
    if row is None:
        raise ResourceDoesNotExist(f"Model Version (name={name}, version={version}) not found")
    return row


@use_cases.transaction
async def get(conn: Connection, name: str, version: str) -> ModelVersion:
    return (await render(conn, [await require(conn, name, version)]))[0]


@use_cases.transaction
async def create(
    conn: Connection,
    request: CreateModelVersion,
    actor: str | None,
    caller: Principal | None,
    cache: AccessCache,
) -> ModelVersion:
    for tag in request.tags:
        validate_tag(tag.key, tag.value)
    key = chosen_once("model_version", new_hex_id)
    model = await _model(conn, request.name, lock=True)
    # Under the lock, so an attempt whose COMMIT is still in flight has finished: a replay
    # after its answer was lost finds that version instead of registering a second one.
    done = await repository.version_with_creation_key(conn, model.id, key)
    if done is not None:
        return await get.on(conn, request.name, str(done))
    resolved = await resolve(conn, caller, cache, request.source, request.run_id, request.model_id)
    number = await model_rows.allocate_version(conn, model.id)
    now = now_ms()
    await repository.insert_version(
        conn,
        {
            "model_id": model.id,
            "version": number,
            "creation_timestamp": now,
            "last_updated_timestamp": now,
            "user_id": actor,
            "current_stage": "None",
            "description": request.description,
            "source": request.source,
            "storage_location": resolved.storage_location,
            "run_id": resolved.run_id,
            "run_link": request.run_link,
            "logged_model_id": resolved.logged_model_id,
            "status": "READY",
            "creation_key": key,
        },
    )
    for tag in request.tags:
        keys = {"model_id": model.id, "version": number, "key": tag.key}
        await rows.upsert_tag(conn, model_version_tags, keys, tag.value)
    await model_rows.update_model(conn, model.id, last_updated_timestamp=now)
    await events.emit(
        conn,
        "model_version",
        "created",
        {
            "name": request.name,
            "version": str(number),
            "source": request.source,
            "run_id": resolved.run_id,
            "tags": {t.key: t.value for t in request.tags},
            "description": request.description,
        },
    )
    return await get.on(conn, request.name, str(number))


@use_cases.transaction
async def update_description(
    conn: Connection, name: str, version: str, description: str | None
) -> ModelVersion:
    row = await require(conn, name, version, lock=True)
    await repository.update_version(
        conn, row.model_id, row.version, description=description, last_updated_timestamp=now_ms()
    )
    return await get.on(conn, name, version)


@use_cases.transaction
async def transition(conn: Connection, request: TransitionStage, actor: str | None) -> ModelVersion:
    stage = canonical_stage(request.stage)
    row = await require(conn, request.name, request.version, lock=True)
    now = now_ms()
    archived: list[int] = []
    if request.archive_existing_versions:
        if stage not in ("Staging", "Production"):
            raise InvalidParameterValue(
                f"Model version transition cannot archive existing model versions because "
                f"'{stage}' is not an Active stage. Valid stages are Staging and Production."
            )
        archived = await repository.archive_others_in_stage(
            conn, row.model_id, row.version, stage, now
        )
    await repository.update_version(
        conn, row.model_id, row.version, current_stage=stage, last_updated_timestamp=now
    )
    await model_rows.update_model(conn, row.model_id, last_updated_timestamp=now)
    # Grimoire's own event (MLflow has none for stages): what CI/CD promotion hooks need.
    await events.emit(
        conn,
        "model_version_stage",
        "transitioned",
        {
            "name": request.name,
            "version": str(row.version),
            "from_stage": row.current_stage,
            "to_stage": stage,
            "archived_versions": [str(v) for v in archived],
            "user": actor,
        },
    )
    return await get.on(conn, request.name, request.version)


@use_cases.transaction
async def delete(conn: Connection, name: str, version: str) -> None:
    row = await require(conn, name, version, lock=True)
    await rows.delete_rows(
        conn,
        model_versions,
        model_versions.c.model_id == row.model_id,
        model_versions.c.version == row.version,
    )


@use_cases.search
async def search_versions(
    conn: Connection, request: SearchModelVersions, caller: Principal | None
) -> SearchModelVersionsResponse:
    validate_max_results(request.max_results, MAX_RESULTS_VERSIONS)
    where = search.version_filter(request.filter)
    readable = visible(caller, model_versions.c.model_id, "registered_model")
    if readable is not None:
        where.append(readable)
    order = search.version_order(request.order_by)
    page = await search_page(
        request,
        lambda offset, limit: repository.search_versions(conn, where, order, offset, limit),
        lambda page: render(conn, page),
    )
    return search_model_versions_response(page)


@use_cases.transaction
async def set_tag(conn: Connection, name: str, version: str, key: str, value: str) -> None:
    validate_tag(key, value)
    row = await require(conn, name, version, lock=True)
    keys = {"model_id": row.model_id, "version": row.version, "key": key}
    await rows.upsert_tag(conn, model_version_tags, keys, value)
    await events.emit(
        conn,
        "model_version_tag",
        "set",
        {"name": name, "version": str(row.version), "key": key, "value": value},
    )


@use_cases.transaction
async def delete_tag(conn: Connection, name: str, version: str, key: str) -> None:
    row = await require(conn, name, version, lock=True)
    t = model_version_tags.c
    if not await rows.delete_rows(
        conn,
        model_version_tags,
        t.model_id == row.model_id,
        t.version == row.version,
        t.key == key,
    ):
        raise ResourceDoesNotExist(f"No tag with key '{key}' on {name} version {version}.")
    await events.emit(
        conn,
        "model_version_tag",
        "deleted",
        {"name": name, "version": str(row.version), "key": key},
    )


@use_cases.transaction
async def download_uri(conn: Connection, name: str, version: str) -> str:
    return (await require(conn, name, version)).storage_location
