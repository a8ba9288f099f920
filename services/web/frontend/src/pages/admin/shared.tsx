// Pieces every administration page shares: the administrators-only gate, a secret shown
// once, and an action runner that shows the server's message when it refuses.

import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useAuth } from "../../app/auth/AuthContext";

export function useIsAdmin(): boolean {
  const auth = useAuth();
  return auth.state === "off" || (auth.state === "signed-in" && auth.me.is_admin);
}

// The UI hides administration from others; the server refuses them anyway (403).
export function AdminOnly({ title, children }: { title: string; children: ComponentChildren }) {
  if (!useIsAdmin()) {
    return (
      <section>
        <h1>{title}</h1>
        <p class="error" role="alert">
          Only administrators can see this page.
        </p>
      </section>
    );
  }
  return <>{children}</>;
}

export function ShownOnce({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  return (
    <div class="shown-once" role="status">
      <p>
        <strong>{label}</strong> It is shown this once: copy it now.
      </p>
      <input class="secret" readOnly value={secret} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" onClick={() => navigator.clipboard?.writeText(secret)}>
        Copy
      </button>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

export function ErrorLine({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

// Runs a write, then `after`; a refusal leaves its message on screen (and nothing changed).
export function useAction(): [string | null, boolean, (work: () => Promise<unknown>, after?: () => void) => Promise<void>] {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      after?.();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return [error, busy, run];
}

export function AdminNav() {
  const auth = useAuth();
  if (auth.state !== "signed-in" && auth.state !== "off") return null;
  // With authentication off there are webhooks but no accounts, grants or audit entries.
  const admin = auth.state === "signed-in" && auth.me.is_admin;
  return (
    <>
      {auth.state === "signed-in" && <a href="#/settings/tokens">Tokens</a>}
      {(admin || auth.state === "off") && <a href="#/admin/webhooks">Webhooks</a>}
      {admin && <a href="#/admin/service-accounts">Service accounts</a>}
      {admin && <a href="#/admin/access">Access</a>}
      {admin && <a href="#/admin/audit">Audit</a>}
    </>
  );
}
