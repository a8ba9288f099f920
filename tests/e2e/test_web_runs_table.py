"""The runs table, on runs the real mlflow client logged: the link the client prints lands
on it, a filter narrows it (a bad one shows the server's message), headers sort it, and the
view in the URL reproduces it."""

import re
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.servers import RunningServer

# The pages as users see them, shown in docs/ui.md (looked at after each change).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
RUNS = {"forest": ("rf", [0.9, 0.3, 0.5]), "vector": ("svm", [0.8, 0.6]), "tree": ("rf", [0.7])}


@pytest.fixture(scope="module")
def logged(server: RunningServer) -> dict:
    """An experiment of three runs (one with a nested child) logged by the mlflow client, and
    the experiment link the client printed."""
    import contextlib
    import io
    import os
    import uuid

    import mlflow

    os.environ["MLFLOW_TRACKING_URI"] = server.url
    mlflow.set_tracking_uri(server.url)
    experiment = mlflow.set_experiment(f"runs-table-{uuid.uuid4().hex[:8]}")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for name, (model, losses) in RUNS.items():
            with mlflow.start_run(run_name=name):
                mlflow.log_param("model_name", model)
                for step, loss in enumerate(losses):
                    mlflow.log_metric("loss", loss, step=step)
                if name == "forest":
                    with mlflow.start_run(run_name="forest-fold-1", nested=True):
                        mlflow.log_param("model_name", "rf-fold")
    links = re.findall(r"View experiment at: (\S+)", printed.getvalue())
    assert links, printed.getvalue()
    return {"id": experiment.experiment_id, "name": experiment.name, "link": links[-1]}


def run_names(page: Page) -> list[str]:
    return page.locator("table[aria-label=Runs] tbody a.run-name").all_inner_texts()


def test_the_printed_experiment_link_lands_on_its_runs_table(
    browser,  # noqa: F811
    logged: dict,
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(logged["link"])
    expect(page.get_by_role("heading", name=logged["name"])).to_be_visible()
    expect(page.locator("table[aria-label=Runs] tbody tr")).to_have_count(3)
    # Newest first; the nested run is folded under its parent until expanded.
    assert run_names(page) == ["tree", "vector", "forest"]
    page.get_by_role("button", name="Expand 1 child runs of forest").click()
    assert run_names(page) == ["tree", "vector", "forest", "forest-fold-1"]
    page.screenshot(path=str(SCREENSHOTS / "ui-runs-table.png"), full_page=True)
    page.close()


def test_a_filter_narrows_and_a_bad_filter_shows_the_servers_message(
    browser,  # noqa: F811
    logged: dict,
    api: httpx.Client,
) -> None:
    page = browser.new_page()
    page.goto(logged["link"])
    expect(page.locator("table[aria-label=Runs] tbody tr")).to_have_count(3)
    box = page.get_by_label("Filter runs")
    box.fill("params.model_name = 'rf'")
    box.press("Enter")
    expect(page.locator("table[aria-label=Runs] tbody tr")).to_have_count(2)
    assert sorted(run_names(page)) == ["forest", "tree"]
    assert "filter=params.model_name" in page.url

    bad = "metrics.loss <<< 1"
    expected = api.post(
        "/api/2.0/mlflow/runs/search", json={"experiment_ids": [logged["id"]], "filter": bad}
    )
    assert expected.status_code == 400
    box.fill(bad)
    box.press("Enter")
    expect(page.locator("#filter-error")).to_have_text(expected.json()["message"])
    page.close()


def test_clicking_a_header_sorts_and_the_url_reproduces_the_view(
    browser,  # noqa: F811
    logged: dict,
) -> None:
    page = browser.new_page()
    page.goto(logged["link"])
    expect(page.locator("table[aria-label=Runs] tbody tr")).to_have_count(3)
    page.get_by_role("button", name="Columns (0)").click()
    page.get_by_role("group", name="Columns").get_by_label("loss", exact=True).check()
    page.get_by_label("Show min and max of loss").check()
    header = page.get_by_role("button", name=re.compile("^metric loss"))
    header.click()  # metrics sort best-high first: descending latest loss
    expect(page.locator("table[aria-label=Runs] tbody tr")).to_have_count(3)
    expect(page.locator("tbody a.run-name").first).to_have_text("tree")
    assert run_names(page) == ["tree", "vector", "forest"]  # 0.7, 0.6, 0.5
    header.click()
    expect(page.locator("tbody a.run-name").first).to_have_text("forest")
    assert run_names(page) == ["forest", "vector", "tree"]
    # forest's loss went 0.9 -> 0.3 -> 0.5: the best, not the last, is on request.
    forest = page.locator("tbody tr", has=page.locator("a.run-name", has_text="forest"))
    expect(forest.locator(".minmax")).to_have_text("min 0.30000 · max 0.90000")

    reopened = browser.new_page()
    reopened.goto(page.url)
    expect(reopened.locator("tbody a.run-name").first).to_have_text("forest")
    assert run_names(reopened) == ["forest", "vector", "tree"]
    expect(reopened.get_by_role("button", name=re.compile("^metric loss"))).to_contain_text("▲")
    reopened.close()
    page.close()


def test_the_experiments_list_searches_and_links_to_the_runs(
    browser,  # noqa: F811
    logged: dict,
    server: RunningServer,
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{server.url}/#/experiments?filter={quote(logged['name'])}")
    row = page.locator("tr", has=page.get_by_role("link", name=logged["name"]))
    expect(row).to_have_count(1)
    expect(row.locator("td.num")).to_have_text("4")  # three runs and the nested one
    page.goto(f"{server.url}/#/experiments")
    page.screenshot(path=str(SCREENSHOTS / "ui-experiments.png"))
    page.get_by_label("Search experiments").fill(logged["name"])
    page.get_by_label("Search experiments").press("Enter")
    expect(page.locator("table[aria-label=Experiments] tbody tr")).to_have_count(1)
    page.get_by_role("link", name=logged["name"]).click()
    expect(page.get_by_role("heading", name=logged["name"])).to_be_visible()
    page.close()


def test_the_pager_walks_forward_and_back_a_page_at_a_time(
    browser,  # noqa: F811
    server: RunningServer,
) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(server.url)
    experiment_id = client.create_experiment(f"runs-pages-{uuid.uuid4().hex[:8]}")
    for index in range(26):
        client.create_run(experiment_id, run_name=f"run-{index:02d}")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{server.url}/#/experiments/{experiment_id}?size=25")
    rows = page.locator("table[aria-label=Runs] tbody tr")
    pager = page.get_by_role("navigation", name="Pages")
    expect(rows).to_have_count(25)
    expect(pager.get_by_label("Per page")).to_have_value("25")
    expect(pager.get_by_role("button", name="Previous page")).to_have_count(0)
    first = run_names(page)
    pager.get_by_role("button", name="Next page").click()
    expect(rows).to_have_count(1)
    assert sorted(first + run_names(page)) == [f"run-{index:02d}" for index in range(26)]
    expect(pager.get_by_role("button", name="Next page")).to_have_count(0)
    pager.get_by_role("button", name="Previous page").click()
    expect(rows).to_have_count(25)
    expect(pager.get_by_role("button", name="Previous page")).to_have_count(0)
    page.close()
