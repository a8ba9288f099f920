// One param or metric against another across the compared runs, one dot per run.

import { scaleOf, type Column } from "./axes";
import { colourOf } from "./palette";
import type { PlotRun } from "./ParallelCoordinates";
import "./charts.css";

const WIDTH = 600;
const HEIGHT = 360;
const PAD = 56;

export function Scatter({ runs, x, y }: { runs: PlotRun[]; x: Column; y: Column }) {
  const sx = scaleOf(x);
  const sy = scaleOf(y);
  const px = (p: number) => PAD + p * (WIDTH - 2 * PAD);
  const py = (p: number) => HEIGHT - PAD + -p * (HEIGHT - 2 * PAD);
  return (
    <svg class="plot-svg scatter" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${y.label} against ${x.label}`}>
      <line class="axis-line" x1={PAD} x2={WIDTH - PAD} y1={HEIGHT - PAD} y2={HEIGHT - PAD} />
      <line class="axis-line" x1={PAD} x2={PAD} y1={PAD} y2={HEIGHT - PAD} />
      {sx.ticks.map((tick) => (
        <text key={`x${tick.label}`} x={px(tick.at)} y={HEIGHT - PAD + 16} text-anchor="middle">
          {tick.label}
        </text>
      ))}
      {sy.ticks.map((tick) => (
        <text key={`y${tick.label}`} x={PAD - 6} y={py(tick.at) + 4} text-anchor="end">
          {tick.label}
        </text>
      ))}
      <text x={WIDTH / 2} y={HEIGHT - 12} text-anchor="middle" font-weight="600">
        {x.label}
      </text>
      <text x={14} y={HEIGHT / 2} text-anchor="middle" font-weight="600" transform={`rotate(-90 14 ${HEIGHT / 2})`}>
        {y.label}
      </text>
      {runs.map((run, r) => {
        const a = sx.position(r);
        const b = sy.position(r);
        if (a === null || b === null) return null;
        return (
          <circle key={run.id} cx={px(a)} cy={py(b)} r="6" fill={colourOf(run.colourIndex)}>
            <title>{`${run.label}: ${x.label}=${x.values[r]}, ${y.label}=${y.values[r]}`}</title>
          </circle>
        );
      })}
    </svg>
  );
}
