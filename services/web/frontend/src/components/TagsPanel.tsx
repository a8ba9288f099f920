import { useState } from "preact/hooks";
import "./components.css";
import { useWrite } from "./useWrite";

interface Tag {
  key: string;
  value: string;
}

interface Props {
  tags: Tag[];
  mayEdit: boolean;
  set: (key: string, value: string) => Promise<unknown>;
  remove: (key: string) => Promise<unknown>;
  onSaved: () => void;
}

// A run's, a model's or a version's tags by key, added and removed in place by callers with EDIT.
export function TagsPanel({ tags, mayEdit, set, remove, onSaved }: Props) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const { error, write } = useWrite(onSaved);
  const add = (event: Event) => {
    event.preventDefault();
    write(set(key.trim(), value), () => {
      setKey("");
      setValue("");
    });
  };
  const sorted = [...tags].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <section aria-labelledby="tags-heading">
      <h2 id="tags-heading">Tags</h2>
      {sorted.length === 0 ? (
        <p class="muted">No tags.</p>
      ) : (
        <ul class="tag-list">
          {sorted.map((tag) => (
            <li key={tag.key} class="chip">
              <span class="mono">{tag.key}</span>: {tag.value}
              {mayEdit && (
                <button
                  type="button"
                  class="ghost"
                  aria-label={`Remove tag ${tag.key}`}
                  onClick={() => write(remove(tag.key))}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayEdit && (
        <form class="toolbar" onSubmit={add} aria-label="Add a tag">
          <input aria-label="Tag key" placeholder="key" value={key} required onInput={(e) => setKey(e.currentTarget.value)} />
          <input aria-label="Tag value" placeholder="value" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          <button type="submit">Add tag</button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
