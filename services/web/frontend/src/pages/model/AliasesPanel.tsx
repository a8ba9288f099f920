import { useState } from "preact/hooks";
import { deleteAlias, setAlias, type Alias } from "../../api/registry";
import { links } from "../../app/routes";
import { Confirm } from "../models/Confirm";
import { aliasChange } from "../models/registryLogic";

interface Props {
  name: string;
  aliases: Alias[];
  versions: string[];
  // On a version's page, the version new aliases go to.
  fixedVersion?: string;
  mayEdit: boolean;
  onSaved: () => void;
}

type Pending = { kind: "set"; alias: string; version: string; change: string } | { kind: "remove"; alias: Alias };

// Add, move and remove aliases; each change is confirmed with what it does ("Move alias
// champion from version 1 to version 2") and audited by the server with the caller as actor.
export function AliasesPanel({ name, aliases, versions, fixedVersion, mayEdit, onSaved }: Props) {
  const [alias, setAliasName] = useState("");
  const [version, setVersion] = useState(fixedVersion ?? versions[0] ?? "");
  const [pending, setPending] = useState<Pending | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const target = fixedVersion ?? version;
  const ask = (event: Event) => {
    event.preventDefault();
    const cleaned = alias.trim();
    const change = aliasChange(aliases, cleaned, target);
    if (change === null) setNote(`Alias ${cleaned} is already on version ${target}.`);
    else {
      setNote(null);
      setPending({ kind: "set", alias: cleaned, version: target, change });
    }
  };
  const finish = () => {
    setPending(null);
    setAliasName("");
    onSaved();
  };
  const shown = fixedVersion ? aliases.filter((a) => a.version === fixedVersion) : aliases;
  return (
    <section aria-labelledby="registry-aliases">
      <h2 id="registry-aliases">Aliases</h2>
      {shown.length === 0 ? (
        <p class="muted">No aliases.</p>
      ) : (
        <ul class="tag-list">
          {shown.map((a) => (
            <li key={a.alias} class="chip">
              <span class="mono">@{a.alias}</span> →{" "}
              <a href={links.modelVersion(name, a.version)}>version {a.version}</a>
              {mayEdit && (
                <button type="button" class="ghost" aria-label={`Remove alias ${a.alias}`} onClick={() => setPending({ kind: "remove", alias: a })}>
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayEdit && (
        <form class="toolbar" onSubmit={ask} aria-label="Set an alias">
          <input aria-label="Alias" placeholder="alias, e.g. champion" value={alias} required onInput={(e) => setAliasName(e.currentTarget.value)} />
          {!fixedVersion && (
            <label>
              on version{" "}
              <select aria-label="Alias version" value={version} onChange={(e) => setVersion(e.currentTarget.value)}>
                {versions.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="submit" disabled={!alias.trim() || !target}>
            Set alias
          </button>
        </form>
      )}
      {note && <p class="muted">{note}</p>}
      {pending?.kind === "set" && (
        <Confirm
          title="Set alias"
          changes={[pending.change]}
          confirmLabel="Confirm alias"
          onConfirm={() => setAlias(name, pending.alias, pending.version).then(finish)}
          onCancel={() => setPending(null)}
        />
      )}
      {pending?.kind === "remove" && (
        <Confirm
          title="Remove alias"
          changes={[`Remove alias ${pending.alias.alias} from version ${pending.alias.version}`]}
          confirmLabel="Remove alias"
          danger
          onConfirm={() => deleteAlias(name, pending.alias.alias).then(finish)}
          onCancel={() => setPending(null)}
        />
      )}
    </section>
  );
}
