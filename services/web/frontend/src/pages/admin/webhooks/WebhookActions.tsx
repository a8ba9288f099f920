import { useState } from "preact/hooks";
import { deleteWebhook, testWebhook, updateWebhook, type TestResult, type Webhook } from "../../../api/admin";
import { ErrorLine, useAction } from "../shared";

// A webhook's buttons, on the list and on its own page: edit, enable/disable, test, delete.
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
