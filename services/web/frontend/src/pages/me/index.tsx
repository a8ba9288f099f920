import { useAuth } from "../../app/auth/AuthContext";
import { grantHref, grantScope, grantSource, type MeGrant } from "./effectiveRoles";
import "../admin/admin.css";

export default function MePage() {
  const auth = useAuth();
  if (auth.state === "off") {
    return (
      <section>
        <h1>Who am I</h1>
        <p>Authentication is off: there is no signed-in user, and everyone may do everything.</p>
      </section>
    );
  }
  if (auth.state !== "signed-in") return null;
  const { me } = auth;
  const grants = me.grants as MeGrant[];
  return (
    <section class="admin-page">
      <h1>Signed in as {me.name}</h1>
      <dl class="facts">
        <dt>Groups</dt>
        <dd>{me.groups.length ? me.groups.map((g) => <span class="chip">{g}</span>) : "none"}</dd>
        <dt>Administrator</dt>
        <dd>{me.is_admin ? "yes: every role on everything" : "no"}</dd>
      </dl>
      <h2>Roles</h2>
      {grants.length === 0 ? (
        <p class="muted">No grants: you see only what you create.</p>
      ) : (
        <div class="table-wrap">
          <table class="data" aria-label="Your roles">
            <thead>
              <tr>
                <th>Role</th>
                <th>On</th>
                <th>From</th>
              </tr>
            </thead>
            <tbody>
              {grants.map((grant) => {
                const href = grantHref(grant);
                return (
                  <tr>
                    <td>{grant.role}</td>
                    <td>{href ? <a href={href}>{grantScope(grant)}</a> : grantScope(grant)}</td>
                    <td>{grantSource(grant)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <a href="#/settings/tokens">Your personal access tokens</a>
      </p>
      {/* A real form post: the server checks its csrf_token field and ends the session. */}
      <form method="post" action="/auth/logout">
        <input type="hidden" name="csrf_token" value={me.csrf_token ?? ""} />
        <button type="submit" class="primary">
          Sign out
        </button>
      </form>
    </section>
  );
}
