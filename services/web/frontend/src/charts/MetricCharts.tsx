// Every given metric of the given runs, one chart each, with the controls shared by all of
// them: x axis (step, wall time, relative time), log scale, smoothing.

import { useEffect, useMemo, useState } from "preact/hooks";
import { PARALLEL_REQUESTS } from "../api/parallel";
import { metricHistories } from "../pages/run/runApi";
import { MetricChart, type ChartRun } from "./MetricChart";
import { align, type Point, type XAxis } from "./series";

interface Props {
  runs: ChartRun[];
  metricKeys: string[];
}

type Loaded = { state: "loading" } | { state: "error"; message: string } | { state: "ready"; byKey: Map<string, Point[]> };

// The bulk endpoint takes up to 100 runs; 1000 buckets is sharper than any chart is wide.
const POINTS_PER_CHART = 1000;

export function MetricCharts({ runs, metricKeys }: Props) {
  const [xAxis, setXAxis] = useState<XAxis>("step");
  const [logScale, setLogScale] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const runIds = runs.map((run) => run.id);
  const identity = runIds.join(",") + "|" + metricKeys.join(",");

  useEffect(() => {
    let current = true;
    setLoaded({ state: "loading" });
    // Many charts already make enough requests side by side; a few charts split their runs.
    const requestsPerChart = Math.max(1, Math.floor(PARALLEL_REQUESTS / metricKeys.length));
    Promise.all(metricKeys.map((key) => metricHistories(runIds, key, POINTS_PER_CHART, requestsPerChart))).then(
      (histories) => {
        if (current) setLoaded({ state: "ready", byKey: new Map(metricKeys.map((key, i) => [key, histories[i]])) });
      },
      (error: Error) => current && setLoaded({ state: "error", message: error.message }),
    );
    return () => {
      current = false;
    };
  }, [identity]);

  const aligned = useMemo(() => {
    if (loaded.state !== "ready") return new Map();
    return new Map(metricKeys.map((key) => [key, align(loaded.byKey.get(key) ?? [], runIds, xAxis)]));
  }, [loaded, xAxis]);

  if (metricKeys.length === 0) return <p class="muted">No metrics logged.</p>;
  return (
    <section aria-label="Metric charts">
      <div class="chart-controls">
        <label>
          X axis{" "}
          <select value={xAxis} onChange={(e) => setXAxis(e.currentTarget.value as XAxis)}>
            <option value="step">Step</option>
            <option value="wall">Wall time</option>
            <option value="relative">Relative time</option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.currentTarget.checked)} /> Log scale
        </label>
        <label>
          Smoothing{" "}
          <input
            type="range"
            min="0"
            max="0.99"
            step="0.01"
            value={smoothing}
            onInput={(e) => setSmoothing(Number(e.currentTarget.value))}
          />{" "}
          <span class="mono">{smoothing.toFixed(2)}</span>
        </label>
        <span class="muted">Drag across a chart to zoom, double-click to reset.</span>
      </div>
      {loaded.state === "loading" && <p class="muted">Loading metric histories…</p>}
      {loaded.state === "error" && <p class="error" role="alert">{loaded.message}</p>}
      {loaded.state === "ready" && (
        <div class="chart-grid">
          {metricKeys.map((key) => (
            <MetricChart
              key={key}
              metricKey={key}
              runs={runs}
              data={aligned.get(key)}
              xAxis={xAxis}
              logScale={logScale}
              smoothing={smoothing}
            />
          ))}
        </div>
      )}
    </section>
  );
}
