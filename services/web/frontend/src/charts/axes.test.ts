import { describe, expect, it } from "vitest";
import { differs, move, scaleOf } from "./axes";

describe("scaleOf", () => {
  it("places numbers linearly between the column's min and max", () => {
    const scale = scaleOf({ id: "param:lr", label: "lr", values: ["0.1", "0.3", undefined, "0.2"] });
    expect(scale.kind).toBe("numeric");
    expect(scale.position(0)).toBe(0);
    expect(scale.position(1)).toBe(1);
    expect(scale.position(2)).toBeNull();
    expect(scale.position(3)).toBeCloseTo(0.5);
    expect(scale.ticks[0].label).toBe("0.1");
  });

  it("spreads words evenly in sorted order", () => {
    const scale = scaleOf({ id: "param:opt", label: "opt", values: ["sgd", "adam", "rmsprop"] });
    expect(scale.kind).toBe("categorical");
    expect(scale.ticks.map((t) => t.label)).toEqual(["adam", "rmsprop", "sgd"]);
    expect(scale.position(0)).toBe(1);
    expect(scale.position(1)).toBe(0);
  });

  it("puts a constant column in the middle", () => {
    expect(scaleOf({ id: "m", label: "m", values: [3, 3] }).position(1)).toBe(0.5);
  });
});

describe("differs and move", () => {
  it("tells differing rows, a missing value included", () => {
    expect(differs(["32", "32"])).toBe(false);
    expect(differs(["32", "64"])).toBe(true);
    expect(differs(["32", undefined])).toBe(true);
  });

  it("moves an axis one place and not past the ends", () => {
    expect(move(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(move(["a", "b"], 0, -1)).toEqual(["a", "b"]);
  });
});
