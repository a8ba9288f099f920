// The runs table's whole view (filter, sort, columns, min/max, page, lifecycle) as the hash
// query, so a link reproduces exactly what its sender saw. Defaults are left out of the URL.
import { entityRef } from "./filters";

export type Lifecycle = "active" | "deleted" | "all";

// A column or sort key as the search grammar names it: `metrics.loss`, `params.lr`,
// `tags.team`, `attributes.start_time`.
export interface ColumnKey {
  kind: "params" | "metrics" | "tags" | "attributes";
  key: string;
}

export interface RunsView {
  filter: string;
  sort: ColumnKey;
  ascending: boolean;
  columns: ColumnKey[];
  minmax: string[]; // metric keys whose min and max are shown next to the latest value
  page: string | null; // the server's page token; null is the first page
  size: number;
  lifecycle: Lifecycle;
}

export const PAGE_SIZES = [25, 50, 100, 250];
export const DEFAULT_VIEW: RunsView = {
  filter: "",
  sort: { kind: "attributes", key: "start_time" },
  ascending: false,
  columns: [],
  minmax: [],
  page: null,
  size: 50,
  lifecycle: "active",
};

const KINDS = new Set(["params", "metrics", "tags", "attributes"]);

// `metrics.loss` -> {metrics, loss}; the key may itself contain dots (`tags.mlflow.user`).
export function parseColumnKey(text: string): ColumnKey | null {
  const dot = text.indexOf(".");
  if (dot < 1) return null;
  const kind = text.slice(0, dot);
  const key = text.slice(dot + 1);
  if (!KINDS.has(kind) || !key) return null;
  return { kind: kind as ColumnKey["kind"], key };
}

export function columnId(column: ColumnKey): string {
  return `${column.kind}.${column.key}`;
}

// Column lists are JSON in the URL: keys may hold commas and any other character.
function parseList(text: string | null): string[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

export function parseRunsView(query: URLSearchParams): RunsView {
  const sort = parseColumnKey(query.get("sort") ?? "") ?? DEFAULT_VIEW.sort;
  const size = Number(query.get("size"));
  const lifecycle = query.get("lifecycle");
  return {
    filter: query.get("filter") ?? "",
    sort,
    ascending: query.has("sort") ? query.get("asc") === "1" : DEFAULT_VIEW.ascending,
    columns: parseList(query.get("columns"))
      .map(parseColumnKey)
      .filter((c): c is ColumnKey => c !== null),
    minmax: parseList(query.get("minmax")),
    page: query.get("page") || null,
    size: PAGE_SIZES.includes(size) ? size : DEFAULT_VIEW.size,
    lifecycle: lifecycle === "deleted" || lifecycle === "all" ? lifecycle : "active",
  };
}

export function runsViewQuery(view: RunsView): URLSearchParams {
  const query = new URLSearchParams();
  if (view.filter) query.set("filter", view.filter);
  const defaultSort =
    columnId(view.sort) === columnId(DEFAULT_VIEW.sort) && view.ascending === DEFAULT_VIEW.ascending;
  if (!defaultSort) {
    query.set("sort", columnId(view.sort));
    if (view.ascending) query.set("asc", "1");
  }
  if (view.columns.length) query.set("columns", JSON.stringify(view.columns.map(columnId)));
  if (view.minmax.length) query.set("minmax", JSON.stringify(view.minmax));
  if (view.page) query.set("page", view.page);
  if (view.size !== DEFAULT_VIEW.size) query.set("size", String(view.size));
  if (view.lifecycle !== "active") query.set("lifecycle", view.lifecycle);
  return query;
}

// The saved-views endpoints store the view as this string; the page is not part of a view.
export function viewState(view: RunsView): string {
  return runsViewQuery({ ...view, page: null }).toString();
}

export function orderBy(view: RunsView): string[] {
  return [`${entityRef(view.sort.kind, view.sort.key)} ${view.ascending ? "ASC" : "DESC"}`];
}

export const VIEW_TYPES = { active: "ACTIVE_ONLY", deleted: "DELETED_ONLY", all: "ALL" } as const;

// Clicking a header: a new column sorts descending for metrics (best-first for scores is a
// guess either way; MLflow does the same), ascending otherwise; the same column flips.
export function sortedBy(view: RunsView, column: ColumnKey): RunsView {
  const same = columnId(view.sort) === columnId(column);
  const ascending = same ? !view.ascending : column.kind !== "metrics" && column.kind !== "attributes";
  return { ...view, sort: column, ascending, page: null };
}
