"""What a project's Python environment is: the interpreter version and the pip requirements,
read from `python_env.yaml`, or translated from a `conda.yaml` when its pip section says it
all (there is no conda here), with a hash that names its cached virtualenv."""

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.jobs.project.errors import ProjectError

DEFAULT_PYTHON_ENV = "python_env.yaml"
DEFAULT_CONDA_ENV = "conda.yaml"
# Conda packages that a virtualenv has anyway, so a conda.yaml listing them still translates.
CONDA_PROVIDED = {"python", "pip", "setuptools", "wheel"}


@dataclass(frozen=True)
class EnvironmentSpec:
    source: str
    python: str | None
    build_dependencies: tuple[str, ...]
    dependencies: tuple[str, ...]

    def digest(self, *, system_site_packages: bool) -> str:
        """Names the cached virtualenv: the same spec on the same interpreter reuses it."""
        document = {
            "python": self.python or "{}.{}".format(*sys.version_info[:2]),
            "build": list(self.build_dependencies),
            "dependencies": list(self.dependencies),
            "system_site_packages": system_site_packages,
            # Inherited packages are those of this interpreter: another one is another env.
            "inherits": sys.prefix if system_site_packages else None,
        }
        return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:20]


def load_environment(directory: Path, document: dict[str, Any]) -> EnvironmentSpec | None:
    if "python_env" in document:
        return read_python_env(_named_file(directory, document["python_env"], "python_env"))
    if "conda_env" in document:
        return read_conda_env(_named_file(directory, document["conda_env"], "conda_env"))
    if "docker_env" in document:
        return None
    if (directory / DEFAULT_PYTHON_ENV).is_file():
        return read_python_env(directory / DEFAULT_PYTHON_ENV)
    if (directory / DEFAULT_CONDA_ENV).is_file():
        return read_conda_env(directory / DEFAULT_CONDA_ENV)
    return None


def _named_file(directory: Path, name: Any, key: str) -> Path:
    if not isinstance(name, str):
        raise ProjectError(f"{key} must name a file of the project, e.g. {key}: env.yaml")
    path = (directory / name).resolve()
    if not path.is_relative_to(directory.resolve()):
        raise ProjectError(f"{key}: {name!r} is outside the project")
    if not path.is_file():
        raise ProjectError(f"{key}: the project has no file {name!r}")
    return path


def _yaml_mapping(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ProjectError(f"{path.name} is not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise ProjectError(f"{path.name} must be a mapping")
    return document


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectError(f"{path.name}: {key} must be a list of requirement strings")
    return tuple(value)


def read_python_env(path: Path) -> EnvironmentSpec:
    document = _yaml_mapping(path)
    python = document.get("python")
    if python is not None and not re.fullmatch(r"3\.\d+(\.\d+)?", str(python)):
        raise ProjectError(f"{path.name}: python must be a version such as 3.11, not {python!r}")
    return EnvironmentSpec(
        source=path.name,
        python=None if python is None else str(python),
        build_dependencies=_strings(path, "build_dependencies", document.get("build_dependencies")),
        dependencies=_strings(path, "dependencies", document.get("dependencies")),
    )


def read_conda_env(path: Path) -> EnvironmentSpec:
    """A conda environment as a pip install of its pip section; anything only conda could
    install (numpy from conda-forge, cudatoolkit, ...) is an error, since conda is absent."""
    document = _yaml_mapping(path)
    python: str | None = None
    pip: tuple[str, ...] = ()
    conda_only = []
    for item in document.get("dependencies") or []:
        if isinstance(item, dict) and set(item) == {"pip"}:
            pip += _strings(path, "pip", item["pip"])
            continue
        if not isinstance(item, str):
            raise ProjectError(f"{path.name}: cannot read the dependency {item!r}")
        name = re.split(r"[=<>!~ ]", item.strip(), maxsplit=1)[0]
        if name == "python":
            python = _conda_python(path, item)
        elif name not in CONDA_PROVIDED:
            conda_only.append(item)
    if conda_only:
        raise ProjectError(
            f"{path.name} needs conda packages ({', '.join(conda_only)}) and conda is not "
            "available: move them to its pip section or use a python_env.yaml"
        )
    return EnvironmentSpec(source=path.name, python=python, build_dependencies=(), dependencies=pip)


def _conda_python(path: Path, item: str) -> str | None:
    match = re.fullmatch(r"python\s*=?=?\s*(3\.\d+)(\.\d+)?(\.\*)?", item.strip())
    if item.strip() == "python":
        return None
    if not match:
        raise ProjectError(f"{path.name}: cannot read the python version in {item!r}")
    return match.group(1) + (match.group(2) or "")
