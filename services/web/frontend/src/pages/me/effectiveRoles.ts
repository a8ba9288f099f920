// /me's grants as sentences: the role, what it is on, and where it comes from.

import type { Grant } from "../../app/auth/roles";

export interface MeGrant extends Grant {
  via?: string;
}

export function grantScope(grant: Grant): string {
  switch (grant.resource_type) {
    case "default":
      return "every experiment and model";
    case "create":
      return `creating ${grant.resource_id === "registered_model" ? "registered models" : "experiments"}`;
    case "experiment":
      return `experiment ${grant.resource_id}`;
    case "registered_model":
      return `registered model #${grant.resource_id}`;
    case "experiment_pattern":
      return `experiments named ${grant.resource_id}`;
    case "registered_model_pattern":
      return `registered models named ${grant.resource_id}`;
    default:
      return `${grant.resource_type} ${grant.resource_id}`;
  }
}

export function grantSource(grant: MeGrant): string {
  if (!grant.via) return "";
  const [kind, ...rest] = grant.via.split(":");
  const name = rest.join(":");
  return kind === "group" ? `through group ${name}` : "granted to you";
}

export function experimentHref(grant: Grant): string | null {
  return grant.resource_type === "experiment" ? `#/experiments/${encodeURIComponent(grant.resource_id)}` : null;
}
