"""The MLproject format as `mlflow run` reads it: entry points, typed parameters, the
shell-quoted command, the environment keys and their default files, and clear errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from services.jobs.project import environment
from services.jobs.project.errors import ProjectError
from services.jobs.project.mlproject import load_project
from services.jobs.project.parameters import parse_assignments

TUTORIAL = Path(__file__).resolve().parents[2] / "examples" / "tutorial-project"


def project(tmp_path: Path, mlproject: str, name: str = "MLproject", **files: str) -> Path:
    (tmp_path / name).write_text(mlproject)
    for file_name, text in files.items():
        (tmp_path / file_name.replace("__", ".")).write_text(text)
    return tmp_path


def test_the_tutorial_project_reads_with_its_defaults() -> None:
    loaded = load_project(TUTORIAL)
    assert loaded.name == "tutorial"
    main = loaded.entry_point("main")
    assert {n: (p.type, p.default) for n, p in main.parameters.items()} == {
        "n_samples": ("int", "1000"),
        "noise": ("float", "0.1"),
        "model_name": ("str", "sklearn-model"),
    }
    command, values = main.command_for({"noise": "0.5"}, TUTORIAL)
    assert command == "python train.py --n-samples 1000 --noise 0.5 --model-name sklearn-model"
    assert values == {"n_samples": "1000", "noise": "0.5", "model_name": "sklearn-model"}
    assert loaded.environment is not None
    assert loaded.environment.python == "3.11"
    assert loaded.environment.dependencies == ("mlflow>=3", "scikit-learn")


def test_the_file_name_is_matched_case_insensitively(tmp_path: Path) -> None:
    loaded = load_project(
        project(tmp_path, "name: x\nentry_points: {main: 'echo hi'}", "mlProject")
    )
    assert loaded.entry_point("main").command == "echo hi"


def test_values_are_shell_quoted_and_extras_appended(tmp_path: Path) -> None:
    echo_arguments = "python -c 'import json, sys; print(json.dumps(sys.argv[1:]))' {text}"
    loaded = load_project(
        project(
            tmp_path,
            "entry_points:\n  main:\n    parameters: {text: string}\n"
            f"    command: {json.dumps(echo_arguments)}\n",
        )
    )
    hostile = "a b'; touch pwned #"
    command, values = loaded.entry_point("main").command_for(
        {"text": hostile, "extra key": "x y", "lr": "0.1"}, tmp_path
    )
    # What the shell really passes to the program, not what the string looks like.
    output = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(output) == [hostile, "--extra key", "x y", "--lr", "0.1"]
    assert not (tmp_path / "pwned").exists()
    assert values == {"text": hostile, "extra key": "x y", "lr": "0.1"}


def test_path_parameters_are_resolved_and_uri_parameters_kept(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a\n")
    loaded = load_project(
        project(
            tmp_path,
            "entry_points:\n  main:\n    parameters: {data: path, model: uri}\n"
            "    command: 'train {data} {model}'\n",
        )
    )
    command, _ = loaded.entry_point("main").command_for(
        {"data": "data.csv", "model": "s3://bucket/m"}, tmp_path
    )
    assert command == f"train {tmp_path / 'data.csv'} s3://bucket/m"
    with pytest.raises(ProjectError, match="'data' is a path; 'missing.csv' does not exist"):
        loaded.entry_point("main").command_for(
            {"data": "missing.csv", "model": "s3://b/m"}, tmp_path
        )
    with pytest.raises(ProjectError, match="'model' is a uri; 'plain' has no scheme"):
        loaded.entry_point("main").command_for({"data": "data.csv", "model": "plain"}, tmp_path)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "no value given for parameter\\(s\\) 'alpha'"),
        ({"alpha": "lots"}, "'alpha' is a float; 'lots' is not a number"),
        ({"alpha": "nan"}, "NaN is not accepted"),
        ({"alpha": "0.4", "epochs": "2.5"}, "'epochs' is an int; '2.5' is not a whole number"),
    ],
)
def test_wrong_parameters_say_what_is_wrong(
    tmp_path: Path, given: dict[str, str], message: str
) -> None:
    loaded = load_project(
        project(
            tmp_path,
            "entry_points:\n  main:\n    parameters:\n      alpha: float\n"
            "      epochs: {type: int, default: 3}\n    command: 'train {alpha} {epochs}'\n",
        )
    )
    with pytest.raises(ProjectError, match=message):
        loaded.entry_point("main").command_for(given, tmp_path)


def test_an_unknown_entry_point_lists_the_declared_ones(tmp_path: Path) -> None:
    loaded = load_project(project(tmp_path, "entry_points: {main: 'a', eval: 'b'}"))
    with pytest.raises(ProjectError, match="unknown entry point 'train' .*declares: eval, main"):
        loaded.entry_point("train")


def test_an_undeclared_script_of_the_project_runs_as_mlflow_allows(tmp_path: Path) -> None:
    loaded = load_project(project(tmp_path, "name: x", **{"my train__py": "print(1)"}))
    assert loaded.entry_point("my train.py").command == "python 'my train.py'"
    with pytest.raises(ProjectError, match="unknown entry point 'other.py'"):
        loaded.entry_point("other.py")


@pytest.mark.parametrize(
    ("mlproject", "message"),
    [
        ("python_env: a.yaml\nconda_env: b.yaml", "python_env and conda_env; give at most one"),
        ("docker_env: {image: x}\npython_env: a.yaml", "python_env and docker_env"),
        ("entry_points:\n  main: {parameters: {a: float}}", "entry point 'main' needs a command"),
        ("entry_points:\n  main: {command: x, paramters: {}}", "unknown keys \\['paramters'\\]"),
        ("entry_points:\n  main: {command: x, parameters: {a: decimal}}", "unknown type 'decimal'"),
        ("entry_points:\n  main: {command: 'x {b}', parameters: {a: str}}", "uses {b}"),
        ("python_env: missing.yaml", "the project has no file 'missing.yaml'"),
        ("python_env: ../outside.yaml", "outside the project"),
        ("docker_env: {}", "docker_env needs an image"),
        ("entry_points: [", "not valid YAML"),
        ("- a list", "must be a mapping"),
    ],
)
def test_a_wrong_mlproject_says_what_is_wrong(tmp_path: Path, mlproject: str, message: str) -> None:
    (tmp_path / "outside.yaml").write_text("python: '3.11'")
    folder = tmp_path / "p"
    folder.mkdir()
    with pytest.raises(ProjectError, match=message):
        project_ = load_project(project(folder, mlproject))
        project_.entry_point("main").command_for({"a": "1"}, folder)


def test_python_env_yaml_is_found_by_default(tmp_path: Path) -> None:
    env = "python: '3.11'\nbuild_dependencies: [pip]\ndependencies: [six==1.17.0]\n"
    loaded = load_project(project(tmp_path, "name: x", python_env__yaml=env))
    assert loaded.environment is not None
    assert (loaded.environment.source, loaded.environment.dependencies) == (
        "python_env.yaml",
        ("six==1.17.0",),
    )
    assert loaded.environment.build_dependencies == ("pip",)


def test_conda_yaml_is_found_by_default_and_translated_to_its_pip_section(tmp_path: Path) -> None:
    conda = (
        "name: x\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n"
        "  - pip:\n    - mlflow>=3\n    - scikit-learn\n"
    )
    loaded = load_project(project(tmp_path, "name: x", conda__yaml=conda))
    assert loaded.environment is not None
    assert loaded.environment.python == "3.11"
    assert loaded.environment.dependencies == ("mlflow>=3", "scikit-learn")


def test_a_conda_environment_needing_conda_is_a_clear_error(tmp_path: Path) -> None:
    conda = "dependencies:\n  - python=3.11\n  - cudatoolkit=11.8\n  - pip:\n    - torch\n"
    with pytest.raises(
        ProjectError, match="needs conda packages \\(cudatoolkit=11.8\\) and conda is not available"
    ):
        load_project(project(tmp_path, "conda_env: conda.yaml", conda__yaml=conda))


def test_no_mlproject_means_no_declared_entry_points(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("print(1)")
    loaded = load_project(tmp_path)
    assert (loaded.name, loaded.entry_points, loaded.environment) == (None, {}, None)
    assert loaded.entry_point("train.py").command == "python train.py"


def test_the_environment_hash_changes_with_what_is_installed(tmp_path: Path) -> None:
    one = load_project(project(tmp_path, "name: x", python_env__yaml="dependencies: [six]"))
    assert one.environment is not None
    (tmp_path / "python_env.yaml").write_text("dependencies: [six==1.17.0]")
    two = load_project(tmp_path)
    assert two.environment is not None
    digest = one.environment.digest(system_site_packages=False)
    assert digest == one.environment.digest(system_site_packages=False)
    assert digest != two.environment.digest(system_site_packages=False)
    assert digest != one.environment.digest(system_site_packages=True)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [(["a=1", "b=x=y", "c="], {"a": "1", "b": "x=y", "c": ""})],
)
def test_assignments_keep_equals_signs_in_values(pairs: list[str], expected: dict) -> None:
    assert parse_assignments(pairs) == expected


@pytest.mark.parametrize(
    ("pairs", "message"), [(["a"], "use name=value"), (["a=1", "a=2"], "twice")]
)
def test_bad_assignments_are_refused(pairs: list[str], message: str) -> None:
    with pytest.raises(ProjectError, match=message):
        parse_assignments(pairs)


def test_an_environment_for_a_python_not_on_path_is_a_clear_error(tmp_path: Path) -> None:
    loaded = load_project(project(tmp_path, "name: x", python_env__yaml="python: '3.99'"))
    with pytest.raises(ProjectError, match="wants Python 3.99 and no python3.99 is on PATH"):
        environment.prepare(loaded.environment, "virtualenv", root=tmp_path / "envs")
    assert not list((tmp_path / "envs").glob("*/bin"))


def test_the_local_environment_manager_is_this_interpreter(tmp_path: Path) -> None:
    loaded = load_project(project(tmp_path, "name: x", python_env__yaml="dependencies: [six]"))
    env = environment.prepare(loaded.environment, "local", root=tmp_path / "envs")
    assert env.bin_dir == Path(sys.executable).parent
    assert env.process_env({"PATH": "/usr/bin"})["PATH"] == f"{env.bin_dir}:/usr/bin"
    assert not (tmp_path / "envs").exists()
