import { useAuth } from "../../app/auth/AuthContext";
import type { Role } from "../../app/auth/roles";
import { myRole } from "../../api/registry";
import { useLoad } from "../run/useLoad";
import { mayCreateModels } from "./registryLogic";

// The caller's role on one model as the server computes it (grants on a model are kept by its
// internal id, which the MLflow API does not expose); NONE until known, so no control shows
// before the server said it may. With authentication off everyone may do everything.
export function useModelRole(name: string): Role {
  const auth = useAuth();
  const off = auth.state === "off";
  const [loaded] = useLoad(() => (off ? Promise.resolve("ADMIN" as Role) : myRole(name)), [name, off]);
  return loaded.state === "ready" ? loaded.value : "NONE";
}

export function useMayCreateModels(): boolean {
  const auth = useAuth();
  return auth.state === "off" || (auth.state === "signed-in" && mayCreateModels(auth.me));
}
