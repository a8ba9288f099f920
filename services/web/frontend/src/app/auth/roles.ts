// The caller's role on an experiment, computed from /me the way the server does (highest of
// the default grant, the experiment's own grants and name-pattern grants; admins have all).
// It only decides which controls to show: the server enforces every write anyway.

export type Role = "NONE" | "READ" | "EDIT" | "MANAGE" | "ADMIN";
const RANK: Record<Role, number> = { NONE: 0, READ: 1, EDIT: 2, MANAGE: 3, ADMIN: 4 };

export interface Grant {
  resource_type: string;
  resource_id: string;
  role: string;
}

export interface Me {
  name: string;
  groups: string[];
  is_admin: boolean;
  grants: Grant[];
  csrf_token?: string | null;
}

function globMatches(pattern: string, name: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "s").test(name);
}

function higher(a: Role, b: string): Role {
  const role = (b in RANK ? b : "NONE") as Role;
  return RANK[role] > RANK[a] ? role : a;
}

export function experimentRole(me: Me, experimentId: string, experimentName?: string): Role {
  if (me.is_admin) return "ADMIN";
  let role: Role = "NONE";
  for (const grant of me.grants) {
    const applies =
      (grant.resource_type === "default" && grant.resource_id === "*") ||
      (grant.resource_type === "experiment" && grant.resource_id === experimentId) ||
      (grant.resource_type === "experiment_pattern" &&
        experimentName !== undefined &&
        globMatches(grant.resource_id, experimentName));
    if (applies) role = higher(role, grant.role);
  }
  return role;
}

// Whether the caller may create experiments: a default grant of EDIT+, a create grant, or
// (for a matching name) a pattern grant; a pattern grant shows the button, the server decides.
export function mayCreateExperiments(me: Me): boolean {
  if (me.is_admin) return true;
  return me.grants.some(
    (g) =>
      (g.resource_type === "default" && RANK[g.role as Role] >= RANK.EDIT) ||
      (g.resource_type === "create" && g.resource_id === "experiment") ||
      (g.resource_type === "experiment_pattern" && RANK[g.role as Role] >= RANK.EDIT),
  );
}

export function atLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}
