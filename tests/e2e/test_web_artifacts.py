"""The artifacts browser in a real browser: files logged by the real mlflow client, a tree
with sizes, previews read with HTTP Range (text, JSON, CSV as a table, a large log cut at the
cap), HTML only inside a script-less sandbox, and a download link for every file."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def run_with_files(tracking_uri: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    import mlflow

    folder = tmp_path_factory.mktemp("files")
    (folder / "notes").mkdir()
    (folder / "notes" / "readme.txt").write_text("Trained on the March snapshot.\nSeed 7.\n")
    (folder / "metrics.json").write_text(json.dumps({"auc": 0.93, "classes": ["cat", "dog"]}))
    (folder / "eval.csv").write_text('label,count\ncat,12\n"dog, big",30\n')
    (folder / "report.html").write_text(
        "<h1>Report</h1><script>parent.document.title = 'pwned'</script>"
    )
    # One line past the preview's 512 KiB cap: the page shows the head and says it cut.
    (folder / "train.log").write_text("epoch line\n" * 60_000)
    experiment = mlflow.set_experiment("web-artifacts")
    with mlflow.start_run(run_name="with-files") as run:
        mlflow.log_artifacts(str(folder))
    return {"experiment_id": experiment.experiment_id, "run_id": run.info.run_id}


def artifacts_page(browser, tracking_uri: str, run: dict[str, str], path: str) -> Page:  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(
        f"{tracking_uri}/#/experiments/{run['experiment_id']}/runs/{run['run_id']}/artifacts/{path}"
    )
    return page


def test_a_text_file_preview_shows_its_content_and_a_download_link(
    browser,  # noqa: F811
    tracking_uri: str,
    run_with_files: dict[str, str],
) -> None:
    page = artifacts_page(browser, tracking_uri, run_with_files, "notes/readme.txt")
    expect(page.get_by_label("Contents of notes/readme.txt")).to_have_text(
        "Trained on the March snapshot.\nSeed 7.\n"
    )
    tree = page.get_by_role("navigation", name="Artifact files")
    expect(tree.get_by_role("button", name="readme.txt")).to_contain_text("39 B")
    download = page.get_by_role("link", name="Download")
    href = download.get_attribute("href")
    assert href == (
        f"/api/2.0/mlflow-artifacts/artifacts/{run_with_files['experiment_id']}/"
        f"{run_with_files['run_id']}/artifacts/notes/readme.txt"
    )
    assert download.get_attribute("download") == "readme.txt"
    page.screenshot(path=str(SCREENSHOTS / "ui-artifacts.png"), full_page=True)

    tree.get_by_role("button", name="metrics.json").click()
    expect(page.get_by_label("Contents of metrics.json")).to_contain_text('"auc": 0.93')
    tree.get_by_role("button", name="eval.csv").click()
    table = page.get_by_role("table", name="Contents of eval.csv")
    expect(table.locator("td")).to_have_text(["cat", "12", "dog, big", "30"])
    assert page.url.endswith("/artifacts/eval.csv")  # the selection is in the link
    page.close()


def test_a_large_log_is_read_only_up_to_the_cap(
    browser,  # noqa: F811
    tracking_uri: str,
    run_with_files: dict[str, str],
) -> None:
    page = artifacts_page(browser, tracking_uri, run_with_files, "train.log")
    capped = "Showing the first 512 KB of 645 KB; download the file for all of it."
    # The first visit's preview is done before listening: only the reload's reads count.
    expect(page.get_by_role("note")).to_have_text(capped)
    ranges: list[str | None] = []
    page.on(
        "request", lambda r: "/mlflow-artifacts/" in r.url and ranges.append(r.headers.get("range"))
    )
    page.reload()
    expect(page.get_by_role("note")).to_have_text(capped)
    assert ranges == ["bytes=0-524287"]
    page.close()


def test_html_is_shown_only_in_a_sandbox_that_runs_no_script(
    browser,  # noqa: F811
    tracking_uri: str,
    run_with_files: dict[str, str],
) -> None:
    page = artifacts_page(browser, tracking_uri, run_with_files, "report.html")
    frame = page.locator("iframe[title='Preview of report.html']")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe[title='Preview of report.html']").locator("h1")).to_have_text(
        "Report"
    )
    assert page.title() != "pwned"
    page.close()


def test_the_run_page_has_the_artifacts_as_a_tab(
    browser,  # noqa: F811
    tracking_uri: str,
    run_with_files: dict[str, str],
) -> None:
    page = browser.new_page()
    run = run_with_files
    page.goto(f"{tracking_uri}/#/experiments/{run['experiment_id']}/runs/{run['run_id']}")
    page.get_by_role("tab", name="Artifacts").click()
    tree = page.get_by_role("navigation", name="Artifact files")
    tree.get_by_role("button", name="notes").click()
    tree.get_by_role("button", name="readme.txt").click()
    expect(page.get_by_label("Contents of notes/readme.txt")).to_contain_text("Seed 7.")
    page.close()
