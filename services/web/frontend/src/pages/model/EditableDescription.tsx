import { useState } from "preact/hooks";
import { Markdown } from "../../markdown/Markdown";

interface Props {
  text: string;
  mayEdit: boolean;
  save: (text: string) => Promise<unknown>;
  onSaved: () => void;
}

// A model's or a version's description: markdown rendered safely (raw HTML escaped, script
// URLs dropped), edited in place by callers with EDIT.
export function EditableDescription({ text, mayEdit, save, onSaved }: Props) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = () =>
    save(draft ?? "").then(
      () => {
        setDraft(null);
        setError(null);
        onSaved();
      },
      (e: Error) => setError(e.message),
    );
  return (
    <section aria-labelledby="registry-description">
      <div class="header-row">
        <h2 id="registry-description">Description</h2>
        {mayEdit && draft === null && (
          <button type="button" onClick={() => setDraft(text)}>
            Edit description
          </button>
        )}
      </div>
      {draft === null ? (
        text ? <Markdown source={text} /> : <p class="muted">No description.</p>
      ) : (
        <div>
          <textarea
            aria-label="Description (markdown)"
            rows={6}
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
          />
          <div class="toolbar">
            <button type="button" class="primary" onClick={submit}>
              Save description
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
            <span class="muted">Markdown; raw HTML is shown as text.</span>
          </div>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
