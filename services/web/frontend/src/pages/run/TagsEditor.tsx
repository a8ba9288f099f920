import { useState } from "preact/hooks";
import { deleteTag, isSystemTag, setTag, type KeyValue } from "./runApi";

interface Props {
  runId: string;
  tags: KeyValue[];
  mayEdit: boolean;
  onSaved: () => void;
}

export function TagsEditor({ runId, tags, mayEdit, onSaved }: Props) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const shown = tags.filter((tag) => !isSystemTag(tag.key)).sort((a, b) => a.key.localeCompare(b.key));
  const done = () => {
    setError(null);
    onSaved();
  };
  const add = (event: Event) => {
    event.preventDefault();
    setTag(runId, key.trim(), value).then(() => {
      setKey("");
      setValue("");
      done();
    }, (e: Error) => setError(e.message));
  };
  const remove = (tagKey: string) => deleteTag(runId, tagKey).then(done, (e: Error) => setError(e.message));
  return (
    <section aria-labelledby="run-tags">
      <h2 id="run-tags">Tags</h2>
      {shown.length === 0 ? (
        <p class="muted">No tags.</p>
      ) : (
        <ul class="tag-list">
          {shown.map((tag) => (
            <li key={tag.key} class="chip">
              <span class="mono">{tag.key}</span>: {tag.value}
              {mayEdit && (
                <button type="button" class="ghost" aria-label={`Remove tag ${tag.key}`} onClick={() => remove(tag.key)}>
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
      {error && <p class="error" role="alert">{error}</p>}
    </section>
  );
}
