import { useLoad } from "../run/useLoad";
import { readHead } from "./artifactsApi";
import { summarize, type Column } from "./mlmodel";
import { TEXT_CAP } from "./previewKind";

interface Props {
  experimentId: string;
  runId: string;
  path: string;
  text: string;
}

// The YAML parser is loaded only when an MLmodel is opened, so it costs the first page nothing.
async function read(experimentId: string, runId: string, path: string, text: string) {
  const { parse } = await import("yaml");
  const summary = summarize(parse(text), path);
  let example: string | null = null;
  if (summary.inputExamplePath) {
    const head = await readHead(experimentId, runId, summary.inputExamplePath, TEXT_CAP).catch(() => null);
    if (head) {
      try {
        example = JSON.stringify(JSON.parse(head.text), null, 2);
      } catch {
        example = head.text;
      }
    }
  }
  return { summary, example };
}

function Columns({ title, columns }: { title: string; columns: Column[] | null }) {
  if (!columns) return null;
  return (
    <>
      <h4>{title}</h4>
      <table class="data" aria-label={`Signature ${title.toLowerCase()}`}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Required</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((column) => (
            <tr key={column.name}>
              <td class="mono">{column.name}</td>
              <td>{column.type}</td>
              <td>{column.required ? "yes" : "no"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function MLmodelView({ experimentId, runId, path, text }: Props) {
  const [loaded] = useLoad(() => read(experimentId, runId, path, text), [runId, path, text]);
  if (loaded.state === "loading") return <p class="muted">Reading MLmodel…</p>;
  if (loaded.state === "error") {
    return (
      <>
        <p class="error">Not a readable MLmodel: {loaded.message}</p>
        <pre class="preview-text">{text}</pre>
      </>
    );
  }
  const { summary, example } = loaded.value;
  return (
    <div class="mlmodel">
      <h3>Flavors</h3>
      {summary.flavors.map((flavor) => (
        <details key={flavor.name} open>
          <summary class="mono">{flavor.name}</summary>
          <dl class="details">
            {flavor.details.map(([key, value]) => (
              <div key={key}>
                <dt>{key}</dt>
                <dd class="mono">{value}</dd>
              </div>
            ))}
          </dl>
        </details>
      ))}
      <h3>Signature</h3>
      {summary.inputs || summary.outputs ? (
        <>
          <Columns title="Inputs" columns={summary.inputs} />
          <Columns title="Outputs" columns={summary.outputs} />
          <Columns title="Params" columns={summary.params} />
        </>
      ) : (
        <p class="muted">No signature logged.</p>
      )}
      <h3>Input example</h3>
      {example !== null ? <pre class="preview-text">{example}</pre> : <p class="muted">No input example logged.</p>}
      <details>
        <summary>MLmodel file</summary>
        <pre class="preview-text">{text}</pre>
      </details>
    </div>
  );
}
