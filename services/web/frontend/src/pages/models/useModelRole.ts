import { useAuth } from "../../app/auth/AuthContext";
import { atLeast, type Me, type Role } from "../../app/auth/roles";
import { myRole } from "../../api/registry";
import { useLoad } from "../run/useLoad";

// The caller's role on one model as the server computes it (grants on a model are kept by its
// internal id, which the MLflow API does not expose); NONE until known, so no control shows
// before the server said it may. With authentication off everyone may do everything.
export function useModelRole(name: string): Role {
  const auth = useAuth();
  const off = auth.state === "off";
  const [loaded] = useLoad(() => (off ? Promise.resolve("ADMIN" as Role) : myRole(name)), [name, off]);
  return loaded.state === "ready" ? loaded.value : "NONE";
}

// Creating a model: a default grant of EDIT or more, a create grant for registered models, or
// a name-pattern grant (the server decides whether the name matches).
export function mayCreateModels(me: Me): boolean {
  if (me.is_admin) return true;
  return me.grants.some(
    (g) =>
      (g.resource_type === "default" && atLeast(g.role as Role, "EDIT")) ||
      (g.resource_type === "create" && g.resource_id === "registered_model") ||
      (g.resource_type === "registered_model_pattern" && atLeast(g.role as Role, "EDIT")),
  );
}

export function useMayCreateModels(): boolean {
  const auth = useAuth();
  return auth.state === "off" || (auth.state === "signed-in" && mayCreateModels(auth.me));
}
