import { describe, expect, it } from "vitest";
import {
  DEFAULT_VIEW,
  orderBy,
  parseRunsView,
  runsViewQuery,
  sortedBy,
  viewState,
  type RunsView,
} from "./runsView";

describe("the runs table's view in the URL", () => {
  it("leaves the defaults out, so a plain experiment link is the default view", () => {
    expect(runsViewQuery(DEFAULT_VIEW).toString()).toBe("");
    expect(parseRunsView(new URLSearchParams(""))).toEqual(DEFAULT_VIEW);
  });

  it("round-trips every part of a view, keys with dots, commas and quotes included", () => {
    const view: RunsView = {
      filter: "params.model = 'rf' AND metrics.loss < 0.5",
      sort: { kind: "metrics", key: "val,loss" },
      ascending: true,
      columns: [
        { kind: "params", key: "lr" },
        { kind: "tags", key: "mlflow.source.git.commit" },
        { kind: "metrics", key: "val,loss" },
      ],
      minmax: ["val,loss"],
      page: "b2Zmc2V0PTUw",
      size: 100,
      lifecycle: "deleted",
    };
    const text = runsViewQuery(view).toString();
    expect(parseRunsView(new URLSearchParams(text))).toEqual(view);
  });

  it("ignores what it cannot read instead of failing the page", () => {
    const view = parseRunsView(
      new URLSearchParams("sort=bogus&size=7&lifecycle=weird&columns=not-json&minmax=[1]"),
    );
    expect(view).toEqual({ ...DEFAULT_VIEW });
  });

  it("builds MLflow's order_by, backticking keys the grammar cannot take bare", () => {
    expect(orderBy(DEFAULT_VIEW)).toEqual(["attributes.start_time DESC"]);
    const view = sortedBy(DEFAULT_VIEW, { kind: "params", key: "model name" });
    expect(orderBy(view)).toEqual(["params.`model name` ASC"]);
    expect(orderBy(sortedBy(view, { kind: "params", key: "model name" }))).toEqual([
      "params.`model name` DESC",
    ]);
  });

  it("resets the page when the sort changes, and a saved view never holds a page", () => {
    const paged = { ...DEFAULT_VIEW, page: "tok" };
    expect(sortedBy(paged, { kind: "metrics", key: "loss" }).page).toBeNull();
    expect(viewState({ ...paged, filter: "x" })).toBe("filter=x");
  });
});
