import { useState } from "preact/hooks";
import { getWebhook, listDeliveries, replayDelivery, updateWebhook, type Delivery } from "../../../api/admin";
import { links } from "../../../app/routes";
import { formatTime } from "../../../state/format";
import { useAsync } from "../../../state/useAsync";
import { AdminOnly, ErrorLine, ShownOnce, useAction } from "../shared";
import { WebhookActions } from "./WebhookActions";
import { eventLabel, subscribed, summarize } from "./events";
import { WebhookForm } from "./WebhookForm";
import "../admin.css";

function DeliveryLog({ webhookId }: { webhookId: string }) {
  const [deliveries, reload] = useAsync(() => listDeliveries(webhookId), [webhookId]);
  const [error, busy, run] = useAction();
  if (deliveries.state === "loading") return <p class="muted">Loading deliveries…</p>;
  if (deliveries.state === "error") return <ErrorLine message={deliveries.message} />;
  return (
    <>
      <div class="toolbar">
        <button type="button" onClick={reload}>
          Refresh deliveries
        </button>
      </div>
      <ErrorLine message={error} />
      {deliveries.value.length === 0 ? (
        <p class="muted">No deliveries yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="data" aria-label="Deliveries">
            <thead>
              <tr>
                <th>Event</th>
                <th>Created</th>
                <th>State</th>
                <th>Attempts</th>
                <th>Last status</th>
                <th>Next attempt</th>
                <th>Response</th>
                <th>
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.value.map((delivery: Delivery) => {
                const summary = summarize(delivery);
                return (
                  <tr data-delivery={delivery.delivery_id}>
                    <td>{eventLabel(delivery.event)}</td>
                    <td>{formatTime(delivery.created_at)}</td>
                    <td class={`state-${delivery.state}`}>{delivery.state}</td>
                    <td>
                      {delivery.attempt_log.length === 0 ? (
                        delivery.attempts
                      ) : (
                        <details class="attempts">
                          <summary>{delivery.attempts}</summary>
                          <ol>
                            {delivery.attempt_log.map((a) => (
                              <li>
                                {formatTime(a.started_at)}: {a.status_code ?? a.error ?? "no answer"} ({a.duration_ms} ms)
                                {a.response_excerpt ? ` · ${a.response_excerpt.slice(0, 80)}` : ""}
                              </li>
                            ))}
                          </ol>
                        </details>
                      )}
                    </td>
                    <td>{summary.lastStatus}</td>
                    <td>{delivery.next_attempt_at ? formatTime(delivery.next_attempt_at) : "—"}</td>
                    <td class="excerpt" title={summary.excerpt}>
                      {summary.excerpt}
                    </td>
                    <td>
                      {summary.replayable && (
                        <button
                          type="button"
                          disabled={busy}
                          onClick={() =>
                            confirm(`Send this ${eventLabel(delivery.event)} delivery again?`) &&
                            run(() => replayDelivery(webhookId, delivery.delivery_id), reload)
                          }
                        >
                          Replay
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export default function WebhookPage({ webhookId }: { webhookId: string }) {
  const [webhook, reload] = useAsync(() => getWebhook(webhookId), [webhookId]);
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, busy, run] = useAction();
  return (
    <AdminOnly title="Webhook">
      <section class="admin-page">
        <p class="muted">
          <a href={links.webhooks()}>Webhooks</a> /
        </p>
        {webhook.state === "loading" && <p class="muted">Loading…</p>}
        {webhook.state === "error" && <ErrorLine message={webhook.message} />}
        {webhook.state === "ok" && (
          <>
            <h1>{webhook.value.name}</h1>
            <dl class="facts">
              <dt>Receiver</dt>
              <dd>
                <code>{webhook.value.url}</code>
              </dd>
              <dt>Events</dt>
              <dd>{subscribed(webhook.value).map(eventLabel).join(", ")}</dd>
              <dt>Status</dt>
              <dd class={`status-${webhook.value.status}`}>{webhook.value.status}</dd>
              {webhook.value.description && (
                <>
                  <dt>Description</dt>
                  <dd>{webhook.value.description}</dd>
                </>
              )}
              <dt>Created</dt>
              <dd>{formatTime(webhook.value.creation_timestamp)}</dd>
            </dl>
            <WebhookActions
              webhook={webhook.value}
              changed={reload}
              onDeleted={() => (window.location.hash = links.webhooks())}
              onEdit={editing ? undefined : () => setEditing(true)}
            />
            {editing && (
              <WebhookForm
                webhook={webhook.value}
                busy={busy}
                onSubmit={(body) =>
                  run(
                    async () => {
                      await updateWebhook(webhookId, body);
                      setSecret(body.secret ?? null);
                    },
                    () => {
                      setEditing(false);
                      reload();
                    },
                  )
                }
              />
            )}
            <ErrorLine message={error} />
            {secret && <ShownOnce label="The new signing secret" secret={secret} onDone={() => setSecret(null)} />}
            <h2>Delivery log</h2>
            <DeliveryLog webhookId={webhookId} />
          </>
        )}
      </section>
    </AdminOnly>
  );
}
