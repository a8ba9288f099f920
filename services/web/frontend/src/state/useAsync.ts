import { useEffect, useState } from "preact/hooks";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "ok"; value: T }
  | { state: "error"; message: string };

// Load on mount and whenever `deps` change; an answer that arrives after a newer request
// started is dropped, so fast typing never shows a stale page.
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    setLoaded((previous) => (previous.state === "ok" ? previous : { state: "loading" }));
    load().then(
      (value) => current && setLoaded({ state: "ok", value }),
      (error: Error) => current && setLoaded({ state: "error", message: error.message }),
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  return [loaded, () => setTick((t) => t + 1)];
}
