// Where a version's files are read from: MLflow 3 registers a logged model
// (`models:/m-...`, its `artifact_uri` `mlflow-artifacts:/1/models/m-../artifacts`), older
// clients a run's folder (`runs:/<run_id>/model`). Both are served by the artifact proxy.
import { MLFLOW, get } from "../../api/client";
import type { ModelVersion } from "../../api/registry";
import { getLoggedModel } from "../run/runApi";

export interface VersionFile {
  path: string;
  is_dir: boolean;
  file_size?: number | string;
}

export interface VersionArtifacts {
  files: VersionFile[];
  // The proxy URL of a file, given its path relative to the model's folder.
  urlOf: (path: string) => string;
}

const PROXY = "/api/2.0/mlflow-artifacts/artifacts/";

function encodePath(path: string): string {
  return path.split("/").filter(Boolean).map(encodeURIComponent).join("/");
}

// `mlflow-artifacts:/1/models/m-1/artifacts`, `mlflow-artifacts:///...` or
// `mlflow-artifacts://host/...` -> the proxy URL of `relative` under it; null for any other
// scheme (the server does not serve other stores, the client reads them itself).
export function proxyUrl(artifactUri: string, relative: string): string | null {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(artifactUri);
  if (!match) return null;
  const root = encodePath(match[1]);
  const rest = encodePath(relative);
  return PROXY + [root, rest].filter(Boolean).join("/");
}

// `runs:/<run_id>/<path>` -> [run_id, path].
export function runSource(source: string | undefined): [string, string] | null {
  const match = /^runs:\/([^/]+)\/?(.*)$/.exec(source ?? "");
  return match ? [match[1], match[2].replace(/\/+$/, "")] : null;
}

export async function artifactsOf(version: ModelVersion, experimentId?: string): Promise<VersionArtifacts | null> {
  if (version.model_id) {
    const model = await getLoggedModel(version.model_id);
    const uri = model.info.artifact_uri ?? "";
    const listing = await get<{ files?: VersionFile[] }>(
      `${MLFLOW}/logged-models/${encodeURIComponent(version.model_id)}/artifacts/directories`,
    );
    return { files: listing.files ?? [], urlOf: (path) => proxyUrl(uri, path) ?? "" };
  }
  const fromRun = runSource(version.source);
  if (fromRun && experimentId) {
    const [runId, folder] = fromRun;
    const listing = await get<{ files?: VersionFile[] }>(`${MLFLOW}/artifacts/list`, {
      run_id: runId,
      path: folder || undefined,
    });
    const files = (listing.files ?? []).map((f) => ({
      ...f,
      path: folder ? f.path.slice(folder.length + 1) : f.path,
    }));
    const base = `mlflow-artifacts:/${experimentId}/${runId}/artifacts/${folder}`;
    return { files, urlOf: (path) => proxyUrl(base, path) ?? "" };
  }
  return null;
}

// A small text file (MLmodel, an input example) through the proxy, cut at `cap` bytes.
export async function readText(url: string, cap = 256 * 1024): Promise<string> {
  const response = await fetch(url, { headers: { Range: `bytes=0-${cap - 1}` }, credentials: "same-origin" });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = ((await response.json()) as { message?: string }).message ?? message;
    } catch {
      // Not an MLflow error body: keep the status line.
    }
    throw new Error(message);
  }
  return (await response.text()).slice(0, cap);
}
