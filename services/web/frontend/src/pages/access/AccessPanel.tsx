import { useState } from "preact/hooks";
import { useAuth } from "../../app/auth/AuthContext";
import { GrantsEditor } from "./GrantsEditor";

export interface AccessPanelProps {
  kind: "experiment" | "registered_model";
  id: string; // an experiment's id, a registered model's name
  startOpen?: boolean;
}

// "Access" on an experiment's or a registered model's page: folded until opened, so the page
// asks for its grants only when someone wants to see them. With authentication off there are
// no grants, so no panel.
export function AccessPanel({ kind, id, startOpen = false }: AccessPanelProps) {
  const auth = useAuth();
  const [open, setOpen] = useState(startOpen);
  if (auth.state !== "signed-in") return null;
  const label = kind === "experiment" ? `experiment ${id}` : `model ${id}`;
  return (
    <details class="access-panel" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Access</summary>
      {open && <GrantsEditor resourceType={kind} resourceId={id} label={label} />}
    </details>
  );
}

export default AccessPanel;
