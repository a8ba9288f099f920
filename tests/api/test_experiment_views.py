"""Saved views of an experiment's runs table: list, save (upsert by name), delete."""

import httpx

V = "/api/2.0/grimoire/experiment-views"
STATE = "filter=params.model_name+%3D+%27rf%27&sort=metrics.loss&columns=metrics.loss&page=2"


def test_save_list_replace_and_delete(api: httpx.Client, mlflow_experiment: str) -> None:
    eid = mlflow_experiment
    assert api.get(f"{V}/list", params={"experiment_id": eid}).json() == {"views": []}
    for name, state in (("rf runs", STATE), ("all", ""), ("rf runs", STATE + "&x=1")):
        saved = api.post(f"{V}/save", json={"experiment_id": eid, "name": name, "state": state})
        assert saved.status_code == 200 and saved.json() == {}, saved.text
    views = api.get(f"{V}/list", params={"experiment_id": eid}).json()["views"]
    assert [(v["name"], v["state"], v["created_by"]) for v in views] == [
        ("all", "", ""),
        ("rf runs", STATE + "&x=1", ""),
    ]
    assert all(isinstance(v["updated_at"], int) for v in views)
    assert api.post(f"{V}/delete", json={"experiment_id": eid, "name": "all"}).status_code == 200
    again = api.post(f"{V}/delete", json={"experiment_id": eid, "name": "all"})
    assert again.status_code == 404 and again.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    names = [v["name"] for v in api.get(f"{V}/list", params={"experiment_id": eid}).json()["views"]]
    assert names == ["rf runs"]


def test_limits_and_unknown_experiments(api: httpx.Client, mlflow_experiment: str) -> None:
    eid = mlflow_experiment
    for body in (
        {"experiment_id": eid, "name": "", "state": ""},
        {"experiment_id": eid, "name": "n" * 257, "state": ""},
        {"experiment_id": eid, "name": "big", "state": "é" * 4097},
        {"experiment_id": eid, "name": "no state"},
        {"experiment_id": "x", "name": "n", "state": ""},
    ):
        response = api.post(f"{V}/save", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    at_limit = {"experiment_id": eid, "name": "n" * 256, "state": "s" * 8192}
    assert api.post(f"{V}/save", json=at_limit).status_code == 200
    for response in (
        api.get(f"{V}/list", params={"experiment_id": "987654321"}),
        api.post(f"{V}/save", json={"experiment_id": "987654321", "name": "n", "state": ""}),
    ):
        assert response.status_code == 404, response.text
