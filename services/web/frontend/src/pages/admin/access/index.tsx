import { useState } from "preact/hooks";
import { AccessPanel } from "../../access/AccessPanel";
import { GrantsEditor } from "../../access/GrantsEditor";
import { AdminOnly } from "../shared";
import "../admin.css";

export default function AdminAccessPage() {
  const [kind, setKind] = useState<"experiment" | "registered_model">("experiment");
  const [id, setId] = useState("");
  const [opened, setOpened] = useState<{ kind: "experiment" | "registered_model"; id: string } | null>(null);
  return (
    <AdminOnly title="Access">
      <section class="admin-page">
        <h1>Access</h1>
        <h2>Default grants</h2>
        <p class="muted">
          A default grant holds on every experiment and registered model (EDIT or more also lets its holder
          create them).
        </p>
        <GrantsEditor resourceType="default" resourceId="*" label="everything" />
        <h2>Grants on one object</h2>
        <form
          class="toolbar"
          aria-label="Find an object's grants"
          onSubmit={(e) => {
            e.preventDefault();
            setOpened({ kind, id: id.trim() });
          }}
        >
          <select aria-label="Object kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
            <option value="experiment">experiment id</option>
            <option value="registered_model">registered model name</option>
          </select>
          <input aria-label="Experiment id or model name" value={id} onInput={(e) => setId(e.currentTarget.value)} required />
          <button type="submit">Show grants</button>
        </form>
        {opened && <AccessPanel key={`${opened.kind}:${opened.id}`} kind={opened.kind} id={opened.id} startOpen />}
      </section>
    </AdminOnly>
  );
}
