import { useState } from "preact/hooks";
import { STAGES, transitionStage, type ModelVersion, type Stage } from "../../api/registry";
import { Confirm } from "../models/Confirm";
import { stageOf, transitionChanges } from "../models/registryLogic";

interface Props {
  version: ModelVersion;
  all: ModelVersion[];
  onDone: () => void;
}

// Pick a stage and whether to archive the versions now in it; the confirmation lists every
// version whose stage will change. Shown only to callers with EDIT (the server checks again).
export function StageTransition({ version, all, onDone }: Props) {
  const current = stageOf(version);
  const [target, setTarget] = useState<Stage>(current === "Production" ? "Archived" : "Production");
  const [archive, setArchive] = useState(true);
  const [asking, setAsking] = useState(false);
  const changes = transitionChanges(version, target, archive, all);
  return (
    <section aria-labelledby="version-stage" class="panel">
      <h2 id="version-stage">Stage transition</h2>
      <form
        class="toolbar"
        aria-label="Transition stage"
        onSubmit={(e) => {
          e.preventDefault();
          setAsking(true);
        }}
      >
        <label>
          Move to{" "}
          <select
            aria-label="Target stage"
            value={target}
            onChange={(e) => {
              setTarget(e.currentTarget.value as Stage);
              setAsking(false);
            }}
          >
            {STAGES.filter((stage) => stage !== current).map((stage) => (
              <option key={stage} value={stage}>
                {stage}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={archive}
            disabled={target !== "Staging" && target !== "Production"}
            onChange={(e) => {
              setArchive(e.currentTarget.checked);
              setAsking(false);
            }}
          />{" "}
          Archive existing versions in this stage
        </label>
        <button type="submit" disabled={changes.length === 0}>
          Transition…
        </button>
      </form>
      {asking && changes.length > 0 && (
        <Confirm
          title={`Transition version ${version.version} to ${target}`}
          changes={changes}
          confirmLabel={`Move to ${target}`}
          onConfirm={() =>
            transitionStage(version.name, version.version, target, archive).then(() => {
              setAsking(false);
              onDone();
            })
          }
          onCancel={() => setAsking(false)}
        />
      )}
    </section>
  );
}
