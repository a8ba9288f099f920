import { formatValue } from "../../charts/series";
import type { KeyValue, Metric } from "./runApi";

export function ParamsTable({ params }: { params: KeyValue[] }) {
  if (params.length === 0) return <p class="muted">No parameters.</p>;
  const sorted = [...params].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <div class="table-wrap">
      <table class="data" aria-label="Parameters">
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((param) => (
            <tr key={param.key}>
              <td class="mono">{param.key}</td>
              <td class="wrap">{param.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The latest value of each metric (what runs/get returns), with the step it was logged at.
export function LatestMetricsTable({ metrics }: { metrics: Metric[] }) {
  if (metrics.length === 0) return <p class="muted">No metrics.</p>;
  const sorted = [...metrics].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <div class="table-wrap">
      <table class="data" aria-label="Latest metrics">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Latest value</th>
            <th scope="col">Step</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((metric) => (
            <tr key={metric.key}>
              <td class="mono">{metric.key}</td>
              <td class="num">{formatValue(metric.value)}</td>
              <td class="num">{metric.step}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
