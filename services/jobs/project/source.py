"""Where a run's code comes from: a local directory, or a git URI cloned for the run."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from services.jobs.project.errors import ProjectError
from services.jobs.project.git_source import (
    GitSource,
    clone,
    is_git_uri,
    local_commit,
    parse_git_uri,
    project_directory,
)


@dataclass(frozen=True)
class ResolvedSource:
    directory: Path
    name: str
    commit: str | None
    git: GitSource | None


@contextmanager
def resolve_source(target: str, version: str | None) -> Iterator[ResolvedSource]:
    """The project directory for `target`; a clone lives until the context ends."""
    if is_git_uri(target):
        git = parse_git_uri(target)
        with tempfile.TemporaryDirectory(prefix="grimoire-git-") as folder:
            commit = clone(git, Path(folder) / "checkout", version)
            yield ResolvedSource(
                project_directory(Path(folder) / "checkout", git), target, commit, git
            )
        return
    if version:
        raise ProjectError("--version picks a git commit or branch; it needs a git URI")
    directory = Path(target).expanduser().resolve()
    if not directory.is_dir():
        raise ProjectError(f"{target} is neither a directory nor a git URI")
    yield ResolvedSource(directory, str(directory), local_commit(directory), None)
