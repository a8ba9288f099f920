// `#/models...`: the list, a model (`/models/<name>`) or one version
// (`/models/<name>/versions/<v>`), MLflow's registry routes.
import ModelPage from "../model/index";
import ModelVersionPage from "../model-version/index";
import ModelsPage from "./index";

export default function RegistryPage({ rest, query }: { rest: string[]; query: URLSearchParams }) {
  const [name, kind, version, ...extra] = rest;
  if (!name) return <ModelsPage query={query} />;
  if (!kind) return <ModelPage name={name} />;
  if (kind === "versions" && version && extra.length === 0) {
    return <ModelVersionPage name={name} version={version} />;
  }
  return (
    <section>
      <h1>Not found</h1>
      <p>
        No page at <code>#/models/{rest.join("/")}</code>. <a href="#/models">All models</a>
      </p>
    </section>
  );
}
