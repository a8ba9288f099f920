import { describe, expect, it } from "vitest";
import { formatDuration, shortCommit } from "./format";

describe("formatDuration", () => {
  it("reads at a glance", () => {
    expect(formatDuration(1000, 43_000)).toBe("42s");
    expect(formatDuration(0, 5000)).toBe("—");
    expect(formatDuration(1000, 1000 + 125_000)).toBe("2m 5s");
    expect(formatDuration(1000, 1000 + 3 * 3600_000 + 60_000)).toBe("3h 1m");
    expect(formatDuration(1000, 1000 + 50 * 3600_000)).toBe("2d 2h");
  });

  it("counts a running run up to now", () => {
    expect(formatDuration(1000, undefined, 11_000)).toBe("10s");
  });
});

describe("shortCommit", () => {
  it("keeps seven characters", () => {
    expect(shortCommit("0123456789abcdef")).toBe("0123456");
    expect(shortCommit(undefined)).toBe("");
  });
});
