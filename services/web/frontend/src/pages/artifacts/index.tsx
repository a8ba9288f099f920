// `#/experiments/<id>/runs/<run_id>/artifacts/<path>`: a run's artifacts with the selected
// file in the URL, so a link opens the same preview.

import { links } from "../../app/routes";
import { ArtifactBrowser } from "./ArtifactBrowser";

export default function ArtifactsPage({ experimentId, runId, path }: { experimentId: string; runId: string; path: string }) {
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={links.runs(experimentId)}>Experiment {experimentId}</a> / <a href={links.run(experimentId, runId)}>Run {runId}</a> /
        artifacts
      </nav>
      <h1>Artifacts</h1>
      <ArtifactBrowser
        experimentId={experimentId}
        runId={runId}
        path={path}
        onSelect={(selected) => window.location.replace(links.artifacts(experimentId, runId, selected))}
      />
    </section>
  );
}
