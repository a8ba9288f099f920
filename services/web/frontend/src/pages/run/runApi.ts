// The MLflow entities the run, compare and logged-model pages read, and the calls that read and
// change them: the public REST API with the browser's session, nothing the web service owns.

import { AJAX, get, post, MLFLOW } from "../../api/client";
import type { KeyValue, Metric, Run as ListedRun } from "../../api/mlflow";
import { inParallelParts, PARALLEL_REQUESTS } from "../../api/parallel";

export type { KeyValue, Metric };

export interface Dataset {
  name: string;
  digest: string;
  source_type?: string;
  source?: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  tags?: KeyValue[];
  dataset: Dataset;
}

// A run as runs/get has it: what the runs table lists, with its inputs and outputs.
export interface Run extends ListedRun {
  inputs?: { dataset_inputs?: DatasetInput[]; model_inputs?: { model_id: string }[] };
  outputs?: { model_outputs?: { model_id: string; step: number }[] };
}

export interface ModelVersion {
  name: string;
  version: string;
  current_stage?: string;
  status?: string;
  run_id?: string;
  creation_timestamp?: number;
}

export interface LoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    artifact_uri?: string;
    status?: string;
    creation_timestamp_ms?: number;
    last_updated_timestamp_ms?: number;
    source_run_id?: string;
    model_type?: string;
    tags?: KeyValue[];
  };
  data?: { params?: KeyValue[]; metrics?: (Metric & { run_id?: string })[] };
}

export const PARENT_TAG = "mlflow.parentRunId";
export const NOTE_TAG = "mlflow.note.content";

export function tagsOf(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}

// Tags MLflow itself sets: shown in their own places (name, user, source...), not in the
// editable tag table.
export function isSystemTag(key: string): boolean {
  return key.startsWith("mlflow.");
}

export async function getRun(runId: string): Promise<Run> {
  return (await get<{ run: Run }>(`${MLFLOW}/runs/get`, { run_id: runId })).run;
}

// The runs of a compare link in one search where the link names their experiments (MLflow's
// links and ours do), instead of a runs/get per run; a run the search does not find (another
// experiment, or the link named none) is read on its own. In the link's order.
export async function runsByIds(runIds: string[], experimentIds: string[]): Promise<Run[]> {
  const found = new Map<string, Run>();
  if (experimentIds.length > 0 && runIds.length > 0) {
    const body = {
      experiment_ids: experimentIds,
      filter: `attributes.run_id IN (${runIds.map((id) => `'${id.replace(/'/g, "")}'`).join(", ")})`,
      max_results: runIds.length,
      run_view_type: "ALL",
    };
    for (const run of (await post<{ runs?: Run[] }>(`${MLFLOW}/runs/search`, body)).runs ?? []) {
      found.set(run.info.run_id, run);
    }
  }
  return Promise.all(runIds.map((id) => found.get(id) ?? getRun(id)));
}

export async function childRuns(run: Run): Promise<Run[]> {
  const body = {
    experiment_ids: [run.info.experiment_id],
    filter: `tags.\`${PARENT_TAG}\` = '${run.info.run_id}'`,
    max_results: 200,
    order_by: ["attributes.start_time ASC"],
  };
  return (await post<{ runs?: Run[] }>(`${MLFLOW}/runs/search`, body)).runs ?? [];
}

export function setTag(runId: string, key: string, value: string): Promise<unknown> {
  return post(`${MLFLOW}/runs/set-tag`, { run_id: runId, key, value });
}

export function deleteTag(runId: string, key: string): Promise<unknown> {
  return post(`${MLFLOW}/runs/delete-tag`, { run_id: runId, key });
}

export function renameRun(runId: string, runName: string): Promise<unknown> {
  return post(`${MLFLOW}/runs/update`, { run_id: runId, run_name: runName });
}

export async function versionsFromRun(runId: string): Promise<ModelVersion[]> {
  const found = await get<{ model_versions?: ModelVersion[] }>(`${MLFLOW}/model-versions/search`, {
    filter: `run_id='${runId}'`,
  });
  return found.model_versions ?? [];
}

export async function loggedModelsOfRun(run: Run): Promise<LoggedModel[]> {
  const body = {
    experiment_ids: [run.info.experiment_id],
    filter: `source_run_id = '${run.info.run_id}'`,
    max_results: 100,
  };
  return (await post<{ models?: LoggedModel[] }>(`${MLFLOW}/logged-models/search`, body)).models ?? [];
}

export async function getLoggedModel(modelId: string): Promise<LoggedModel> {
  return (await get<{ model: LoggedModel }>(`${MLFLOW}/logged-models/${encodeURIComponent(modelId)}`))
    .model;
}

export interface MetricPoint extends Metric {
  run_id: string;
}

// Server-side downsampling keeps each step bucket's min, max and last point, so a one-step
// spike survives however long the history is. The server reads one run's history after the
// other within a request, so a chart of many long runs is asked for in `requests` requests of a
// few runs each: the server's workers and PostgreSQL read them side by side (10 runs x 100,000
// points: docs/ui.md has the figures).
export async function metricHistories(
  runIds: string[],
  metricKey: string,
  maxResults = 1000,
  requests = PARALLEL_REQUESTS,
): Promise<MetricPoint[]> {
  const parts = await Promise.all(
    inParallelParts(runIds, requests).map((part) =>
      get<{ metrics?: MetricPoint[] }>(`${AJAX}/metrics/get-history-bulk-interval`, {
        run_ids: part,
        metric_key: metricKey,
        max_results: maxResults,
      }),
    ),
  );
  return parts.flatMap((found) => found.metrics ?? []);
}
