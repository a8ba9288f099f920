"""An MLflow SQL database (`sqlite:///mlflow.db`, `postgresql://...`, `mysql://...`) read with
SQLAlchemy Core on MLflow's own schema. Read directly rather than through MLflow's store,
which refuses a database whose schema is not at its own head (a team's MLflow 2 database).
Tables and columns a older schema lacks (logged models, dataset inputs) read as empty."""

import math
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from services.importer.artifacts import LocalArtifacts
from services.importer.model import (
    DatasetInput,
    Experiment,
    LoggedModel,
    ModelMetric,
    ModelVersion,
    Point,
    RegisteredModel,
    Run,
)

# MLflow's stage for a deleted version: the row stays (its number is never reused), its
# source and run are redacted.
DELETED_STAGE = "Deleted_Internal"


def _experiment_id(value: Any) -> str:
    return str(value)


class SqlDatabase:
    def __init__(self, url: str, artifacts: LocalArtifacts):
        self.url = url
        self.engine: Engine = create_engine(url)
        self.artifacts = artifacts
        self._tables = set(inspect(self.engine).get_table_names())

    def describe(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def _rows(self, sql: str, **bound: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), bound))

    def _has(self, table: str) -> bool:
        return table in self._tables

    def experiments(self) -> list[Experiment]:
        tags: dict[str, dict[str, str]] = {}
        for row in self._rows("SELECT experiment_id, key, value FROM experiment_tags"):
            tags.setdefault(_experiment_id(row.experiment_id), {})[row.key] = row.value or ""
        return [
            Experiment(
                experiment_id=_experiment_id(row.experiment_id),
                name=row.name,
                artifact_location=row.artifact_location or "",
                lifecycle_stage=row.lifecycle_stage or "active",
                creation_time=row.creation_time or 0,
                last_update_time=row.last_update_time or row.creation_time or 0,
                tags=tags.get(_experiment_id(row.experiment_id), {}),
            )
            for row in self._rows(
                "SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, "
                "last_update_time FROM experiments ORDER BY experiment_id"
            )
        ]

    def run_ids(self, experiment_id: str) -> list[str]:
        rows = self._rows(
            "SELECT run_uuid FROM runs WHERE experiment_id = :e ORDER BY start_time, run_uuid",
            e=int(experiment_id),
        )
        return [row.run_uuid for row in rows]

    def run(self, run_id: str) -> Run:
        (row,) = self._rows("SELECT * FROM runs WHERE run_uuid = :r", r=run_id)
        mapping = row._mapping
        return Run(
            run_id=row.run_uuid,
            experiment_id=_experiment_id(row.experiment_id),
            name=row.name or "",
            user_id=row.user_id or "",
            status=row.status or "FINISHED",
            start_time=row.start_time or 0,
            end_time=row.end_time,
            lifecycle_stage=row.lifecycle_stage or "active",
            artifact_uri=row.artifact_uri or "",
            deleted_time=mapping.get("deleted_time"),
            params={
                p.key: p.value
                for p in self._rows("SELECT key, value FROM params WHERE run_uuid = :r", r=run_id)
            },
            tags={
                t.key: t.value or ""
                for t in self._rows("SELECT key, value FROM tags WHERE run_uuid = :r", r=run_id)
            },
            metrics=[
                Point(
                    m.key, math.nan if m.is_nan else float(m.value), m.timestamp or 0, m.step or 0
                )
                for m in self._rows(
                    "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = :r",
                    r=run_id,
                )
            ],
            datasets=self._datasets(run_id),
            model_inputs=self._model_inputs(run_id),
            model_outputs=self._model_outputs(run_id),
        )

    def _datasets(self, run_id: str) -> list[DatasetInput]:
        if not (self._has("inputs") and self._has("datasets")):
            return []
        found = []
        for row in self._rows(
            "SELECT i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, "
            "d.dataset_schema, d.dataset_profile FROM inputs i JOIN datasets d "
            "ON d.dataset_uuid = i.source_id WHERE i.source_type = 'DATASET' "
            "AND i.destination_type = 'RUN' AND i.destination_id = :r ORDER BY d.name, d.digest",
            r=run_id,
        ):
            tags = tuple(
                (tag.name, tag.value)
                for tag in self._rows(
                    "SELECT name, value FROM input_tags WHERE input_uuid = :i ORDER BY name",
                    i=row.input_uuid,
                )
            )
            found.append(
                DatasetInput(
                    row.name,
                    row.digest,
                    row.dataset_source_type,
                    row.dataset_source,
                    row.dataset_schema,
                    row.dataset_profile,
                    tags,
                )
            )
        return found

    def _model_inputs(self, run_id: str) -> list[str]:
        if not self._has("inputs"):
            return []
        rows = self._rows(
            "SELECT destination_id FROM inputs WHERE source_id = :r "
            "AND destination_type = 'MODEL_INPUT' ORDER BY destination_id",
            r=run_id,
        )
        return [row.destination_id for row in rows]

    def _model_outputs(self, run_id: str) -> list[tuple[str, int]]:
        if not self._has("inputs"):
            return []
        rows = self._rows(
            "SELECT destination_id, step FROM inputs WHERE source_type = 'RUN_OUTPUT' "
            "AND source_id = :r AND destination_type = 'MODEL_OUTPUT' ORDER BY destination_id",
            r=run_id,
        )
        return [(row.destination_id, row.step or 0) for row in rows]

    def logged_models(self, experiment_id: str) -> list[LoggedModel]:
        if not self._has("logged_models"):
            return []
        models = []
        for row in self._rows(
            "SELECT * FROM logged_models WHERE experiment_id = :e ORDER BY model_id",
            e=int(experiment_id),
        ):
            model_id = row.model_id
            models.append(
                LoggedModel(
                    model_id=model_id,
                    experiment_id=experiment_id,
                    name=row.name,
                    artifact_location=row.artifact_location,
                    creation_timestamp_ms=row.creation_timestamp_ms,
                    last_updated_timestamp_ms=row.last_updated_timestamp_ms,
                    status=row.status,
                    lifecycle_stage=row.lifecycle_stage or "active",
                    model_type=row.model_type,
                    source_run_id=row.source_run_id,
                    status_message=row.status_message,
                    params={
                        p.param_key: p.param_value
                        for p in self._rows(
                            "SELECT param_key, param_value FROM logged_model_params "
                            "WHERE model_id = :m",
                            m=model_id,
                        )
                    },
                    tags={
                        t.tag_key: t.tag_value
                        for t in self._rows(
                            "SELECT tag_key, tag_value FROM logged_model_tags WHERE model_id = :m",
                            m=model_id,
                        )
                    },
                    metrics=[
                        ModelMetric(
                            m.metric_name,
                            math.nan if m.metric_value is None else m.metric_value,
                            m.metric_timestamp_ms,
                            m.metric_step,
                            m.run_id,
                            m.dataset_name,
                            m.dataset_digest,
                        )
                        for m in self._rows(
                            "SELECT * FROM logged_model_metrics WHERE model_id = :m", m=model_id
                        )
                    ],
                )
            )
        return models

    def registered_models(self) -> list[RegisteredModel]:
        if not self._has("registered_models"):
            return []
        models = []
        for row in self._rows("SELECT * FROM registered_models ORDER BY name"):
            name = row.name
            model = RegisteredModel(
                name=name,
                description=row.description,
                creation_timestamp=row.creation_time or 0,
                last_updated_timestamp=row.last_updated_time or row.creation_time or 0,
                tags={
                    t.key: t.value or ""
                    for t in self._rows(
                        "SELECT key, value FROM registered_model_tags WHERE name = :n", n=name
                    )
                },
                aliases={
                    a.alias: a.version
                    for a in self._rows(
                        "SELECT alias, version FROM registered_model_aliases WHERE name = :n",
                        n=name,
                    )
                },
            )
            version_tags: dict[int, dict[str, str]] = {}
            for tag in self._rows(
                "SELECT version, key, value FROM model_version_tags WHERE name = :n", n=name
            ):
                version_tags.setdefault(tag.version, {})[tag.key] = tag.value or ""
            rows = self._rows(
                "SELECT * FROM model_versions WHERE name = :n ORDER BY version", n=name
            )
            model.next_version = max((v.version for v in rows), default=0) + 1
            for v in rows:
                if v.current_stage == DELETED_STAGE:
                    continue
                model.versions.append(
                    ModelVersion(
                        version=v.version,
                        creation_timestamp=v.creation_time or 0,
                        last_updated_timestamp=v.last_updated_time or v.creation_time or 0,
                        user_id=v.user_id,
                        current_stage=v.current_stage or "None",
                        description=v.description,
                        source=v.source or "",
                        storage_location=v._mapping.get("storage_location"),
                        run_id=v.run_id,
                        run_link=v.run_link,
                        status=v.status or "READY",
                        status_message=v.status_message,
                        tags=version_tags.get(v.version, {}),
                    )
                )
            models.append(model)
        return models
