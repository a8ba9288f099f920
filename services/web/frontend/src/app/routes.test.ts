import { describe, expect, it } from "vitest";
import { links, parseHash } from "./routes";

describe("hash routes match MLflow's links", () => {
  it("opens the experiment link the mlflow client prints on the runs table", () => {
    const route = parseHash("#/experiments/12");
    expect(route).toMatchObject({ page: "runs", experimentId: "12" });
  });

  it("opens the run link, the artifact path and a logged model", () => {
    expect(parseHash("#/experiments/1/runs/abc")).toMatchObject({ page: "run", runId: "abc" });
    expect(parseHash("#/experiments/1/runs/abc/artifacts/model/MLmodel")).toMatchObject({
      page: "artifacts",
      path: "model/MLmodel",
    });
    expect(parseHash("#/experiments/1/models/m-123")).toMatchObject({
      page: "logged-model",
      modelId: "m-123",
    });
  });

  it("reads compare-runs' JSON list and round-trips it through links", () => {
    expect(parseHash('#/compare-runs?runs=["a","b"]')).toMatchObject({ runIds: ["a", "b"] });
    expect(parseHash(links.compare(["x", "y", "z"]))).toMatchObject({ runIds: ["x", "y", "z"] });
  });

  it("keeps the view query of a runs table", () => {
    const route = parseHash("#/experiments/3?filter=metrics.loss%20%3C%201");
    expect(route.query.get("filter")).toBe("metrics.loss < 1");
  });

  it("sends the empty hash to the experiments list and unknown paths to not-found", () => {
    expect(parseHash("").page).toBe("experiments");
    expect(parseHash("#/experiments").page).toBe("experiments");
    expect(parseHash("#/nowhere").page).toBe("not-found");
  });
});
