import { describe, expect, it } from "vitest";
import { inParallelParts } from "./parallel";

describe("inParallelParts", () => {
  it("splits ten runs into four parts that keep every run once, in order", () => {
    const runs = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const parts = inParallelParts(runs);
    expect(parts.length).toBeLessThanOrEqual(4);
    expect(parts.flat()).toEqual(runs);
  });

  it("asks once for one run and not at all for none", () => {
    expect(inParallelParts(["only"])).toEqual([["only"]]);
    expect(inParallelParts([])).toEqual([]);
  });

  it("never makes more parts than asked for", () => {
    for (let n = 1; n <= 120; n++) expect(inParallelParts(Array(n).fill(0), 4).length).toBeLessThanOrEqual(4);
  });
});
