"""Models in the web UI, with data from the real mlflow client: an `MLmodel` file and an image
previewed in the artifacts browser, and a logged model's own page."""

import pytest
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def model_run(tracking_uri: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    import mlflow
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    features = pd.DataFrame({"age": [21.0, 35.0, 52.0, 64.0], "income": [1.0, 2.5, 3.0, 4.5]})
    model = LogisticRegression().fit(features, [0, 0, 1, 1])
    # The tutorials' `sklearn-model` folder: the model saved by the client, logged as artifacts
    # of the run (MLflow 3's log_model files it under the logged model instead).
    saved = tmp_path_factory.mktemp("saved") / "sklearn-model"
    mlflow.sklearn.save_model(
        model, str(saved), input_example=features.head(2), pip_requirements=[]
    )
    gradient = np.tile(np.linspace(0, 255, 64, dtype=np.uint8), (32, 1))
    experiment = mlflow.set_experiment("web-models")
    with mlflow.start_run(run_name="with-model") as run:
        mlflow.log_artifacts(str(saved), "sklearn-model")
        mlflow.log_image(np.stack([gradient] * 3, axis=-1), artifact_file="plots/gradient.png")
        logged = mlflow.sklearn.log_model(model, name="classifier", pip_requirements=[])
        mlflow.log_metric("accuracy", 0.75, model_id=logged.model_id)
    return {
        "experiment_id": experiment.experiment_id,
        "run_id": run.info.run_id,
        "model_id": logged.model_id,
    }


def artifacts_url(tracking_uri: str, run: dict[str, str], path: str) -> str:
    return (
        f"{tracking_uri}/#/experiments/{run['experiment_id']}/runs/{run['run_id']}/artifacts/{path}"
    )


def test_an_mlmodel_preview_shows_its_flavors_signature_and_input_example(
    browser,  # noqa: F811
    tracking_uri: str,
    model_run: dict[str, str],
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(artifacts_url(tracking_uri, model_run, "sklearn-model/MLmodel"))
    flavors = page.locator(".mlmodel details[open] > summary")
    expect(flavors).to_have_text(["python_function", "sklearn"])
    inputs = page.get_by_role("table", name="Signature inputs")
    expect(inputs).to_contain_text("age")
    expect(inputs).to_contain_text("income")
    expect(page.locator(".mlmodel > pre.preview-text")).to_contain_text("35")
    page.close()


def test_an_image_preview_shows_the_logged_image(
    browser,  # noqa: F811
    tracking_uri: str,
    model_run: dict[str, str],
) -> None:
    page = browser.new_page()
    page.goto(artifacts_url(tracking_uri, model_run, "plots/gradient.png"))
    image = page.get_by_role("img", name="plots/gradient.png")
    expect(image).to_be_visible()
    # Decoded, not a broken-image icon: the browser read the PNG's real size.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 64 && img.naturalHeight === 32",
        arg=image.element_handle(),
    )
    page.close()


def test_the_logged_model_page_shows_the_model_its_run_and_its_metrics(
    browser,  # noqa: F811
    tracking_uri: str,
    model_run: dict[str, str],
) -> None:
    page = browser.new_page()
    page.goto(
        f"{tracking_uri}/#/experiments/{model_run['experiment_id']}/models/{model_run['model_id']}"
    )
    expect(page.get_by_role("heading", name="classifier", exact=True)).to_be_visible()
    expect(page.get_by_text(model_run["model_id"], exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=model_run["run_id"])).to_have_attribute(
        "href", f"#/experiments/{model_run['experiment_id']}/runs/{model_run['run_id']}"
    )
    metrics = page.get_by_role("table", name="Model metrics")
    expect(metrics.locator("tbody td").first).to_have_text("accuracy")
    page.close()
