import { useState } from "preact/hooks";

// One write from an in-place editor: on success the editor resets and the page reloads what
// the server now holds; on failure the server's message is shown and the user's input stays.
export function useWrite(onSaved: () => void) {
  const [error, setError] = useState<string | null>(null);
  const write = (request: Promise<unknown>, reset: () => void = () => {}) =>
    request.then(
      () => {
        reset();
        setError(null);
        onSaved();
      },
      (e: Error) => setError(e.message),
    );
  return { error, write, clearError: () => setError(null) };
}
