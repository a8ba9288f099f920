// The administration pages' calls: tokens, service accounts, grants and the audit log
// (/api/2.0/grimoire/..., services/core/auth/api.py) and registry webhooks
// (/api/2.0/mlflow/webhooks, services/registry/webhooks/router.py).

import { GRIMOIRE, MLFLOW, del, get, patch, post } from "./client";

export interface TokenInfo {
  token_id: string;
  prefix: string;
  name: string;
  owner: string;
  created_at: number;
  expires_at: number | null;
  last_used_at?: number | null;
  revoked_at: number | null;
}

// A new token: the secret is in `token`, shown once and never again.
export interface IssuedToken extends TokenInfo {
  token: string;
}

export const listTokens = (all = false) =>
  get<{ tokens: TokenInfo[] }>(`${GRIMOIRE}/tokens`, all ? { all: true } : {}).then((r) => r.tokens);
export const createToken = (name: string, expiresInDays: number | undefined) =>
  post<{ token: IssuedToken }>(`${GRIMOIRE}/tokens`, { name, expires_in_days: expiresInDays }).then(
    (r) => r.token,
  );
export const revokeToken = (tokenId: string) =>
  del<unknown>(`${GRIMOIRE}/tokens/${encodeURIComponent(tokenId)}`);

export interface ServiceAccount {
  name: string;
  groups: string[];
  created_by: string;
}

export const listServiceAccounts = () =>
  get<{ service_accounts: ServiceAccount[] }>(`${GRIMOIRE}/service-accounts`).then(
    (r) => r.service_accounts,
  );
export const createServiceAccount = (name: string, groups: string[]) =>
  post<unknown>(`${GRIMOIRE}/service-accounts`, { name, groups });
export const deleteServiceAccount = (name: string) =>
  del<unknown>(`${GRIMOIRE}/service-accounts/${encodeURIComponent(name)}`);
export const serviceAccountToken = (account: string, name: string, expiresInDays?: number) =>
  post<{ token: IssuedToken }>(`${GRIMOIRE}/service-accounts/${encodeURIComponent(account)}/tokens`, {
    name,
    expires_in_days: expiresInDays,
  }).then((r) => r.token);

export type GrantResource = "experiment" | "registered_model" | "default";

export interface GrantRow {
  principal_type: "user" | "group";
  principal: string;
  role: string;
  granted_by: string;
  granted_at: number;
}

export interface GrantChange {
  principal_type: "user" | "group";
  principal: string;
  resource_type: GrantResource;
  resource_id: string;
  role?: string;
}

export const listGrants = (resourceType: GrantResource, resourceId: string) =>
  get<{ grants: GrantRow[] }>(`${GRIMOIRE}/permissions`, {
    resource_type: resourceType,
    resource_id: resourceId,
  }).then((r) => r.grants);
export const grantRole = (change: GrantChange) => post<unknown>(`${GRIMOIRE}/permissions`, change);
export const revokeRole = (change: GrantChange) => del<unknown>(`${GRIMOIRE}/permissions`, change);

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  resource_type?: string;
  object?: string;
  since_ms?: number;
  until_ms?: number;
  limit?: number;
}

export const listAudit = (query: AuditQuery) =>
  get<{ entries: AuditEntry[] }>(`${GRIMOIRE}/audit`, { ...query }).then((r) => r.entries);

export interface WebhookEvent {
  entity: string;
  action: string;
}

export interface Webhook {
  webhook_id: string;
  name: string;
  url: string;
  description?: string;
  events: WebhookEvent[];
  grimoire_events: WebhookEvent[];
  status: "ACTIVE" | "DISABLED" | string;
  creation_timestamp: number;
  last_updated_timestamp: number;
}

export interface WebhookWrite {
  name?: string;
  description?: string;
  url?: string;
  events?: WebhookEvent[];
  secret?: string;
  status?: string;
}

export interface DeliveryAttempt {
  attempt: number;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  success: boolean;
  error: string | null;
  response_excerpt: string | null;
}

export interface Delivery {
  delivery_id: string;
  webhook_id: string;
  event: WebhookEvent;
  state: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number | null;
  finished_at: number | null;
  attempt_log: DeliveryAttempt[];
}

export interface TestResult {
  success: boolean;
  response_status?: number;
  response_body?: string;
  error_message?: string;
}

const HOOKS = `${MLFLOW}/webhooks`;
const hook = (id: string) => `${HOOKS}/${encodeURIComponent(id)}`;

export const listWebhooks = () =>
  get<{ webhooks: Webhook[] }>(HOOKS, { max_results: 1000 }).then((r) => r.webhooks);
export const getWebhook = (id: string) => get<{ webhook: Webhook }>(hook(id)).then((r) => r.webhook);
export const createWebhook = (body: WebhookWrite) =>
  post<{ webhook: Webhook }>(HOOKS, body).then((r) => r.webhook);
export const updateWebhook = (id: string, body: WebhookWrite) =>
  patch<{ webhook: Webhook }>(hook(id), body).then((r) => r.webhook);
export const deleteWebhook = (id: string) => del<unknown>(hook(id));
export const testWebhook = (id: string, event?: WebhookEvent) =>
  post<{ result: TestResult }>(`${hook(id)}/test`, event ? { event } : {}).then((r) => r.result);
export const listDeliveries = (id: string) =>
  get<{ deliveries: Delivery[] }>(`${hook(id)}/deliveries`, { max_results: 100 }).then(
    (r) => r.deliveries,
  );
export const replayDelivery = (id: string, deliveryId: string) =>
  post<unknown>(`${hook(id)}/deliveries/${encodeURIComponent(deliveryId)}/replay`, {});
