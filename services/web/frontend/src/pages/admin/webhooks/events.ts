// The events a webhook may subscribe to (services/registry/webhooks/catalogue.py) and how the
// delivery log sums a delivery up.

import type { Delivery, Webhook, WebhookEvent } from "../../../api/admin";

export const EVENTS: { event: WebhookEvent; label: string }[] = [
  { event: { entity: "REGISTERED_MODEL", action: "CREATED" }, label: "Registered model created" },
  { event: { entity: "MODEL_VERSION", action: "CREATED" }, label: "Model version created" },
  { event: { entity: "MODEL_VERSION_TAG", action: "SET" }, label: "Version tag set" },
  { event: { entity: "MODEL_VERSION_TAG", action: "DELETED" }, label: "Version tag deleted" },
  { event: { entity: "MODEL_VERSION_ALIAS", action: "CREATED" }, label: "Alias set" },
  { event: { entity: "MODEL_VERSION_ALIAS", action: "DELETED" }, label: "Alias removed" },
  {
    event: { entity: "MODEL_VERSION_STAGE", action: "TRANSITIONED" },
    label: "Stage transitioned",
  },
];

export function eventKey(event: WebhookEvent): string {
  return `${event.entity}.${event.action}`.toLowerCase();
}

export function eventLabel(event: WebhookEvent): string {
  return EVENTS.find((e) => eventKey(e.event) === eventKey(event))?.label ?? eventKey(event);
}

// Every event a webhook listens to: MLflow's and Grimoire's own (kept apart on the wire).
export function subscribed(webhook: Webhook): WebhookEvent[] {
  return [...webhook.events, ...webhook.grimoire_events];
}

export function toggled(keys: Set<string>, key: string, on: boolean): Set<string> {
  const next = new Set(keys);
  if (on) next.add(key);
  else next.delete(key);
  return next;
}

export function eventsOf(keys: Set<string>): WebhookEvent[] {
  return EVENTS.filter((e) => keys.has(eventKey(e.event))).map((e) => e.event);
}

export interface DeliverySummary {
  lastStatus: string; // "500", "timed out", "—" before the first attempt
  excerpt: string;
  replayable: boolean;
}

export function summarize(delivery: Delivery): DeliverySummary {
  const last = delivery.attempt_log[delivery.attempt_log.length - 1];
  const lastStatus = !last ? "—" : last.status_code !== null ? String(last.status_code) : (last.error ?? "error");
  return {
    lastStatus,
    excerpt: (last?.response_excerpt ?? last?.error ?? "").slice(0, 200),
    // A pending delivery is still being tried; only a finished one can be sent again.
    replayable: delivery.state !== "pending",
  };
}
