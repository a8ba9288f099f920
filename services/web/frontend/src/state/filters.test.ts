import { describe, expect, it } from "vitest";
import { entityRef, experimentFilter, quote, runFilter } from "./filters";

describe("filter building", () => {
  it("passes a real filter through untouched, so the server judges it", () => {
    expect(runFilter("params.model_name = 'rf'")).toBe("params.model_name = 'rf'");
    expect(experimentFilter("name LIKE 'team-a/%'")).toBe("name LIKE 'team-a/%'");
    expect(runFilter("metrics.loss < 0.5")).toBe("metrics.loss < 0.5");
  });

  it("turns plain words into a name search", () => {
    expect(experimentFilter("  churn ")).toBe("name ILIKE '%churn%'");
    expect(runFilter("best")).toBe("attributes.run_name ILIKE '%best%'");
    expect(runFilter("")).toBe("");
  });

  it("quotes with the quote the value does not contain (the grammar has no escapes)", () => {
    expect(quote("rf")).toBe("'rf'");
    expect(quote("it's")).toBe(`"it's"`);
    expect(experimentFilter("bob's")).toBe(`name ILIKE "%bob's%"`);
  });

  it("backticks keys that are not bare identifiers", () => {
    expect(entityRef("metrics", "loss")).toBe("metrics.loss");
    expect(entityRef("tags", "mlflow.user")).toBe("tags.mlflow.user");
    expect(entityRef("params", "learning rate")).toBe("params.`learning rate`");
  });
});
