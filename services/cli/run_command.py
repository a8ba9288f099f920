"""`grimoire run`: an MLflow project's entry point as a tracked run, here (`--backend local`)
or as a Kubernetes Job through the jobs service (`--backend kubernetes`)."""

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from services.cli.console import console
from services.cli.jobs_api import JobsApi, follow
from services.jobs.project import environment, tracking_run
from services.jobs.project.durations import parse_duration
from services.jobs.project.errors import ProjectError
from services.jobs.project.execute import Interrupted, run_command
from services.jobs.project.mlproject import load_project
from services.jobs.project.packing import ARCHIVE_NAME, pack
from services.jobs.project.parameters import parse_assignments
from services.jobs.project.source import ResolvedSource, resolve_source

KUBERNETES_ONLY = ("gpus", "gpu_type", "queue", "cpu", "memory", "image", "detach")


@click.command("run")
@click.argument("uri")
@click.option("-e", "--entry-point", default="main", show_default=True)
@click.option("-v", "--version", help="Git branch, tag or commit (git URIs only).")
@click.option("-P", "--param", "params", multiple=True, help="A parameter, name=value.")
@click.option("--experiment-name", help="Created if missing. Default: MLFLOW_EXPERIMENT_NAME/ID.")
@click.option("--run-name")
@click.option("--backend", type=click.Choice(["local", "kubernetes"]), default="local")
@click.option(
    "--env-manager",
    type=click.Choice(environment.ENV_MANAGERS),
    default="virtualenv",
    show_default=True,
    help="local: skip building, run on this interpreter (local backend).",
)
@click.option(
    "--system-site-packages",
    is_flag=True,
    help="Let the virtualenv see this interpreter's packages (install only what is missing).",
)
@click.option("--gpus", type=click.IntRange(min=0), help="GPUs per job (kubernetes).")
@click.option("--gpu-type", help="A GPU type the queue allows, e.g. a100 (kubernetes).")
@click.option("--queue", help="The jobs service's queue (kubernetes). Default: its default.")
@click.option("--cpu", help="CPU request, e.g. 4 (kubernetes). Default: the queue's.")
@click.option("--memory", help="Memory request, e.g. 16Gi (kubernetes). Default: the queue's.")
@click.option("--image", help="Training image holding grimoire (kubernetes).")
@click.option("--timeout", default="6h", show_default=True, help="Deadline of the job.")
@click.option("--max-retries", type=click.IntRange(min=0), default=2, show_default=True)
@click.option("--detach", is_flag=True, help="Submit and return the run id (kubernetes).")
@click.option("--cancel-on-interrupt", is_flag=True, help="Ctrl-C cancels without asking.")
@click.option("--jobs-url", help="The jobs API's base URL. Default: MLFLOW_TRACKING_URI.")
def run(uri: str, **options: Any) -> None:
    """Run an MLflow project (a directory or git-uri[#subdir]) as a tracked run."""
    if options["backend"] == "local":
        given = [f"--{n.replace('_', '-')}" for n in KUBERNETES_ONLY if options[n]]
        if given:
            raise click.UsageError(f"{', '.join(given)} need --backend kubernetes")
    try:
        with resolve_source(uri, options["version"]) as source:
            if options["backend"] == "local":
                code = _run_local(source, options)
            else:
                code = _submit(source, options)
    except ProjectError as error:
        raise click.ClickException(str(error)) from None
    sys.exit(code)


def _prepare(source: ResolvedSource, options: dict[str, Any], base: Path) -> tuple[Any, ...]:
    project = load_project(source.directory)
    entry_point = project.entry_point(options["entry_point"])
    given = parse_assignments(options["params"])
    command, values = entry_point.command_for(given, base)
    return project, given, command, values


