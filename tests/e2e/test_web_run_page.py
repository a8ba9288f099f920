"""The run page in a real browser, with data logged by the real mlflow client: the link the
client prints lands on it, its sections show what was logged, a description renders as safe
markdown, edits go through the public API, and the metric chart draws on its canvas."""

import contextlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from mlflow import MlflowClient
from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NOTE = (
    "Tuned **learning rate**.\n\n<script>window.pwned = true</script>\n\n"
    "| split | rows |\n|---|---|\n| train | 3 |"
)
LINK = re.compile(r"View run \S+ at: (\S+)")


@pytest.fixture(scope="module")
def logged_run(tracking_uri: str) -> dict[str, str]:
    """A parent run with params, a spiky loss, tags, a markdown note, a dataset and a child,
    logged by the real client; its printed link is what a user would click."""
    import mlflow

    experiment = mlflow.set_experiment("web-run-page")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        with mlflow.start_run(run_name="resnet-baseline") as run:
            mlflow.log_params({"lr": "0.01", "batch_size": "32", "optimizer": "adam"})
            for step in range(50):
                mlflow.log_metric("loss", 40.0 if step == 25 else 1.0 / (step + 1), step=step)
            mlflow.log_metric("accuracy", 0.91)
            mlflow.set_tag("team", "vision")
            mlflow.set_tag("mlflow.note.content", NOTE)
            frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]})
            dataset = mlflow.data.from_pandas(frame, source="s3://data/train.csv", name="train-set")
            mlflow.log_input(dataset, context="training")
            with mlflow.start_run(run_name="fold-1", nested=True):
                mlflow.log_metric("loss", 0.5)
    # The child ends first, so the parent's link is the last one printed.
    links = LINK.findall(printed.getvalue())
    assert len(links) == 2, printed.getvalue()
    return {"experiment_id": experiment.experiment_id, "run_id": run.info.run_id, "url": links[-1]}


def open_run(browser, logged_run: dict[str, str]) -> Page:  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(logged_run["url"])
    expect(page.get_by_role("heading", name="resnet-baseline")).to_be_visible()
    return page


def test_the_printed_run_link_lands_on_the_run_page_with_what_was_logged(
    browser,  # noqa: F811
    logged_run: dict[str, str],
) -> None:
    assert logged_run["url"].endswith(
        f"/#/experiments/{logged_run['experiment_id']}/runs/{logged_run['run_id']}"
    )
    page = open_run(browser, logged_run)
    expect(page.get_by_text("FINISHED").first).to_be_visible()
    params = page.get_by_role("table", name="Parameters")
    expect(params.get_by_role("row", name="lr 0.01")).to_be_visible()
    expect(params.get_by_role("row", name="optimizer adam")).to_be_visible()
    latest = page.get_by_role("table", name="Latest metrics")
    expect(latest.get_by_role("row", name="accuracy 0.91")).to_be_visible()
    expect(page.locator(".chip", has_text="team: vision")).to_be_visible()
    expect(page.get_by_text("train-set")).to_be_visible()
    expect(page.get_by_text("training", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="fold-1")).to_be_visible()

    description = page.locator(".markdown")
    expect(description.locator("strong")).to_have_text("learning rate")
    expect(description.locator("td", has_text="train")).to_be_visible()
    # The note's <script> is shown as text and never ran.
    expect(description).to_contain_text("<script>window.pwned = true</script>")
    assert page.evaluate("window.pwned") is None
    page.screenshot(path=str(SCREENSHOTS / "ui-run.png"), full_page=True)
    page.close()


def test_a_child_run_links_back_to_its_parent(browser, logged_run: dict[str, str]) -> None:  # noqa: F811
    page = open_run(browser, logged_run)
    page.get_by_role("link", name="fold-1").click()
    expect(page.get_by_role("heading", name="fold-1")).to_be_visible()
    page.get_by_role("link", name=logged_run["run_id"]).click()
    expect(page.get_by_role("heading", name="resnet-baseline")).to_be_visible()
    page.close()


def test_rename_edit_the_description_and_add_and_remove_a_tag_through_the_api(
    browser,  # noqa: F811
    tracking_uri: str,
) -> None:
    import mlflow

    mlflow.set_experiment("web-run-page-edits")
    with mlflow.start_run(run_name="before") as run:
        mlflow.set_tag("stale", "yes")
    client = MlflowClient()
    experiment_id = run.info.experiment_id
    page = browser.new_page()
    page.goto(f"{tracking_uri}/#/experiments/{experiment_id}/runs/{run.info.run_id}")
    expect(page.get_by_role("heading", name="before")).to_be_visible()

    page.get_by_role("button", name="Rename").click()
    page.get_by_label("Run name").fill("after")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="after")).to_be_visible()

    page.get_by_role("button", name="Edit description").click()
    page.get_by_label("Description (markdown)").fill("Now *with* notes")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".markdown em")).to_have_text("with")

    page.get_by_label("Tag key").fill("owner")
    page.get_by_label("Tag value").fill("ana")
    page.get_by_role("button", name="Add tag").click()
    expect(page.locator(".chip", has_text="owner: ana")).to_be_visible()
    page.get_by_role("button", name="Remove tag stale").click()
    expect(page.locator(".chip", has_text="stale")).to_have_count(0)

    stored = client.get_run(run.info.run_id)
    assert stored.info.run_name == "after"
    assert stored.data.tags["mlflow.note.content"] == "Now *with* notes"
    assert stored.data.tags["owner"] == "ana"
    assert "stale" not in stored.data.tags
    page.close()


# uPlot draws the first run in the palette's first colour (#2f6fde); counting pixels of that
# colour proves the line itself was drawn, not only the axes and grid.
DRAWN_SERIES_PIXELS = """([chart, enough]) => {
  const canvas = document.querySelector(`figure[aria-label="${chart}"] canvas`);
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a > 128 && r < 110 && g > 80 && g < 150 && b > 180) count += 1;
  }
  return count >= enough;
}"""


def test_the_metric_chart_draws_the_run_on_its_canvas_and_hover_shows_exact_values(
    browser,  # noqa: F811
    logged_run: dict[str, str],
) -> None:
    page = open_run(browser, logged_run)
    page.get_by_role("tab", name="Metric charts").click()
    chart = page.get_by_role("figure", name="Chart of loss")
    expect(chart.locator("canvas")).to_be_visible()
    page.wait_for_function(DRAWN_SERIES_PIXELS, arg=["Chart of loss", 100])

    box = chart.locator(".u-over").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # Mid-chart is step 24 or 25: either 1/25 exactly or the one-step spike of 40.
    expect(chart.locator(".u-legend .u-series").nth(1).locator(".u-value")).to_have_text(
        re.compile(r"^(0\.04|40)$")
    )
    page.get_by_label("Log scale").check()
    page.wait_for_function(DRAWN_SERIES_PIXELS, arg=["Chart of loss", 100])
    page.screenshot(path=str(SCREENSHOTS / "ui-run-charts.png"), full_page=True)
    page.close()
