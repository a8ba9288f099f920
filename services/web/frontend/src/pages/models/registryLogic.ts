// Pure registry logic the pages share: the latest version per stage, what a stage transition
// or an alias move will change (the confirmation names it), and the compare link's versions.
import { parseRunList } from "../../app/routes";
import type { Alias, ModelVersion, Stage } from "../../api/registry";
import { atLeast, type Me, type Role } from "../../app/auth/roles";

export const MODEL_ORDERS: { value: string; label: string }[] = [
  { value: "last_updated_timestamp DESC", label: "Last modified" },
  { value: "name ASC", label: "Name A–Z" },
  { value: "name DESC", label: "Name Z–A" },
  { value: "creation_timestamp DESC", label: "Newest" },
];

const STAGE_ORDER = ["Production", "Staging", "None", "Archived"];

// The registry's `latest_versions` has one entry per stage; shown Production first.
export function latestByStage(versions: ModelVersion[] | undefined): ModelVersion[] {
  return [...(versions ?? [])].sort(
    (a, b) =>
      STAGE_ORDER.indexOf(a.current_stage ?? "None") -
      STAGE_ORDER.indexOf(b.current_stage ?? "None"),
  );
}

export function stageOf(version: ModelVersion): Stage {
  return (version.current_stage as Stage | undefined) ?? "None";
}

// Each change a transition makes, in words: the version itself, then (with "archive existing
// versions") every other version now in the target stage. MLflow archives others only for
// Staging and Production.
export function transitionChanges(
  version: ModelVersion,
  target: Stage,
  archiveExisting: boolean,
  all: ModelVersion[],
): string[] {
  const from = stageOf(version);
  if (from === target) return [];
  const changes = [`Version ${version.version}: ${from} → ${target}`];
  if (archiveExisting && (target === "Staging" || target === "Production")) {
    for (const other of all) {
      if (other.version !== version.version && stageOf(other) === target) {
        changes.push(`Version ${other.version}: ${target} → Archived`);
      }
    }
  }
  return changes;
}

// What setting `alias` on `version` does: a new alias, a move from another version, or nothing.
export function aliasChange(aliases: Alias[], alias: string, version: string): string | null {
  const current = aliases.find((a) => a.alias === alias);
  if (!current) return `Set alias ${alias} on version ${version}`;
  if (current.version === version) return null;
  return `Move alias ${alias} from version ${current.version} to version ${version}`;
}

export const MIN_COMPARED = 2;
export const MAX_COMPARED = 10;

// `versions=["5","7"]` (MLflow's link) or `5,7`: distinct, in the order given.
export function comparedVersions(value: string | null): string[] {
  return [...new Set(parseRunList(value).map((v) => v.trim()).filter(Boolean))];
}

export function compareProblem(versions: string[]): string | null {
  if (versions.length < MIN_COMPARED) return `Pick at least ${MIN_COMPARED} versions to compare.`;
  if (versions.length > MAX_COMPARED) {
    return `At most ${MAX_COMPARED} versions can be compared; ${versions.length} were given.`;
  }
  return null;
}

// Creating a model: a default grant of EDIT or more, a create grant for registered models, or
// a name-pattern grant (the server decides whether the name matches).
export function mayCreateModels(me: Me): boolean {
  if (me.is_admin) return true;
  return me.grants.some(
    (g) =>
      (g.resource_type === "default" && atLeast(g.role as Role, "EDIT")) ||
      (g.resource_type === "create" && g.resource_id === "registered_model") ||
      (g.resource_type === "registered_model_pattern" && atLeast(g.role as Role, "EDIT")),
  );
}
