import { artifactUrl, get, MLFLOW } from "../../api/client";

export interface ArtifactFile {
  path: string;
  is_dir: boolean;
  file_size?: number | string;
}

export async function listArtifacts(runId: string, path: string): Promise<ArtifactFile[]> {
  const found = await get<{ files?: ArtifactFile[] }>(`${MLFLOW}/artifacts/list`, {
    run_id: runId,
    path: path || undefined,
  });
  return (found.files ?? []).sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path));
}

export interface Head {
  text: string;
  // The whole file's size when the server said (Content-Range), so the page can say it cut.
  total: number | null;
  truncated: boolean;
}

// The first `cap` bytes of a file through an HTTP Range request: a preview never downloads a
// multi-gigabyte log. A server that ignores Range answers 200 with everything; the body is
// then cut here so the page still shows only the cap.
export async function readHead(experimentId: string, runId: string, path: string, cap: number): Promise<Head> {
  const response = await fetch(artifactUrl(experimentId, runId, path), {
    headers: { Range: `bytes=0-${cap - 1}` },
    credentials: "same-origin",
  });
  if (!response.ok && response.status !== 416) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = ((await response.json()) as { message?: string }).message ?? message;
    } catch {
      // Not an MLflow error body: keep the status line.
    }
    throw new Error(message);
  }
  if (response.status === 416) return { text: "", total: 0, truncated: false };
  const bytes = new Uint8Array(await response.arrayBuffer());
  const range = response.headers.get("Content-Range");
  const total = range ? Number(range.split("/")[1]) || null : bytes.length;
  const kept = bytes.subarray(0, cap);
  const truncated = total !== null ? total > kept.length : bytes.length > cap;
  // `fatal: false` so a multi-byte character cut at the cap ends in one replacement mark.
  return { text: new TextDecoder("utf-8", { fatal: false }).decode(kept), total, truncated };
}

export function sizeOf(file: ArtifactFile): number | null {
  if (file.file_size === undefined || file.file_size === null) return null;
  const size = Number(file.file_size);
  return Number.isFinite(size) ? size : null;
}

export function formatBytes(size: number | null): string {
  if (size === null) return "";
  if (size < 1024) return `${size} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
