"""Git projects: `<uri>[#subdirectory]`, cloned with the git command, at a resolved commit."""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from services.jobs.project.errors import ProjectError

GIT_PREFIXES = ("https://", "http://", "ssh://", "git@", "git://", "file://", "git+")
COMMIT = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class GitSource:
    uri: str
    subdirectory: str


def is_git_uri(target: str) -> bool:
    return target.startswith(GIT_PREFIXES)


def parse_git_uri(target: str) -> GitSource:
    """`https://github.com/org/repo#sub/dir` (MLflow's form); `git+https://` is accepted."""
    uri, _, subdirectory = target.partition("#")
    uri = uri.removeprefix("git+")
    sub = Path(subdirectory.strip("/")) if subdirectory else Path()
    if sub.is_absolute() or ".." in sub.parts:
        raise ProjectError(f"the subdirectory {subdirectory!r} must stay inside the repository")
    return GitSource(uri, sub.as_posix() if subdirectory else "")


def _git(args: list[str], cwd: Path | None = None) -> str:
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise ProjectError("git is not installed; it is needed for git projects") from None
    if result.returncode != 0:
        raise ProjectError(f"git {args[0]} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def clone(source: GitSource, destination: Path, version: str | None = None) -> str:
    """Clone into `destination` and check out `version` (a branch, tag or commit; the default
    branch if none); returns the commit checked out."""
    _git(["clone", "--quiet", "--no-checkout", source.uri, str(destination)])
    _git(["checkout", "--quiet", "--force", "--detach", version or "HEAD"], cwd=destination)
    return _git(["rev-parse", "HEAD"], cwd=destination)


def project_directory(checkout: Path, source: GitSource) -> Path:
    directory = checkout / source.subdirectory if source.subdirectory else checkout
    if not directory.is_dir():
        raise ProjectError(f"the repository has no directory {source.subdirectory!r}")
    return directory


def local_commit(directory: Path) -> str | None:
    """The commit of a local project that lives in a git work tree, else None."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True
        )
    except FileNotFoundError:
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and COMMIT.fullmatch(commit) else None
