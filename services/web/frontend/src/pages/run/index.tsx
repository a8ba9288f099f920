// The run page (`#/experiments/<id>/runs/<run_id>`, where the mlflow client's printed link
// lands): what the run is, its description, params, metrics, tags, datasets and models, its
// metric charts and its artifacts.

import { useMemo, useState } from "preact/hooks";
import { get, MLFLOW } from "../../api/client";
import { useMayEdit } from "../../app/auth/AuthContext";
import { links } from "../../app/routes";
import { MetricCharts } from "../../charts/MetricCharts";
import { EditableDescription } from "../../components/EditableDescription";
import { TagsPanel } from "../../components/TagsPanel";
import { ArtifactBrowser } from "../artifacts/ArtifactBrowser";
import { Datasets } from "./Datasets";
import { Details } from "./Details";
import { EditableName } from "./EditableName";
import { LatestMetricsTable, ParamsTable } from "./KeyValueTable";
import { LoggedModels, RegisteredVersions } from "./Models";
import {
  childRuns,
  deleteTag,
  getRun,
  isSystemTag,
  loggedModelsOfRun,
  NOTE_TAG,
  setTag,
  tagsOf,
  versionsFromRun,
  type Run,
} from "./runApi";
import { useLoad } from "./useLoad";
import "./run.css";

type Tab = "overview" | "metrics" | "artifacts";
const TABS: [Tab, string][] = [
  ["overview", "Overview"],
  ["metrics", "Metric charts"],
  ["artifacts", "Artifacts"],
];

async function readRun(runId: string) {
  const run = await getRun(runId);
  // The rest is secondary: a registry or search failure shows in its own section, not as
  // a broken page.
  const [children, versions, models, experiment] = await Promise.allSettled([
    childRuns(run),
    versionsFromRun(runId),
    loggedModelsOfRun(run),
    get<{ experiment: { name: string } }>(`${MLFLOW}/experiments/get`, { experiment_id: run.info.experiment_id }),
  ]);
  return { run, children, versions, models, experimentName: experiment.status === "fulfilled" ? experiment.value.experiment.name : undefined };
}

function Settled<T>({ result, children }: { result: PromiseSettledResult<T>; children: (value: T) => preact.ComponentChildren }) {
  if (result.status === "rejected") return <p class="error">{(result.reason as Error).message}</p>;
  return <>{children(result.value)}</>;
}

export default function RunPage({ experimentId, runId }: { experimentId: string; runId: string }) {
  const [loaded, reload] = useLoad(() => readRun(runId), [runId]);
  const [tab, setTab] = useState<Tab>("overview");
  const experimentName = loaded.state === "ready" ? loaded.value.experimentName : undefined;
  const mayEdit = useMayEdit(experimentId, experimentName);
  const run: Run | undefined = loaded.state === "ready" ? loaded.value.run : undefined;
  const chartRuns = useMemo(
    () => (run ? [{ id: run.info.run_id, label: run.info.run_name || run.info.run_id, colourIndex: 0 }] : []),
    [run?.info.run_id, run?.info.run_name],
  );
  const metricKeys = useMemo(() => (run?.data.metrics ?? []).map((m) => m.key).sort(), [run]);

  if (loaded.state === "loading") return <p class="muted">Loading run…</p>;
  if (loaded.state === "error") return <p class="error" role="alert">{loaded.message}</p>;
  const { children, versions, models } = loaded.value;
  const tags = tagsOf(run!);
  return (
    <article class="run-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={links.experiments()}>Experiments</a> / <a href={links.runs(experimentId)}>{experimentName ?? experimentId}</a> /
      </nav>
      <EditableName runId={runId} name={run!.info.run_name ?? ""} mayEdit={mayEdit} onSaved={reload} />
      <div class="tabs" role="tablist" aria-label="Run sections">
        {TABS.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`panel-${id}`}
            class={tab === id ? "tab active" : "tab"}
            onClick={() => setTab(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "overview" && (
          <div class="run-overview">
            <Details run={run!} children={children.status === "fulfilled" ? children.value : []} />
            {/* The description is the `mlflow.note.content` tag, as in MLflow, so the client and the
                UI read and write the same thing; the system tags stay out of the tags panel. */}
            <EditableDescription
              text={tags[NOTE_TAG] ?? ""}
              mayEdit={mayEdit}
              save={(text) => setTag(runId, NOTE_TAG, text)}
              onSaved={reload}
            />
            <section aria-labelledby="run-params">
              <h2 id="run-params">Parameters</h2>
              <ParamsTable params={run!.data.params ?? []} />
            </section>
            <section aria-labelledby="run-metrics">
              <h2 id="run-metrics">Metrics</h2>
              <LatestMetricsTable metrics={run!.data.metrics ?? []} />
            </section>
            <TagsPanel
              tags={(run!.data.tags ?? []).filter((tag) => !isSystemTag(tag.key))}
              mayEdit={mayEdit}
              set={(key, value) => setTag(runId, key, value)}
              remove={(key) => deleteTag(runId, key)}
              onSaved={reload}
            />
            <section aria-labelledby="run-datasets">
              <h2 id="run-datasets">Datasets</h2>
              <Datasets inputs={run!.inputs?.dataset_inputs ?? []} />
            </section>
            <section aria-labelledby="run-models">
              <h2 id="run-models">Logged models</h2>
              <Settled result={models}>{(value) => <LoggedModels models={value} />}</Settled>
              <h2>Registered model versions</h2>
              <Settled result={versions}>{(value) => <RegisteredVersions versions={value} />}</Settled>
            </section>
          </div>
        )}
        {tab === "metrics" && <MetricCharts runs={chartRuns} metricKeys={metricKeys} />}
        {tab === "artifacts" && <ArtifactBrowser experimentId={experimentId} runId={runId} />}
      </div>
    </article>
  );
}
