import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { summarize } from "./mlmodel";

// The shape mlflow.sklearn.log_model writes (trimmed).
const MLMODEL = `artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    python_version: 3.11.9
  sklearn:
    sklearn_version: 1.5.0
    serialization_format: cloudpickle
model_id: m-0123
saved_input_example_info:
  artifact_path: input_example.json
  type: dataframe
signature:
  inputs: '[{"type": "double", "name": "x", "required": true}, {"type": "long", "name": "n", "required": false}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'
  params: null
utc_time_created: '2025-01-01 10:00:00.000000'
`;

describe("summarize", () => {
  it("lists flavors, the signature's columns and the input example's path", () => {
    const summary = summarize(parse(MLMODEL), "sk-model/MLmodel");
    expect(summary.flavors.map((f) => f.name)).toEqual(["python_function", "sklearn"]);
    expect(summary.flavors[1].details).toContainEqual(["sklearn_version", "1.5.0"]);
    expect(summary.inputs).toEqual([
      { name: "x", type: "double", required: true },
      { name: "n", type: "long", required: false },
    ]);
    expect(summary.outputs).toEqual([{ name: "#0", type: "tensor", required: true }]);
    expect(summary.params).toBeNull();
    expect(summary.inputExamplePath).toBe("sk-model/input_example.json");
    expect(summary.modelId).toBe("m-0123");
  });

  it("survives a file that is not an MLmodel", () => {
    expect(summarize(null, "MLmodel")).toMatchObject({ flavors: [], inputs: null, inputExamplePath: null });
  });
});
