// Placeholder from the scaffold; the run/charts/compare/artifacts engineer replaces it.
export default function ArtifactsPage(props: { experimentId: string; runId: string; path: string }) {
  return (
    <section>
      <h1>ArtifactsPage</h1>
      <pre>{JSON.stringify(props)}</pre>
    </section>
  );
}
