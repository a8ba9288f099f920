import { useState } from "preact/hooks";
import { createExperiment } from "../../api/mlflow";
import { links } from "../../app/routes";

export function CreateExperiment() {
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="toolbar"
      aria-label="Create experiment"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const created = await createExperiment(name.trim());
          window.location.hash = links.runs(created.experiment_id);
        } catch (failure) {
          setError((failure as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <input
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
        placeholder="New experiment name"
        aria-label="New experiment name"
        required
      />
      <button type="submit" class="primary" disabled={busy || !name.trim()}>
        Create experiment
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
