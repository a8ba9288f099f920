import { describe, expect, it } from "vitest";
import { proxyUrl, runSource } from "./artifactsOf";

describe("where a version's files are", () => {
  it("maps every spelling of an mlflow-artifacts URI to the proxy", () => {
    const expected = "/api/2.0/mlflow-artifacts/artifacts/1/models/m-1/artifacts/MLmodel";
    expect(proxyUrl("mlflow-artifacts:/1/models/m-1/artifacts", "MLmodel")).toBe(expected);
    expect(proxyUrl("mlflow-artifacts:///1/models/m-1/artifacts/", "MLmodel")).toBe(expected);
    expect(proxyUrl("mlflow-artifacts://host:5000/1/models/m-1/artifacts", "MLmodel")).toBe(expected);
  });

  it("encodes each path segment and refuses other stores", () => {
    expect(proxyUrl("mlflow-artifacts:/1/r/artifacts", "my model/input example.json")).toBe(
      "/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/my%20model/input%20example.json",
    );
    expect(proxyUrl("s3://bucket/x", "MLmodel")).toBeNull();
  });

  it("reads a runs:/ source", () => {
    expect(runSource("runs:/abc123/model")).toEqual(["abc123", "model"]);
    expect(runSource("runs:/abc123/")).toEqual(["abc123", ""]);
    expect(runSource("models:/m-1")).toBeNull();
  });
});
