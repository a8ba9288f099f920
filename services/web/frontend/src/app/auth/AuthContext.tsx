import { createContext, type ComponentChildren } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import { ApiError, get, setCsrfToken } from "../../api/client";
import { experimentRole, mayCreateExperiments, atLeast, type Me, type Role } from "./roles";

export type Auth =
  | { state: "loading" }
  | { state: "off" } // `grimoire server` on loopback: every page open, no sign-in
  | { state: "signed-in"; me: Me }
  | { state: "error"; message: string };

const AuthContext = createContext<Auth>({ state: "loading" });

// The path and hash survive sign-in: `_safe_next` accepts any local path, fragment included,
// and the callback redirects there.
export function signInUrl(location: Location = window.location): string {
  return "/auth/login?next=" + encodeURIComponent(location.pathname + location.hash);
}

export function AuthProvider({ children }: { children: ComponentChildren }) {
  const [auth, setAuth] = useState<Auth>({ state: "loading" });
  useEffect(() => {
    get<Me>("/me").then(
      (me) => {
        setCsrfToken(me.csrf_token ?? null);
        setAuth({ state: "signed-in", me });
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) {
          window.location.assign(signInUrl());
        } else if (error instanceof ApiError && error.code === "FEATURE_DISABLED") {
          setAuth({ state: "off" });
        } else {
          setAuth({ state: "error", message: String((error as Error).message ?? error) });
        }
      },
    );
  }, []);
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  return useContext(AuthContext);
}

// The caller's role on one experiment; with auth off everyone may do everything.
export function useExperimentRole(experimentId: string, experimentName?: string): Role {
  const auth = useAuth();
  if (auth.state === "off") return "ADMIN";
  if (auth.state !== "signed-in") return "NONE";
  return experimentRole(auth.me, experimentId, experimentName);
}

export function useMayEdit(experimentId: string, experimentName?: string): boolean {
  return atLeast(useExperimentRole(experimentId, experimentName), "EDIT");
}

export function useMayCreateExperiments(): boolean {
  const auth = useAuth();
  return auth.state === "off" || (auth.state === "signed-in" && mayCreateExperiments(auth.me));
}
