import { useEffect, useState } from "preact/hooks";

interface Props {
  value: string;
  error: string | null; // the server's message for the current filter, shown under the box
  onSubmit: (filter: string) => void;
}

export function FilterBox({ value, error, onSubmit }: Props) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <form
      class="filter-box"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(draft.trim());
      }}
    >
      <div class="toolbar">
        <input
          class="grow mono"
          type="search"
          name="filter"
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
          placeholder="metrics.loss < 0.5 AND params.model_name = 'rf'  (or part of a run name)"
          aria-label="Filter runs"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "filter-error" : undefined}
        />
        <button type="submit">Filter</button>
        {value && (
          <button type="button" onClick={() => onSubmit("")}>
            Clear
          </button>
        )}
      </div>
      {error && (
        <p class="error" id="filter-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
