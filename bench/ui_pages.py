"""Each figure of the UI benchmark as one browser visit: open a page (or click), wait until
what a user waits for is on screen, report the wall time. The same data is on both servers;
only the pages and what "ready" looks like in each UI differ."""

import json
import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, Response
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from ui_seed import SPIKE_VALUE, Seeded, run_name

# Enough saturated pixels on the chart's canvas mean run lines are drawn, not only the grey
# axes and grid (later runs may overdraw the first, so any palette colour counts).
SERIES_PIXELS_DRAWN = """([enough]) => {
  const canvas = document.querySelector('figure[aria-label="Chart of loss"] canvas');
  if (!canvas) return false;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 80) count += 1;
  }
  return count >= enough;
}"""
# MLflow's metric page draws with Plotly: one SVG trace path per run once its points are in.
PLOTLY_TRACES_DRAWN = """([runs]) => {
  const paths = document.querySelectorAll('.js-plotly-plot .scatterlayer .trace path.js-line');
  return [...paths].filter((p) => (p.getAttribute('d') || '').length > 20).length >= runs;
}"""
TIMEOUT_MS = 120_000


def _ids(ids: list[str]) -> str:
    return json.dumps(ids, separators=(",", ":"))


class Visit:
    """Pages in a fresh browser context (an empty HTTP cache, as on a first visit) 1280 px wide;
    keeps the metric history responses the pages received."""

    def __init__(self, browser: Browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.histories: list[Response] = []

    def open(self) -> Page:
        page = self.context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on(
            "response",
            lambda response: "get-history" in response.url and self.histories.append(response),
        )
        return page

    def received(self, step: int, value: float) -> bool:
        """Whether any history response held the point (read while its page is open)."""
        return any(
            (point.get("step", 0), point.get("value")) == (step, value)
            for response in self.histories
            if response.ok
            for point in response.json().get("metrics", [])
        )

    def close(self) -> None:
        self.context.close()


class Pages:
    """Where each figure's page is, and what its ready state is, per UI."""

    def __init__(self, ui: str, url: str, seeded: Seeded):
        self.ui, self.url, self.seeded = ui, url, seeded

    def runs_table(self) -> str:
        suffix = "/runs" if self.ui == "mlflow" else ""
        return f"{self.url}/#/experiments/{self.seeded.experiment_id}{suffix}"

    def chart(self) -> str:
        runs, experiment = self.seeded.chart_run_ids, self.seeded.chart_experiment_id
        if self.ui == "mlflow":
            # The link MLflow's run page makes for a metric (Routes.getMetricPageRoute).
            return (
                f"{self.url}/#/metric?runs={_ids(runs)}&metric=%22loss%22"
                f"&experiments={_ids([experiment])}&plot_metric_keys=%5B%22loss%22%5D"
                "&plot_layout={}&x_axis=step&y_axis_scale=linear&line_smoothness=1"
                "&show_point=false&deselected_curves=[]&last_linear_y_axis_range=[]"
            )
        return f"{self.url}/#/compare-runs?runs={_ids(runs)}&experiments={_ids([experiment])}"

    def compare(self, count: int) -> str:
        runs = self.seeded.run_ids[-count:]
        return (
            f"{self.url}/#/compare-runs?runs={_ids(runs)}"
            f"&experiments={_ids([self.seeded.experiment_id])}"
        )

    def newest_run_visible(self, page: Page, back: int = 0) -> None:
        name = run_name(len(self.seeded.run_ids) - 1 - back)
        page.get_by_text(name, exact=True).first.wait_for(state="visible")

    def next_page(self, page: Page) -> int:
        """Click the UI's next page control; returns how many runs back its first new row is."""
        if self.ui == "mlflow":
            # Its grid renders rows near the scroll position only: "Load more" is the row
            # after the last, there once the user scrolls to the bottom.
            page.locator(".ag-body-viewport").evaluate(
                "grid => grid.scrollTo(0, grid.scrollHeight)"
            )
            page.get_by_role("button", name="Load more").click()
            return 100
        page.get_by_role("button", name="Next page").click()
        return 50

    def chart_drawn(self, page: Page) -> None:
        if self.ui == "mlflow":
            page.wait_for_function(
                PLOTLY_TRACES_DRAWN, arg=[len(self.seeded.chart_run_ids)], timeout=TIMEOUT_MS
            )
        else:
            page.wait_for_function(SERIES_PIXELS_DRAWN, arg=[100], timeout=TIMEOUT_MS)

    def compare_ready(self, page: Page, count: int) -> None:
        heading = f"Comparing {count} Runs" if self.ui == "mlflow" else f"Comparing {count} runs"
        page.get_by_text(heading).first.wait_for(state="visible")
        page.get_by_text("param_19").first.wait_for(state="visible")


def timed(seconds: dict[str, float], key: str, wait: Callable[[], object]) -> None:
    """Seconds until `wait` returns, or infinity when the page never got there within the
    timeout (MLflow's chart of 10 x 100,000 points can take minutes on a busy host)."""
    started = time.perf_counter()
    try:
        wait()
        seconds[key] = time.perf_counter() - started
    except PlaywrightTimeoutError:
        seconds[key] = math.inf


def visit_once(
    browser: Browser, pages: Pages, compare_runs: int, chart_png: Path | None = None
) -> tuple[dict, bool]:
    """Seconds of each figure in one visit, and whether the chart's data held the spike;
    `chart_png` keeps a picture of the drawn chart, to see whether the spike is drawn."""
    visit = Visit(browser)
    seconds: dict[str, float] = {}
    page = visit.open()
    timed(
        seconds,
        "runs_first",
        lambda: (page.goto(pages.runs_table()), pages.newest_run_visible(page)),
    )
    if math.isfinite(seconds["runs_first"]):
        timed(
            seconds, "runs_next", lambda: pages.newest_run_visible(page, back=pages.next_page(page))
        )
    else:
        seconds["runs_next"] = math.inf
    page.close()

    page = visit.open()
    timed(seconds, "chart", lambda: (page.goto(pages.chart()), pages.chart_drawn(page)))
    spike_seen = visit.received(pages.seeded.spike_step, SPIKE_VALUE)
    if chart_png:
        page.screenshot(path=str(chart_png))
    page.close()

    page = visit.open()
    timed(
        seconds,
        "compare",
        lambda: (page.goto(pages.compare(compare_runs)), pages.compare_ready(page, compare_runs)),
    )
    visit.close()
    return seconds, spike_seen


def measure(
    browser: Browser, pages: Pages, repeats: int, compare_runs: int, chart_png: Path
) -> dict:
    """Median seconds of each figure over `repeats` visits after one warm-up visit (it warms
    the servers: their connection pools, statement caches and PostgreSQL's buffers)."""
    visit_once(browser, pages, compare_runs, chart_png)
    visits = [visit_once(browser, pages, compare_runs) for _ in range(repeats)]
    samples = {key: [seconds[key] for seconds, _ in visits] for key in visits[0][0]}
    figures: dict = {key: statistics.median(values) for key, values in samples.items()}
    figures["spike_in_chart_data"] = all(spike for _, spike in visits)
    figures["samples"] = samples
    return figures
