// Nested runs (`mlflow.parentRunId`) sit under their parent when the parent is on the same
// page; a child whose parent is elsewhere (another page, filtered out) stays a top-level row.
import type { Run } from "../../api/mlflow";

export const PARENT_TAG = "mlflow.parentRunId";

export interface Row {
  run: Run;
  depth: number;
  children: number; // direct children on this page
}

export function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

// Rows in page order, each parent followed by its children when it is expanded.
export function nestedRows(runs: Run[], expanded: Set<string>): Row[] {
  const onPage = new Set(runs.map((r) => r.info.run_id));
  const children = new Map<string, Run[]>();
  const roots: Run[] = [];
  for (const run of runs) {
    const parent = tagOf(run, PARENT_TAG);
    if (parent && parent !== run.info.run_id && onPage.has(parent)) {
      children.set(parent, [...(children.get(parent) ?? []), run]);
    } else {
      roots.push(run);
    }
  }
  // Runs whose parent tags form a cycle reach no root: they are shown as roots too.
  const reached = new Set<string>();
  const reach = (run: Run) => {
    if (reached.has(run.info.run_id)) return;
    reached.add(run.info.run_id);
    children.get(run.info.run_id)?.forEach(reach);
  };
  roots.forEach(reach);
  for (const run of runs) {
    if (!reached.has(run.info.run_id)) {
      roots.push(run);
      reach(run);
    }
  }
  const rows: Row[] = [];
  const seen = new Set<string>();
  const visit = (run: Run, depth: number) => {
    if (seen.has(run.info.run_id)) return;
    seen.add(run.info.run_id);
    const kids = children.get(run.info.run_id) ?? [];
    rows.push({ run, depth, children: kids.length });
    if (expanded.has(run.info.run_id)) kids.forEach((kid) => visit(kid, depth + 1));
  };
  roots.forEach((run) => visit(run, 0));
  return rows;
}

// Keys for the column picker, from the runs on the page: params, metrics, tags (the client's
// own `mlflow.*` tags after the user's).
export function columnKeys(runs: Run[]): { params: string[]; metrics: string[]; tags: string[] } {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    run.data.params?.forEach((p) => params.add(p.key));
    run.data.metrics?.forEach((m) => metrics.add(m.key));
    run.data.tags?.forEach((t) => tags.add(t.key));
  }
  return sortedKeys({ params: [...params], metrics: [...metrics], tags: [...tags] });
}

// By name, system tags (`mlflow.*`) after the team's own.
export function sortedKeys(keys: { params: string[]; metrics: string[]; tags: string[] }) {
  const byName = (a: string, b: string) => a.localeCompare(b);
  const system = (k: string) => k.startsWith("mlflow.");
  return {
    params: [...keys.params].sort(byName),
    metrics: [...keys.metrics].sort(byName),
    tags: [...keys.tags].sort((a, b) => Number(system(a)) - Number(system(b)) || byName(a, b)),
  };
}
