import { useState } from "preact/hooks";
import { grantRole, listGrants, revokeRole, type GrantResource } from "../../api/admin";
import { formatTime } from "../../state/format";
import { useAsync } from "../../state/useAsync";
import { ErrorLine, useAction } from "../admin/shared";
import "./access.css";

const ROLES = ["READ", "EDIT", "MANAGE"] as const;

// Who holds which role on one resource, with grant and revoke. Listing needs MANAGE there
// (ADMIN for the defaults): a caller without it gets the server's refusal instead of a list.
export function GrantsEditor({ resourceType, resourceId, label }: { resourceType: GrantResource; resourceId: string; label: string }) {
  const [grants, reload] = useAsync(() => listGrants(resourceType, resourceId), [resourceType, resourceId]);
  const [principalType, setPrincipalType] = useState<"user" | "group">("group");
  const [principal, setPrincipal] = useState("");
  const [role, setRole] = useState<string>("READ");
  const [error, busy, run] = useAction();
  if (grants.state === "loading") return <p class="muted">Loading who has access…</p>;
  if (grants.state === "error") return <p class="muted access-denied">{grants.message}</p>;
  const target = { resource_type: resourceType, resource_id: resourceId };
  return (
    <div class="grants">
      {grants.value.length === 0 ? (
        <p class="muted">No grants on {label}.</p>
      ) : (
        <div class="table-wrap">
          <table class="data" aria-label={`Who has access to ${label}`}>
            <thead>
              <tr>
                <th>Who</th>
                <th>Role</th>
                <th>Granted by</th>
                <th>When</th>
                <th>
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {grants.value.map((g) => (
                <tr>
                  <td>
                    <span class="chip">{g.principal_type}</span> {g.principal}
                  </td>
                  <td>{g.role}</td>
                  <td>{g.granted_by}</td>
                  <td>{formatTime(g.granted_at)}</td>
                  <td>
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Revoke ${g.role} from ${g.principal_type} ${g.principal}`}
                      onClick={() =>
                        confirm(`Revoke ${g.role} on ${label} from ${g.principal_type} ${g.principal}?`) &&
                        run(
                          () => revokeRole({ ...target, principal_type: g.principal_type, principal: g.principal }),
                          reload,
                        )
                      }
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form
        class="toolbar grant-form"
        aria-label={`Grant access to ${label}`}
        onSubmit={(e) => {
          e.preventDefault();
          run(() => grantRole({ ...target, principal_type: principalType, principal: principal.trim(), role }), () => {
            setPrincipal("");
            reload();
          });
        }}
      >
        <select
          aria-label="Grant to a"
          value={principalType}
          onChange={(e) => setPrincipalType(e.currentTarget.value as "user" | "group")}
        >
          <option value="group">group</option>
          <option value="user">user</option>
        </select>
        <input
          aria-label={principalType === "group" ? "Group name" : "User name"}
          placeholder={principalType === "group" ? "ml-team" : "someone@example.com"}
          value={principal}
          onInput={(e) => setPrincipal(e.currentTarget.value)}
          required
        />
        <select aria-label="Role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {ROLES.map((r) => (
            <option value={r}>{r}</option>
          ))}
        </select>
        <button type="submit" class="primary" disabled={busy || !principal.trim()}>
          Grant
        </button>
      </form>
      <ErrorLine message={error} />
    </div>
  );
}
