"""A source read through MLflow's own client and stores: the `mlruns/` folder (MLflow's file
store parses its YAML and line files) and a running MLflow server (its REST API, paged). Both
give MLflow's entities; here they become the importer's dataclasses."""

import math
from typing import Any

from mlflow.entities import ViewType
from mlflow.tracking import MlflowClient

from services.importer.model import (
    ArtifactSource,
    DatasetInput,
    Experiment,
    LoggedModel,
    ModelMetric,
    ModelVersion,
    Point,
    RegisteredModel,
    Run,
)

PAGE = 1000
# MLflow's LoggedModelStatus names as Grimoire stores them (its proto numbers).
_LOGGED_MODEL_STATUS = {"PENDING": 1, "READY": 2, "FAILED": 3}


def _pages(fetch: Any) -> list[Any]:
    items: list[Any] = []
    token = None
    while True:
        page = fetch(token)
        items.extend(page)
        token = page.token
        if not token:
            return items


class ClientReader:
    def __init__(self, client: MlflowClient, name: str, artifacts: ArtifactSource):
        self.client = client
        self.name = name
        self.artifacts = artifacts

    def describe(self) -> str:
        return self.name

    def close(self) -> None:
        """Nothing held open: the client's sessions are per request."""

    def artifact_root(self, artifact_uri: str) -> str:
        """Where a run's artifacts are read from (the folder source relocates moved trees)."""
        return artifact_uri

    def next_version(self, name: str) -> int:
        """What the source would number the model's next version; 0: it cannot tell (the
        REST API hides deleted versions, so a deleted last number is not seen)."""
        return 0

    def experiments(self) -> list[Experiment]:
        found = _pages(
            lambda token: self.client.search_experiments(
                view_type=ViewType.ALL, max_results=PAGE, page_token=token
            )
        )
        return sorted(
            (
                Experiment(
                    experiment_id=e.experiment_id,
                    name=e.name,
                    artifact_location=e.artifact_location or "",
                    lifecycle_stage=e.lifecycle_stage,
                    creation_time=e.creation_time or 0,
                    last_update_time=e.last_update_time or e.creation_time or 0,
                    tags=dict(e.tags),
                )
                for e in found
            ),
            key=lambda e: int(e.experiment_id) if e.experiment_id.isdigit() else e.experiment_id,
        )

    def run_ids(self, experiment_id: str) -> list[str]:
        runs = _pages(
            lambda token: self.client.search_runs(
                [experiment_id], run_view_type=ViewType.ALL, max_results=PAGE, page_token=token
            )
        )
        return [r.info.run_id for r in sorted(runs, key=lambda r: r.info.start_time or 0)]

    def run(self, run_id: str) -> Run:
        found = self.client.get_run(run_id)
        info, data = found.info, found.data
        points = [
            Point(m.key, float(m.value), m.timestamp or 0, m.step or 0)
            for key in sorted(data.metrics)
            for m in self.client.get_metric_history(run_id, key)
        ]
        inputs = found.inputs
        outputs = getattr(found, "outputs", None)
        return Run(
            run_id=info.run_id,
            experiment_id=info.experiment_id,
            name=info.run_name or "",
            user_id=info.user_id or "",
            status=info.status,
            start_time=info.start_time or 0,
            end_time=info.end_time,
            lifecycle_stage=info.lifecycle_stage,
            artifact_uri=self.artifact_root(info.artifact_uri or ""),
            params=dict(data.params),
            tags=dict(data.tags),
            metrics=points,
            datasets=[
                DatasetInput(
                    d.dataset.name,
                    d.dataset.digest,
                    d.dataset.source_type,
                    d.dataset.source,
                    d.dataset.schema,
                    d.dataset.profile,
                    tuple(sorted((t.key, t.value) for t in d.tags)),
                )
                for d in (inputs.dataset_inputs if inputs else [])
            ],
            model_inputs=sorted(m.model_id for m in (getattr(inputs, "model_inputs", None) or [])),
            model_outputs=sorted(
                (m.model_id, m.step or 0) for m in (getattr(outputs, "model_outputs", None) or [])
            ),
        )

    def logged_models(self, experiment_id: str) -> list[LoggedModel]:
        found = _pages(
            lambda token: self.client.search_logged_models(
                experiment_ids=[experiment_id], max_results=100, page_token=token
            )
        )
        return sorted(
            (
                LoggedModel(
                    model_id=m.model_id,
                    experiment_id=experiment_id,
                    name=m.name,
                    artifact_location=self.artifact_root(m.artifact_location),
                    creation_timestamp_ms=m.creation_timestamp,
                    last_updated_timestamp_ms=m.last_updated_timestamp,
                    status=_LOGGED_MODEL_STATUS.get(str(m.status), 0),
                    lifecycle_stage="active",
                    model_type=m.model_type,
                    source_run_id=m.source_run_id,
                    status_message=m.status_message,
                    params=dict(m.params),
                    tags=dict(m.tags),
                    metrics=[
                        ModelMetric(
                            p.key,
                            math.nan if p.value is None else float(p.value),
                            p.timestamp,
                            p.step,
                            p.run_id,
                            p.dataset_name,
                            p.dataset_digest,
                        )
                        for p in (m.metrics or [])
                    ],
                )
                for m in found
            ),
            key=lambda m: m.model_id,
        )

    def registered_models(self) -> list[RegisteredModel]:
        found = _pages(
            lambda token: self.client.search_registered_models(max_results=PAGE, page_token=token)
        )
        models = []
        for m in sorted(found, key=lambda m: m.name):
            versions = _pages(
                lambda token, name=m.name: self.client.search_model_versions(
                    f"name = '{_quoted(name)}'", max_results=PAGE, page_token=token
                )
            )
            models.append(
                RegisteredModel(
                    name=m.name,
                    description=m.description,
                    creation_timestamp=m.creation_timestamp or 0,
                    last_updated_timestamp=m.last_updated_timestamp or m.creation_timestamp or 0,
                    tags=dict(m.tags),
                    aliases={alias: int(version) for alias, version in m.aliases.items()},
                    next_version=self.next_version(m.name),
                    versions=[
                        ModelVersion(
                            version=int(v.version),
                            creation_timestamp=v.creation_timestamp or 0,
                            last_updated_timestamp=v.last_updated_timestamp
                            or v.creation_timestamp
                            or 0,
                            user_id=v.user_id,
                            current_stage=v.current_stage or "None",
                            description=v.description,
                            source=v.source or "",
                            storage_location=None,
                            run_id=v.run_id or None,
                            run_link=v.run_link or None,
                            status=v.status or "READY",
                            status_message=v.status_message,
                            tags=dict(v.tags),
                        )
                        for v in sorted(versions, key=lambda v: int(v.version))
                    ],
                )
            )
        return models


def _quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace("'", "\\'")
