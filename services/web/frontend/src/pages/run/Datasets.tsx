import type { DatasetInput } from "./runApi";

// The `mlflow.data.context` input tag says what the run used a dataset for (training, eval...).
function contextOf(input: DatasetInput): string {
  return input.tags?.find((tag) => tag.key === "mlflow.data.context")?.value ?? "";
}

// Schema and profile are JSON strings written by the client; shown pretty when they parse.
function pretty(text: string | undefined): string {
  if (!text) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function Datasets({ inputs }: { inputs: DatasetInput[] }) {
  if (inputs.length === 0) return <p class="muted">No datasets.</p>;
  return (
    <div class="datasets">
      {inputs.map((input, index) => {
        const { dataset } = input;
        return (
          <details key={`${dataset.name}-${dataset.digest}-${index}`} class="dataset">
            <summary>
              <strong>{dataset.name}</strong> <span class="mono muted">{dataset.digest}</span>
              {contextOf(input) && <span class="chip">{contextOf(input)}</span>}
            </summary>
            <dl class="details">
              <div>
                <dt>Source</dt>
                <dd>
                  <span class="muted">{dataset.source_type}</span> <span class="mono wrap">{pretty(dataset.source)}</span>
                </dd>
              </div>
              {dataset.schema && (
                <div>
                  <dt>Schema</dt>
                  <dd>
                    <pre>{pretty(dataset.schema)}</pre>
                  </dd>
                </div>
              )}
              {dataset.profile && (
                <div>
                  <dt>Profile</dt>
                  <dd>
                    <pre>{pretty(dataset.profile)}</pre>
                  </dd>
                </div>
              )}
            </dl>
          </details>
        );
      })}
    </div>
  );
}
