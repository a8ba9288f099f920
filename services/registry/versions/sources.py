"""Where a model version's artifacts really live, from the source the client registered.

The registry reads the tracking tables here (through core's shared definitions, never the
tracking package): a run must exist for `runs:/` sources and for `run_id`, and a logged
model's artifact location backs `models:/m-...`.
"""

import re
from dataclasses import dataclass

from sqlalchemy import select

from services.core.db.engine import Connection
from services.core.db.tables.tracking import logged_models, runs
from services.core.errors import InvalidParameterValue, ResourceDoesNotExist

_RUNS_URI = re.compile(r"^runs:/(?P<run_id>[^/]+)/?(?P<path>.*)$")
_LOGGED_MODEL_URI = re.compile(r"^models:/(?P<model_id>m-[0-9a-f]{32})/?$")


@dataclass(frozen=True)
class ResolvedSource:
    storage_location: str
    run_id: str | None
    logged_model_id: str | None


async def run_artifact_uri(conn: Connection, run_id: str) -> str:
    uri = (
        await conn.execute(select(runs.c.artifact_uri).where(runs.c.run_uuid == run_id))
    ).scalar_one_or_none()
    if uri is None:
        raise ResourceDoesNotExist(f"Run with id={run_id} not found")
    return uri


async def resolve(
    conn: Connection, source: str, run_id: str | None, model_id: str | None
) -> ResolvedSource:
    if not source:
        raise InvalidParameterValue("Missing value for required parameter 'source'.")
    if run_id:
        await run_artifact_uri(conn, run_id)
    logged = _LOGGED_MODEL_URI.match(source)
    if logged or model_id:
        wanted = logged.group("model_id") if logged else model_id
        row = (
            await conn.execute(
                select(logged_models.c.artifact_location, logged_models.c.source_run_id).where(
                    logged_models.c.model_id == wanted
                )
            )
        ).first()
        if row is None:
            raise ResourceDoesNotExist(f"Logged model with ID '{wanted}' not found.")
        location = row.artifact_location if logged else source
        return ResolvedSource(location, run_id or row.source_run_id, wanted)
    from_run = _RUNS_URI.match(source)
    if from_run:
        base = await run_artifact_uri(conn, from_run.group("run_id"))
        path = from_run.group("path").strip("/")
        location = f"{base}/{path}" if path else base
        return ResolvedSource(location, run_id or from_run.group("run_id"), None)
    return ResolvedSource(source, run_id, None)
