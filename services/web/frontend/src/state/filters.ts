// Filter building: what the user types in a search box becomes MLflow's filter grammar. Text
// that already is a filter (has a comparison) goes to the server unchanged, so its error
// message, if any, is the server's; plain words search by name.

const COMPARISON = /(=|!=|<|>|\bLIKE\b|\bILIKE\b|\bIN\b|\bIS\b)/i;

// The grammar has no escapes: a value is quoted with whichever quote it does not contain.
export function quote(value: string): string {
  return value.includes("'") ? `"${value.replace(/"/g, "")}"` : `'${value}'`;
}

export function likeContaining(text: string): string {
  return quote(`%${text}%`);
}

export function experimentFilter(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return "";
  if (COMPARISON.test(trimmed)) return trimmed;
  return `name ILIKE ${likeContaining(trimmed)}`;
}

export function runFilter(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return "";
  if (COMPARISON.test(trimmed)) return trimmed;
  return `attributes.run_name ILIKE ${likeContaining(trimmed)}`;
}

// A column key as the filter and order_by grammar names it: backticks when the key has
// characters the grammar's bare identifiers do not take.
export function entityRef(kind: "params" | "metrics" | "tags" | "attributes", key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(key) ? `${kind}.${key}` : `${kind}.\`${key}\``;
}
