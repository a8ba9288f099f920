import { useState } from "preact/hooks";
import { Markdown } from "../markdown/Markdown";
import { useWrite } from "./useWrite";
import "./components.css";

interface Props {
  text: string;
  mayEdit: boolean;
  save: (text: string) => Promise<unknown>;
  onSaved: () => void;
}

// A run's, a model's or a version's description: markdown rendered safely (raw HTML escaped,
// script URLs dropped), edited in place by callers with EDIT.
export function EditableDescription({ text, mayEdit, save, onSaved }: Props) {
  const [draft, setDraft] = useState<string | null>(null);
  const { error, write, clearError } = useWrite(onSaved);
  const cancel = () => {
    setDraft(null);
    clearError();
  };
  return (
    <section aria-labelledby="description-heading">
      <div class="description-head">
        <h2 id="description-heading">Description</h2>
        {mayEdit && draft === null && (
          <button type="button" onClick={() => setDraft(text)}>
            Edit description
          </button>
        )}
      </div>
      {draft === null ? (
        text ? <Markdown source={text} /> : <p class="muted">No description.</p>
      ) : (
        <div class="description-editor">
          <textarea
            aria-label="Description (markdown)"
            rows={8}
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
          />
          <div class="toolbar">
            <button type="button" class="primary" onClick={() => write(save(draft), () => setDraft(null))}>
              Save description
            </button>
            <button type="button" onClick={cancel}>
              Cancel
            </button>
            <span class="muted">Markdown; raw HTML is shown as text.</span>
          </div>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
