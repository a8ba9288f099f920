"""Runs as MLflow's Run message, built as JSON text by PostgreSQL, one statement per page.

A search page of 100 runs used to come back as ~400 rows (one per metric, param, tag, input)
that Python turned into dicts and orjson into text: that row handling cost a search more
server CPU than PostgreSQL spent on it (docs/benchmarks.md, "Issue 19: search"). Here each
run is one row holding its whole Run object as JSON text, which the response embeds as it is
(orjson.Fragment), in the order of the ids asked for.

The shape is MLflow's (service.proto, as its server renders it): `info` with `end_time` only
when set; `data` with metrics, params and tags sorted by key; `inputs` with dataset inputs
(by name, digest) and model inputs (by id); `outputs` with `model_outputs` only when there
are any. Metric values are protobuf JSON doubles: NaN and the infinities as strings (what
PostgreSQL's json does with them), -0.0 kept as a float. PostgreSQL spells JSON with spaces
(`"key" : "value"`) and numbers in its own shortest form (`1e+20`, `1` for 1.0): the same
values to any JSON reader.
"""

from collections.abc import Sequence
from typing import Protocol

from orjson import Fragment

from services.core.db.engine import Connection, driver_connection


class Columns(Protocol):
    """The keys a projected page carries (the search request's `columns`)."""

    params: list[str]
    metrics: list[str]
    tags: list[str]


_INFO_FIELDS = """'run_id', r.run_uuid, 'run_uuid', r.run_uuid, 'run_name', r.name,
    'experiment_id', r.experiment_id::text, 'user_id', r.user_id, 'status', r.status,
    'start_time', r.start_time, 'artifact_uri', r.artifact_uri,
    'lifecycle_stage', r.lifecycle_stage"""
_INFO = f"""CASE WHEN r.end_time IS NULL THEN json_build_object({_INFO_FIELDS})
    ELSE json_build_object({_INFO_FIELDS}, 'end_time', r.end_time) END"""
# to_json writes -0.0 as -0, which readers take for the integer 0.
_METRIC_VALUE = """CASE WHEN m.value = 0 AND m.value::text = '-0' THEN '-0.0'::json
    ELSE to_json(m.value) END"""
# Input tags are a JSON array, or (as some importers stored them) a string holding one.
_INPUT_TAGS = """CASE WHEN jsonb_typeof(i.tags) = 'string' THEN (i.tags #>> '{}')::json
    ELSE i.tags::json END"""
_DATASET = """jsonb_strip_nulls(jsonb_build_object('name', d.name, 'digest', d.digest,
    'source_type', d.source_type, 'source', d.source, 'schema', d.schema,
    'profile', d.profile))"""


def _listed(item: str, source: str, owner: str, order: str, only: str = "") -> str:
    """A JSON array of `item` per row of `source` whose `owner` alias is the run's."""
    return f"""COALESCE((SELECT json_agg({item} ORDER BY {order}) FROM {source}
        WHERE {owner}.run_uuid = r.run_uuid {only}), '[]')"""


def _run_json(metric_keys: str, param_keys: str, tag_keys: str) -> str:
    metrics = _listed(
        f"json_build_object('key', m.key, 'value', {_METRIC_VALUE}, 'timestamp', m.timestamp, "
        "'step', m.step)",
        "latest_metrics m",
        "m",
        "m.key",
        metric_keys,
    )
    params = _listed(
        "json_build_object('key', p.key, 'value', p.value)", "params p", "p", "p.key", param_keys
    )
    tags = _listed(
        "json_build_object('key', t.key, 'value', t.value)", "tags t", "t", "t.key", tag_keys
    )
    dataset_inputs = _listed(
        f"json_build_object('tags', {_INPUT_TAGS}, 'dataset', {_DATASET})",
        "run_dataset_inputs i JOIN datasets d USING (dataset_uuid)",
        "i",
        "d.name, d.digest",
    )
    model_inputs = _listed(
        "json_build_object('model_id', mi.model_id)", "run_model_inputs mi", "mi", "mi.model_id"
    )
    model_outputs = """COALESCE((SELECT json_build_object('model_outputs',
            json_agg(json_build_object('model_id', mo.model_id, 'step', mo.step)
                     ORDER BY mo.model_id))
        FROM run_model_outputs mo WHERE mo.run_uuid = r.run_uuid HAVING count(*) > 0), '{}')"""
    return f"""
        SELECT json_build_object(
            'info', {_INFO},
            'data', json_build_object('metrics', {metrics}, 'params', {params}, 'tags', {tags}),
            'inputs', json_build_object(
                'dataset_inputs', {dataset_inputs}, 'model_inputs', {model_inputs}),
            'outputs', {model_outputs}
        )::text
        FROM unnest($1::text[]) WITH ORDINALITY AS page(run_uuid, position)
        JOIN runs r ON r.run_uuid = page.run_uuid
        ORDER BY page.position
    """


_PAGE = _run_json("", "", "")
# With the caller's columns only ($2 metric keys, $3 param keys, $4 tag keys): the runs
# table of a wide experiment reads a few keys per run, not every one.
_PROJECTED_PAGE = _run_json(
    "AND m.key = ANY($2::text[])", "AND p.key = ANY($3::text[])", "AND t.key = ANY($4::text[])"
)


async def load(
    conn: Connection, run_ids: Sequence[str], columns: Columns | None = None
) -> list[Fragment]:
    """The runs named by `run_ids` (those that exist), in that order, each as its Run JSON;
    with `columns`, only those metric, param and tag keys."""
    if not run_ids:
        return []
    raw = await driver_connection(conn)
    rows = await (
        raw.fetch(_PAGE, list(run_ids))
        if columns is None
        else raw.fetch(
            _PROJECTED_PAGE, list(run_ids), columns.metrics, columns.params, columns.tags
        )
    )
    return [Fragment(text) for (text,) in rows]
