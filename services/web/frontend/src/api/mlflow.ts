// The MLflow REST calls the experiments list and the runs table make, typed as the wire has
// them, plus the JSON endpoints Grimoire adds for the UI (run counts, metric summaries, views).
import { quote } from "../state/filters";
import { GRIMOIRE, MLFLOW, get, post } from "./client";

export interface KeyValue {
  key: string;
  value: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage: "active" | "deleted";
  last_update_time?: number;
  creation_time?: number;
  tags?: KeyValue[];
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface Run {
  info: {
    run_id: string;
    run_name?: string;
    experiment_id: string;
    user_id?: string;
    status: string;
    start_time?: number;
    end_time?: number;
    lifecycle_stage: "active" | "deleted";
    artifact_uri?: string;
  };
  data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] };
}

export interface ModelVersion {
  name: string;
  version: string;
  run_id?: string;
  current_stage?: string;
}

export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

export interface ExperimentSearch {
  filter?: string;
  order_by?: string[];
  view_type?: ViewType;
  max_results?: number;
  page_token?: string;
}

export interface RunKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

// The param, metric and tag keys of an experiment's newest runs (the column picker's choices).
export async function runKeys(experimentId: string): Promise<RunKeys> {
  return get<RunKeys>(`${GRIMOIRE}/experiments/run-keys`, { experiment_id: experimentId });
}

export function searchExperiments(
  search: ExperimentSearch,
): Promise<{ experiments?: Experiment[]; next_page_token?: string }> {
  return post(`${MLFLOW}/experiments/search`, { max_results: 100, ...search });
}

export async function getExperiment(experimentId: string): Promise<Experiment> {
  const body = await get<{ experiment: Experiment }>(`${MLFLOW}/experiments/get`, {
    experiment_id: experimentId,
  });
  return body.experiment;
}

export function createExperiment(name: string): Promise<{ experiment_id: string }> {
  return post(`${MLFLOW}/experiments/create`, { name });
}

export function renameExperiment(experimentId: string, newName: string): Promise<unknown> {
  return post(`${MLFLOW}/experiments/update`, { experiment_id: experimentId, new_name: newName });
}

export function deleteExperiment(experimentId: string): Promise<unknown> {
  return post(`${MLFLOW}/experiments/delete`, { experiment_id: experimentId });
}

export function restoreExperiment(experimentId: string): Promise<unknown> {
  return post(`${MLFLOW}/experiments/restore`, { experiment_id: experimentId });
}

export async function runCounts(experimentIds: string[]): Promise<Record<string, number>> {
  if (experimentIds.length === 0) return {};
  const body = await get<{ counts?: Record<string, number> }>(
    `${GRIMOIRE}/experiments/run-counts`,
    { experiment_ids: experimentIds },
  );
  return body.counts ?? {};
}

export interface RunSearch {
  experiment_ids: string[];
  filter?: string;
  order_by?: string[];
  run_view_type?: ViewType;
  max_results?: number;
  page_token?: string;
  // Grimoire's extension: only these keys in each run (absent: every key, as MLflow answers).
  columns?: RunKeys;
}

export function searchRuns(
  search: RunSearch,
): Promise<{ runs?: Run[]; next_page_token?: string }> {
  return post(`${MLFLOW}/runs/search`, search);
}

export function deleteRun(runId: string): Promise<unknown> {
  return post(`${MLFLOW}/runs/delete`, { run_id: runId });
}

export function restoreRun(runId: string): Promise<unknown> {
  return post(`${MLFLOW}/runs/restore`, { run_id: runId });
}

export interface MetricSummary {
  run_id: string;
  key: string;
  min: number;
  max: number;
  latest: number;
}

export async function metricSummaries(
  runIds: string[],
  metricKeys: string[],
): Promise<MetricSummary[]> {
  if (runIds.length === 0 || metricKeys.length === 0) return [];
  const body = await get<{ summaries?: MetricSummary[] }>(`${GRIMOIRE}/runs/metric-summaries`, {
    run_ids: runIds,
    metric_keys: metricKeys,
  });
  return body.summaries ?? [];
}

// One request for a whole page of runs: the registry's filter takes `run_id IN (...)`.
export async function modelVersionsOfRuns(runIds: string[]): Promise<ModelVersion[]> {
  if (runIds.length === 0) return [];
  const body = await get<{ model_versions?: ModelVersion[] }>(
    `${MLFLOW}/model-versions/search`,
    { filter: `run_id IN (${runIds.map(quote).join(", ")})`, max_results: 1000 },
  );
  return body.model_versions ?? [];
}

export interface SavedView {
  name: string;
  state: string;
  created_by?: string;
  updated_at?: number;
}

export async function listViews(experimentId: string): Promise<SavedView[]> {
  const body = await get<{ views?: SavedView[] }>(`${GRIMOIRE}/experiment-views/list`, {
    experiment_id: experimentId,
  });
  return body.views ?? [];
}

export function saveView(experimentId: string, name: string, state: string): Promise<unknown> {
  return post(`${GRIMOIRE}/experiment-views/save`, { experiment_id: experimentId, name, state });
}

export function deleteView(experimentId: string, name: string): Promise<unknown> {
  return post(`${GRIMOIRE}/experiment-views/delete`, { experiment_id: experimentId, name });
}
