// The model registry's MLflow REST calls the registry pages make (registered models, versions,
// aliases, stages), typed as the wire has them, plus the caller's role on a model
// (`GET /api/2.0/grimoire/registered-models/my-role`, which the registry serves for the UI).
import { quote } from "../state/filters";
import type { Role } from "../app/auth/roles";
import { GRIMOIRE, MLFLOW, del, get, patch, post } from "./client";
import type { KeyValue } from "./mlflow";

export type { KeyValue };

export interface Alias {
  alias: string;
  version: string;
}

export type Stage = "None" | "Staging" | "Production" | "Archived";
export const STAGES: Stage[] = ["None", "Staging", "Production", "Archived"];

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  model_id?: string;
  status?: string;
  status_message?: string;
  tags?: KeyValue[];
  aliases?: string[];
  run_link?: string;
}

export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  description?: string;
  tags?: KeyValue[];
  aliases?: Alias[];
  latest_versions?: ModelVersion[];
}

export interface ModelSearch {
  filter?: string;
  order_by?: string[];
  max_results?: number;
  page_token?: string;
}

const MODELS = `${MLFLOW}/registered-models`;
const VERSIONS = `${MLFLOW}/model-versions`;

export function searchModels(
  search: ModelSearch,
): Promise<{ registered_models?: RegisteredModel[]; next_page_token?: string }> {
  return get(`${MODELS}/search`, { max_results: 50, ...search });
}

export async function getModel(name: string): Promise<RegisteredModel> {
  return (await get<{ registered_model: RegisteredModel }>(`${MODELS}/get`, { name }))
    .registered_model;
}

export function createModel(name: string, description: string): Promise<unknown> {
  return post(`${MODELS}/create`, { name, description: description || undefined });
}

export function updateModelDescription(name: string, description: string): Promise<unknown> {
  return patch(`${MODELS}/update`, { name, description });
}

export function deleteModel(name: string): Promise<unknown> {
  return del(`${MODELS}/delete`, { name });
}

export function setModelTag(name: string, key: string, value: string): Promise<unknown> {
  return post(`${MODELS}/set-tag`, { name, key, value });
}

export function deleteModelTag(name: string, key: string): Promise<unknown> {
  return del(`${MODELS}/delete-tag`, { name, key });
}

export function setAlias(name: string, alias: string, version: string): Promise<unknown> {
  return post(`${MODELS}/alias`, { name, alias, version });
}

export function deleteAlias(name: string, alias: string): Promise<unknown> {
  return del(`${MODELS}/alias`, { name, alias });
}

// Every version of one model, newest first (a model has at most a few thousand).
export async function versionsOf(name: string): Promise<ModelVersion[]> {
  const found: ModelVersion[] = [];
  let pageToken: string | undefined;
  do {
    const page = await get<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
      `${VERSIONS}/search`,
      {
        filter: `name = ${quote(name)}`,
        order_by: ["version_number DESC"],
        max_results: 1000,
        page_token: pageToken,
      },
    );
    found.push(...(page.model_versions ?? []));
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
  return found;
}

export async function getVersion(name: string, version: string): Promise<ModelVersion> {
  return (await get<{ model_version: ModelVersion }>(`${VERSIONS}/get`, { name, version }))
    .model_version;
}

export function updateVersionDescription(
  name: string,
  version: string,
  description: string,
): Promise<unknown> {
  return patch(`${VERSIONS}/update`, { name, version, description });
}

export function deleteVersion(name: string, version: string): Promise<unknown> {
  return del(`${VERSIONS}/delete`, { name, version });
}

export function transitionStage(
  name: string,
  version: string,
  stage: Stage,
  archiveExistingVersions: boolean,
): Promise<unknown> {
  return post(`${VERSIONS}/transition-stage`, {
    name,
    version,
    stage,
    archive_existing_versions: archiveExistingVersions,
  });
}

export function setVersionTag(
  name: string,
  version: string,
  key: string,
  value: string,
): Promise<unknown> {
  return post(`${VERSIONS}/set-tag`, { name, version, key, value });
}

export function deleteVersionTag(name: string, version: string, key: string): Promise<unknown> {
  return del(`${VERSIONS}/delete-tag`, { name, version, key });
}

export async function downloadUri(name: string, version: string): Promise<string> {
  return (await get<{ artifact_uri: string }>(`${VERSIONS}/get-download-uri`, { name, version }))
    .artifact_uri;
}

// What the server will let the caller do with this model: the guard's own computation.
export async function myRole(name: string): Promise<Role> {
  return (await get<{ role: Role }>(`${GRIMOIRE}/registered-models/my-role`, { name })).role;
}
