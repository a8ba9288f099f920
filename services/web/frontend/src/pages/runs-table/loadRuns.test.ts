import { describe, expect, it } from "vitest";
import { parseRunsView } from "../../state/runsView";
import { shownColumns, TABLE_TAGS } from "./loadRuns";

describe("shownColumns", () => {
  it("asks for the picked params, metrics and tags and the tags the table itself shows", () => {
    const view = parseRunsView(
      new URLSearchParams({ columns: JSON.stringify(["params.alpha", "metrics.mse", "tags.team", "tags.mlflow.user"]) }),
    );
    expect(shownColumns(view)).toEqual({
      params: ["alpha"],
      metrics: ["mse"],
      tags: [...TABLE_TAGS, "team"],
    });
  });

  it("asks for no params or metrics when none is picked", () => {
    const columns = shownColumns(parseRunsView(new URLSearchParams()));
    expect(columns.params).toEqual([]);
    expect(columns.metrics).toEqual([]);
    expect(columns.tags).toContain("mlflow.parentRunId");
  });
});
