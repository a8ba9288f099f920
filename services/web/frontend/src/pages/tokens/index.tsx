import { useState } from "preact/hooks";
import { createToken, listTokens, revokeToken } from "../../api/admin";
import { useAuth } from "../../app/auth/AuthContext";
import { useAsync } from "../../state/useAsync";
import { ErrorLine, ShownOnce, useAction } from "../admin/shared";
import { TokenTable } from "./TokenTable";
import { EXPIRY_CHOICES, parseExpiryDays } from "./tokenState";
import "../admin/admin.css";

export default function TokensPage() {
  const auth = useAuth();
  const [tokens, reload] = useAsync(() => listTokens(), []);
  const [name, setName] = useState("");
  const [days, setDays] = useState("30");
  const [issued, setIssued] = useState<string | null>(null);
  const [error, busy, run] = useAction();
  if (auth.state === "off") {
    return (
      <section>
        <h1>Personal access tokens</h1>
        <p>Authentication is off: the mlflow client needs no token.</p>
      </section>
    );
  }
  const expiry = parseExpiryDays(days);
  return (
    <section class="admin-page">
      <h1>Personal access tokens</h1>
      <p class="muted">
        A token acts as you (your name and groups) for the mlflow client and scripts: set{" "}
        <code>MLFLOW_TRACKING_TOKEN</code> to it.
      </p>
      <form
        class="admin-form"
        aria-label="Create token"
        onSubmit={(e) => {
          e.preventDefault();
          if (expiry === "invalid") return;
          run(
            async () => setIssued((await createToken(name.trim(), expiry)).token),
            () => {
              setName("");
              reload();
            },
          );
        }}
      >
        <label>
          Token name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required placeholder="laptop" />
        </label>
        <label>
          Expires in (days)
          <input
            list="expiry-choices"
            inputMode="decimal"
            value={days}
            onInput={(e) => setDays(e.currentTarget.value)}
            aria-invalid={expiry === "invalid"}
          />
          <datalist id="expiry-choices">
            {EXPIRY_CHOICES.map((d) => (
              <option value={String(d)} />
            ))}
          </datalist>
        </label>
        <button type="submit" class="primary" disabled={busy || !name.trim() || expiry === "invalid"}>
          Create token
        </button>
      </form>
      {expiry === "invalid" && <p class="error">Days must be a positive number.</p>}
      <ErrorLine message={error} />
      {issued && <ShownOnce label="Your new token" secret={issued} onDone={() => setIssued(null)} />}
      <h2>Your tokens</h2>
      {tokens.state === "loading" && <p class="muted">Loading…</p>}
      {tokens.state === "error" && <ErrorLine message={tokens.message} />}
      {tokens.state === "ok" && (
        <TokenTable
          tokens={tokens.value}
          label="Your tokens"
          onRevoke={(token) => run(() => revokeToken(token.token_id), reload)}
        />
      )}
    </section>
  );
}
