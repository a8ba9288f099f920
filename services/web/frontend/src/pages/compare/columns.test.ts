import { describe, expect, it } from "vitest";
import type { Run } from "../run/runApi";
import { columnsOf } from "./columns";

const run = (id: string, params: Record<string, string>, metrics: Record<string, number>): Run => ({
  info: { run_id: id, experiment_id: "1", status: "FINISHED", lifecycle_stage: "active" },
  data: {
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: 0 })),
  },
});

describe("columnsOf", () => {
  it("makes one column per key across runs, missing values as undefined", () => {
    const { params, metrics } = columnsOf([run("a", { lr: "0.1", bs: "32" }, { loss: 1 }), run("b", { lr: "0.2" }, {})]);
    expect(params).toEqual([
      { id: "param:bs", label: "bs", values: ["32", undefined] },
      { id: "param:lr", label: "lr", values: ["0.1", "0.2"] },
    ]);
    expect(metrics).toEqual([{ id: "metric:loss", label: "loss", values: [1, undefined] }]);
  });
});
