import { getRun } from "../run/runApi";
import { useLoad } from "../run/useLoad";
import type { ModelVersion } from "../../api/registry";

// A run's page is under its experiment: each source run is read once for its experiment id.
// A run the caller may not read simply gets no link.
export function useRunExperiments(versions: ModelVersion[]): Record<string, string> {
  const runIds = [...new Set(versions.map((v) => v.run_id).filter((id): id is string => !!id))];
  const [loaded] = useLoad(async () => {
    const pairs = await Promise.all(
      runIds.map((id) =>
        getRun(id).then(
          (run) => [id, run.info.experiment_id] as const,
          () => null,
        ),
      ),
    );
    return Object.fromEntries(pairs.filter((pair) => pair !== null));
  }, [runIds.join(",")]);
  return loaded.state === "ready" ? loaded.value : {};
}
