import { useState } from "preact/hooks";
import { useWrite } from "../../components/useWrite";
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
  const { error, write, clearError } = useWrite(onSaved);
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
    write(renameRun(runId, draft.trim()), () => setDraft(null));
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
      <button
        type="button"
        onClick={() => {
          setDraft(null);
          clearError();
        }}
      >
        Cancel
      </button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
