// One metric drawn by uPlot on a canvas: runs overlaid, drag to zoom (double-click resets),
// the legend under the chart shows each run's exact value at the cursor.

import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { colourOf, themeColour } from "./palette";
import { forLogScale, formatValue, smooth, type Aligned, type XAxis } from "./series";
import "./charts.css";

export interface ChartRun {
  id: string;
  label: string;
  colourIndex: number;
}

interface Props {
  metricKey: string;
  runs: ChartRun[];
  data: Aligned;
  xAxis: XAxis;
  logScale: boolean;
  smoothing: number;
  height?: number;
}

const X_LABEL: Record<XAxis, string> = {
  step: "step",
  wall: "time",
  relative: "seconds since the run's first point",
};

export function MetricChart({ metricKey, runs, data, xAxis, logScale, smoothing, height = 240 }: Props) {
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const ys = data.ys.map((values) => {
      const smoothed = smooth(values, smoothing);
      return logScale ? forLogScale(smoothed) : smoothed;
    });
    const axisColour = themeColour("--muted", "#5b6470");
    const gridColour = themeColour("--line", "#d8dde3");
    const axis = { stroke: axisColour, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour } };
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height,
      scales: {
        x: { time: xAxis === "wall" },
        y: logScale ? { distr: 3 } : {},
      },
      axes: [
        { ...axis, label: X_LABEL[xAxis] },
        { ...axis, size: 60, values: (_u, splits) => splits.map((v) => (v === null || v === undefined ? "" : formatValue(v))) },
      ],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      series: [
        { label: X_LABEL[xAxis], value: (_u, v) => (xAxis === "wall" && v !== null ? new Date(v * 1000).toLocaleString() : formatValue(v)) },
        ...runs.map((run) => ({
          label: run.label,
          stroke: colourOf(run.colourIndex),
          width: 1.5,
          spanGaps: true,
          points: { show: data.xs.length < 60 },
          value: (_u: uPlot, v: number | null) => formatValue(v),
        })),
      ],
    };
    const plot = new uPlot(options, [data.xs, ...ys] as uPlot.AlignedData, element);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 200), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, runs, xAxis, logScale, smoothing, height]);

  return (
    <figure class="metric-chart" aria-label={`Chart of ${metricKey}`}>
      <figcaption>{metricKey}</figcaption>
      <div ref={holder} class="metric-chart-canvas" />
    </figure>
  );
}
