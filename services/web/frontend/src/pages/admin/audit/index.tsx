import { useMemo, useState } from "preact/hooks";
import { listAudit } from "../../../api/admin";
import { formatTime } from "../../../state/format";
import { setHashQuery } from "../../../state/hashQuery";
import { useAsync } from "../../../state/useAsync";
import { AdminOnly, ErrorLine } from "../shared";
import { auditQuery, auditViewQuery, detailSummary, objectLink, parseAuditView, type AuditView } from "./auditView";
import "../admin.css";

// Known actions, offered in the filter; any other text is sent as typed.
const ACTIONS = [
  "stage.transition",
  "alias.set",
  "alias.delete",
  "model_version.delete",
  "registered_model.delete",
  "registered_model.rename",
  "experiment.delete",
  "experiment.restore",
  "run.delete",
  "run.restore",
  "permission.grant",
  "permission.revoke",
  "token.revoke",
  "service_account.create",
  "service_account.delete",
  "service_account.token",
  "webhook.create",
  "webhook.update",
  "webhook.delete",
  "webhook.replay",
];

function Filters({ view }: { view: AuditView }) {
  const [draft, setDraft] = useState(view);
  const field = (key: keyof AuditView, label: string, type: "text" | "datetime-local" = "text", list?: string) => (
    <label>
      {label}
      <input
        type={type}
        list={list}
        value={draft[key]}
        onInput={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })}
      />
    </label>
  );
  return (
    <form
      class="admin-form"
      aria-label="Filter the audit log"
      onSubmit={(e) => {
        e.preventDefault();
        setHashQuery(auditViewQuery(draft));
      }}
    >
      {field("actor", "Actor")}
      {field("action", "Action", "text", "audit-actions")}
      <datalist id="audit-actions">
        {ACTIONS.map((a) => (
          <option value={a} />
        ))}
      </datalist>
      <label>
        Object type
        <select value={draft.resourceType} onChange={(e) => setDraft({ ...draft, resourceType: e.currentTarget.value })}>
          <option value="">any</option>
          <option value="experiment">experiment</option>
          <option value="registered_model">registered model</option>
        </select>
      </label>
      {field("object", "Object (id or name)")}
      {field("since", "From", "datetime-local")}
      {field("until", "Until", "datetime-local")}
      <button type="submit" class="primary">
        Filter
      </button>
    </form>
  );
}

export default function AuditPage({ query }: { query: URLSearchParams }) {
  const view = useMemo(() => parseAuditView(query), [query.toString()]);
  const [entries] = useAsync(() => listAudit(auditQuery(view)), [query.toString()]);
  return (
    <AdminOnly title="Audit log">
      <section class="admin-page">
        <h1>Audit log</h1>
        <Filters key={query.toString()} view={view} />
        {entries.state === "loading" && <p class="muted">Loading…</p>}
        {entries.state === "error" && <ErrorLine message={entries.message} />}
        {entries.state === "ok" && entries.value.length === 0 && <p class="muted">No entries match.</p>}
        {entries.state === "ok" && entries.value.length > 0 && (
          <div class="table-wrap">
            <table class="data" aria-label="Audit entries">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Actor</th>
                  <th>Action</th>
                  <th>Object</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.value.map((entry) => {
                  const link = objectLink(entry);
                  return (
                    <tr>
                      <td>{formatTime(entry.at)}</td>
                      <td>{entry.actor}</td>
                      <td>{entry.action}</td>
                      <td>{link ? <a href={link.href}>{link.label}</a> : (entry.resource_id ?? "—")}</td>
                      <td class="excerpt" title={detailSummary(entry)}>
                        {detailSummary(entry)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {entries.state === "ok" && entries.value.length === 200 && (
          <p class="muted">The newest 200 entries; narrow the filter to see older ones.</p>
        )}
      </section>
    </AdminOnly>
  );
}
