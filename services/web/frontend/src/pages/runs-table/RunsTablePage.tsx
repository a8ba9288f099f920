import { useMemo, useState } from "preact/hooks";
import { deleteRun, getExperiment, restoreRun, runKeys } from "../../api/mlflow";
import { useExperimentRole } from "../../app/auth/AuthContext";
import { atLeast } from "../../app/auth/roles";
import { links } from "../../app/routes";
import { setHashQuery } from "../../state/hashQuery";
import {
  PAGE_SIZES,
  parseRunsView,
  runsViewQuery,
  sortedBy,
  viewState,
  type Lifecycle,
  type RunsView,
} from "../../state/runsView";
import { useAsync } from "../../state/useAsync";
import { ColumnPicker } from "./ColumnPicker";
import { FilterBox } from "./FilterBox";
import { loadExtras, loadRuns } from "./loadRuns";
import { columnKeys, sortedKeys } from "./nesting";
import { RunsTable } from "./RunsTable";
import { SavedViews } from "./SavedViews";
import { AccessPanel } from "../access/AccessPanel";
import { Pager } from "../../components/Pager";

// The page token of the page before each page seen, so "Previous" works within a visit.
const previousPage = new Map<string, string | null>();

export function RunsTablePage({ experimentId, query }: { experimentId: string; query: URLSearchParams }) {
  const view = useMemo(() => parseRunsView(query), [query.toString()]);
  const [experiment] = useAsync(() => getExperiment(experimentId), [experimentId]);
  const [page, reload] = useAsync(() => loadRuns(experimentId, view), [experimentId, query.toString()]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [actionError, setActionError] = useState<string | null>(null);
  const [denied, setDenied] = useState(false);
  const name = experiment.state === "ok" ? experiment.value.name : undefined;
  const role = useExperimentRole(experimentId, name);
  const mayManage = atLeast(role, "MANAGE") && !denied;

  const show = (next: RunsView) => {
    setSelected(new Set());
    setHashQuery(runsViewQuery(next));
  };
  const runs = page.state === "ok" ? page.value.runs : [];
  const runIds = runs.map((r) => r.info.run_id);
  const [extras] = useAsync(() => loadExtras(runIds, view), [runIds.join(), view.columns, view.minmax]);
  // The picker offers the experiment's keys; the page's runs carry only the picked ones.
  const [experimentKeys] = useAsync(() => runKeys(experimentId), [experimentId]);
  const keys = useMemo(
    () => (experimentKeys.state === "ok" ? sortedKeys(experimentKeys.value) : columnKeys(runs)),
    [experimentKeys, runs],
  );

  const act = async (action: (runId: string) => Promise<unknown>) => {
    setActionError(null);
    try {
      for (const runId of selected) await action(runId);
      setSelected(new Set());
      reload();
    } catch (failure) {
      const error = failure as Error & { status?: number };
      if (error.status === 403) setDenied(true);
      setActionError(error.message);
    }
  };

  return (
    <section>
      <p class="muted">
        <a href={links.experiments()}>Experiments</a> /
      </p>
      <h1>{name ?? `Experiment ${experimentId}`}</h1>
      {experiment.state === "error" && (
        <p class="error" role="alert">
          {experiment.message}
        </p>
      )}
      {mayManage && <AccessPanel kind="experiment" id={experimentId} />}
      <FilterBox
        value={view.filter}
        error={page.state === "error" ? page.message : null}
        onSubmit={(filter) => show({ ...view, filter, page: null })}
      />
      <div class="toolbar">
        <ColumnPicker view={view} keys={keys} onChange={(next) => show({ ...next, page: null })} />
        <label>
          Show{" "}
          <select
            aria-label="Which runs"
            value={view.lifecycle}
            onChange={(e) =>
              show({ ...view, lifecycle: e.currentTarget.value as Lifecycle, page: null })
            }
          >
            <option value="active">Active runs</option>
            <option value="deleted">Deleted runs</option>
            <option value="all">All runs</option>
          </select>
        </label>
        <SavedViews
          experimentId={experimentId}
          state={viewState(view)}
          mayEdit={atLeast(role, "EDIT") && !denied}
          onOpen={(state) => show({ ...parseRunsView(new URLSearchParams(state)), page: null })}
        />
      </div>
      <div class="toolbar" aria-label="Selected runs">
        <span class="muted">{selected.size} selected</span>
        <a
          class="button"
          href={links.compare([...selected], [experimentId])}
          aria-disabled={selected.size < 2}
          onClick={(e) => selected.size < 2 && e.preventDefault()}
        >
          Compare
        </a>
        {mayManage && view.lifecycle !== "deleted" && (
          <button
            type="button"
            class="danger"
            disabled={selected.size === 0}
            onClick={() => confirm(`Delete ${selected.size} runs?`) && act(deleteRun)}
          >
            Delete
          </button>
        )}
        {mayManage && view.lifecycle !== "active" && (
          <button type="button" disabled={selected.size === 0} onClick={() => act(restoreRun)}>
            Restore
          </button>
        )}
        {actionError && (
          <span class="error" role="alert">
            {actionError}
          </span>
        )}
      </div>
      {page.state === "loading" && <p class="muted">Loading…</p>}
      {page.state === "ok" && (
        <>
          <RunsTable
            experimentId={experimentId}
            view={view}
            runs={page.value.runs}
            versions={extras.state === "ok" ? extras.value.versions : []}
            summaries={extras.state === "ok" ? extras.value.summaries : null}
            selected={selected}
            expanded={expanded}
            onSort={(column) => show(sortedBy(view, column))}
            onSelect={(runId, on) => {
              const next = new Set(selected);
              if (on) next.add(runId);
              else next.delete(runId);
              setSelected(next);
            }}
            onSelectAll={(on) => setSelected(on ? new Set(runs.map((r) => r.info.run_id)) : new Set())}
            onExpand={(runId) => {
              const next = new Set(expanded);
              if (next.has(runId)) next.delete(runId);
              else next.add(runId);
              setExpanded(next);
            }}
          />
          {runs.length === 0 && <p class="muted">No runs match.</p>}
          <Pager
            onPrevious={view.page ? () => show({ ...view, page: previousPage.get(view.page!) ?? null }) : undefined}
            onNext={
              page.value.next
                ? () => {
                    previousPage.set(page.value.next!, view.page);
                    show({ ...view, page: page.value.next! });
                  }
                : undefined
            }
          >
            <label>
              Per page{" "}
              <select
                value={view.size}
                onChange={(e) => show({ ...view, size: Number(e.currentTarget.value), page: null })}
              >
                {PAGE_SIZES.map((size) => (
                  <option value={size}>{size}</option>
                ))}
              </select>
            </label>
          </Pager>
        </>
      )}
    </section>
  );
}
