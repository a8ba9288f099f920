// What an `MLmodel` file says, in the shape the preview shows: flavors, the signature's
// columns and where the input example is. The file is YAML whose signature fields are JSON
// strings (MLflow writes them so).

export interface Column {
  name: string;
  type: string;
  required: boolean;
}

export interface MLmodelSummary {
  flavors: { name: string; details: [string, string][] }[];
  inputs: Column[] | null;
  outputs: Column[] | null;
  params: Column[] | null;
  inputExamplePath: string | null;
  modelId: string | null;
  created: string | null;
}

function columns(text: unknown): Column[] | null {
  if (typeof text !== "string") return null;
  try {
    const parsed = JSON.parse(text) as { name?: string; type?: string; required?: boolean }[];
    return parsed.map((column, i) => ({
      name: column.name ?? `#${i}`,
      type: column.type ?? "",
      required: column.required !== false,
    }));
  } catch {
    return null;
  }
}

function scalar(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

export function summarize(document: unknown, mlmodelPath: string): MLmodelSummary {
  const root = (document ?? {}) as Record<string, unknown>;
  const flavors = Object.entries((root.flavors ?? {}) as Record<string, Record<string, unknown>>).map(
    ([name, details]) => ({
      name,
      details: Object.entries(details ?? {}).map(([key, value]) => [key, scalar(value)] as [string, string]),
    }),
  );
  const signature = (root.signature ?? {}) as Record<string, unknown>;
  const example = root.saved_input_example_info as { artifact_path?: string } | undefined;
  const folder = mlmodelPath.includes("/") ? mlmodelPath.slice(0, mlmodelPath.lastIndexOf("/") + 1) : "";
  return {
    flavors,
    inputs: columns(signature.inputs),
    outputs: columns(signature.outputs),
    params: columns(signature.params),
    inputExamplePath: example?.artifact_path ? folder + example.artifact_path : null,
    modelId: typeof root.model_id === "string" ? root.model_id : null,
    created: root.utc_time_created ? String(root.utc_time_created) : null,
  };
}
