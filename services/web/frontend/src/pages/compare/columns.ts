import type { Column } from "../../charts/axes";
import type { Run } from "../run/runApi";

// Every param and every latest metric of the compared runs as one column per key, in the
// runs' order; params first, each group sorted by key.
export function columnsOf(runs: Run[]): { params: Column[]; metrics: Column[] } {
  const paramKeys = new Set<string>();
  const metricKeys = new Set<string>();
  for (const run of runs) {
    for (const param of run.data.params ?? []) paramKeys.add(param.key);
    for (const metric of run.data.metrics ?? []) metricKeys.add(metric.key);
  }
  const params = [...paramKeys].sort().map((key) => ({
    id: `param:${key}`,
    label: key,
    values: runs.map((run) => run.data.params?.find((p) => p.key === key)?.value),
  }));
  const metrics = [...metricKeys].sort().map((key) => ({
    id: `metric:${key}`,
    label: key,
    values: runs.map((run) => run.data.metrics?.find((m) => m.key === key)?.value),
  }));
  return { params, metrics };
}
