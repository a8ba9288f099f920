// Run descriptions are markdown any EDIT user can write and every reader's browser renders.
// micromark is safe by default: raw HTML is escaped, and link and image URLs with a scheme
// other than http(s), mailto and the like (javascript:, data:) are dropped; GFM adds tables,
// task lists, strikethrough and autolinks under the same rules.

import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";

export function renderMarkdown(source: string): string {
  return micromark(source, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}
