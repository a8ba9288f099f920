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
  versions: ModelVersion[];
  summaries: MetricSummary[] | null;
}

// One page from the server (never all runs), then what the page's rows need beside it in
// one request each: the model versions made from them and the min/max the user asked for.
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
  const runs = page.runs ?? [];
  const ids = runs.map((r) => r.info.run_id);
  const metrics = view.columns.filter((c) => c.kind === "metrics" && view.minmax.includes(c.key));
  const [versions, summaries] = await Promise.all([
    // The registry may be unreadable to this user; the runs stand without the column.
    modelVersionsOfRuns(ids).catch(() => []),
    metricSummaries(ids, metrics.map((c) => c.key)).catch(() => null),
  ]);
  return { runs, next: page.next_page_token, versions, summaries };
}
