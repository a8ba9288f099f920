import { useState } from "preact/hooks";
import type { KeyValue } from "../../api/registry";

interface Props {
  tags: KeyValue[];
  mayEdit: boolean;
  set: (key: string, value: string) => Promise<unknown>;
  remove: (key: string) => Promise<unknown>;
  onSaved: () => void;
}

export function TagsPanel({ tags, mayEdit, set, remove, onSaved }: Props) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const done = () => {
    setError(null);
    onSaved();
  };
  const add = (event: Event) => {
    event.preventDefault();
    set(key.trim(), value).then(() => {
      setKey("");
      setValue("");
      done();
    }, (e: Error) => setError(e.message));
  };
  const sorted = [...tags].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <section aria-labelledby="registry-tags">
      <h2 id="registry-tags">Tags</h2>
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
                  onClick={() => remove(tag.key).then(done, (e: Error) => setError(e.message))}
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
