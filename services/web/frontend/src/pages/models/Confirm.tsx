import { useState } from "preact/hooks";

interface Props {
  title: string;
  // Each change the action makes, named, so nobody confirms something they did not read.
  changes: string[];
  confirmLabel: string;
  // A destructive action asks the person to type this (the model's name, say) first.
  typed?: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onCancel: () => void;
}

// An inline confirmation panel: focus lands in it, Escape cancels, and a refusal from the
// server is shown here with the server's message.
export function Confirm({ title, changes, confirmLabel, typed, danger, onConfirm, onCancel }: Props) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ready = typed === undefined || text === typed;
  const submit = (event: Event) => {
    event.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    onConfirm().then(
      () => setBusy(false),
      (e: Error) => {
        setBusy(false);
        setError(e.message);
      },
    );
  };
  return (
    <div class="confirm" role="alertdialog" aria-label={title}>
      <form onSubmit={submit} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
        <strong>{title}</strong>
        <ul class="confirm-changes">
          {changes.map((change) => (
            <li key={change}>{change}</li>
          ))}
        </ul>
        {typed !== undefined && (
          <label>
            Type <code>{typed}</code> to confirm{" "}
            <input
              aria-label="Type to confirm"
              value={text}
              autoFocus
              onInput={(e) => setText(e.currentTarget.value)}
            />
          </label>
        )}
        <div class="toolbar">
          <button type="submit" class={danger ? "danger" : "primary"} disabled={!ready || busy} autoFocus={typed === undefined}>
            {confirmLabel}
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
