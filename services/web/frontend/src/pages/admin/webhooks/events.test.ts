import { describe, expect, it } from "vitest";
import type { Delivery } from "../../../api/admin";
import { EVENTS, eventKey, eventLabel, eventsOf, summarize, toggled } from "./events";

const delivery = (over: Partial<Delivery>): Delivery => ({
  delivery_id: "d",
  webhook_id: "w",
  event: { entity: "MODEL_VERSION", action: "CREATED" },
  state: "failed",
  attempts: 2,
  created_at: 0,
  next_attempt_at: null,
  finished_at: 1,
  attempt_log: [],
  ...over,
});

describe("the event picker", () => {
  it("offers every event the registry knows, the stage transition included", () => {
    expect(EVENTS.map((e) => eventKey(e.event))).toContain("model_version_stage.transitioned");
    expect(eventLabel({ entity: "MODEL_VERSION_ALIAS", action: "CREATED" })).toBe("Alias set");
  });

  it("sends the picked events in the catalogue's order", () => {
    let keys = toggled(new Set(), "model_version_stage.transitioned", true);
    keys = toggled(keys, "registered_model.created", true);
    keys = toggled(keys, "registered_model.created", false);
    keys = toggled(keys, "model_version.created", true);
    expect(eventsOf(keys)).toEqual([
      { entity: "MODEL_VERSION", action: "CREATED" },
      { entity: "MODEL_VERSION_STAGE", action: "TRANSITIONED" },
    ]);
  });
});

describe("the delivery log", () => {
  it("shows the last attempt's status and excerpt, and offers replay once finished", () => {
    const attempt = { started_at: 0, duration_ms: 3, success: false, error: null };
    const failed = delivery({
      attempt_log: [
        { ...attempt, attempt: 1, status_code: 500, response_excerpt: "boom" },
        { ...attempt, attempt: 2, status_code: 400, response_excerpt: "bad" },
      ],
    });
    expect(summarize(failed)).toEqual({ lastStatus: "400", excerpt: "bad", replayable: true });
    const timedOut = delivery({
      state: "pending",
      attempt_log: [{ ...attempt, attempt: 1, status_code: null, response_excerpt: null, error: "timed out" }],
    });
    expect(summarize(timedOut)).toEqual({ lastStatus: "timed out", excerpt: "timed out", replayable: false });
    expect(summarize(delivery({ state: "pending" })).lastStatus).toBe("—");
  });
});
