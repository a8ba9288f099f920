import { useState } from "preact/hooks";
import { deleteVersion, type Alias, type ModelVersion } from "../../api/registry";
import { links } from "../../app/routes";
import { formatTime } from "../../state/format";
import { Confirm } from "../models/Confirm";
import { MAX_COMPARED, MIN_COMPARED, stageOf } from "../models/registryLogic";
import { useRunExperiments } from "./useRunExperiments";

interface Props {
  name: string;
  versions: ModelVersion[];
  aliases: Alias[];
  mayManage: boolean;
  onChanged: () => void;
}

// The newest versions first, a page at a time: each shown source run is read once for its
// experiment (its page's link needs it), so a model with thousands of versions stays cheap.
const PAGE = 100;

export function VersionsTable({ name, versions, aliases, mayManage, onChanged }: Props) {
  const [picked, setPicked] = useState<string[]>([]);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [limit, setLimit] = useState(PAGE);
  const shown = versions.slice(0, limit);
  const experiments = useRunExperiments(shown);
  const toggle = (version: string, on: boolean) =>
    setPicked((now) => (on ? [...now, version] : now.filter((v) => v !== version)));
  const compareReady = picked.length >= MIN_COMPARED && picked.length <= MAX_COMPARED;
  return (
    <section aria-labelledby="registry-versions">
      <div class="header-row">
        <h2 id="registry-versions">Versions</h2>
        <a
          class="button"
          aria-disabled={!compareReady}
          href={compareReady ? links.compareVersions(name, picked) : undefined}
        >
          Compare {picked.length || ""} selected
        </a>
        <span class="muted">
          pick {MIN_COMPARED}–{MAX_COMPARED}
        </span>
      </div>
      <div class="table-wrap">
        <table class="data" aria-label="Model versions">
          <thead>
            <tr>
              <th scope="col">
                <span class="sr-only">Select</span>
              </th>
              <th scope="col">Version</th>
              <th scope="col">Stage</th>
              <th scope="col">Aliases</th>
              <th scope="col">Created</th>
              <th scope="col" class="hide-narrow">
                Creator
              </th>
              <th scope="col" class="hide-narrow">
                Source run
              </th>
              <th scope="col">Status</th>
              {mayManage && (
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {shown.map((version) => {
              const experimentId = version.run_id ? experiments[version.run_id] : undefined;
              return (
                <tr key={version.version} data-version={version.version}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select version ${version.version}`}
                      checked={picked.includes(version.version)}
                      onChange={(e) => toggle(version.version, e.currentTarget.checked)}
                    />
                  </td>
                  <td>
                    <a href={links.modelVersion(name, version.version)}>Version {version.version}</a>
                  </td>
                  <td>
                    <span class={`chip stage-${stageOf(version)}`}>{stageOf(version)}</span>
                  </td>
                  <td>
                    {aliases
                      .filter((a) => a.version === version.version)
                      .map((a) => (
                        <span key={a.alias} class="chip">
                          @{a.alias}
                        </span>
                      ))}
                  </td>
                  <td>{formatTime(version.creation_timestamp)}</td>
                  <td class="hide-narrow">{version.user_id || "—"}</td>
                  <td class="hide-narrow mono">
                    {version.run_id && experimentId ? (
                      <a href={links.run(experimentId, version.run_id)}>{version.run_id.slice(0, 12)}</a>
                    ) : (
                      version.run_id?.slice(0, 12) ?? "—"
                    )}
                  </td>
                  <td>{version.status ?? "—"}</td>
                  {mayManage && (
                    <td>
                      <button type="button" class="danger" onClick={() => setDeleting(version.version)}>
                        Delete version {version.version}
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {versions.length === 0 && <p class="muted">No versions yet.</p>}
      {versions.length > shown.length && (
        <div class="pager">
          <span class="muted">
            Showing the newest {shown.length} of {versions.length} versions.
          </span>
          <button type="button" onClick={() => setLimit((n) => n + PAGE)}>
            Show {Math.min(PAGE, versions.length - shown.length)} more
          </button>
        </div>
      )}
      {deleting && (
        <Confirm
          title={`Delete version ${deleting}`}
          changes={[`Delete version ${deleting} of ${name}, with its tags and aliases. This cannot be undone.`]}
          confirmLabel="Delete version"
          typed={`${name}/${deleting}`}
          danger
          onConfirm={() =>
            deleteVersion(name, deleting).then(() => {
              setDeleting(null);
              onChanged();
            })
          }
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}
