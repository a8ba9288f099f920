import { describe, expect, it } from "vitest";
import { delimiterOf, parseDelimited } from "./csv";

describe("parseDelimited", () => {
  it("reads quoted fields, doubled quotes and CRLF", () => {
    const text = 'name,note\r\n"a, b","say ""hi"""\r\nc,d\r\n';
    expect(parseDelimited(text, ",")).toEqual([
      ["name", "note"],
      ["a, b", 'say "hi"'],
      ["c", "d"],
    ]);
  });

  it("keeps a newline inside quotes and a last line without one", () => {
    expect(parseDelimited('x\n"two\nlines"', ",")).toEqual([["x"], ["two\nlines"]]);
  });

  it("stops at maxRows", () => {
    expect(parseDelimited("1\n2\n3\n4\n", ",", 2)).toEqual([["1"], ["2"]]);
  });

  it("reads TSV by extension", () => {
    expect(delimiterOf("data/eval.TSV")).toBe("\t");
    expect(parseDelimited("a\tb\n", delimiterOf("x.tsv"))).toEqual([["a", "b"]]);
  });
});
