// The audit page's filters in the URL's hash query (so a link reproduces them), what they ask
// of /api/2.0/grimoire/audit, and the page each entry links to.

import type { AuditEntry, AuditQuery } from "../../../api/admin";
import { links } from "../../../app/routes";

export interface AuditView {
  actor: string;
  action: string;
  resourceType: string;
  object: string;
  since: string; // a date or date-time as <input type="datetime-local"> writes it, local time
  until: string;
}

const KEYS: [keyof AuditView, string][] = [
  ["actor", "actor"],
  ["action", "action"],
  ["resourceType", "type"],
  ["object", "object"],
  ["since", "since"],
  ["until", "until"],
];

export function parseAuditView(query: URLSearchParams): AuditView {
  const view = { actor: "", action: "", resourceType: "", object: "", since: "", until: "" };
  for (const [field, key] of KEYS) view[field] = query.get(key) ?? "";
  return view;
}

export function auditViewQuery(view: AuditView): URLSearchParams {
  const query = new URLSearchParams();
  for (const [field, key] of KEYS) if (view[field].trim()) query.set(key, view[field].trim());
  return query;
}

// A local date-time as epoch ms; a bare date is its midnight. Unreadable: undefined (no bound).
export function localTimeMs(text: string): number | undefined {
  if (!text.trim()) return undefined;
  const ms = new Date(/T/.test(text) ? text : `${text}T00:00`).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

export function auditQuery(view: AuditView, limit = 200): AuditQuery {
  const text = (value: string) => value.trim() || undefined;
  return {
    actor: text(view.actor),
    action: text(view.action),
    resource_type: text(view.resourceType),
    object: text(view.object),
    since_ms: localTimeMs(view.since),
    until_ms: localTimeMs(view.until),
    limit,
  };
}

function detail(entry: AuditEntry, key: string): string | undefined {
  const value = entry.details[key];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

// The page of the object an entry is about, from what its request named; null when there is
// none to open (a revoked token, a deleted webhook's id still links to its page's 404).
export function objectLink(entry: AuditEntry): { href: string; label: string } | null {
  const name = detail(entry, "name");
  const version = detail(entry, "version");
  const runId = detail(entry, "run_id");
  const experimentId = detail(entry, "experiment_id");
  switch (entry.resource_type) {
    case "registered_model":
      if (!name) return null;
      return version
        ? { href: links.modelVersion(name, version), label: `${name} v${version}` }
        : { href: links.model(name), label: name };
    case "experiment": {
      const id = experimentId ?? entry.resource_id;
      if (runId && id) return { href: links.run(id, runId), label: `run ${runId.slice(0, 8)}` };
      return id ? { href: links.runs(id), label: `experiment ${id}` } : null;
    }
  }
  const webhookId = detail(entry, "webhook_id");
  if (entry.action.startsWith("webhook.") && webhookId) {
    return { href: links.webhook(webhookId), label: `webhook ${webhookId.slice(0, 8)}` };
  }
  if (entry.action.startsWith("permission.")) {
    const type = detail(entry, "resource_type");
    const id = detail(entry, "resource_id");
    if (type === "experiment" && id) return { href: links.runs(id), label: `experiment ${id}` };
    if (type === "registered_model" && id) return { href: links.model(id), label: id };
    if (type === "default") return { href: links.access(), label: "default grants" };
  }
  return null;
}

// What the request asked, minus what the row already shows: a short "key=value" list.
export function detailSummary(entry: AuditEntry): string {
  return Object.entries(entry.details)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" ");
}
