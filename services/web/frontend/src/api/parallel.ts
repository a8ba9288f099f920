// A list split into a few parts asked for side by side. Four at most: a browser opens six
// connections to a host, and a page asks for other things at the same time.
export const PARALLEL_REQUESTS = 4;

export function inParallelParts<T>(items: T[], parts = PARALLEL_REQUESTS): T[][] {
  const size = Math.max(1, Math.ceil(items.length / parts));
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
