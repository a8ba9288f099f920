export function RunsTablePage({ experimentId }: { experimentId: string; query: URLSearchParams }) {
  return <h1>Runs of experiment {experimentId}</h1>;
}
