"""Comparing runs in a real browser: three runs logged by the real mlflow client, opened by
MLflow's compare link; rows whose params differ are marked, the others not, and the
parallel coordinates and scatter draw one mark per run."""

import json
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_three_runs_compare_with_differing_params_highlighted(
    browser,  # noqa: F811
    tracking_uri: str,
) -> None:
    import mlflow

    experiment = mlflow.set_experiment("web-compare")
    run_ids = []
    for lr, optimizer in (("0.1", "sgd"), ("0.01", "adam"), ("0.001", "adam")):
        with mlflow.start_run(run_name=f"lr-{lr}") as run:
            mlflow.log_params({"lr": lr, "batch_size": "64", "optimizer": optimizer})
            for step in range(20):
                mlflow.log_metric("loss", float(lr) * 10 / (step + 1), step=step)
            run_ids.append(run.info.run_id)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    # MLflow's link shape, experiments= included.
    runs = quote(json.dumps(run_ids))
    experiments = quote(json.dumps([experiment.experiment_id]))
    page.goto(f"{tracking_uri}/#/compare-runs?runs={runs}&experiments={experiments}")
    expect(page.get_by_role("heading", name="Comparing 3 runs")).to_be_visible()

    params = page.get_by_role("table", name="Parameters")
    expect(params.locator("tr[data-key=lr]")).to_have_class("differs")
    expect(params.locator("tr[data-key=optimizer]")).to_have_class("differs")
    expect(params.locator("tr[data-key=batch_size]")).not_to_have_class("differs")
    expect(params.locator("tr[data-key=lr] td")).to_have_text(["0.1", "0.01", "0.001"])

    page.get_by_label("Show only rows that differ").check()
    expect(params.locator("tr[data-key=batch_size]")).to_have_count(0)
    expect(params.locator("tr[data-key=lr]")).to_be_visible()

    expect(page.get_by_role("figure", name="Chart of loss").locator("canvas")).to_be_visible()
    coordinates = page.get_by_role("img", name="Parallel coordinates of the compared runs")
    expect(coordinates.locator("path")).to_have_count(3)
    axes = page.get_by_label("Axis order")
    move_left = axes.locator(".chip").first.get_by_role("button").first.get_attribute("aria-label")
    axes.locator(".chip").first.get_by_role("button", name="right").click()
    expect(axes.locator(".chip").nth(1).get_by_role("button", name=move_left)).to_be_visible()
    expect(page.locator("svg.scatter circle")).to_have_count(3)
    page.screenshot(path=str(SCREENSHOTS / "ui-compare.png"), full_page=True)
    page.close()
