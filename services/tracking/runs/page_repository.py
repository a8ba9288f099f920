"""Everything a page of runs shows besides the runs' own rows, in one round trip.

A search page of 100 runs used to take six follow-up queries (latest metrics, params, tags,
dataset inputs, model inputs, model outputs), each through the SQL layer, and their row
handling cost more server CPU than PostgreSQL spent on the search. This is one UNION ALL on
the raw asyncpg connection: one row per item, tagged with its kind, in the order MLflow
lists them; dataset inputs arrive as JSON built by PostgreSQL.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

import orjson

from services.core.db.engine import Connection, driver_connection
from services.tracking.runs.render import RunContents, render_metric

METRIC, PARAM, TAG, DATASET_INPUT, MODEL_INPUT, MODEL_OUTPUT = range(6)


class Columns(Protocol):
    """The keys a projected page carries (the search request's `columns`)."""

    params: list[str]
    metrics: list[str]
    tags: list[str]


_PAGE_DATA = f"""
    SELECT {METRIC} AS kind, run_uuid, key, value AS number, timestamp, step, NULL AS text,
           NULL AS tiebreak
        FROM latest_metrics WHERE run_uuid = ANY($1::text[])
    UNION ALL
    SELECT {PARAM}, run_uuid, key, NULL, NULL, NULL, value, NULL
        FROM params WHERE run_uuid = ANY($1::text[])
    UNION ALL
    SELECT {TAG}, run_uuid, key, NULL, NULL, NULL, value, NULL
        FROM tags WHERE run_uuid = ANY($1::text[])
    UNION ALL
    SELECT {DATASET_INPUT}, i.run_uuid, d.name, NULL, NULL, NULL,
           jsonb_build_object(
               'tags', i.tags,
               'dataset', jsonb_strip_nulls(jsonb_build_object(
                   'name', d.name, 'digest', d.digest, 'source_type', d.source_type,
                   'source', d.source, 'schema', d.schema, 'profile', d.profile))
           )::text, d.digest
        FROM run_dataset_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid
        WHERE i.run_uuid = ANY($1::text[])
    UNION ALL
    SELECT {MODEL_INPUT}, run_uuid, model_id, NULL, NULL, NULL, NULL, NULL
        FROM run_model_inputs WHERE run_uuid = ANY($1::text[])
    UNION ALL
    SELECT {MODEL_OUTPUT}, run_uuid, model_id, NULL, NULL, step, NULL, NULL
        FROM run_model_outputs WHERE run_uuid = ANY($1::text[])
    ORDER BY kind, run_uuid, key, tiebreak
"""
# The same with the caller's columns only ($2 metric keys, $3 param keys, $4 tag keys): the
# runs table of a wide experiment reads a few keys per run, not every one.
_PROJECTED_PAGE_DATA = (
    _PAGE_DATA.replace(
        "FROM latest_metrics WHERE run_uuid = ANY($1::text[])",
        "FROM latest_metrics WHERE run_uuid = ANY($1::text[]) AND key = ANY($2::text[])",
    )
    .replace(
        "FROM params WHERE run_uuid = ANY($1::text[])",
        "FROM params WHERE run_uuid = ANY($1::text[]) AND key = ANY($3::text[])",
    )
    .replace(
        "FROM tags WHERE run_uuid = ANY($1::text[])",
        "FROM tags WHERE run_uuid = ANY($1::text[]) AND key = ANY($4::text[])",
    )
)


def _empty() -> RunContents:
    return {
        "data": {"metrics": [], "params": [], "tags": []},
        "inputs": {"dataset_inputs": [], "model_inputs": []},
        "outputs": {},
    }


async def load(
    conn: Connection, run_ids: Sequence[str], columns: Columns | None = None
) -> dict[str, RunContents]:
    """Per run id: its `data`, `inputs` and `outputs` in MLflow's JSON shape; with `columns`,
    only those metric, param and tag keys."""
    pages: dict[str, RunContents] = defaultdict(_empty)
    if not run_ids:
        return pages
    raw = await driver_connection(conn)
    rows = await (
        raw.fetch(_PAGE_DATA, list(run_ids))
        if columns is None
        else raw.fetch(
            _PROJECTED_PAGE_DATA, list(run_ids), columns.metrics, columns.params, columns.tags
        )
    )
    for kind, run_id, key, number, timestamp, step, text, _ in rows:
        page = pages[run_id]
        if kind == METRIC:
            page["data"]["metrics"].append(render_metric(key, number, timestamp, step))
        elif kind == PARAM:
            page["data"]["params"].append({"key": key, "value": text})
        elif kind == TAG:
            page["data"]["tags"].append({"key": key, "value": text})
        elif kind == DATASET_INPUT:
            item = orjson.loads(text)
            if isinstance(item["tags"], str):  # tags stored as a JSON document in a string
                item["tags"] = orjson.loads(item["tags"])
            page["inputs"]["dataset_inputs"].append(item)
        elif kind == MODEL_INPUT:
            page["inputs"]["model_inputs"].append({"model_id": key})
        else:
            page["outputs"].setdefault("model_outputs", []).append({"model_id": key, "step": step})
    return pages
