import {
  metricSummaries,
  modelVersionsOfRuns,
  searchRuns,
  type MetricSummary,
  type ModelVersion,
  type Run,
  type RunKeys,
} from "../../api/mlflow";
import { PARENT_TAG } from "./nesting";
import { runFilter } from "../../state/filters";
import { orderBy, VIEW_TYPES, type ColumnKey, type RunsView } from "../../state/runsView";

// The tags the table reads besides the picked columns: user, source, commit and nesting.
export const TABLE_TAGS = ["mlflow.user", "mlflow.source.name", "mlflow.source.git.commit", PARENT_TAG];

// Only the picked columns travel: a wide experiment's page stays small.
export function shownColumns(view: RunsView): RunKeys {
  const picked = (kind: ColumnKey["kind"]) => view.columns.filter((c) => c.kind === kind).map((c) => c.key);
  return { params: picked("params"), metrics: picked("metrics"), tags: [...new Set([...TABLE_TAGS, ...picked("tags")])] };
}

export interface RunsPage {
  runs: Run[];
  next?: string;
}

export interface RunsExtras {
  versions: ModelVersion[];
  summaries: MetricSummary[] | null;
}

// One page from the server (never all runs). The rows show as soon as it arrives; what they
// need beside it (loadExtras) follows in its own requests.
export async function loadRuns(experimentId: string, view: RunsView): Promise<RunsPage> {
  const page = await searchRuns({
    experiment_ids: [experimentId],
    filter: runFilter(view.filter) || undefined,
    order_by: orderBy(view),
    run_view_type: VIEW_TYPES[view.lifecycle],
    max_results: view.size,
    page_token: view.page ?? undefined,
    columns: shownColumns(view),
  });
  return { runs: page.runs ?? [], next: page.next_page_token };
}

// The model versions made from the page's runs and the min/max the user asked for, one
// request each, side by side.
export async function loadExtras(runIds: string[], view: RunsView): Promise<RunsExtras> {
  if (runIds.length === 0) return { versions: [], summaries: null };
  const metrics = view.columns.filter((c) => c.kind === "metrics" && view.minmax.includes(c.key));
  const [versions, summaries] = await Promise.all([
    // The registry may be unreadable to this user; the runs stand without the column.
    modelVersionsOfRuns(runIds).catch(() => []),
    metricSummaries(runIds, metrics.map((c) => c.key)).catch(() => null),
  ]);
  return { versions, summaries };
}
