"""The model registry through the real mlflow client, and MLflow's error contract."""

import asyncio
import uuid

import httpx
import mlflow
import numpy as np
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.linear_model import LogisticRegression

API = "/api/2.0/mlflow"
X = np.array([[0.0], [1.0], [2.0], [3.0]])
Y = [0, 0, 1, 1]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_log_model_registers_versions_and_loads_by_number_stage_and_alias(
    mlflow_experiment: str,
) -> None:
    name = unique("spellbook")
    run_ids = []
    for c in (1.0, 2.0):
        with mlflow.start_run() as run:
            mlflow.sklearn.log_model(
                LogisticRegression(C=c).fit(X, Y),
                name="model",
                registered_model_name=name,
                pip_requirements=["scikit-learn"],
            )
        run_ids.append(run.info.run_id)
    client = MlflowClient()
    versions = sorted(client.search_model_versions(f"name = '{name}'"), key=lambda v: v.version)
    assert [v.version for v in versions] == ["1", "2"]
    assert [v.run_id for v in versions] == run_ids  # lineage: version -> run
    assert all(v.status == "READY" for v in versions)
    # The client drops model_id when parsing versions (its own TODO); the source names it.
    logged = client.get_logged_model(versions[0].source.removeprefix("models:/"))
    assert logged.source_run_id == run_ids[0]  # and logged model -> run

    client.transition_model_version_stage(name, "1", "Production")
    client.set_registered_model_alias(name, "champion", "2")
    for uri in (f"models:/{name}/1", f"models:/{name}/Production", f"models:/{name}@champion"):
        assert list(mlflow.pyfunc.load_model(uri).predict(X)) == Y
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    assert client.get_registered_model(name).aliases == {"champion": "2"}
    assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["1"]
    assert client.get_model_version_download_uri(name, "1") == logged.artifact_location


def test_registered_model_crud_and_search(tracking_uri: str) -> None:
    client = MlflowClient()
    prefix = unique("crud")
    client.create_registered_model(f"{prefix}-a", tags={"team": "vision"}, description="first")
    client.create_registered_model(f"{prefix}-b", tags={"team": "nlp"})
    client.create_registered_model(f"{prefix}-c")
    model = client.get_registered_model(f"{prefix}-a")
    assert model.description == "first" and model.tags == {"team": "vision"}

    client.update_registered_model(f"{prefix}-a", description="updated")
    client.rename_registered_model(f"{prefix}-c", f"{prefix}-z")
    client.set_registered_model_tag(f"{prefix}-b", "stage", "beta")
    client.delete_registered_model_tag(f"{prefix}-b", "team")
    assert client.get_registered_model(f"{prefix}-a").description == "updated"
    assert client.get_registered_model(f"{prefix}-b").tags == {"stage": "beta"}
    with pytest.raises(MlflowException) as missing:
        client.get_registered_model(f"{prefix}-c")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"

    names = [m.name for m in client.search_registered_models(f"name LIKE '{prefix}%'")]
    assert names == [f"{prefix}-a", f"{prefix}-b", f"{prefix}-z"]
    descending = client.search_registered_models(
        f"name ILIKE '{prefix.upper()}%'", order_by=["name DESC"]
    )
    assert [m.name for m in descending] == [f"{prefix}-z", f"{prefix}-b", f"{prefix}-a"]
    tagged = client.search_registered_models(f"tags.team = 'vision' and name LIKE '{prefix}%'")
    assert [m.name for m in tagged] == [f"{prefix}-a"]
    first = client.search_registered_models(f"name LIKE '{prefix}%'", max_results=2)
    second = client.search_registered_models(
        f"name LIKE '{prefix}%'", max_results=2, page_token=first.token
    )
    assert [m.name for m in first] + [m.name for m in second] == names
    assert not second.token

    client.delete_registered_model(f"{prefix}-a")
    assert [m.name for m in client.search_registered_models(f"name LIKE '{prefix}%'")] == [
        f"{prefix}-b",
        f"{prefix}-z",
    ]


