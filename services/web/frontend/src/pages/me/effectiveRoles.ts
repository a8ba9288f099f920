// /me's grants as sentences: the role, what it is on, and where it comes from.

import type { Grant } from "../../app/auth/roles";

export interface MeGrant extends Grant {
  via?: string;
  resource_name?: string; // an experiment's or registered model's name, when it still exists
}

export function grantScope(grant: MeGrant): string {
  switch (grant.resource_type) {
    case "default":
      return "every experiment and model";
    case "create":
      return `creating ${grant.resource_id === "registered_model" ? "registered models" : "experiments"}`;
    case "experiment":
      return grant.resource_name ? `experiment ${grant.resource_name}` : `experiment ${grant.resource_id}`;
    case "registered_model":
      return grant.resource_name ? `model ${grant.resource_name}` : `registered model #${grant.resource_id}`;
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

// The page a grant is about: an experiment's runs, a registered model (by its name).
export function grantHref(grant: MeGrant): string | null {
  if (grant.resource_type === "experiment") return `#/experiments/${encodeURIComponent(grant.resource_id)}`;
  if (grant.resource_type === "registered_model" && grant.resource_name) {
    return `#/models/${encodeURIComponent(grant.resource_name)}`;
  }
  return null;
}
