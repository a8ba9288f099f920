import type { MetricSummary, ModelVersion, Run } from "../../api/mlflow";
import { links } from "../../app/routes";
import { formatDuration, formatNumber, formatTime } from "../../state/format";
import { columnId, type ColumnKey, type RunsView } from "../../state/runsView";
import { nestedRows, tagOf } from "./nesting";

interface Props {
  experimentId: string;
  view: RunsView;
  runs: Run[];
  versions: ModelVersion[];
  summaries: MetricSummary[] | null;
  selected: Set<string>;
  expanded: Set<string>;
  onSort: (column: ColumnKey) => void;
  onSelect: (runId: string, on: boolean) => void;
  onSelectAll: (on: boolean) => void;
  onExpand: (runId: string) => void;
}

// The fixed columns; the sortable ones name the attribute the server orders by.
const FIXED: { label: string; sort?: ColumnKey; narrow?: boolean }[] = [
  { label: "Run", sort: { kind: "attributes", key: "run_name" } },
  { label: "Created", sort: { kind: "attributes", key: "start_time" } },
  { label: "Duration", narrow: true },
  { label: "Status", sort: { kind: "attributes", key: "status" } },
  { label: "User", sort: { kind: "attributes", key: "user_id" }, narrow: true },
  { label: "Source", narrow: true },
  { label: "Models", narrow: true },
];

function SortHeader({ label, column, view, onSort }: {
  label: string;
  column: ColumnKey;
  view: RunsView;
  onSort: (column: ColumnKey) => void;
}) {
  const active = columnId(view.sort) === columnId(column);
  return (
    <th scope="col" aria-sort={active ? (view.ascending ? "ascending" : "descending") : "none"}>
      <button type="button" class="sort" onClick={() => onSort(column)} title={`Sort by ${label}`}>
        {label}
        {active ? (view.ascending ? " ▲" : " ▼") : ""}
      </button>
    </th>
  );
}

function value(run: Run, column: ColumnKey): string {
  if (column.kind === "params") return run.data.params?.find((p) => p.key === column.key)?.value ?? "";
  if (column.kind === "tags") return tagOf(run, column.key) ?? "";
  if (column.kind === "metrics") {
    return formatNumber(run.data.metrics?.find((m) => m.key === column.key)?.value);
  }
  return String((run.info as unknown as Record<string, unknown>)[column.key] ?? "");
}

function Source({ run }: { run: Run }) {
  const source = tagOf(run, "mlflow.source.name");
  const commit = tagOf(run, "mlflow.source.git.commit");
  return (
    <td class="hide-narrow" title={[source, commit].filter(Boolean).join(" @ ")}>
      {source ? source.split("/").pop() : ""}
      {commit && <span class="chip mono"> {commit.slice(0, 7)}</span>}
    </td>
  );
}

export function RunsTable(props: Props) {
  const { experimentId, view, runs, versions, summaries, selected, expanded } = props;
  const rows = nestedRows(runs, expanded);
  const allSelected = runs.length > 0 && runs.every((r) => selected.has(r.info.run_id));
  const summaryOf = (runId: string, key: string) =>
    summaries?.find((s) => s.run_id === runId && s.key === key);
  return (
    <div class="table-wrap">
      <table class="data" aria-label="Runs">
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select all runs on this page"
                checked={allSelected}
                onChange={(e) => props.onSelectAll(e.currentTarget.checked)}
              />
            </th>
            {FIXED.map((column) =>
              column.sort ? (
                <SortHeader label={column.label} column={column.sort} view={view} onSort={props.onSort} />
              ) : (
                <th scope="col" class={column.narrow ? "hide-narrow" : undefined}>
                  {column.label}
                </th>
              ),
            )}
            {view.columns.map((column) => (
              <SortHeader
                label={`${column.kind === "params" ? "param" : column.kind === "tags" ? "tag" : "metric"} ${column.key}`}
                column={column}
                view={view}
                onSort={props.onSort}
              />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ run, depth, children }) => {
            const id = run.info.run_id;
            const name = run.info.run_name || id.slice(0, 8);
            return (
              <tr key={id} data-run-id={id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select run ${name}`}
                    checked={selected.has(id)}
                    onChange={(e) => props.onSelect(id, e.currentTarget.checked)}
                  />
                </td>
                <td style={{ paddingLeft: `${0.55 + depth * 1.2}rem` }}>
                  {children > 0 && (
                    <button
                      type="button"
                      class="ghost"
                      aria-expanded={expanded.has(id)}
                      aria-label={`${expanded.has(id) ? "Collapse" : "Expand"} ${children} child runs of ${name}`}
                      onClick={() => props.onExpand(id)}
                    >
                      {expanded.has(id) ? "▾" : "▸"} {children}
                    </button>
                  )}
                  <a href={links.run(experimentId, id)} class="run-name">
                    {name}
                  </a>
                  {run.info.lifecycle_stage === "deleted" && <span class="chip"> deleted</span>}
                </td>
                <td>{formatTime(run.info.start_time)}</td>
                <td class="hide-narrow">{formatDuration(run.info.start_time, run.info.end_time)}</td>
                <td class={`status-${run.info.status}`}>{run.info.status}</td>
                <td class="hide-narrow">{run.info.user_id || tagOf(run, "mlflow.user") || ""}</td>
                <Source run={run} />
                <td class="hide-narrow">
                  {versions
                    .filter((v) => v.run_id === id)
                    .map((v) => (
                      <a class="chip" href={links.modelVersion(v.name, v.version)}>
                        {v.name} v{v.version}
                      </a>
                    ))}
                </td>
                {view.columns.map((column) => {
                  const summary =
                    column.kind === "metrics" && view.minmax.includes(column.key)
                      ? summaryOf(id, column.key)
                      : undefined;
                  return (
                    <td class={column.kind === "metrics" ? "num" : undefined}>
                      {value(run, column)}
                      {summary && (
                        <div class="muted minmax">
                          min {formatNumber(summary.min)} · max {formatNumber(summary.max)}
                        </div>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
