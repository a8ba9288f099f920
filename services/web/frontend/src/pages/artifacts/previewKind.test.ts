import { describe, expect, it } from "vitest";
import { previewKind } from "./previewKind";

describe("previewKind", () => {
  it("names each preview", () => {
    expect(previewKind("model/MLmodel")).toBe("mlmodel");
    expect(previewKind("plots/loss.PNG")).toBe("image");
    expect(previewKind("metrics.json")).toBe("json");
    expect(previewKind("conf/params.yml")).toBe("yaml");
    expect(previewKind("eval.tsv")).toBe("table");
    expect(previewKind("report.html")).toBe("html");
    expect(previewKind("logs/train.log")).toBe("text");
    expect(previewKind("stdout")).toBe("text");
    expect(previewKind("model/model.pkl")).toBe("none");
  });
});
