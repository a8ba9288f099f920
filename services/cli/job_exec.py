"""`grimoire job-exec`: what a jobs-service pod runs. It fetches the run's code, builds the
environment and runs the entry point with the run's environment inherited, so the user's
script logs into the run; its exit code is the Job's outcome (the reconciler ends the run)."""

import json
import os
import sys
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import click

from services.jobs.project import environment, tracking_run
from services.jobs.project.errors import ProjectError
from services.jobs.project.execute import Interrupted, run_command
from services.jobs.project.git_source import GitSource, clone, project_directory
from services.jobs.project.mlproject import load_project
from services.jobs.project.packing import unpack

REQUIRED_ENV = ("MLFLOW_TRACKING_URI", "MLFLOW_RUN_ID", "GRIMOIRE_JOB_SOURCE")
# Exit code for a job that never reached its command (bad source, project or environment).
SETUP_FAILED = 2


def say(message: str) -> None:
    """Plain lines: they end up in the pod's log, which is copied into the run."""
    click.echo(f"grimoire job-exec: {message}", err=True)


@click.command("job-exec")
@click.option(
    "--env-manager",
    type=click.Choice(environment.ENV_MANAGERS),
    envvar="GRIMOIRE_JOB_ENV_MANAGER",
    default="virtualenv",
    show_default=True,
)
@click.option(
    "--system-site-packages",
    is_flag=True,
    envvar="GRIMOIRE_JOB_SYSTEM_SITE_PACKAGES",
    help="Let the virtualenv see the image's packages.",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="GRIMOIRE_JOB_WORKDIR",
    help="Where the code is fetched. Default: a temporary folder.",
)
def job_exec(env_manager: str, system_site_packages: bool, workdir: Path | None) -> None:
    """Run the job described by GRIMOIRE_JOB_* in this pod (the jobs service's containers)."""
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
    if missing:
        raise click.UsageError(f"job-exec runs in a job's pod; {', '.join(missing)} not set")
    with tempfile.TemporaryDirectory(prefix="grimoire-job-") as scratch:
        folder = workdir or Path(scratch)
        try:
            directory = fetch_code(json.loads(os.environ["GRIMOIRE_JOB_SOURCE"]), folder)
            project = load_project(directory)
            entry_point = project.entry_point(os.environ.get("GRIMOIRE_JOB_ENTRY_POINT", "main"))
            parameters = _parameters(os.environ.get("GRIMOIRE_JOB_PARAMETERS") or "{}")
            command, _ = entry_point.command_for(parameters, directory)
            env = environment.prepare(
                project.environment,
                env_manager,
                system_site_packages=system_site_packages,
                on_step=say,
            )
        except (ProjectError, ValueError) as error:
            say(f"cannot start: {error}")
            _record_setup_error(str(error))
            sys.exit(SETUP_FAILED)
        say(f"environment {'reused' if env.reused else 'built'}: {env.bin_dir.parent}")
        say(f"running {command}")
        try:
            code = run_command(command, directory, env.process_env(dict(os.environ)))
        except Interrupted as interrupted:
            say(f"stopped by {interrupted}")
            code = 128 + interrupted.signal_number
    sys.exit(code)


def fetch_code(source: dict[str, Any], folder: Path) -> Path:
    """The project directory: the run's `code/` artifact unpacked, or a git checkout."""
    if source.get("type") == "artifact":
        path = str(source.get("path") or "")
        if not path.startswith("code/") or ".." in PurePosixPath(path).parts:
            raise ProjectError(f"the code artifact must be under code/, not {path!r}")
        say(f"downloading {path}")
        mlflow = tracking_run.client()
        archive = mlflow.download_artifacts(os.environ["MLFLOW_RUN_ID"], path, str(folder))
        unpack(Path(archive), folder / "project")
        return folder / "project"
    if source.get("type") == "git":
        git = GitSource(str(source.get("uri")), str(source.get("subdirectory") or ""))
        commit = str(source.get("commit") or "")
        say(f"cloning {git.uri} at {commit}")
        checked_out = clone(git, folder / "checkout", commit)
        if checked_out != commit:
            raise ProjectError(f"asked for commit {commit}, the checkout is at {checked_out}")
        return project_directory(folder / "checkout", git)
    raise ProjectError(f"unknown job source {source!r} (artifact or git)")


def _parameters(text: str) -> dict[str, str]:
    parameters = json.loads(text)
    if not isinstance(parameters, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in parameters.items()
    ):
        raise ProjectError("GRIMOIRE_JOB_PARAMETERS must be a JSON object of strings")
    return parameters


def _record_setup_error(message: str) -> None:
    """Say on the run why the job never started (best effort: the log has it too)."""
    try:
        tracking_run.client().set_tag(
            os.environ["MLFLOW_RUN_ID"], "grimoire.job.error", message[:5000]
        )
    except Exception as error:  # noqa: BLE001  (the exit code still reports the failure)
        say(f"could not tag the run: {error}")
