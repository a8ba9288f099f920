// Metric points (as get-history-bulk-interval returns them) turned into the column arrays uPlot
// draws: one shared, sorted x column and one y column per run, null where a run has no point.

export type XAxis = "step" | "wall" | "relative";

export interface Point {
  run_id: string;
  step: number;
  timestamp: number;
  value: number;
}

export interface Aligned {
  xs: number[];
  ys: (number | null)[][];
}

function xOf(point: Point, axis: XAxis, start: number): number {
  if (axis === "step") return point.step;
  if (axis === "wall") return point.timestamp / 1000; // uPlot's time axis counts seconds
  return (point.timestamp - start) / 1000;
}

// MLflow logs NaN and infinities as strings or numbers; neither can be drawn.
function finite(value: number | string): number | null {
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

export function align(points: Point[], runIds: string[], axis: XAxis): Aligned {
  const perRun = new Map<string, Map<number, number | null>>(runIds.map((id) => [id, new Map()]));
  const starts = new Map<string, number>();
  for (const point of points) {
    const first = starts.get(point.run_id);
    if (first === undefined || point.timestamp < first) starts.set(point.run_id, point.timestamp);
  }
  const ordered = [...points].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  const all = new Set<number>();
  for (const point of ordered) {
    const run = perRun.get(point.run_id);
    if (!run) continue;
    const x = xOf(point, axis, starts.get(point.run_id) ?? 0);
    run.set(x, finite(point.value)); // the same x twice: the later point wins, as MLflow's chart
    all.add(x);
  }
  const xs = [...all].sort((a, b) => a - b);
  const ys = runIds.map((id) => {
    const run = perRun.get(id)!;
    return xs.map((x) => (run.has(x) ? run.get(x)! : null));
  });
  return { xs, ys };
}

// TensorBoard's debiased exponential moving average; weight 0 leaves the values as they are.
// Gaps stay gaps so an overlaid run is not drawn where it logged nothing.
export function smooth(values: (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return values;
  let last = 0;
  let count = 0;
  return values.map((value) => {
    if (value === null) return null;
    last = last * weight + (1 - weight) * value;
    count += 1;
    return last / (1 - Math.pow(weight, count));
  });
}

// A log axis cannot place zero or negative values.
export function forLogScale(values: (number | null)[]): (number | null)[] {
  return values.map((value) => (value !== null && value > 0 ? value : null));
}

// Exact values for the hover readout: plain numbers stay plain, tiny and huge ones go
// scientific, never rounded away.
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const magnitude = Math.abs(value);
  if (value !== 0 && (magnitude < 1e-4 || magnitude >= 1e9)) return value.toExponential(6);
  return String(Number(value.toPrecision(10)));
}
