import { useState } from "preact/hooks";
import type { Webhook, WebhookWrite } from "../../../api/admin";
import { EVENTS, eventKey, eventsOf, subscribed, toggled } from "./events";

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Create (no `webhook`) or edit. A new webhook gets a generated signing secret the caller
// sees once; editing can only replace it, never show it (the server never sends it back).
export function WebhookForm({
  webhook,
  busy,
  onSubmit,
}: {
  webhook?: Webhook;
  busy: boolean;
  onSubmit: (body: WebhookWrite) => void;
}) {
  const [name, setName] = useState(webhook?.name ?? "");
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [description, setDescription] = useState(webhook?.description ?? "");
  const [keys, setKeys] = useState(new Set((webhook ? subscribed(webhook) : []).map(eventKey)));
  const [secret, setSecret] = useState(webhook ? "" : randomSecret());
  const verb = webhook ? "Save webhook" : "Create webhook";
  return (
    <form
      class="admin-form"
      aria-label={webhook ? "Edit webhook" : "Create webhook"}
      onSubmit={(e) => {
        e.preventDefault();
        const body: WebhookWrite = { name: name.trim(), url: url.trim(), description, events: eventsOf(keys) };
        if (secret) body.secret = secret;
        onSubmit(body);
      }}
    >
      <label>
        Webhook name
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} required />
      </label>
      <label>
        Receiver URL
        <input type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} required placeholder="https://ci.example.com/hook" />
      </label>
      <label>
        Description
        <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>Events</legend>
        {EVENTS.map(({ event, label }) => {
          const key = eventKey(event);
          return (
            <label>
              <input
                type="checkbox"
                checked={keys.has(key)}
                onChange={(e) => setKeys(toggled(keys, key, e.currentTarget.checked))}
              />
              {label}
            </label>
          );
        })}
      </fieldset>
      <label>
        {webhook ? "New signing secret (leave empty to keep)" : "Signing secret"}
        <input value={secret} onInput={(e) => setSecret(e.currentTarget.value)} autoComplete="off" />
      </label>
      <button type="submit" class="primary" disabled={busy || keys.size === 0 || !name.trim() || !url.trim()}>
        {verb}
      </button>
    </form>
  );
}
