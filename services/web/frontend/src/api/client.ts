// Every call the pages make goes through here: same-origin cookies, the session's CSRF token
// on writes, and MLflow's {"error_code","message"} turned into an ApiError whose message is
// what the user sees.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let csrfToken: string | null = null;

// Set from /me once the session is known; the guard requires it on cookie-session writes.
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Query = Record<string, string | number | boolean | undefined | (string | number)[]>;

export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    if (body.message) {
      return new ApiError(response.status, body.error_code ?? "UNKNOWN", body.message);
    }
  } catch {
    // Not JSON (a proxy's page): fall through to the status line.
  }
  return new ApiError(
    response.status,
    "HTTP_" + response.status,
    `${response.status} ${response.statusText || "request failed"}`,
  );
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await errorFrom(response);
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
}

export function get<T>(path: string, query: Query = {}): Promise<T> {
  return send<T>("GET", path + queryString(query));
}

export function post<T>(path: string, body: unknown): Promise<T> {
  return send<T>("POST", path, body);
}

export function patch<T>(path: string, body: unknown): Promise<T> {
  return send<T>("PATCH", path, body);
}

export function del<T>(path: string, body?: unknown): Promise<T> {
  return send<T>("DELETE", path, body);
}

export const MLFLOW = "/api/2.0/mlflow";
export const GRIMOIRE = "/api/2.0/grimoire";
export const AJAX = "/ajax-api/2.0/mlflow";

// A run's file as the browser fetches it (the proxy answers inert, with Range support).
export function artifactUrl(experimentId: string, runId: string, path: string): string {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${encoded}`;
}
