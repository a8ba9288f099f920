import { describe, expect, it } from "vitest";
import { align, forLogScale, formatValue, smooth, type Point } from "./series";

const point = (run_id: string, step: number, value: number, timestamp = 1000 + step * 1000): Point => ({
  run_id,
  step,
  value,
  timestamp,
});

describe("align", () => {
  it("puts every run on one sorted x column with gaps where a run logged nothing", () => {
    const points = [point("b", 2, 20), point("a", 1, 1), point("a", 0, 0), point("b", 0, 10)];
    expect(align(points, ["a", "b"], "step")).toEqual({
      xs: [0, 1, 2],
      ys: [
        [0, 1, null],
        [10, null, 20],
      ],
    });
  });

  it("measures relative time from each run's own first point, in seconds", () => {
    const points = [point("a", 0, 1, 5000), point("a", 1, 2, 7000), point("b", 0, 3, 9000)];
    const aligned = align(points, ["a", "b"], "relative");
    expect(aligned.xs).toEqual([0, 2]);
    expect(aligned.ys).toEqual([
      [1, 2],
      [3, null],
    ]);
  });

  it("draws wall time in seconds and leaves NaN as a gap", () => {
    const aligned = align([point("a", 0, Number.NaN, 2000)], ["a"], "wall");
    expect(aligned).toEqual({ xs: [2], ys: [[null]] });
  });
});

describe("smooth", () => {
  it("is the identity at weight 0 and debiased from the first point", () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const smoothed = smooth([4, null, 4], 0.9);
    expect(smoothed[0]).toBeCloseTo(4);
    expect(smoothed[1]).toBeNull();
    expect(smoothed[2]).toBeCloseTo(4);
  });

  it("flattens a spike", () => {
    const [, spike] = smooth([1, 101, 1], 0.5) as number[];
    expect(spike).toBeLessThan(101);
    expect(spike).toBeGreaterThan(1);
  });
});

describe("forLogScale and formatValue", () => {
  it("drops what a log axis cannot place", () => {
    expect(forLogScale([0, -1, 2, null])).toEqual([null, null, 2, null]);
  });

  it("shows exact values", () => {
    expect(formatValue(0.123456789)).toBe("0.123456789");
    expect(formatValue(0.00001234)).toBe("1.234000e-5");
    expect(formatValue(null)).toBe("—");
    expect(formatValue(42)).toBe("42");
  });
});
