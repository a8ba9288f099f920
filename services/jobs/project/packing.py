"""The project directory as one `project.tar.gz` for the pod: what git would commit (the
`.gitignore` files are respected, `.git` is left out), bounded in size."""

import io
import os
import tarfile
from pathlib import Path

import pathspec

from services.jobs.project.errors import ProjectError

ARCHIVE_NAME = "project.tar.gz"
MAX_BYTES = 512 * 1024 * 1024


def project_files(directory: Path) -> list[Path]:
    """The files to ship, relative to `directory`, sorted; each `.gitignore` applies to its
    own folder and below, as git reads them."""
    selected: list[Path] = []
    specs: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
    for folder, subfolders, files in os.walk(directory):
        here = Path(folder).relative_to(directory)
        ignore_file = Path(folder) / ".gitignore"
        if ignore_file.is_file():
            specs.append(
                (here, pathspec.GitIgnoreSpec.from_lines(ignore_file.read_text().splitlines()))
            )

        def ignored(relative: Path, is_dir: bool) -> bool:
            for base, spec in specs:
                if base == Path(".") or base in relative.parents:
                    inner = relative.relative_to(base).as_posix() + ("/" if is_dir else "")
                    if spec.match_file(inner):
                        return True
            return False

        subfolders[:] = sorted(
            name for name in subfolders if name != ".git" and not ignored(here / name, True)
        )
        selected.extend(here / name for name in sorted(files) if not ignored(here / name, False))
    return selected


def pack(directory: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """A gzipped tar of the project's files (regular files and symlinks inside it)."""
    total = 0
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for relative in project_files(directory):
            path = directory / relative
            if path.is_symlink() and not path.resolve().is_relative_to(directory.resolve()):
                raise ProjectError(
                    f"{relative} links outside the project; the pod could not follow it"
                )
            total += path.lstat().st_size
            if total > max_bytes:
                raise ProjectError(
                    f"the project is over {max_bytes // 2**20} MiB; put data in artifacts or "
                    "a bucket and list large files in .gitignore"
                )
            archive.add(path, arcname=relative.as_posix(), recursive=False)
    return buffer.getvalue()


def unpack(archive: Path, destination: Path) -> None:
    """Safely: the `data` filter refuses absolute paths, `..`, devices and links leaving it."""
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, mode="r:gz") as tar:
        try:
            tar.extractall(destination, filter="data")
        except tarfile.FilterError as error:
            raise ProjectError(f"the project archive is unsafe: {error}") from None
