import type { TokenInfo } from "../../api/admin";
import { formatTime } from "../../state/format";
import { tokenState } from "./tokenState";

// Tokens with their state; `onRevoke` (after a confirmation) for the active ones.
export function TokenTable({
  tokens,
  label,
  onRevoke,
}: {
  tokens: TokenInfo[];
  label: string;
  onRevoke?: (token: TokenInfo) => void;
}) {
  if (tokens.length === 0) return <p class="muted">No tokens yet.</p>;
  return (
    <div class="table-wrap">
      <table class="data" aria-label={label}>
        <thead>
          <tr>
            <th>Name</th>
            <th>Starts with</th>
            <th>Created</th>
            <th>Expires</th>
            <th>Last used</th>
            <th>State</th>
            <th>
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => {
            const state = tokenState(token);
            return (
              <tr>
                <td>{token.name}</td>
                <td>
                  <code>{token.prefix}…</code>
                </td>
                <td>{formatTime(token.created_at)}</td>
                <td>{token.expires_at ? formatTime(token.expires_at) : "never"}</td>
                <td>{token.last_used_at ? formatTime(token.last_used_at) : "—"}</td>
                <td class={`state-${state}`}>{state}</td>
                <td>
                  {onRevoke && state === "active" && (
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Revoke ${token.name}`}
                      onClick={() => confirm(`Revoke token "${token.name}"? Anything using it stops working.`) && onRevoke(token)}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
