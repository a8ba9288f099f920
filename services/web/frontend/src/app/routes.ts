// Hash routes, the same as MLflow's so every link the mlflow client prints and every bookmark
// a team already has opens the right page.

export type Route =
  | { page: "experiments"; query: URLSearchParams }
  | { page: "runs"; experimentId: string; query: URLSearchParams }
  | { page: "run"; experimentId: string; runId: string; query: URLSearchParams }
  | {
      page: "artifacts";
      experimentId: string;
      runId: string;
      path: string;
      query: URLSearchParams;
    }
  | { page: "compare"; runIds: string[]; experimentIds: string[]; query: URLSearchParams }
  | { page: "logged-model"; experimentId: string; modelId: string; query: URLSearchParams }
  | { page: "models"; rest: string[]; query: URLSearchParams }
  | { page: "compare-model-versions"; name: string; versions: string[]; query: URLSearchParams }
  | { page: "admin-webhooks"; query: URLSearchParams }
  | { page: "admin-webhook"; webhookId: string; query: URLSearchParams }
  | { page: "admin-service-accounts"; query: URLSearchParams }
  | { page: "admin-access"; query: URLSearchParams }
  | { page: "admin-audit"; query: URLSearchParams }
  | { page: "tokens"; query: URLSearchParams }
  | { page: "me"; query: URLSearchParams }
  | { page: "not-found"; path: string; query: URLSearchParams };

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

// `runs=["a","b"]` (MLflow's JSON list) or a comma-separated list.
export function parseRunList(value: string | null): string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // Not JSON: a plain list.
  }
  return value.split(",").filter(Boolean);
}

export function parseHash(hash: string): Route {
  const body = hash.replace(/^#/, "");
  const mark = body.indexOf("?");
  const path = mark < 0 ? body : body.slice(0, mark);
  const query = new URLSearchParams(mark < 0 ? "" : body.slice(mark + 1));
  const parts = path.split("/").filter(Boolean);
  const [head, id, kind, childId, ...rest] = parts;
  if (parts.length === 0 || (head === "experiments" && parts.length === 1)) {
    return { page: "experiments", query };
  }
  if (head === "experiments" && id) {
    const experimentId = decode(id);
    if (parts.length === 2) return { page: "runs", experimentId, query };
    if (kind === "runs" && childId) {
      const runId = decode(childId);
      if (rest.length === 0) return { page: "run", experimentId, runId, query };
      if (rest[0] === "artifacts" || rest[0] === "artifactPath") {
        const artifactPath = rest.slice(1).map(decode).join("/");
        return { page: "artifacts", experimentId, runId, path: artifactPath, query };
      }
    }
    if (kind === "models" && childId && rest.length === 0) {
      return { page: "logged-model", experimentId, modelId: decode(childId), query };
    }
  }
  if (head === "compare-runs") {
    return {
      page: "compare",
      runIds: parseRunList(query.get("runs")),
      experimentIds: parseRunList(query.get("experiments")),
      query,
    };
  }
  if (head === "compare-model-versions") {
    const name = query.get("name") ?? "";
    return { page: "compare-model-versions", name, versions: parseRunList(query.get("versions")), query };
  }
  if (head === "models") return { page: "models", rest: parts.slice(1).map(decode), query };
  if (head === "admin") {
    if (id === "webhooks" && parts.length === 2) return { page: "admin-webhooks", query };
    if (id === "webhooks" && kind && parts.length === 3) {
      return { page: "admin-webhook", webhookId: decode(kind), query };
    }
    if (id === "service-accounts" && parts.length === 2) {
      return { page: "admin-service-accounts", query };
    }
    if (id === "access" && parts.length === 2) return { page: "admin-access", query };
    if (id === "audit" && parts.length === 2) return { page: "admin-audit", query };
  }
  if (head === "settings" && id === "tokens" && parts.length === 2) return { page: "tokens", query };
  if (head === "me" && parts.length === 1) return { page: "me", query };
  return { page: "not-found", path, query };
}

function enc(part: string): string {
  return encodeURIComponent(part);
}

export const links = {
  experiments: () => "#/experiments",
  runs: (experimentId: string, query = "") =>
    `#/experiments/${enc(experimentId)}${query ? "?" + query : ""}`,
  run: (experimentId: string, runId: string) =>
    `#/experiments/${enc(experimentId)}/runs/${enc(runId)}`,
  artifacts: (experimentId: string, runId: string, path = "") =>
    `#/experiments/${enc(experimentId)}/runs/${enc(runId)}/artifacts/${path
      .split("/")
      .filter(Boolean)
      .map(enc)
      .join("/")}`,
  compare: (runIds: string[], experimentIds: string[] = []) =>
    `#/compare-runs?runs=${enc(JSON.stringify(runIds))}` +
    (experimentIds.length ? `&experiments=${enc(JSON.stringify(experimentIds))}` : ""),
  loggedModel: (experimentId: string, modelId: string) =>
    `#/experiments/${enc(experimentId)}/models/${enc(modelId)}`,
  model: (name: string) => `#/models/${enc(name)}`,
  modelVersion: (name: string, version: string) =>
    `#/models/${enc(name)}/versions/${enc(version)}`,
  models: () => "#/models",
  compareVersions: (name: string, versions: string[]) =>
    `#/compare-model-versions?name=${enc(name)}&versions=${enc(JSON.stringify(versions))}`,
  webhooks: () => "#/admin/webhooks",
  webhook: (webhookId: string) => `#/admin/webhooks/${enc(webhookId)}`,
  serviceAccounts: () => "#/admin/service-accounts",
  access: () => "#/admin/access",
  audit: (query = "") => `#/admin/audit${query ? "?" + query : ""}`,
  tokens: () => "#/settings/tokens",
  me: () => "#/me",
};