def _run_local(source: ResolvedSource, options: dict[str, Any]) -> int:
    project, _, command, values = _prepare(source, options, Path.cwd())
    if project.docker_image and options["env_manager"] != "local":
        raise ProjectError(
            "the project's environment is a docker_env: run it with --backend kubernetes, "
            "or here on this interpreter with --env-manager local"
        )
    mlflow = tracking_run.client()
    experiment = tracking_run.experiment_id(mlflow, options["experiment_name"])
    tags = tracking_run.project_tags(
        source.name, options["entry_point"], source.commit, "local", None
    )
    run_id = tracking_run.create_scheduled_run(
        mlflow, experiment, tags, values, options["run_name"]
    )
    console.print(f"run {run_id} in experiment {experiment}: {command}", soft_wrap=True)
    try:
        env = _build_environment(project, options)
    except ProjectError as error:
        mlflow.set_tag(run_id, "grimoire.job.error", str(error)[:5000])
        mlflow.set_terminated(run_id, "FAILED")
        raise
    except KeyboardInterrupt:
        mlflow.set_terminated(run_id, "KILLED")
        console.print(f"[yellow]interrupted while building the environment: run {run_id} KILLED[/]")
        return 130
    process_env = env.process_env(
        {**os.environ, **tracking_run.run_environment(run_id, experiment)}
    )
    mlflow.update_run(run_id, status="RUNNING")
    try:
        exit_code = run_command(command, source.directory, process_env)
    except Interrupted:
        status = tracking_run.end_unless_ended(mlflow, run_id, "KILLED")
        console.print(f"[yellow]interrupted: run {run_id} is {status}[/]")
        return 130
    if exit_code != 0:
        mlflow.set_tag(run_id, "grimoire.job.exit_code", str(exit_code))
    status = tracking_run.end_unless_ended(
        mlflow, run_id, "FINISHED" if exit_code == 0 else "FAILED"
    )
    colour = "green" if status == "FINISHED" else "red"
    console.print(f"[{colour}]run {run_id} {status}[/] (exit code {exit_code})")
    return exit_code


def _build_environment(project: Any, options: dict[str, Any]) -> environment.Environment:
    if options["env_manager"] == "local":
        return environment.prepare(project.environment, "local")
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("environment", total=None)
        env = environment.prepare(
            project.environment,
            options["env_manager"],
            system_site_packages=options["system_site_packages"],
            on_step=lambda step: progress.update(task, description=step),
        )
    console.print(
        f"environment {'reused' if env.reused else 'built'}: {env.bin_dir.parent}", soft_wrap=True
    )
    return env


def _submit(source: ResolvedSource, options: dict[str, Any]) -> int:
    # Values are checked here (a `path` against the project's files); the pod resolves them.
    project, given, _, values = _prepare(source, options, source.directory)
    timeout = parse_duration(options["timeout"])
    mlflow = tracking_run.client()
    experiment = tracking_run.experiment_id(mlflow, options["experiment_name"])
    tags = tracking_run.project_tags(
        source.name, options["entry_point"], source.commit, "kubernetes", options["queue"]
    )
    run_id = tracking_run.create_scheduled_run(
        mlflow, experiment, tags, values, options["run_name"]
    )
    api = JobsApi(options["jobs_url"])
    try:
        job = api.submit(
            {
                "run_id": run_id,
                "entry_point": options["entry_point"],
                "parameters": given,
                "source": _job_source(mlflow, run_id, source),
                "image": options["image"] or project.docker_image,
                "queue": options["queue"],
                "resources": {
                    "gpus": options["gpus"] or 0,
                    "gpu_type": options["gpu_type"],
                    "cpu": options["cpu"],
                    "memory": options["memory"],
                },
                "timeout_seconds": timeout,
                "max_retries": options["max_retries"],
            }
        )
    except (ProjectError, click.ClickException) as error:
        mlflow.set_tag(run_id, "grimoire.job.error", str(error)[:5000])
        mlflow.set_terminated(run_id, "FAILED")
        raise
    except KeyboardInterrupt:
        # Before the job exists nothing runs it, so the run would stay SCHEDULED forever.
        mlflow.set_terminated(run_id, "KILLED")
        console.print(f"[yellow]interrupted before the job was submitted: run {run_id} KILLED[/]")
        return 130
    if not options["queue"] and job.get("queue"):
        # The service chose its default queue: the run says which, as for an explicit one.
        mlflow.set_tag(run_id, "grimoire.job.queue", job["queue"])
    console.print(f"run {run_id}: job on queue {job['queue']} is {job['state']}")
    click.echo(run_id)
    if options["detach"]:
        return 0
    return follow(api, run_id, options["cancel_on_interrupt"])


def _job_source(mlflow: Any, run_id: str, source: ResolvedSource) -> dict[str, str]:
    """A git project is fetched by the pod at its commit; a directory is packed and logged
    as the run's `code/` artifact (through the artifact proxy) for the pod to download."""
    if source.git is not None and source.commit:
        return {
            "type": "git",
            "uri": source.git.uri,
            "commit": source.commit,
            "subdirectory": source.git.subdirectory,
        }
    with tempfile.TemporaryDirectory(prefix="grimoire-pack-") as folder:
        archive = Path(folder) / ARCHIVE_NAME
        with console.status("packing the project"):
            archive.write_bytes(pack(source.directory))
        size = archive.stat().st_size
        with console.status(f"uploading code/{ARCHIVE_NAME} ({size / 2**20:.1f} MiB)"):
            mlflow.log_artifact(run_id, str(archive), "code")
    return {"type": "artifact", "path": f"code/{ARCHIVE_NAME}"}
