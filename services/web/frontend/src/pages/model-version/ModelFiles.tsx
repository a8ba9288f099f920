import { formatBytes, sizeOf } from "../artifacts/artifactsApi";
import { summarize, type Column } from "../artifacts/mlmodel";
import { useLoad } from "../run/useLoad";
import { readText, type VersionArtifacts } from "./artifactsOf";

function Columns({ title, columns }: { title: string; columns: Column[] | null }) {
  if (!columns) return null;
  return (
    <>
      <h4>{title}</h4>
      <div class="table-wrap">
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
      </div>
    </>
  );
}

// The logged model's MLmodel (flavors, signature, input example; the YAML parser is loaded
// only here) and its files with download links.
async function readMLmodel(artifacts: VersionArtifacts) {
  const text = await readText(artifacts.urlOf("MLmodel"));
  const { parse } = await import("yaml");
  const summary = summarize(parse(text), "MLmodel");
  let example: string | null = null;
  if (summary.inputExamplePath) {
    const raw = await readText(artifacts.urlOf(summary.inputExamplePath)).catch(() => null);
    if (raw !== null) {
      try {
        example = JSON.stringify(JSON.parse(raw), null, 2);
      } catch {
        example = raw;
      }
    }
  }
  return { summary, example, text };
}

export function ModelFiles({ artifacts }: { artifacts: VersionArtifacts }) {
  const [loaded] = useLoad(() => readMLmodel(artifacts), [artifacts]);
  return (
    <>
      <section aria-labelledby="version-mlmodel" class="mlmodel">
        <h2 id="version-mlmodel">MLmodel</h2>
        {loaded.state === "loading" && <p class="muted">Reading MLmodel…</p>}
        {loaded.state === "error" && <p class="error">No readable MLmodel: {loaded.message}</p>}
        {loaded.state === "ready" && (
          <>
            <h3>Flavors</h3>
            <ul class="tag-list" aria-label="Flavors">
              {loaded.value.summary.flavors.map((flavor) => (
                <li key={flavor.name} class="chip mono">
                  {flavor.name}
                </li>
              ))}
            </ul>
            <h3>Signature</h3>
            {loaded.value.summary.inputs || loaded.value.summary.outputs ? (
              <>
                <Columns title="Inputs" columns={loaded.value.summary.inputs} />
                <Columns title="Outputs" columns={loaded.value.summary.outputs} />
                <Columns title="Params" columns={loaded.value.summary.params} />
              </>
            ) : (
              <p class="muted">No signature logged.</p>
            )}
            <h3>Input example</h3>
            {loaded.value.example !== null ? (
              <pre class="preview-text" aria-label="Input example">{loaded.value.example}</pre>
            ) : (
              <p class="muted">No input example logged.</p>
            )}
            <details>
              <summary>MLmodel file</summary>
              <pre class="preview-text">{loaded.value.text}</pre>
            </details>
          </>
        )}
      </section>
      <section aria-labelledby="version-files">
        <h2 id="version-files">Files</h2>
        <div class="table-wrap">
          <table class="data" aria-label="Model files">
            <tbody>
              {artifacts.files.map((file) => (
                <tr key={file.path}>
                  <td class="mono">
                    {file.is_dir ? (
                      `${file.path}/`
                    ) : (
                      <a href={artifacts.urlOf(file.path)} download>
                        {file.path}
                      </a>
                    )}
                  </td>
                  <td class="num">{file.is_dir ? "" : formatBytes(sizeOf(file))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
