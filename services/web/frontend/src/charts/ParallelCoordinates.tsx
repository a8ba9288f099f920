// Parallel coordinates over params and metrics (SVG: 50 runs x a dozen axes is a few hundred
// segments). Axes are reordered with the arrow buttons under the chart, which work by keyboard.

import { useMemo } from "preact/hooks";
import { move, scaleOf, type Column } from "./axes";
import { colourOf } from "./palette";
import "./charts.css";

export interface PlotRun {
  id: string;
  label: string;
  colourIndex: number;
}

interface Props {
  runs: PlotRun[];
  columns: Column[];
  order: string[];
  onOrder: (order: string[]) => void;
}

const WIDTH = 900;
const HEIGHT = 320;
const TOP = 30;
const BOTTOM = 30;
const SIDE = 60;

export function ParallelCoordinates({ runs, columns, order, onOrder }: Props) {
  const byId = new Map(columns.map((column) => [column.id, column]));
  const axes = order.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  const scales = useMemo(() => axes.map(scaleOf), [axes.map((a) => a.id).join("|"), columns]);
  if (axes.length < 2) return <p class="muted">Pick at least two params or metrics to draw parallel coordinates.</p>;
  const step = (WIDTH - 2 * SIDE) / (axes.length - 1);
  const xOf = (axis: number) => SIDE + axis * step;
  const yOf = (position: number) => TOP + (1 - position) * (HEIGHT - TOP - BOTTOM);
  return (
    <figure class="metric-chart">
      <figcaption>Parallel coordinates</figcaption>
      <svg class="plot-svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Parallel coordinates of the compared runs">
        {runs.map((run, r) => {
          // A run without a value on an axis breaks its line there rather than inventing one.
          const segments: string[] = [];
          let current = "";
          scales.forEach((scale, a) => {
            const position = scale.position(r);
            if (position === null) {
              if (current) segments.push(current);
              current = "";
              return;
            }
            current += `${current ? " L" : "M"}${xOf(a).toFixed(1)},${yOf(position).toFixed(1)}`;
          });
          if (current) segments.push(current);
          return (
            <path key={run.id} d={segments.join(" ")} fill="none" stroke={colourOf(run.colourIndex)} stroke-width="2" opacity="0.8">
              <title>{run.label}</title>
            </path>
          );
        })}
        {axes.map((axis, a) => (
          <g key={axis.id}>
            <line class="axis-line" x1={xOf(a)} x2={xOf(a)} y1={TOP} y2={HEIGHT - BOTTOM} />
            <text x={xOf(a)} y={TOP - 12} text-anchor="middle" font-weight="600">
              {axis.label}
            </text>
            {scales[a].ticks.map((tick) => (
              <text key={tick.label} x={xOf(a) + 4} y={yOf(tick.at) + 4}>
                {tick.label}
              </text>
            ))}
          </g>
        ))}
      </svg>
      <div class="axis-order" aria-label="Axis order">
        {axes.map((axis, a) => (
          <span class="chip" key={axis.id}>
            <button type="button" aria-label={`Move ${axis.label} left`} disabled={a === 0} onClick={() => onOrder(move(order, order.indexOf(axis.id), -1))}>
              ←
            </button>
            {axis.label}
            <button
              type="button"
              aria-label={`Move ${axis.label} right`}
              disabled={a === axes.length - 1}
              onClick={() => onOrder(move(order, order.indexOf(axis.id), 1))}
            >
              →
            </button>
            <button type="button" aria-label={`Remove axis ${axis.label}`} onClick={() => onOrder(order.filter((id) => id !== axis.id))}>
              ×
            </button>
          </span>
        ))}
      </div>
    </figure>
  );
}
