"""The runs table and the run page as a phone (390 px wide) and dark mode show them: nothing
wider than the screen (wide tables scroll inside their own box), and dark colours when the OS
asks for them. The screenshots are the ones docs/ui.md shows (looked at after each change)."""

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}

# The page's own width against the screen's: a page wider than the viewport makes a phone
# scroll sideways to read anything.
PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# Relative luminance (0 black .. 1 white) of the page's background colour.
BACKGROUND_LUMINANCE = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


@pytest.fixture(scope="module")
def experiment(tracking_uri: str) -> dict[str, str]:
    import mlflow

    experiment = mlflow.set_experiment(f"web-layouts-{uuid.uuid4().hex[:8]}")
    for index, model in enumerate(("random-forest", "gradient-boosting", "logistic")):
        with mlflow.start_run(run_name=f"{model}-baseline") as run:
            mlflow.log_params({"model_name": model, "max_depth": str(4 + index), "seed": "7"})
            for step in range(20):
                mlflow.log_metric("loss", 1.0 / (step + 1 + index), step=step)
            mlflow.log_metric("accuracy", 0.8 + index / 20)
            mlflow.set_tag("team", "vision")
            mlflow.set_tag("mlflow.note.content", "Baseline on the **March** snapshot.")
    return {
        "runs": f"{tracking_uri}/#/experiments/{experiment.experiment_id}",
        "run": f"{tracking_uri}/#/experiments/{experiment.experiment_id}/runs/{run.info.run_id}",
    }


def open_runs_table(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("table[aria-label=Runs] tbody tr")).to_have_count(3)


def open_run_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="logistic-baseline")).to_be_visible()
    expect(page.get_by_role("table", name="Parameters")).to_be_visible()


@pytest.mark.parametrize(
    ("name", "open_page"), [("runs-table", open_runs_table), ("run", open_run_page)]
)
def test_at_phone_width_nothing_is_wider_than_the_screen(
    browser,  # noqa: F811
    experiment: dict[str, str],
    name: str,
    open_page,
) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    open_page(page, experiment["runs" if name == "runs-table" else "run"])
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    page.screenshot(path=str(SCREENSHOTS / f"ui-{name}-phone.png"), full_page=True)
    context.close()


@pytest.mark.parametrize(
    ("name", "open_page"), [("runs-table", open_runs_table), ("run", open_run_page)]
)
def test_dark_mode_follows_the_os_and_the_toggle_switches_back(
    browser,  # noqa: F811
    experiment: dict[str, str],
    name: str,
    open_page,
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    open_page(page, experiment["runs" if name == "runs-table" else "run"])
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    assert page.evaluate(BACKGROUND_LUMINANCE) < 0.25
    page.screenshot(path=str(SCREENSHOTS / f"ui-{name}-dark.png"), full_page=True)
    page.get_by_role("button", name="Switch to light mode").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert page.evaluate(BACKGROUND_LUMINANCE) > 0.75
    context.close()
