import { useState } from "preact/hooks";
import {
  createWebhook,
  deleteWebhook,
  listWebhooks,
  testWebhook,
  updateWebhook,
  type TestResult,
  type Webhook,
} from "../../../api/admin";
import { links } from "../../../app/routes";
import { formatTime } from "../../../state/format";
import { useAsync } from "../../../state/useAsync";
import { AdminOnly, ErrorLine, ShownOnce, useAction } from "../shared";
import { eventLabel, subscribed } from "./events";
import { WebhookForm } from "./WebhookForm";
import "../admin.css";

export function TestOutcome({ result }: { result: TestResult }) {
  return (
    <p class={result.success ? "test-ok" : "error"} role="status">
      Test event {result.success ? "delivered" : "failed"}
      {result.response_status !== undefined && `: HTTP ${result.response_status}`}
      {result.error_message && `: ${result.error_message}`}
      {result.response_body && ` · ${result.response_body.slice(0, 200)}`}
    </p>
  );
}

export function WebhookActions({
  webhook,
  changed,
  onDeleted,
  onEdit,
}: {
  webhook: Webhook;
  changed: () => void;
  onDeleted: () => void;
  onEdit?: () => void;
}) {
  const [error, busy, run] = useAction();
  const [result, setResult] = useState<TestResult | null>(null);
  const active = webhook.status === "ACTIVE";
  return (
    <div>
      <div class="row-actions">
        {onEdit && (
          <button type="button" onClick={onEdit}>
            Edit {webhook.name}
          </button>
        )}
        <button
          type="button"
          disabled={busy}
          onClick={() => run(() => updateWebhook(webhook.webhook_id, { status: active ? "DISABLED" : "ACTIVE" }), changed)}
        >
          {active ? "Disable" : "Enable"} {webhook.name}
        </button>
        <button type="button" disabled={busy} onClick={() => run(async () => setResult(await testWebhook(webhook.webhook_id)))}>
          Send test to {webhook.name}
        </button>
        <button
          type="button"
          class="danger"
          disabled={busy}
          onClick={() =>
            confirm(`Delete webhook "${webhook.name}" and its delivery log?`) &&
            run(() => deleteWebhook(webhook.webhook_id), onDeleted)
          }
        >
          Delete {webhook.name}
        </button>
      </div>
      {result && <TestOutcome result={result} />}
      <ErrorLine message={error} />
    </div>
  );
}

export default function WebhooksPage() {
  const [webhooks, reload] = useAsync(listWebhooks, []);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, busy, run] = useAction();
  return (
    <AdminOnly title="Webhooks">
      <section class="admin-page">
        <h1>Webhooks</h1>
        <p class="muted">
          Registry events POSTed to your receivers, signed with each webhook's secret, retried from a durable outbox.
        </p>
        {!creating && (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            New webhook
          </button>
        )}
        {creating && (
          <WebhookForm
            busy={busy}
            onSubmit={(body) =>
              run(
                async () => {
                  await createWebhook(body);
                  setSecret(body.secret ?? null);
                },
                () => {
                  setCreating(false);
                  reload();
                },
              )
            }
          />
        )}
        <ErrorLine message={error} />
        {secret && <ShownOnce label="The webhook's signing secret" secret={secret} onDone={() => setSecret(null)} />}
        {webhooks.state === "loading" && <p class="muted">Loading…</p>}
        {webhooks.state === "error" && <ErrorLine message={webhooks.message} />}
        {webhooks.state === "ok" && webhooks.value.length === 0 && <p class="muted">No webhooks yet.</p>}
        {webhooks.state === "ok" && webhooks.value.length > 0 && (
          <div class="table-wrap">
            <table class="data" aria-label="Webhooks">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Receiver</th>
                  <th>Events</th>
                  <th>Status</th>
                  <th>Updated</th>
                  <th>
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {webhooks.value.map((webhook) => (
                  <tr>
                    <td>
                      <a href={links.webhook(webhook.webhook_id)}>{webhook.name}</a>
                    </td>
                    <td class="excerpt">{webhook.url}</td>
                    <td>{subscribed(webhook).map(eventLabel).join(", ")}</td>
                    <td class={`status-${webhook.status}`}>{webhook.status}</td>
                    <td>{formatTime(webhook.last_updated_timestamp)}</td>
                    <td>
                      <WebhookActions webhook={webhook} changed={reload} onDeleted={reload} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </AdminOnly>
  );
}
