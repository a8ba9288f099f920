// `#/compare-runs?runs=["id1","id2"]` (MLflow's link shape; its `experiments=` is accepted and
// lets one search read them all): params with differing rows marked, latest
// metrics, overlaid metric charts, parallel coordinates and a scatter of any two columns.

import { useEffect, useMemo, useState } from "preact/hooks";
import { links } from "../../app/routes";
import { MetricCharts } from "../../charts/MetricCharts";
import { ParallelCoordinates, type PlotRun } from "../../charts/ParallelCoordinates";
import { Scatter } from "../../charts/Scatter";
import { differs } from "../../charts/axes";
import { colourOf } from "../../charts/palette";
import { runsByIds } from "../run/runApi";
import { useLoad } from "../run/useLoad";
import { columnsOf } from "./columns";
import { CompareTable } from "./CompareTable";
import "./compare.css";

const MAX_RUNS = 50;
// Parallel coordinates start with the columns that tell runs apart, a readable number of them.
const DEFAULT_AXES = 8;

export default function ComparePage({ runIds, experimentIds }: { runIds: string[]; experimentIds: string[] }) {
  const ids = runIds.slice(0, MAX_RUNS);
  const [loaded] = useLoad(() => runsByIds(ids, experimentIds), [ids.join(","), experimentIds.join(",")]);
  const runs = loaded.state === "ready" ? loaded.value : [];
  const { params, metrics } = useMemo(() => columnsOf(runs), [runs]);
  const all = useMemo(() => [...params, ...metrics], [params, metrics]);
  const plotRuns: PlotRun[] = useMemo(
    () => runs.map((run, i) => ({ id: run.info.run_id, label: run.info.run_name || run.info.run_id, colourIndex: i })),
    [runs],
  );
  const metricKeys = useMemo(() => metrics.map((m) => m.label), [metrics]);
  const [onlyDiffering, setOnlyDiffering] = useState(false);
  const [order, setOrder] = useState<string[]>([]);
  const [scatterX, setScatterX] = useState("");
  const [scatterY, setScatterY] = useState("");

  useEffect(() => {
    const differing = params.filter((p) => differs(p.values));
    setOrder([...differing, ...metrics].slice(0, DEFAULT_AXES).map((c) => c.id));
    setScatterX(differing[0]?.id ?? params[0]?.id ?? all[0]?.id ?? "");
    setScatterY(metrics[0]?.id ?? all[1]?.id ?? "");
  }, [all]);

  if (ids.length < 2) {
    return (
      <section>
        <h1>Compare runs</h1>
        <p class="muted">Pick two to {MAX_RUNS} runs in an experiment's runs table to compare them.</p>
      </section>
    );
  }
  if (loaded.state === "loading") return <p class="muted">Loading {ids.length} runs…</p>;
  if (loaded.state === "error") return <p class="error" role="alert">{loaded.message}</p>;
  const byId = new Map(all.map((c) => [c.id, c]));
  const unused = all.filter((c) => !order.includes(c.id));
  return (
    <article class="compare-page">
      <h1>Comparing {runs.length} runs</h1>
      {runIds.length > MAX_RUNS && <p class="banner-warn banner">Only the first {MAX_RUNS} runs are compared.</p>}
      <ul class="compare-runs">
        {runs.map((run, i) => (
          <li key={run.info.run_id}>
            <span class="swatch" style={{ background: colourOf(i) }} aria-hidden="true" />
            <a href={links.run(run.info.experiment_id, run.info.run_id)}>{run.info.run_name || run.info.run_id}</a>{" "}
            <span class={`status-${run.info.status}`}>{run.info.status}</span>
          </li>
        ))}
      </ul>
      <label class="toolbar">
        <input type="checkbox" checked={onlyDiffering} onChange={(e) => setOnlyDiffering(e.currentTarget.checked)} /> Show only
        rows that differ
      </label>
      <h2>Parameters</h2>
      <CompareTable title="Parameters" runs={runs} columns={params} onlyDiffering={onlyDiffering} />
      <h2>Metrics (latest)</h2>
      <CompareTable title="Metrics" runs={runs} columns={metrics} onlyDiffering={onlyDiffering} />
      <h2>Metric charts</h2>
      <MetricCharts runs={plotRuns} metricKeys={metricKeys} />
      <h2>Parallel coordinates</h2>
      <div class="toolbar">
        <label>
          Add axis{" "}
          <select value="" onChange={(e) => e.currentTarget.value && setOrder([...order, e.currentTarget.value])}>
            <option value="">—</option>
            {unused.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id.startsWith("param:") ? "param" : "metric"}: {c.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ParallelCoordinates runs={plotRuns} columns={all} order={order} onOrder={setOrder} />
      <h2>Scatter</h2>
      <div class="toolbar">
        {(
          [
            ["X axis", scatterX, setScatterX],
            ["Y axis", scatterY, setScatterY],
          ] as const
        ).map(([label, value, set]) => (
          <label key={label}>
            {label}{" "}
            <select value={value} onChange={(e) => set(e.currentTarget.value)}>
              {all.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.id.startsWith("param:") ? "param" : "metric"}: {c.label}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      {byId.has(scatterX) && byId.has(scatterY) ? (
        <Scatter runs={plotRuns} x={byId.get(scatterX)!} y={byId.get(scatterY)!} />
      ) : (
        <p class="muted">Nothing to plot.</p>
      )}
    </article>
  );
}
