import { artifactUrl } from "../../api/client";
import { useLoad } from "../run/useLoad";
import { formatBytes, readHead, sizeOf, type ArtifactFile, type Head } from "./artifactsApi";
import { delimiterOf, parseDelimited } from "./csv";
import { MLmodelView } from "./MLmodelView";
import { IMAGE_CAP, previewKind, TEXT_CAP } from "./previewKind";

interface Props {
  experimentId: string;
  runId: string;
  file: ArtifactFile;
}

// Any HTML artifact is someone's upload: it is shown only in an iframe that may run nothing
// (sandbox="" — no scripts, no forms, an opaque origin), and its own CSP forbids every fetch
// but inline styles and data: images, so it cannot even phone home.
const HTML_CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`;

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text; // cut at the cap or not JSON after all: the text as it is
  }
}

function Truncation({ head }: { head: Head }) {
  if (!head.truncated) return null;
  return (
    <p class="muted" role="note">
      Showing the first {formatBytes(TEXT_CAP)}
      {head.total !== null ? ` of ${formatBytes(head.total)}` : ""}; download the file for all of it.
    </p>
  );
}

function Table({ text, path }: { text: string; path: string }) {
  const [header, ...rows] = parseDelimited(text, delimiterOf(path));
  if (!header) return <p class="muted">Empty file.</p>;
  return (
    <div class="table-wrap preview-table">
      <table class="data" aria-label={`Contents of ${path}`}>
        <thead>
          <tr>
            {header.map((cell, i) => (
              <th key={i} scope="col">{cell}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, c) => (
                <td key={c}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TextPreview({ experimentId, runId, file }: Props) {
  const kind = previewKind(file.path);
  const [loaded] = useLoad(() => readHead(experimentId, runId, file.path, TEXT_CAP), [runId, file.path]);
  if (loaded.state === "loading") return <p class="muted">Loading…</p>;
  if (loaded.state === "error") return <p class="error" role="alert">{loaded.message}</p>;
  const head = loaded.value;
  return (
    <>
      <Truncation head={head} />
      {kind === "mlmodel" && <MLmodelView experimentId={experimentId} runId={runId} path={file.path} text={head.text} />}
      {kind === "table" && <Table text={head.text} path={file.path} />}
      {kind === "html" && (
        <iframe class="preview-html" title={`Preview of ${file.path}`} sandbox="" srcdoc={HTML_CSP + head.text} />
      )}
      {(kind === "json" || kind === "yaml" || kind === "text") && (
        <pre class="preview-text" tabIndex={0} aria-label={`Contents of ${file.path}`}>
          {kind === "json" ? prettyJson(head.text) : head.text}
        </pre>
      )}
    </>
  );
}

export function Preview({ experimentId, runId, file }: Props) {
  const kind = previewKind(file.path);
  const size = sizeOf(file);
  const url = artifactUrl(experimentId, runId, file.path);
  const name = file.path.split("/").pop() ?? file.path;
  return (
    <div>
      <div class="preview-head">
        <h2>{file.path}</h2>
        <span class="muted">{formatBytes(size)}</span>
        <a class="button" href={url} download={name}>
          Download
        </a>
      </div>
      {kind === "none" && <p class="muted">No preview for this kind of file.</p>}
      {kind === "image" &&
        (size !== null && size > IMAGE_CAP ? (
          <p class="muted">Too large to preview ({formatBytes(size)}).</p>
        ) : (
          <img class="preview-image" src={url} alt={file.path} />
        ))}
      {kind !== "none" && kind !== "image" && <TextPreview experimentId={experimentId} runId={runId} file={file} />}
    </div>
  );
}
