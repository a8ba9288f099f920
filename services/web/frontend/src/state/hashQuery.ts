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
