import { describe, expect, it } from "vitest";
import type { Run } from "../../api/mlflow";
import { columnKeys, nestedRows } from "./nesting";

function run(id: string, parent?: string, extra: Partial<Run["data"]> = {}): Run {
  return {
    info: { run_id: id, experiment_id: "1", status: "FINISHED", lifecycle_stage: "active" },
    data: { tags: parent ? [{ key: "mlflow.parentRunId", value: parent }] : [], ...extra },
  };
}

describe("nested runs", () => {
  const runs = [run("p"), run("c1", "p"), run("orphan", "elsewhere"), run("c2", "p")];

  it("folds children under their parent until it is expanded", () => {
    expect(nestedRows(runs, new Set()).map((r) => [r.run.info.run_id, r.children])).toEqual([
      ["p", 2],
      ["orphan", 0],
    ]);
    expect(nestedRows(runs, new Set(["p"])).map((r) => [r.run.info.run_id, r.depth])).toEqual([
      ["p", 0],
      ["c1", 1],
      ["c2", 1],
      ["orphan", 0],
    ]);
  });

  it("shows runs whose parent tags form a cycle instead of losing them", () => {
    const cycle = [run("a", "b"), run("b", "a")];
    expect(nestedRows(cycle, new Set(["a", "b"])).map((r) => [r.run.info.run_id, r.depth])).toEqual([
      ["a", 0],
      ["b", 1],
    ]);
  });
});

describe("column picker keys", () => {
  it("collects keys from the page's runs, system tags last", () => {
    const keys = columnKeys([
      run("a", undefined, { params: [{ key: "lr", value: "1" }], tags: [{ key: "mlflow.user", value: "x" }] }),
      run("b", undefined, { metrics: [{ key: "loss", value: 1, step: 0, timestamp: 0 }], tags: [{ key: "team", value: "y" }] }),
    ]);
    expect(keys).toEqual({ params: ["lr"], metrics: ["loss"], tags: ["team", "mlflow.user"] });
  });
});
