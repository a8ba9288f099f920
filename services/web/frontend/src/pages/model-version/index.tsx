// `#/models/<name>/versions/<v>`: one version's source run and experiment, lineage (the source
// run's dataset inputs), its MLmodel and files, tags, description, stage and aliases.
import {
  deleteVersionTag,
  getModel,
  getVersion,
  setVersionTag,
  updateVersionDescription,
  versionsOf,
} from "../../api/registry";
import { atLeast } from "../../app/auth/roles";
import { links } from "../../app/routes";
import { formatTime } from "../../state/format";
import { AliasesPanel } from "../model/AliasesPanel";
import { EditableDescription } from "../../components/EditableDescription";
import { TagsPanel } from "../../components/TagsPanel";
import { stageOf } from "../models/registryLogic";
import { useModelRole } from "../models/useModelRole";
import { Datasets } from "../run/Datasets";
import { getRun, type Run } from "../run/runApi";
import { useLoad } from "../run/useLoad";
import { artifactsOf } from "./artifactsOf";
import { ModelFiles } from "./ModelFiles";
import { StageTransition } from "./StageTransition";
import "../models/models.css";

async function load(name: string, versionNumber: string) {
  const [model, version, all] = await Promise.all([
    getModel(name),
    getVersion(name, versionNumber),
    versionsOf(name),
  ]);
  // The source run is secondary: a run the caller may not read leaves its sections empty.
  const run: Run | string | null = version.run_id
    ? await getRun(version.run_id).catch((e: Error) => e.message)
    : null;
  const experimentId = typeof run === "object" && run ? run.info.experiment_id : undefined;
  const artifacts = await artifactsOf(version, experimentId).catch((e: Error) => e.message);
  return { model, version, all, run, artifacts };
}

export default function ModelVersionPage({ name, version: versionNumber }: { name: string; version: string }) {
  const [loaded, reload] = useLoad(() => load(name, versionNumber), [name, versionNumber]);
  const role = useModelRole(name);
  if (loaded.state === "loading") return <p class="muted">Loading version…</p>;
  if (loaded.state === "error") return <p class="error" role="alert">{loaded.message}</p>;
  const { model, version, all, run, artifacts } = loaded.value;
  const mayEdit = atLeast(role, "EDIT");
  const sourceRun = typeof run === "object" ? run : null;
  return (
    <article class="registry">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={links.models()}>Registered models</a> / <a href={links.model(name)}>{name}</a> /
      </nav>
      <div class="header-row">
        <h1>
          {name} version {version.version}
        </h1>
        <span class={`chip stage-${stageOf(version)}`} aria-label="Stage">
          {stageOf(version)}
        </span>
        {(version.aliases ?? []).map((alias) => (
          <span key={alias} class="chip">
            @{alias}
          </span>
        ))}
      </div>
      <dl class="details">
        <div>
          <dt>Created</dt>
          <dd>{formatTime(version.creation_timestamp)}</dd>
        </div>
        <div>
          <dt>Creator</dt>
          <dd>{version.user_id || "—"}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{version.status ?? "—"}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd class="mono">{version.source ?? "—"}</dd>
        </div>
        <div>
          <dt>Source run</dt>
          <dd>
            {sourceRun ? (
              <a href={links.run(sourceRun.info.experiment_id, sourceRun.info.run_id)}>
                {sourceRun.info.run_name || sourceRun.info.run_id}
              </a>
            ) : (
              version.run_id ?? "—"
            )}
          </dd>
        </div>
        <div>
          <dt>Experiment</dt>
          <dd>
            {sourceRun ? (
              <a href={links.runs(sourceRun.info.experiment_id)}>Experiment {sourceRun.info.experiment_id}</a>
            ) : (
              "—"
            )}
          </dd>
        </div>
        {version.model_id && sourceRun && (
          <div>
            <dt>Logged model</dt>
            <dd>
              <a href={links.loggedModel(sourceRun.info.experiment_id, version.model_id)}>{version.model_id}</a>
            </dd>
          </div>
        )}
      </dl>
      {typeof run === "string" && <p class="error">Source run: {run}</p>}
      {mayEdit && <StageTransition version={version} all={all} onDone={reload} />}
      <AliasesPanel
        name={name}
        aliases={model.aliases ?? []}
        versions={all.map((v) => v.version)}
        fixedVersion={version.version}
        mayEdit={mayEdit}
        onSaved={reload}
      />
      <section aria-labelledby="version-lineage">
        <h2 id="version-lineage">Lineage</h2>
        <p class="muted">Datasets the source run used.</p>
        <Datasets inputs={sourceRun?.inputs?.dataset_inputs ?? []} />
      </section>
      {typeof artifacts === "string" ? (
        <p class="error">Files: {artifacts}</p>
      ) : artifacts ? (
        <ModelFiles artifacts={artifacts} />
      ) : (
        <p class="muted">This version's files are outside the server's store.</p>
      )}
      <TagsPanel
        tags={version.tags ?? []}
        mayEdit={mayEdit}
        set={(key, value) => setVersionTag(name, version.version, key, value)}
        remove={(key) => deleteVersionTag(name, version.version, key)}
        onSaved={reload}
      />
      <EditableDescription
        text={version.description ?? ""}
        mayEdit={mayEdit}
        save={(text) => updateVersionDescription(name, version.version, text)}
        onSaved={reload}
      />
    </article>
  );
}
