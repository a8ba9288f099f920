// `#/compare-model-versions?name=<m>&versions=["5","7"]`: the source runs' params and metrics
// side by side for 2-10 versions of one model, rows that differ marked.
import { useState } from "preact/hooks";
import { getVersion, type ModelVersion } from "../../api/registry";
import { links } from "../../app/routes";
import { CompareTable } from "../compare/CompareTable";
import { columnsOf } from "../compare/columns";
import { compareProblem } from "../models/registryLogic";
import { getRun, type Run } from "../run/runApi";
import { useLoad } from "../run/useLoad";
import "../compare/compare.css";
import "../models/models.css";

// Each version's run, its column headed "v7 (Production)"; a version without a readable run
// gets an empty column rather than hiding the others.
async function load(name: string, versions: string[]): Promise<{ runs: Run[]; found: ModelVersion[] }> {
  const found = await Promise.all(versions.map((v) => getVersion(name, v)));
  const runs = await Promise.all(
    found.map(async (version) => {
      const label = `v${version.version} (${version.current_stage ?? "None"})`;
      const run: Run = version.run_id
        ? await getRun(version.run_id)
        : { info: { run_id: "", experiment_id: "", status: "", lifecycle_stage: "active" }, data: {} };
      return { ...run, info: { ...run.info, run_id: `${version.version}`, run_name: label } };
    }),
  );
  return { runs, found };
}

export default function CompareVersionsPage({ name, versions }: { name: string; versions: string[] }) {
  const problem = name ? compareProblem(versions) : "The link names no model.";
  const [loaded] = useLoad(
    () => (problem ? Promise.reject(new Error(problem)) : load(name, versions)),
    [name, versions.join(",")],
  );
  const [onlyDiffering, setOnlyDiffering] = useState(false);
  return (
    <section class="registry">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={links.models()}>Registered models</a> / {name && <a href={links.model(name)}>{name}</a>} /
      </nav>
      <h1>
        Comparing {versions.length} versions of {name}
      </h1>
      {loaded.state === "loading" && <p class="muted">Loading…</p>}
      {loaded.state === "error" && (
        <p class="error" role="alert">
          {loaded.message}
        </p>
      )}
      {loaded.state === "ready" && (
        <>
          <label>
            <input type="checkbox" checked={onlyDiffering} onChange={(e) => setOnlyDiffering(e.currentTarget.checked)} /> Show
            only rows that differ
          </label>
          <h2>Parameters</h2>
          <CompareTable title="Parameters" runs={loaded.value.runs} columns={columnsOf(loaded.value.runs).params} onlyDiffering={onlyDiffering} />
          <h2>Metrics</h2>
          <CompareTable title="Metrics" runs={loaded.value.runs} columns={columnsOf(loaded.value.runs).metrics} onlyDiffering={onlyDiffering} />
        </>
      )}
    </section>
  );
}
