// Scales for the compare page's parallel coordinates and scatter: a column of values (a param
// or a metric across runs) is numeric when every present value parses as a number, otherwise
// categorical with its distinct values in sorted order.

export interface Column {
  id: string; // "param:lr" or "metric:loss"
  label: string;
  values: (string | number | undefined)[]; // one per run, undefined where a run lacks it
}

export interface Scale {
  kind: "numeric" | "categorical";
  // Position 0..1 of a run's value on the axis; null when the run has no value.
  position: (index: number) => number | null;
  ticks: { at: number; label: string }[];
}

function asNumber(value: string | number | undefined): number | null {
  if (value === undefined || value === "") return null;
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

function tickLabel(value: number): string {
  return Math.abs(value) >= 1e5 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(2) : String(Number(value.toPrecision(4)));
}

export function scaleOf(column: Column): Scale {
  const present = column.values.filter((v) => v !== undefined);
  const numbers = present.map(asNumber);
  if (present.length > 0 && numbers.every((n) => n !== null)) {
    const values = numbers as number[];
    const min = Math.min(...values);
    const max = Math.max(...values);
    const span = max - min;
    const at = (n: number) => (span === 0 ? 0.5 : (n - min) / span);
    const ticks = span === 0 ? [{ at: 0.5, label: tickLabel(min) }] : [0, 0.25, 0.5, 0.75, 1].map((f) => ({ at: f, label: tickLabel(min + f * span) }));
    return {
      kind: "numeric",
      position: (i) => {
        const n = asNumber(column.values[i]);
        return n === null ? null : at(n);
      },
      ticks,
    };
  }
  const categories = [...new Set(present.map(String))].sort();
  const at = (c: string) => (categories.length === 1 ? 0.5 : categories.indexOf(c) / (categories.length - 1));
  return {
    kind: "categorical",
    position: (i) => (column.values[i] === undefined ? null : at(String(column.values[i]))),
    ticks: categories.map((c) => ({ at: at(c), label: c })),
  };
}

// A param row differs when any two runs disagree, a run lacking it included.
export function differs(values: (string | number | undefined)[]): boolean {
  return new Set(values.map((v) => (v === undefined ? "\u0000missing" : String(v)))).size > 1;
}

export function move<T>(items: T[], index: number, by: -1 | 1): T[] {
  const target = index + by;
  if (target < 0 || target >= items.length) return items;
  const next = [...items];
  [next[index], next[target]] = [next[target], next[index]];
  return next;
}
