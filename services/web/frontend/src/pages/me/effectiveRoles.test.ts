import { describe, expect, it } from "vitest";
import { grantHref, grantScope, grantSource } from "./effectiveRoles";

describe("who am I: roles as sentences", () => {
  it("names what each grant is on and where it comes from", () => {
    expect(grantScope({ resource_type: "default", resource_id: "*", role: "READ" })).toBe(
      "every experiment and model",
    );
    expect(grantScope({ resource_type: "experiment_pattern", resource_id: "team-a/*", role: "EDIT" })).toBe(
      "experiments named team-a/*",
    );
    expect(grantScope({ resource_type: "create", resource_id: "registered_model", role: "EDIT" })).toBe(
      "creating registered models",
    );
    expect(grantSource({ resource_type: "default", resource_id: "*", role: "READ", via: "group:ml-team" })).toBe(
      "through group ml-team",
    );
    expect(grantSource({ resource_type: "default", resource_id: "*", role: "READ", via: "user:a@x" })).toBe(
      "granted to you",
    );
  });

  it("names experiments and models by their names and links to them", () => {
    const model = { resource_type: "registered_model", resource_id: "41", role: "MANAGE", resource_name: "churn" };
    expect(grantScope(model)).toBe("model churn");
    expect(grantHref(model)).toBe("#/models/churn");
    const gone = { resource_type: "registered_model", resource_id: "42", role: "READ" };
    expect(grantScope(gone)).toBe("registered model #42");
    expect(grantHref(gone)).toBeNull();
    expect(grantHref({ resource_type: "experiment", resource_id: "3", role: "READ" })).toBe("#/experiments/3");
  });
});
