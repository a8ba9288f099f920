export function ExperimentsPage(_: { query: URLSearchParams }) {
  return <h1>Experiments</h1>;
}
