// Routes MLflow has that a later part fills (the registry pages are issue 14): the link opens
// a page that says so instead of a blank screen.
export function Pending({ title }: { title: string }) {
  return (
    <section>
      <h1>{title}</h1>
      <p class="muted">This page is not built yet.</p>
    </section>
  );
}
