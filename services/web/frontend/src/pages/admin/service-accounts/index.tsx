import { useState } from "preact/hooks";
import {
  createServiceAccount,
  deleteServiceAccount,
  listServiceAccounts,
  listTokens,
  revokeToken,
  serviceAccountToken,
  type ServiceAccount,
  type TokenInfo,
} from "../../../api/admin";
import { useAsync } from "../../../state/useAsync";
import { TokenTable } from "../../tokens/TokenTable";
import { parseExpiryDays } from "../../tokens/tokenState";
import { AdminOnly, ErrorLine, ShownOnce, useAction } from "../shared";
import "../admin.css";

function splitGroups(text: string): string[] {
  return text.split(",").map((g) => g.trim()).filter(Boolean);
}

function Account({
  account,
  tokens,
  changed,
  run,
  onIssued,
}: {
  account: ServiceAccount;
  tokens: TokenInfo[];
  changed: () => void;
  run: ReturnType<typeof useAction>[2];
  onIssued: (token: string) => void;
}) {
  const [tokenName, setTokenName] = useState("ci");
  const [days, setDays] = useState("");
  const expiry = parseExpiryDays(days);
  return (
    <article class="account" aria-label={`Service account ${account.name}`}>
      <h2>{account.name}</h2>
      <p class="muted">
        Groups: {account.groups.length ? account.groups.join(", ") : "none"} · created by {account.created_by}
      </p>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          if (expiry === "invalid") return;
          run(async () => onIssued((await serviceAccountToken(account.name, tokenName.trim(), expiry)).token), changed);
        }}
      >
        <label>
          Token name{" "}
          <input value={tokenName} onInput={(e) => setTokenName(e.currentTarget.value)} required />
        </label>
        <label>
          Expires in (days, empty: never){" "}
          <input
            inputMode="decimal"
            size={6}
            value={days}
            onInput={(e) => setDays(e.currentTarget.value)}
            aria-invalid={expiry === "invalid"}
          />
        </label>
        <button type="submit" disabled={expiry === "invalid"}>
          New token for {account.name}
        </button>
        <button
          type="button"
          class="danger"
          onClick={() =>
            prompt(`Type "${account.name}" to delete this service account and revoke its tokens.`) === account.name &&
            run(() => deleteServiceAccount(account.name), changed)
          }
        >
          Delete {account.name}
        </button>
      </form>
      <TokenTable
        tokens={tokens}
        label={`Tokens of ${account.name}`}
        onRevoke={(token) => run(() => revokeToken(token.token_id), changed)}
      />
    </article>
  );
}

async function load() {
  const [accounts, tokens] = await Promise.all([listServiceAccounts(), listTokens(true)]);
  return { accounts, tokens };
}

export default function ServiceAccountsPage() {
  const [data, reload] = useAsync(load, []);
  const [name, setName] = useState("");
  const [groups, setGroups] = useState("");
  const [issued, setIssued] = useState<string | null>(null);
  const [error, busy, run] = useAction();
  return (
    <AdminOnly title="Service accounts">
      <section class="admin-page">
        <h1>Service accounts</h1>
        <p class="muted">Principals for CI and automation: their groups decide their roles.</p>
        <form
          class="admin-form"
          aria-label="Create service account"
          onSubmit={(e) => {
            e.preventDefault();
            run(() => createServiceAccount(name.trim(), splitGroups(groups)), () => {
              setName("");
              setGroups("");
              reload();
            });
          }}
        >
          <label>
            Account name
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} required placeholder="ci-deploy" />
          </label>
          <label>
            Groups (comma-separated)
            <input value={groups} onInput={(e) => setGroups(e.currentTarget.value)} placeholder="ml-team" />
          </label>
          <button type="submit" class="primary" disabled={busy || !name.trim()}>
            Create service account
          </button>
        </form>
        <ErrorLine message={error} />
        {issued && <ShownOnce label="The new service account token" secret={issued} onDone={() => setIssued(null)} />}
        {data.state === "loading" && <p class="muted">Loading…</p>}
        {data.state === "error" && <ErrorLine message={data.message} />}
        {data.state === "ok" && data.value.accounts.length === 0 && <p class="muted">No service accounts.</p>}
        {data.state === "ok" &&
          data.value.accounts.map((account) => (
            <Account
              account={account}
              tokens={data.value.tokens.filter((t) => t.owner === `service:${account.name}`)}
              changed={reload}
              run={run}
              onIssued={setIssued}
            />
          ))}
      </section>
    </AdminOnly>
  );
}