def test_model_versions_sources_stages_tags_and_search(mlflow_experiment: str) -> None:
    client = MlflowClient()
    name = unique("versions")
    client.create_registered_model(name)
    with mlflow.start_run() as run:
        mlflow.log_text("weights", "model/weights.txt")
    run_uri = MlflowClient().get_run(run.info.run_id).info.artifact_uri
    from_run = client.create_model_version(
        name, f"runs:/{run.info.run_id}/model", run_id=run.info.run_id, tags={"kind": "run"}
    )
    # A proxied source must lie inside a run's (or logged model's) artifacts.
    from_store = client.create_model_version(name, f"{run_uri}/model")
    from_s3 = client.create_model_version(name, "s3://bucket/path/model", description="s3")
    assert [from_run.version, from_store.version, from_s3.version] == ["1", "2", "3"]
    assert client.get_model_version_download_uri(name, "1") == f"{run_uri}/model"
    assert client.get_model_version_download_uri(name, "2") == f"{run_uri}/model"
    assert client.get_model_version_download_uri(name, "3") == "s3://bucket/path/model"
    assert mlflow.artifacts.load_text(f"models:/{name}/1/weights.txt") == "weights"

    client.transition_model_version_stage(name, "1", "Staging")
    client.transition_model_version_stage(name, "2", "staging", archive_existing_versions=True)
    assert client.get_model_version(name, "1").current_stage == "Archived"
    assert client.get_model_version(name, "2").current_stage == "Staging"
    latest = {v.current_stage: v.version for v in client.get_latest_versions(name)}
    assert latest == {"Archived": "1", "Staging": "2", "None": "3"}

    client.update_model_version(name, "3", description="updated")
    client.set_model_version_tag(name, "3", "validated", "yes")
    client.delete_model_version_tag(name, "1", "kind")
    assert client.get_model_version(name, "3").description == "updated"
    assert client.get_model_version(name, "1").tags == {}
    found = client.search_model_versions(f"name = '{name}' and tags.validated = 'yes'")
    assert [v.version for v in found] == ["3"]
    by_run = client.search_model_versions(f"run_id = '{run.info.run_id}'")
    # Version 2's source lies in the run's artifacts, so the run is its lineage too.
    assert sorted((v.name, v.version) for v in by_run) == [(name, "1"), (name, "2")]
    by_source = client.search_model_versions("source_path = 's3://bucket/path/model'")
    assert [v.version for v in by_source if v.name == name] == ["3"]
    ordered = client.search_model_versions(f"name = '{name}'", order_by=["version_number ASC"])
    assert [v.version for v in ordered] == ["1", "2", "3"]

    client.delete_model_version(name, "3")
    client.create_model_version(name, "s3://bucket/again")  # numbers are never reused
    assert [v.version for v in client.search_model_versions(f"name = '{name}'")] == ["4", "2", "1"]


def test_concurrent_registrations_get_gapless_unique_versions(server, api: httpx.Client) -> None:
    name = unique("race")
    assert api.post(f"{API}/registered-models/create", json={"name": name}).status_code == 200

    async def register_twenty() -> list[str]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            responses = await asyncio.gather(
                *(
                    client.post(
                        f"{API}/model-versions/create",
                        json={"name": name, "source": f"s3://bucket/{i}"},
                    )
                    for i in range(20)
                )
            )
        assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
        return [r.json()["model_version"]["version"] for r in responses]

    versions = asyncio.run(register_twenty())
    assert sorted(int(v) for v in versions) == list(range(1, 21))


def error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error_code"]


def test_bad_input_gets_mlflow_errors_and_changes_nothing(api: httpx.Client) -> None:
    name = unique("bad")
    api.post(f"{API}/registered-models/create", json={"name": name})
    api.post(f"{API}/model-versions/create", json={"name": name, "source": "s3://b/m"})

    duplicate = api.post(f"{API}/registered-models/create", json={"name": name})
    assert error(duplicate) == (400, "RESOURCE_ALREADY_EXISTS")

    unknown_stage = api.post(
        f"{API}/model-versions/transition-stage",
        json={"name": name, "version": "1", "stage": "Prod", "archive_existing_versions": False},
    )
    assert error(unknown_stage) == (400, "INVALID_PARAMETER_VALUE")
    missing_version = api.get(f"{API}/model-versions/get", params={"name": name, "version": "7"})
    assert error(missing_version) == (404, "RESOURCE_DOES_NOT_EXIST")
    alias_on_missing = api.post(
        f"{API}/registered-models/alias", json={"name": name, "alias": "champion", "version": "7"}
    )
    assert error(alias_on_missing) == (404, "RESOURCE_DOES_NOT_EXIST")
    for alias in ("latest", "v3", "bad alias"):
        reserved = api.post(
            f"{API}/registered-models/alias", json={"name": name, "alias": alias, "version": "1"}
        )
        assert error(reserved) == (400, "INVALID_PARAMETER_VALUE"), alias
    missing_model = api.post(
        f"{API}/model-versions/create", json={"name": unique("nope"), "source": "s3://b/m"}
    )
    assert error(missing_model) == (404, "RESOURCE_DOES_NOT_EXIST")
    missing_run = api.post(
        f"{API}/model-versions/create",
        json={"name": name, "source": "s3://b/m", "run_id": uuid.uuid4().hex},
    )
    assert error(missing_run) == (404, "RESOURCE_DOES_NOT_EXIST")

    model = api.get(f"{API}/registered-models/get", params={"name": name}).json()
    assert model["registered_model"]["aliases"] == []
    version = api.get(f"{API}/model-versions/get", params={"name": name, "version": "1"}).json()
    assert version["model_version"]["current_stage"] == "None"
    # The failed registrations above consumed no version number.
    next_version = api.post(
        f"{API}/model-versions/create", json={"name": name, "source": "s3://b/n"}
    )
    assert next_version.json()["model_version"]["version"] == "2"
