// `#/experiments/<id>/models/<model_id>`: a logged model (MLflow 3's LoggedModel), its source
// run, params, metrics, tags, and its artifacts' location.

import { links } from "../../app/routes";
import { formatValue } from "../../charts/series";
import { formatTime } from "../run/format";
import { ParamsTable } from "../run/KeyValueTable";
import { getLoggedModel } from "../run/runApi";
import { useLoad } from "../run/useLoad";

export default function LoggedModelPage({ experimentId, modelId }: { experimentId: string; modelId: string }) {
  const [loaded] = useLoad(() => getLoggedModel(modelId), [modelId]);
  if (loaded.state === "loading") return <p class="muted">Loading model…</p>;
  if (loaded.state === "error") return <p class="error" role="alert">{loaded.message}</p>;
  const { info, data } = loaded.value;
  const metrics = data?.metrics ?? [];
  return (
    <article class="run-overview">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={links.runs(experimentId)}>Experiment {experimentId}</a> / logged models /
      </nav>
      <h1>{info.name}</h1>
      <dl class="details">
        <div>
          <dt>Model ID</dt>
          <dd class="mono">{info.model_id}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{info.status ?? "—"}</dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{info.model_type || "—"}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(info.creation_timestamp_ms)}</dd>
        </div>
        <div>
          <dt>Source run</dt>
          <dd>{info.source_run_id ? <a href={links.run(info.experiment_id, info.source_run_id)}>{info.source_run_id}</a> : "—"}</dd>
        </div>
        <div>
          <dt>Artifact location</dt>
          <dd class="mono">{info.artifact_uri ?? "—"}</dd>
        </div>
      </dl>
      <h2>Parameters</h2>
      <ParamsTable params={data?.params ?? []} />
      <h2>Metrics</h2>
      {metrics.length === 0 ? (
        <p class="muted">No metrics linked to this model.</p>
      ) : (
        <div class="table-wrap">
          <table class="data" aria-label="Model metrics">
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Value</th>
                <th scope="col">Step</th>
                <th scope="col">Run</th>
              </tr>
            </thead>
            <tbody>
              {metrics.map((metric, i) => (
                <tr key={`${metric.key}-${i}`}>
                  <td class="mono">{metric.key}</td>
                  <td class="num">{formatValue(metric.value)}</td>
                  <td class="num">{metric.step}</td>
                  <td class="mono">{metric.run_id ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Tags</h2>
      {(info.tags ?? []).length === 0 ? (
        <p class="muted">No tags.</p>
      ) : (
        <ul class="tag-list">
          {(info.tags ?? []).map((tag) => (
            <li key={tag.key} class="chip">
              <span class="mono">{tag.key}</span>: {tag.value}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
