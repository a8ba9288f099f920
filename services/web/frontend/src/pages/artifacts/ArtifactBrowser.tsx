// A run's artifacts: a folder tree with sizes (read folder by folder as it is opened) beside a
// preview of the selected file. Used by the artifacts page and the run page's Artifacts tab.

import { useEffect, useState } from "preact/hooks";
import { listArtifacts, formatBytes, sizeOf, type ArtifactFile } from "./artifactsApi";
import { Preview } from "./Preview";
import "./artifacts.css";

interface Props {
  experimentId: string;
  runId: string;
  // Given with onSelect, the selection lives in the URL (the artifacts page); otherwise here.
  path?: string;
  onSelect?: (path: string) => void;
}

type Listings = Map<string, ArtifactFile[] | { error: string }>;

function ancestors(path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

export function ArtifactBrowser({ experimentId, runId, path, onSelect }: Props) {
  const [ownSelection, setOwnSelection] = useState("");
  const selected = onSelect ? (path ?? "") : ownSelection;
  const select = onSelect ?? setOwnSelection;
  const [listings, setListings] = useState<Listings>(new Map());
  const [open, setOpen] = useState<Set<string>>(() => new Set(["", ...ancestors(selected)]));

  useEffect(() => {
    for (const folder of open) {
      if (listings.has(folder)) continue;
      listArtifacts(runId, folder).then(
        (files) => setListings((old) => new Map(old).set(folder, files)),
        (error: Error) => setListings((old) => new Map(old).set(folder, { error: error.message })),
      );
    }
  }, [open, runId]);

  const known = new Map<string, ArtifactFile>();
  for (const listing of listings.values()) {
    if (Array.isArray(listing)) for (const file of listing) known.set(file.path, file);
  }
  const selectedFile = known.get(selected);

  const toggle = (folder: string) =>
    setOpen((old) => {
      const next = new Set(old);
      if (next.has(folder)) next.delete(folder);
      else next.add(folder);
      return next;
    });

  const renderFolder = (folder: string, depth: number): preact.ComponentChildren => {
    const listing = listings.get(folder);
    if (listing === undefined) return <li class="muted" style={{ paddingLeft: `${depth}rem` }}>Loading…</li>;
    if (!Array.isArray(listing)) return <li class="error">{listing.error}</li>;
    if (listing.length === 0 && folder === "") return <li class="muted">No artifacts.</li>;
    return listing.map((file) => {
      const name = file.path.split("/").pop();
      const isOpen = open.has(file.path);
      return (
        <li key={file.path}>
          <button
            type="button"
            class={file.path === selected ? "tree-item selected" : "tree-item"}
            style={{ paddingLeft: `${depth + 0.3}rem` }}
            aria-expanded={file.is_dir ? isOpen : undefined}
            aria-current={file.path === selected ? "true" : undefined}
            onClick={() => {
              if (file.is_dir) toggle(file.path);
              select(file.path);
            }}
          >
            <span aria-hidden="true">{file.is_dir ? (isOpen ? "▾" : "▸") : "·"}</span> {name}
            {!file.is_dir && <span class="size">{formatBytes(sizeOf(file))}</span>}
          </button>
          {file.is_dir && isOpen && <ul class="tree">{renderFolder(file.path, depth + 1)}</ul>}
        </li>
      );
    });
  };

  return (
    <div class="artifact-browser">
      <nav class="artifact-tree" aria-label="Artifact files">
        <ul class="tree">{renderFolder("", 0)}</ul>
      </nav>
      <section class="artifact-preview" aria-label="Preview">
        {selectedFile && !selectedFile.is_dir ? (
          <Preview experimentId={experimentId} runId={runId} file={selectedFile} />
        ) : (
          <p class="muted">Select a file to preview it.</p>
        )}
      </section>
    </div>
  );
}
