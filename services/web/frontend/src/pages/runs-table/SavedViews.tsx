import { useState } from "preact/hooks";
import { deleteView, listViews, saveView } from "../../api/mlflow";
import { useAsync } from "../../state/useAsync";

interface Props {
  experimentId: string;
  state: string; // the current view as the saved-views endpoints store it
  mayEdit: boolean;
  onOpen: (state: string) => void;
}

// Named views, shared by the team per experiment (Grimoire's experiment-views endpoints).
export function SavedViews({ experimentId, state, mayEdit, onOpen }: Props) {
  const [views, reload] = useAsync(() => listViews(experimentId), [experimentId]);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  const saved = views.state === "ok" ? views.value : [];
  const current = saved.find((v) => v.state === state);
  return (
    <div class="toolbar saved-views">
      <label>
        View{" "}
        <select
          aria-label="Saved views"
          value={current?.name ?? ""}
          onChange={(e) => {
            const view = saved.find((v) => v.name === e.currentTarget.value);
            if (view) onOpen(view.state);
          }}
        >
          <option value="">{current ? "" : "(unsaved)"}</option>
          {saved.map((v) => (
            <option value={v.name}>{v.name}</option>
          ))}
        </select>
      </label>
      {mayEdit && (
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            act(() => saveView(experimentId, name.trim(), state)).then(() => setName(""));
          }}
        >
          <input
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            placeholder="Name this view"
            aria-label="Name for the saved view"
          />
          <button type="submit" disabled={!name.trim()}>
            Save view
          </button>
          {current && (
            <button
              type="button"
              class="danger"
              onClick={() => act(() => deleteView(experimentId, current.name))}
            >
              Delete view “{current.name}”
            </button>
          )}
        </form>
      )}
      {views.state === "error" && <span class="muted">Saved views unavailable: {views.message}</span>}
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
