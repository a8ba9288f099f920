// A page's view lives in the hash's query (`#/experiments/3?filter=...`), so a link or a
// bookmark reproduces it. Pages replace it (no history entry per keystroke) or push it.

export function hashPath(hash: string = window.location.hash): string {
  const body = hash.replace(/^#/, "");
  const mark = body.indexOf("?");
  return mark < 0 ? body : body.slice(0, mark);
}

export function withQuery(path: string, query: URLSearchParams): string {
  const text = query.toString();
  return `#${path}${text ? "?" + text : ""}`;
}

export function setHashQuery(query: URLSearchParams, push = false): void {
  const next = withQuery(hashPath(), query);
  if (next === window.location.hash) return;
  if (push) {
    window.location.hash = next;
  } else {
    history.replaceState(null, "", next);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  }
}

// A listing's query with some keys set and others (null or empty) removed. Any change but a
// page change starts again at the first page: a page token belongs to the filter and the
// order it was issued for.
export function changedQuery(query: URLSearchParams, changes: Record<string, string | null>): URLSearchParams {
  const next = new URLSearchParams(query);
  for (const [key, value] of Object.entries(changes)) {
    if (value) next.set(key, value);
    else next.delete(key);
  }
  if (!("page" in changes)) next.delete("page");
  return next;
}
