import { links } from "../../app/routes";
import { formatTime } from "./format";
import type { LoggedModel, ModelVersion } from "./runApi";

export function LoggedModels({ models }: { models: LoggedModel[] }) {
  if (models.length === 0) return <p class="muted">No logged models.</p>;
  return (
    <ul class="plain-list">
      {models.map(({ info }) => (
        <li key={info.model_id}>
          <a href={links.loggedModel(info.experiment_id, info.model_id)}>{info.name}</a>{" "}
          <span class="mono muted">{info.model_id}</span> {info.model_type && <span class="chip">{info.model_type}</span>}{" "}
          <span class="muted">{formatTime(info.creation_timestamp_ms)}</span>
        </li>
      ))}
    </ul>
  );
}

export function RegisteredVersions({ versions }: { versions: ModelVersion[] }) {
  if (versions.length === 0) return <p class="muted">No registered model versions from this run.</p>;
  return (
    <ul class="plain-list">
      {versions.map((version) => (
        <li key={`${version.name}/${version.version}`}>
          <a href={links.modelVersion(version.name, version.version)}>
            {version.name} version {version.version}
          </a>{" "}
          {version.current_stage && version.current_stage !== "None" && <span class="chip">{version.current_stage}</span>}
        </li>
      ))}
    </ul>
  );
}
