import { useState } from "preact/hooks";
import { createWebhook, listWebhooks } from "../../../api/admin";
import { links } from "../../../app/routes";
import { formatTime } from "../../../state/format";
import { useAsync } from "../../../state/useAsync";
import { AdminOnly, ErrorLine, ShownOnce, useAction } from "../shared";
import { eventLabel, subscribed } from "./events";
import { WebhookActions } from "./WebhookActions";
import { WebhookForm } from "./WebhookForm";
import "../admin.css";

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
