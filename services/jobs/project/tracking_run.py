"""The run that is the job, through the mlflow client (MLFLOW_TRACKING_URI and
MLFLOW_TRACKING_TOKEN as usual): created SCHEDULED with the project's tags and parameters,
RUNNING when the command starts, ended by the outcome unless the script ended it itself."""

import os
from typing import TYPE_CHECKING

from services.jobs.project.errors import ProjectError

if TYPE_CHECKING:
    from mlflow import MlflowClient

ACTIVE = ("RUNNING", "SCHEDULED")


def client() -> "MlflowClient":
    try:
        from mlflow import MlflowClient
    except ImportError:
        raise ProjectError(
            "grimoire run needs the mlflow client: pip install 'grimoire[run]'"
        ) from None
    return MlflowClient()


def experiment_id(mlflow: "MlflowClient", name: str | None) -> str:
    """The named experiment (created when missing), else MLFLOW_EXPERIMENT_ID or
    MLFLOW_EXPERIMENT_NAME as the mlflow client reads them, else Default ("0")."""
    name = name or os.environ.get("MLFLOW_EXPERIMENT_NAME")
    if name:
        experiment = mlflow.get_experiment_by_name(name)
        return experiment.experiment_id if experiment else mlflow.create_experiment(name)
    return os.environ.get("MLFLOW_EXPERIMENT_ID") or "0"


def create_scheduled_run(
    mlflow: "MlflowClient",
    experiment: str,
    tags: dict[str, str],
    parameters: dict[str, str],
    run_name: str | None,
) -> str:
    from mlflow.entities import Param

    run = mlflow.create_run(experiment, tags=tags, run_name=run_name)
    run_id = run.info.run_id
    mlflow.update_run(run_id, status="SCHEDULED")
    if parameters:
        mlflow.log_batch(run_id, params=[Param(k, v) for k, v in parameters.items()])
    return run_id


def end_unless_ended(mlflow: "MlflowClient", run_id: str, status: str) -> str:
    """End the run with `status` if the script left it open; the status it has now."""
    current = mlflow.get_run(run_id).info.status
    if current in ACTIVE:
        mlflow.set_terminated(run_id, status)
        return status
    return current


def run_environment(run_id: str, experiment: str) -> dict[str, str]:
    """What the user's unchanged script needs to log into this run."""
    import mlflow

    return {
        "MLFLOW_TRACKING_URI": mlflow.get_tracking_uri(),
        "MLFLOW_RUN_ID": run_id,
        "MLFLOW_EXPERIMENT_ID": experiment,
    }


def project_tags(
    source_name: str,
    entry_point: str,
    commit: str | None,
    backend: str,
    queue: str | None,
) -> dict[str, str]:
    """MLflow's project tags (its UI shows them) and Grimoire's job tags."""
    tags = {
        "mlflow.source.name": source_name,
        "mlflow.source.type": "PROJECT",
        "mlflow.project.entryPoint": entry_point,
        "mlflow.project.backend": backend,
        "grimoire.job.backend": backend,
    }
    if commit:
        tags["mlflow.source.git.commit"] = commit
    if queue:
        tags["grimoire.job.queue"] = queue
    return tags
