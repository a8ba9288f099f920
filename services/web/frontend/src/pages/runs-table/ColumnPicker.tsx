import { useState } from "preact/hooks";
import { columnId, type ColumnKey, type RunsView } from "../../state/runsView";

interface Props {
  view: RunsView;
  keys: { params: string[]; metrics: string[]; tags: string[] };
  onChange: (view: RunsView) => void;
}

const GROUPS = [
  { kind: "params", title: "Parameters" },
  { kind: "metrics", title: "Metrics" },
  { kind: "tags", title: "Tags" },
] as const;

export function ColumnPicker({ view, keys, onChange }: Props) {
  const [open, setOpen] = useState(false);
  const chosen = new Set(view.columns.map(columnId));
  const toggle = (column: ColumnKey, on: boolean) => {
    const columns = on
      ? [...view.columns, column]
      : view.columns.filter((c) => columnId(c) !== columnId(column));
    const minmax = view.minmax.filter((key) =>
      columns.some((c) => c.kind === "metrics" && c.key === key),
    );
    onChange({ ...view, columns, minmax });
  };
  const toggleMinMax = (key: string, on: boolean) =>
    onChange({
      ...view,
      minmax: on ? [...view.minmax, key] : view.minmax.filter((k) => k !== key),
    });
  return (
    <div class="column-picker">
      <button
        type="button"
        aria-expanded={open}
        aria-controls="column-picker"
        onClick={() => setOpen(!open)}
      >
        Columns ({view.columns.length})
      </button>
      {open && (
        <div class="picker" id="column-picker" role="group" aria-label="Columns">
          {GROUPS.map(({ kind, title }) => {
            // Columns from the URL stay listed even when this page's runs lack the key.
            const named = new Set([
              ...keys[kind],
              ...view.columns.filter((c) => c.kind === kind).map((c) => c.key),
            ]);
            return (
              <fieldset>
                <legend>{title}</legend>
                {named.size === 0 && <span class="muted">none on this page</span>}
                {[...named].map((key) => {
                  const column = { kind, key };
                  const on = chosen.has(columnId(column));
                  return (
                    <div>
                      <label>
                        <input
                          type="checkbox"
                          checked={on}
                          onChange={(e) => toggle(column, e.currentTarget.checked)}
                        />{" "}
                        {key}
                      </label>
                      {kind === "metrics" && on && (
                        <label class="minmax-toggle">
                          <input
                            type="checkbox"
                            checked={view.minmax.includes(key)}
                            onChange={(e) => toggleMinMax(key, e.currentTarget.checked)}
                            aria-label={`Show min and max of ${key}`}
                          />{" "}
                          min/max
                        </label>
                      )}
                    </div>
                  );
                })}
              </fieldset>
            );
          })}
        </div>
      )}
    </div>
  );
}
