"""Where a project's code comes from: the packed directory (what git would commit, bounded,
unpacked safely), git URIs with a subdirectory cloned by the real git, and `--timeout`."""

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from services.jobs.project.durations import parse_duration
from services.jobs.project.errors import ProjectError
from services.jobs.project.git_source import (
    GitSource,
    clone,
    local_commit,
    parse_git_uri,
    project_directory,
)
from services.jobs.project.packing import pack, project_files, unpack


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_packing_respects_gitignore_files_at_every_level(tmp_path: Path) -> None:
    project = tree(
        tmp_path / "p",
        {
            "MLproject": "name: x",
            "train.py": "",
            ".gitignore": "*.ckpt\ndata/\n!keep.ckpt\n",
            "keep.ckpt": "",
            "model.ckpt": "",
            "data/big.csv": "",
            "src/.gitignore": "generated.py\n",
            "src/generated.py": "",
            "src/model.py": "",
            "src/data/ignored-at-any-depth.csv": "",
            "src/deep/x.ckpt": "",
            ".git/HEAD": "ref: refs/heads/main",
        },
    )
    packed = [p.as_posix() for p in project_files(project)]
    (project / ".git" / "HEAD").unlink()
    _git(project, "init", "-q")
    # git itself is the reference for what a .gitignore means.
    assert sorted(packed) == sorted(_git(project, "ls-files", "-co", "--exclude-standard").split())
    assert packed == [
        ".gitignore",
        "MLproject",
        "keep.ckpt",
        "train.py",
        "src/.gitignore",
        "src/model.py",
    ]


def test_a_packed_project_unpacks_to_the_same_files(tmp_path: Path) -> None:
    project = tree(tmp_path / "p", {"MLproject": "name: x", "src/a.py": "print('a')"})
    archive = tmp_path / "project.tar.gz"
    archive.write_bytes(pack(project))
    unpack(archive, tmp_path / "out")
    assert (tmp_path / "out" / "src" / "a.py").read_text() == "print('a')"
    assert (tmp_path / "out" / "MLproject").read_text() == "name: x"


def test_a_project_over_the_size_bound_is_refused(tmp_path: Path) -> None:
    project = tree(tmp_path / "p", {"weights.bin": "x" * 2048})
    with pytest.raises(ProjectError, match="list large files in .gitignore"):
        pack(project, max_bytes=1024)


def test_a_link_leaving_the_project_is_refused(tmp_path: Path) -> None:
    project = tree(tmp_path / "p", {"MLproject": "name: x"})
    (tmp_path / "secret").write_text("s")
    (project / "link").symlink_to(tmp_path / "secret")
    with pytest.raises(ProjectError, match="link links outside the project"):
        pack(project)


def test_an_archive_escaping_its_folder_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    (tmp_path / "evil.tar.gz").write_bytes(buffer.getvalue())
    with pytest.raises(ProjectError, match="unsafe"):
        unpack(tmp_path / "evil.tar.gz", tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists()


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("https://github.com/org/repo", GitSource("https://github.com/org/repo", "")),
        (
            "https://github.com/org/repo#sub/dir",
            GitSource("https://github.com/org/repo", "sub/dir"),
        ),
        ("git+ssh://git@host/repo.git#x/", GitSource("ssh://git@host/repo.git", "x")),
    ],
)
def test_git_uris_name_a_repository_and_a_subdirectory(target: str, expected: GitSource) -> None:
    assert parse_git_uri(target) == expected


def test_a_subdirectory_leaving_the_repository_is_refused() -> None:
    with pytest.raises(ProjectError, match="must stay inside the repository"):
        parse_git_uri("https://github.com/org/repo#../../etc")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_a_git_project_is_cloned_at_the_asked_commit(tmp_path: Path) -> None:
    repository = tree(tmp_path / "repo", {"sub/MLproject": "name: first"})
    _git(repository, "init", "-q")
    _git(repository, "add", ".")
    _git(repository, "commit", "-qm", "first")
    first = _git(repository, "rev-parse", "HEAD")
    (repository / "sub" / "MLproject").write_text("name: second")
    _git(repository, "commit", "-qam", "second")
    source = parse_git_uri(f"file://{repository}#sub")

    assert clone(source, tmp_path / "latest") == _git(repository, "rev-parse", "HEAD")
    assert (project_directory(tmp_path / "latest", source) / "MLproject").read_text() == (
        "name: second"
    )
    assert clone(source, tmp_path / "old", first) == first
    assert (project_directory(tmp_path / "old", source) / "MLproject").read_text() == "name: first"
    assert local_commit(repository / "sub") == _git(repository, "rev-parse", "HEAD")
    assert local_commit(tmp_path) is None
    with pytest.raises(ProjectError, match="no directory 'nope'"):
        project_directory(tmp_path / "old", GitSource(source.uri, "nope"))
    with pytest.raises(ProjectError, match="git clone failed"):
        clone(parse_git_uri(f"file://{tmp_path}/missing"), tmp_path / "none")


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("30m", 1800), ("6h", 21600), ("1h30m", 5400)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "6 hours", "0s", "-1h", "h"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ProjectError):
        parse_duration(text)
