// `#/models`: registered models with MLflow's registered-model filter, sort, tags, the latest
// version per stage, aliases and last modified; "Create model" for callers who may.
import { useEffect, useState } from "preact/hooks";
import { createModel, searchModels, type RegisteredModel } from "../../api/registry";
import { links } from "../../app/routes";
import { experimentFilter } from "../../state/filters";
import { formatTime } from "../../state/format";
import { changedQuery, setHashQuery } from "../../state/hashQuery";
import { Pager } from "../../components/Pager";
import { useAsync } from "../../state/useAsync";
import { MODEL_ORDERS, latestByStage } from "./registryLogic";
import { useMayCreateModels } from "./useModelRole";
import "./models.css";

function CreateModel() {
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    setError(null);
    createModel(name.trim(), "").then(
      () => (window.location.hash = links.model(name.trim())),
      (e: Error) => setError(e.message),
    );
  };
  return (
    <form class="toolbar" aria-label="Create model" onSubmit={submit}>
      <input
        aria-label="New model name"
        placeholder="New model name"
        value={name}
        required
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <button type="submit" class="primary" disabled={!name.trim()}>
        Create model
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

function ModelRow({ model }: { model: RegisteredModel }) {
  return (
    <tr>
      <td>
        <a href={links.model(model.name)}>{model.name}</a>
      </td>
      <td>
        {latestByStage(model.latest_versions).map((version) => (
          <a
            key={version.version}
            class="chip stage-chip"
            href={links.modelVersion(model.name, version.version)}
          >
            {version.current_stage ?? "None"}: v{version.version}
          </a>
        ))}
      </td>
      <td>
        {(model.aliases ?? []).map((alias) => (
          <span key={alias.alias} class="chip">
            @{alias.alias}: v{alias.version}
          </span>
        ))}
      </td>
      <td class="hide-narrow">
        {(model.tags ?? []).map((tag) => (
          <span key={tag.key} class="chip">
            <span class="mono">{tag.key}</span>: {tag.value}
          </span>
        ))}
      </td>
      <td class="hide-narrow">{formatTime(model.last_updated_timestamp)}</td>
    </tr>
  );
}

export default function ModelsPage({ query }: { query: URLSearchParams }) {
  const filter = query.get("filter") ?? "";
  const orders = MODEL_ORDERS.map((o) => o.value);
  const sort = orders.includes(query.get("sort") ?? "") ? query.get("sort")! : orders[0];
  const token = query.get("page") ?? undefined;
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);
  const [loaded] = useAsync(
    () =>
      searchModels({
        filter: experimentFilter(filter) || undefined,
        order_by: [sort],
        page_token: token,
      }),
    [filter, sort, token],
  );
  const mayCreate = useMayCreateModels();
  const update = (changes: Record<string, string | null>) => setHashQuery(changedQuery(query, changes));
  const models = loaded.state === "ok" ? loaded.value.registered_models ?? [] : [];
  return (
    <section class="registry">
      <h1>Registered models</h1>
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          update({ filter: draft.trim() || null });
        }}
      >
        <input
          type="search"
          class="grow"
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
          placeholder="Name, or a filter: name LIKE 'churn-%' AND tags.team = 'ml'"
          aria-label="Search models"
        />
        <button type="submit">Search</button>
        <label>
          Sort{" "}
          <select
            value={sort}
            aria-label="Sort models"
            onChange={(e) => update({ sort: e.currentTarget.value })}
          >
            {MODEL_ORDERS.map((order) => (
              <option key={order.value} value={order.value}>
                {order.label}
              </option>
            ))}
          </select>
        </label>
      </form>
      {mayCreate && <CreateModel />}
      {loaded.state === "error" && (
        <p class="error" role="alert">
          {loaded.message}
        </p>
      )}
      {loaded.state === "loading" && <p class="muted">Loading…</p>}
      {loaded.state === "ok" && (
        <>
          <div class="table-wrap">
            <table class="data" aria-label="Registered models">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Latest versions</th>
                  <th scope="col">Aliases</th>
                  <th scope="col" class="hide-narrow">
                    Tags
                  </th>
                  <th scope="col" class="hide-narrow">
                    Last modified
                  </th>
                </tr>
              </thead>
              <tbody>
                {models.map((model) => (
                  <ModelRow key={model.name} model={model} />
                ))}
              </tbody>
            </table>
          </div>
          {models.length === 0 && <p class="muted">No registered models match.</p>}
          <Pager
            onFirst={token ? () => update({ page: null }) : undefined}
            onNext={loaded.value.next_page_token ? () => update({ page: loaded.value.next_page_token! }) : undefined}
          />
        </>
      )}
    </section>
  );
}
