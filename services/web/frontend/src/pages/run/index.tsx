// Placeholder from the scaffold; the run/charts/compare/artifacts engineer replaces it.
export default function RunPage(props: { experimentId: string; runId: string }) {
  return (
    <section>
      <h1>RunPage</h1>
      <pre>{JSON.stringify(props)}</pre>
    </section>
  );
}
