import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../../api/admin";
import { auditQuery, auditViewQuery, localTimeMs, objectLink, parseAuditView } from "./auditView";

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  at: 0,
  actor: "alice@example.com",
  action: "stage.transition",
  resource_type: null,
  resource_id: null,
  details: {},
  ...over,
});

describe("audit filters in the URL", () => {
  it("round-trips every filter and leaves empty ones out", () => {
    const view = parseAuditView(new URLSearchParams("actor=a%40x&action=stage.transition&since=2026-12-01"));
    expect(view).toMatchObject({ actor: "a@x", action: "stage.transition", since: "2026-12-01", object: "" });
    expect(auditViewQuery(view).toString()).toBe("actor=a%40x&action=stage.transition&since=2026-12-01");
  });

  it("asks the server for bounds in epoch ms, a bare date being its local midnight", () => {
    const view = parseAuditView(new URLSearchParams("since=2026-12-01&until=2026-12-02T10:30"));
    const query = auditQuery(view);
    expect(query.since_ms).toBe(new Date(2026, 11, 1).getTime());
    expect(query.until_ms).toBe(new Date(2026, 11, 2, 10, 30).getTime());
    expect(query.actor).toBeUndefined();
    expect(localTimeMs("not a date")).toBeUndefined();
  });
});

describe("each entry links to its object", () => {
  it("a stage transition opens the model version", () => {
    const link = objectLink(
      entry({ resource_type: "registered_model", resource_id: "7", details: { name: "churn", version: "2" } }),
    );
    expect(link).toEqual({ href: "#/models/churn/versions/2", label: "churn v2" });
  });

  it("a run deletion opens the run, an experiment's the runs table", () => {
    expect(
      objectLink(entry({ resource_type: "experiment", resource_id: "3", details: { run_id: "abcdef0123" } }))?.href,
    ).toBe("#/experiments/3/runs/abcdef0123");
    expect(objectLink(entry({ resource_type: "experiment", resource_id: "3" }))?.href).toBe("#/experiments/3");
  });

  it("a grant opens what it is on, a webhook change the webhook, a token revoke nothing", () => {
    expect(
      objectLink(
        entry({ action: "permission.grant", details: { resource_type: "registered_model", resource_id: "m/1" } }),
      )?.href,
    ).toBe("#/models/m%2F1");
    expect(objectLink(entry({ action: "webhook.replay", details: { webhook_id: "w1" } }))?.href).toBe(
      "#/admin/webhooks/w1",
    );
    expect(objectLink(entry({ action: "token.revoke", details: { token_id: "t" } }))).toBeNull();
  });
});
