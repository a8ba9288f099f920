// Placeholder from the scaffold; the run/charts/compare/artifacts engineer replaces it.
export default function LoggedModelPage(props: { experimentId: string; modelId: string }) {
  return (
    <section>
      <h1>LoggedModelPage</h1>
      <pre>{JSON.stringify(props)}</pre>
    </section>
  );
}
