import { useState } from "preact/hooks";
import { Markdown } from "../../markdown/Markdown";
import { NOTE_TAG, setTag } from "./runApi";

interface Props {
  runId: string;
  note: string;
  mayEdit: boolean;
  onSaved: () => void;
}

// The description is the `mlflow.note.content` tag, as in MLflow, so the client and the UI
// read and write the same thing.
export function Description({ runId, note, mayEdit, onSaved }: Props) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = () =>
    setTag(runId, NOTE_TAG, draft ?? "").then(
      () => {
        setDraft(null);
        setError(null);
        onSaved();
      },
      (e: Error) => setError(e.message),
    );
  return (
    <section aria-labelledby="run-description">
      <div class="section-head">
        <h2 id="run-description">Description</h2>
        {mayEdit && draft === null && (
          <button type="button" onClick={() => setDraft(note)}>
            Edit description
          </button>
        )}
      </div>
      {draft === null ? (
        note ? <Markdown source={note} /> : <p class="muted">No description.</p>
      ) : (
        <div class="description-editor">
          <textarea
            aria-label="Description (markdown)"
            rows={8}
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
          />
          <div class="toolbar">
            <button type="button" class="primary" onClick={save}>
              Save
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
            <span class="muted">Markdown; raw HTML is shown as text.</span>
          </div>
          {error && <p class="error" role="alert">{error}</p>}
        </div>
      )}
    </section>
  );
}
