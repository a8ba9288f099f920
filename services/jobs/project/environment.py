"""Python environments for a project's command: the current interpreter (`local`, as
`mlflow run --env-manager local`), or a virtualenv per environment hash under the cache
directory, built once with `python -m venv` and pip and reused by every later run."""

import fcntl
import json
import os
import shutil
import site
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from services.jobs.project.environment_spec import EnvironmentSpec
from services.jobs.project.errors import ProjectError

ENV_MANAGERS = ("virtualenv", "local")
MARKER = "grimoire-env.json"
INHERITED_PTH = "_grimoire_inherited.pth"


@dataclass(frozen=True)
class Environment:
    """Where the command finds `python` and the console scripts of its dependencies."""

    bin_dir: Path
    reused: bool

    def process_env(self, base: dict[str, str]) -> dict[str, str]:
        env = {**base, "PATH": f"{self.bin_dir}{os.pathsep}{base.get('PATH', '')}"}
        if self.bin_dir != Path(sys.executable).parent:
            env["VIRTUAL_ENV"] = str(self.bin_dir.parent)
        return env


def cache_root() -> Path:
    """`$XDG_CACHE_HOME/grimoire/envs` (`~/.cache/grimoire/envs` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "grimoire" / "envs"


def prepare(
    spec: EnvironmentSpec | None,
    manager: str,
    *,
    system_site_packages: bool = False,
    root: Path | None = None,
    on_step: Callable[[str], None] = lambda _: None,
) -> Environment:
    if manager == "local":
        return Environment(Path(sys.executable).parent, reused=True)
    if manager != "virtualenv":
        raise ProjectError(f"unknown environment manager {manager!r} ({', '.join(ENV_MANAGERS)})")
    spec = spec or EnvironmentSpec("(none)", None, (), ())
    root = root or cache_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / spec.digest(system_site_packages=system_site_packages)
    with _locked(root / f"{target.name}.lock"):
        if (target / MARKER).is_file():
            return Environment(target / "bin", reused=True)
        # A build that died half-way left a folder without its marker: start it again.
        shutil.rmtree(target, ignore_errors=True)
        _build(spec, target, system_site_packages, root / f"{target.name}.log", on_step)
    return Environment(target / "bin", reused=False)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One build per environment at a time, across processes (two runs starting together)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _interpreter(version: str | None) -> str:
    running = "{}.{}".format(*sys.version_info[:2])
    wanted = ".".join((version or running).split(".")[:2])
    if wanted == running:
        return sys.executable
    found = shutil.which(f"python{wanted}")
    if found is None:
        raise ProjectError(
            f"the environment wants Python {version} and no python{wanted} is on PATH "
            f"(this is Python {running}); install it or change the python: line"
        )
    return found


def _build(
    spec: EnvironmentSpec,
    target: Path,
    system_site_packages: bool,
    log_path: Path,
    on_step: Callable[[str], None],
) -> None:
    python = _interpreter(spec.python)
    steps: list[tuple[str, list[str]]] = [
        (
            f"creating the virtualenv ({spec.source})",
            [
                python,
                "-m",
                "venv",
                *(["--system-site-packages"] * system_site_packages),
                str(target),
            ],
        )
    ]
    venv_python = str(target / "bin" / "python")
    pip = [venv_python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
    if spec.build_dependencies:
        steps.append(
            (
                f"installing {len(spec.build_dependencies)} build dependencies",
                [*pip, *spec.build_dependencies],
            )
        )
    if spec.dependencies:
        steps.append(
            (f"installing {len(spec.dependencies)} dependencies", [*pip, *spec.dependencies])
        )
    with log_path.open("w") as log:
        for number, (description, command) in enumerate(steps, start=1):
            on_step(f"[{number}/{len(steps)}] {description}")
            log.write(f"$ {' '.join(command)}\n")
            log.flush()
            result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT)
            if result.returncode != 0:
                log.close()
                tail = log_path.read_text(errors="replace")[-2000:]
                raise ProjectError(f"building the environment failed at {description}:\n{tail}")
            if number == 1 and system_site_packages and python == sys.executable:
                _inherit_running_packages(target)
    (target / MARKER).write_text(
        json.dumps(
            {"python": spec.python, "dependencies": list(spec.dependencies), "source": spec.source}
        )
    )


def _inherit_running_packages(target: Path) -> None:
    """`--system-site-packages` gives the base interpreter's packages; when Grimoire itself
    runs in a virtualenv, its packages are the ones meant, so a .pth file adds them (after the
    new environment's own, which therefore win)."""
    if sys.prefix == sys.base_prefix:
        return
    (own,) = (target / "lib").glob("python3.*/site-packages")
    (own / INHERITED_PTH).write_text("\n".join(site.getsitepackages()) + "\n")
