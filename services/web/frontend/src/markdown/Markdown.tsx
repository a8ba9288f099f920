import { useMemo } from "preact/hooks";
import { renderMarkdown } from "./render";
import "./markdown.css";

// The HTML comes from renderMarkdown, which never passes raw HTML or script URLs through.
export function Markdown({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return <div class="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
