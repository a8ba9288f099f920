// `#/models/<name>`: a registered model's description, tags, aliases and versions; deleting a
// version or the model is for MANAGE holders and asks for the name to be typed.
import { useState } from "preact/hooks";
import {
  deleteModel,
  deleteModelTag,
  getModel,
  setModelTag,
  updateModelDescription,
  versionsOf,
} from "../../api/registry";
import { atLeast } from "../../app/auth/roles";
import { AccessPanel } from "../access/AccessPanel";
import { links } from "../../app/routes";
import { formatTime } from "../../state/format";
import { Confirm } from "../models/Confirm";
import { useModelRole } from "../models/useModelRole";
import { useLoad } from "../run/useLoad";
import { AliasesPanel } from "./AliasesPanel";
import { EditableDescription } from "../../components/EditableDescription";
import { TagsPanel } from "../../components/TagsPanel";
import { VersionsTable } from "./VersionsTable";
import "../models/models.css";

export default function ModelPage({ name }: { name: string }) {
  const [loaded, reload] = useLoad(
    () => Promise.all([getModel(name), versionsOf(name)]),
    [name],
  );
  const role = useModelRole(name);
  const [deleting, setDeleting] = useState(false);
  if (loaded.state === "loading") return <p class="muted">Loading model…</p>;
  if (loaded.state === "error") return <p class="error" role="alert">{loaded.message}</p>;
  const [model, versions] = loaded.value;
  const mayEdit = atLeast(role, "EDIT");
  const mayManage = atLeast(role, "MANAGE");
  return (
    <article class="registry">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={links.models()}>Registered models</a> /
      </nav>
      <div class="header-row">
        <h1>{model.name}</h1>
        <span class="muted">
          created {formatTime(model.creation_timestamp)}
          {model.user_id ? ` by ${model.user_id}` : ""}, last modified{" "}
          {formatTime(model.last_updated_timestamp)}
        </span>
        <span class="chip" title="Your role on this model">
          your role: {role === "NONE" ? "…" : role}
        </span>
      </div>
      <EditableDescription
        text={model.description ?? ""}
        mayEdit={mayEdit}
        save={(text) => updateModelDescription(name, text)}
        onSaved={reload}
      />
      <TagsPanel
        tags={model.tags ?? []}
        mayEdit={mayEdit}
        set={(key, value) => setModelTag(name, key, value)}
        remove={(key) => deleteModelTag(name, key)}
        onSaved={reload}
      />
      <AliasesPanel
        name={name}
        aliases={model.aliases ?? []}
        versions={versions.map((v) => v.version)}
        mayEdit={mayEdit}
        onSaved={reload}
      />
      {mayManage && <AccessPanel kind="registered_model" id={name} />}
      <VersionsTable
        name={name}
        versions={versions}
        aliases={model.aliases ?? []}
        mayManage={mayManage}
        onChanged={reload}
      />
      {mayManage && (
        <section class="panel danger-zone" aria-label="Delete model">
          {!deleting ? (
            <button type="button" class="danger" onClick={() => setDeleting(true)}>
              Delete model
            </button>
          ) : (
            <Confirm
              title={`Delete model ${name}`}
              changes={[
                `Delete ${name} and all ${versions.length} of its versions, tags and aliases. This cannot be undone.`,
              ]}
              confirmLabel="Delete model"
              typed={name}
              danger
              onConfirm={() => deleteModel(name).then(() => (window.location.hash = links.models()))}
              onCancel={() => setDeleting(false)}
            />
          )}
        </section>
      )}
    </article>
  );
}
