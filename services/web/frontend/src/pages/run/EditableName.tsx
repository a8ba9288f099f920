import { useState } from "preact/hooks";
import { renameRun } from "./runApi";

interface Props {
  runId: string;
  name: string;
  mayEdit: boolean;
  onSaved: () => void;
}

// The run's name as the page title; EDIT users get a Rename button that swaps in a field.
export function EditableName({ runId, name, mayEdit, onSaved }: Props) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (draft === null) {
    return (
      <div class="run-title">
        <h1>{name || "(unnamed run)"}</h1>
        {mayEdit && (
          <button type="button" onClick={() => setDraft(name)}>
            Rename
          </button>
        )}
      </div>
    );
  }
  const save = (event: Event) => {
    event.preventDefault();
    renameRun(runId, draft.trim()).then(
      () => {
        setDraft(null);
        setError(null);
        onSaved();
      },
      (e: Error) => setError(e.message),
    );
  };
  return (
    <form class="run-title" onSubmit={save}>
      <label>
        <span class="visually-hidden">Run name</span>
        <input value={draft} onInput={(e) => setDraft(e.currentTarget.value)} aria-label="Run name" autoFocus />
      </label>
      <button type="submit" class="primary">
        Save
      </button>
      <button type="button" onClick={() => setDraft(null)}>
        Cancel
      </button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
