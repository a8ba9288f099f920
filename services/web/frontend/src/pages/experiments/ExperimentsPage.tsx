import { useEffect, useState } from "preact/hooks";
import {
  runCounts,
  searchExperiments,
  type Experiment,
  type ViewType,
} from "../../api/mlflow";
import { useMayCreateExperiments } from "../../app/auth/AuthContext";
import { experimentFilter } from "../../state/filters";
import { changedQuery, setHashQuery } from "../../state/hashQuery";
import { Pager } from "../../components/Pager";
import { useAsync } from "../../state/useAsync";
import { CreateExperiment } from "./CreateExperiment";
import { ExperimentRow } from "./ExperimentRow";

const SORTS: Record<string, string> = {
  "last_update_time DESC": "Last updated",
  "name ASC": "Name A–Z",
  "name DESC": "Name Z–A",
  "creation_time DESC": "Newest",
  "creation_time ASC": "Oldest",
};

interface Listing {
  experiments: Experiment[];
  next?: string;
  counts: Record<string, number> | null;
}

async function list(filter: string, sort: string, viewType: ViewType, token?: string) {
  const page = await searchExperiments({
    filter: experimentFilter(filter) || undefined,
    order_by: [sort],
    view_type: viewType,
    page_token: token,
  });
  const experiments = page.experiments ?? [];
  // Counts are a nicety: the list stands without them.
  const counts = await runCounts(experiments.map((e) => e.experiment_id)).catch(() => null);
  return { experiments, next: page.next_page_token, counts } satisfies Listing;
}

export function ExperimentsPage({ query }: { query: URLSearchParams }) {
  const filter = query.get("filter") ?? "";
  const sort = SORTS[query.get("sort") ?? ""] ? query.get("sort")! : "last_update_time DESC";
  const deleted = query.get("deleted") === "1";
  const token = query.get("page") ?? undefined;
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);
  const [loaded, reload] = useAsync(
    () => list(filter, sort, deleted ? "DELETED_ONLY" : "ACTIVE_ONLY", token),
    [filter, sort, deleted, token],
  );
  const mayCreate = useMayCreateExperiments();

  const update = (changes: Record<string, string | null>) => setHashQuery(changedQuery(query, changes));

  return (
    <section>
      <h1>Experiments</h1>
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          update({ filter: draft.trim() || null });
        }}
      >
        <label class="grow">
          <span class="sr-only">Search experiments</span>
          <input
            type="search"
            name="filter"
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
            placeholder="Name, or a filter: name LIKE 'team-a/%' AND tags.owner = 'me'"
            aria-label="Search experiments"
            style="width: 100%"
          />
        </label>
        <button type="submit">Search</button>
        <label>
          Sort{" "}
          <select
            value={sort}
            onChange={(e) => update({ sort: e.currentTarget.value })}
            aria-label="Sort experiments"
          >
            {Object.entries(SORTS).map(([value, label]) => (
              <option value={value}>{label}</option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={deleted}
            onChange={(e) => update({ deleted: e.currentTarget.checked ? "1" : null })}
          />{" "}
          Deleted
        </label>
      </form>
      {mayCreate && !deleted && <CreateExperiment />}
      {loaded.state === "error" && (
        <p class="error" role="alert" id="experiments-error">
          {loaded.message}
        </p>
      )}
      {loaded.state === "loading" && <p class="muted">Loading…</p>}
      {loaded.state === "ok" && (
        <>
          <div class="table-wrap">
            <table class="data" aria-label="Experiments">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" class="num">
                    Runs
                  </th>
                  <th scope="col" class="hide-narrow">
                    Last updated
                  </th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {loaded.value.experiments.map((experiment) => (
                  <ExperimentRow
                    key={experiment.experiment_id}
                    experiment={experiment}
                    runs={loaded.value.counts?.[experiment.experiment_id]}
                    onChanged={reload}
                  />
                ))}
              </tbody>
            </table>
          </div>
          {loaded.value.experiments.length === 0 && (
            <p class="muted">{deleted ? "No deleted experiments." : "No experiments match."}</p>
          )}
          <Pager
            onFirst={token ? () => update({ page: null }) : undefined}
            onNext={loaded.value.next ? () => update({ page: loaded.value.next! }) : undefined}
          />
        </>
      )}
    </section>
  );
}
