"""Reading a project directory as `mlflow run` does: the `MLproject` file (its name matched
case-insensitively), its entry points and at most one environment key, with the default
`python_env.yaml` / `conda.yaml` when it names none."""

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from services.jobs.project.environment_spec import EnvironmentSpec, load_environment
from services.jobs.project.errors import ProjectError
from services.jobs.project.parameters import Parameter, render_command

ENVIRONMENT_KEYS = ("python_env", "conda_env", "docker_env")
# Scripts that run without being declared, as `mlflow run -e train.py` allows.
SCRIPT_RUNNERS = {".py": "python", ".sh": "bash"}


@dataclass(frozen=True)
class EntryPoint:
    name: str
    command: str
    parameters: dict[str, Parameter] = field(default_factory=dict)

    def command_for(self, given: dict[str, str], base: Path) -> tuple[str, dict[str, str]]:
        """The shell command for these `-P` values, and every parameter's value used."""
        return render_command(self.command, self.parameters, given, base)


@dataclass(frozen=True)
class Project:
    directory: Path
    name: str | None
    entry_points: dict[str, EntryPoint]
    environment: EnvironmentSpec | None
    docker_image: str | None

    def entry_point(self, name: str) -> EntryPoint:
        if name in self.entry_points:
            return self.entry_points[name]
        runner = SCRIPT_RUNNERS.get(os.path.splitext(name)[1])
        if runner and (self.directory / name).is_file():
            return EntryPoint(name, f"{runner} {shlex.quote(name)}")
        known = ", ".join(sorted(self.entry_points)) or "none"
        raise ProjectError(
            f"unknown entry point {name!r} (the MLproject declares: {known}; a .py or .sh "
            "file of the project runs too)"
        )


def find_mlproject(directory: Path) -> Path | None:
    for child in sorted(directory.iterdir()):
        if child.name.lower() == "mlproject" and child.is_file():
            return child
    return None


def load_project(directory: Path) -> Project:
    if not directory.is_dir():
        raise ProjectError(f"{directory} is not a directory")
    path = find_mlproject(directory)
    document: Any = {}
    if path is not None:
        try:
            document = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as error:
            raise ProjectError(f"{path.name} is not valid YAML: {error}") from None
        if not isinstance(document, dict):
            raise ProjectError(f"{path.name} must be a mapping (name, entry_points, ...)")
    environment_keys = [key for key in ENVIRONMENT_KEYS if key in document]
    if len(environment_keys) > 1:
        raise ProjectError(
            f"the MLproject gives {' and '.join(environment_keys)}; give at most one environment"
        )
    docker_image = None
    if "docker_env" in document:
        docker = document["docker_env"]
        if not isinstance(docker, dict) or not isinstance(docker.get("image"), str):
            raise ProjectError("docker_env needs an image: docker_env: {image: registry/img:tag}")
        docker_image = docker["image"]
    return Project(
        directory=directory,
        name=document.get("name"),
        entry_points=_entry_points(document.get("entry_points") or {}),
        environment=load_environment(directory, document),
        docker_image=docker_image,
    )


def _entry_points(document: Any) -> dict[str, EntryPoint]:
    if not isinstance(document, dict):
        raise ProjectError("entry_points must map names to {command, parameters}")
    entry_points = {}
    for name, spec in document.items():
        if isinstance(spec, str):
            spec = {"command": spec}
        if not isinstance(spec, dict) or not isinstance(spec.get("command"), str):
            raise ProjectError(f"entry point {name!r} needs a command")
        unknown = set(spec) - {"command", "parameters"}
        if unknown:
            raise ProjectError(f"entry point {name!r}: unknown keys {sorted(unknown)}")
        parameters = spec.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise ProjectError(f"entry point {name!r}: parameters must be a mapping")
        entry_points[str(name)] = EntryPoint(
            str(name),
            spec["command"],
            {str(p): Parameter.from_yaml(str(name), str(p), s) for p, s in parameters.items()},
        )
    return entry_points
