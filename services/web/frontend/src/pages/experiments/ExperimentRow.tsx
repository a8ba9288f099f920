import { useState } from "preact/hooks";
import {
  deleteExperiment,
  renameExperiment,
  restoreExperiment,
  type Experiment,
} from "../../api/mlflow";
import { useExperimentRole } from "../../app/auth/AuthContext";
import { atLeast } from "../../app/auth/roles";
import { links } from "../../app/routes";
import { formatTime } from "../../state/format";

interface Props {
  experiment: Experiment;
  runs: number | undefined;
  onChanged: () => void;
}

export function ExperimentRow({ experiment, runs, onChanged }: Props) {
  const id = experiment.experiment_id;
  const role = useExperimentRole(id, experiment.name);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const deleted = experiment.lifecycle_stage === "deleted";

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      setRenaming(null);
      onChanged();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <tr data-experiment-id={id}>
      <td>
        {renaming === null ? (
          <a href={links.runs(id)}>{experiment.name}</a>
        ) : (
          <form
            class="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              act(() => renameExperiment(id, renaming.trim()));
            }}
          >
            <input
              value={renaming}
              onInput={(e) => setRenaming(e.currentTarget.value)}
              aria-label={`New name for ${experiment.name}`}
              autoFocus
            />
            <button type="submit" class="primary">
              Save
            </button>
            <button type="button" onClick={() => setRenaming(null)}>
              Cancel
            </button>
          </form>
        )}
        {error && (
          <div class="error" role="alert">
            {error}
          </div>
        )}
      </td>
      <td class="num">{runs ?? "—"}</td>
      <td class="hide-narrow">{formatTime(experiment.last_update_time)}</td>
      <td>
        {!deleted && atLeast(role, "EDIT") && renaming === null && (
          <button type="button" onClick={() => setRenaming(experiment.name)}>
            Rename
          </button>
        )}{" "}
        {!deleted && atLeast(role, "MANAGE") && (
          <button
            type="button"
            class="danger"
            onClick={() =>
              confirm(`Delete experiment "${experiment.name}" and its runs?`) &&
              act(() => deleteExperiment(id))
            }
          >
            Delete
          </button>
        )}
        {deleted && atLeast(role, "MANAGE") && (
          <button type="button" onClick={() => act(() => restoreExperiment(id))}>
            Restore
          </button>
        )}
      </td>
    </tr>
  );
}
