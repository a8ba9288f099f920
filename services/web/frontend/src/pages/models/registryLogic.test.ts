import { describe, expect, it } from "vitest";
import type { ModelVersion } from "../../api/registry";
import {
  aliasChange,
  compareProblem,
  comparedVersions,
  latestByStage,
  mayCreateModels,
  transitionChanges,
} from "./registryLogic";

const v = (version: string, current_stage: string): ModelVersion => ({
  name: "m",
  version,
  current_stage,
});

describe("stage transitions", () => {
  const all = [v("1", "Production"), v("2", "None"), v("3", "Production"), v("4", "Staging")];

  it("names the version and every version it archives", () => {
    expect(transitionChanges(all[1], "Production", true, all)).toEqual([
      "Version 2: None → Production",
      "Version 1: Production → Archived",
      "Version 3: Production → Archived",
    ]);
  });

  it("archives nothing without the box, or for None and Archived targets", () => {
    expect(transitionChanges(all[1], "Production", false, all)).toEqual([
      "Version 2: None → Production",
    ]);
    expect(transitionChanges(all[0], "Archived", true, all)).toEqual([
      "Version 1: Production → Archived",
    ]);
  });

  it("is no change into the stage the version is already in", () => {
    expect(transitionChanges(all[3], "Staging", true, all)).toEqual([]);
  });
});

describe("aliases", () => {
  const aliases = [{ alias: "champion", version: "1" }];
  it("says whether an alias is new, moved or unchanged", () => {
    expect(aliasChange(aliases, "challenger", "2")).toBe("Set alias challenger on version 2");
    expect(aliasChange(aliases, "champion", "2")).toBe(
      "Move alias champion from version 1 to version 2",
    );
    expect(aliasChange(aliases, "champion", "1")).toBeNull();
  });
});

describe("latest versions and the compare link", () => {
  it("shows Production first", () => {
    const shown = latestByStage([v("4", "Staging"), v("9", "None"), v("3", "Production")]);
    expect(shown.map((x) => x.version)).toEqual(["3", "4", "9"]);
  });

  it("reads MLflow's JSON list or a plain list, without repeats", () => {
    expect(comparedVersions('["5","7"]')).toEqual(["5", "7"]);
    expect(comparedVersions("5,7,5")).toEqual(["5", "7"]);
    expect(comparedVersions(null)).toEqual([]);
  });

  it("takes 2 to 10 versions", () => {
    expect(compareProblem(["1"])).toMatch(/at least 2/);
    expect(compareProblem(["1", "2"])).toBeNull();
    expect(compareProblem([..."abcdefghijk"])).toMatch(/At most 10/);
  });
});

describe("who may create a model", () => {
  const me = (grants: { resource_type: string; resource_id: string; role: string }[]) => ({
    name: "u",
    groups: [],
    is_admin: false,
    grants,
  });
  it("needs a default EDIT, a create grant or a model name pattern", () => {
    expect(mayCreateModels(me([{ resource_type: "default", resource_id: "*", role: "READ" }]))).toBe(false);
    expect(mayCreateModels(me([{ resource_type: "default", resource_id: "*", role: "EDIT" }]))).toBe(true);
    expect(mayCreateModels(me([{ resource_type: "create", resource_id: "registered_model", role: "EDIT" }]))).toBe(true);
    expect(mayCreateModels(me([{ resource_type: "create", resource_id: "experiment", role: "EDIT" }]))).toBe(false);
    expect(mayCreateModels(me([{ resource_type: "registered_model_pattern", resource_id: "team-a/*", role: "EDIT" }]))).toBe(true);
    expect(mayCreateModels(me([{ resource_type: "registered_model", resource_id: "7", role: "MANAGE" }]))).toBe(false);
    expect(mayCreateModels({ ...me([]), is_admin: true })).toBe(true);
  });
});
