// Placeholder from the scaffold; the run/charts/compare/artifacts engineer replaces it.
export default function ComparePage(props: { runIds: string[] }) {
  return (
    <section>
      <h1>ComparePage</h1>
      <pre>{JSON.stringify(props)}</pre>
    </section>
  );
}
