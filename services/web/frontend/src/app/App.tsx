import { AuthProvider, useAuth } from "./auth/AuthContext";
import { Layout } from "./Layout";
import { useRoute } from "./useRoute";
import { ExperimentsPage } from "../pages/experiments/ExperimentsPage";
import { RunsTablePage } from "../pages/runs-table/RunsTablePage";
import RunPage from "../pages/run/index";
import ComparePage from "../pages/compare/index";
import ArtifactsPage from "../pages/artifacts/index";
import LoggedModelPage from "../pages/logged-model/index";
import RegistryPage from "../pages/models/RegistryPage";
import CompareVersionsPage from "../pages/compare-versions/index";
import WebhooksPage from "../pages/admin/webhooks/index";
import WebhookPage from "../pages/admin/webhooks/WebhookPage";
import ServiceAccountsPage from "../pages/admin/service-accounts/index";
import AdminAccessPage from "../pages/admin/access/index";
import AuditPage from "../pages/admin/audit/index";
import TokensPage from "../pages/tokens/index";
import MePage from "../pages/me/index";

function Page() {
  const route = useRoute();
  const auth = useAuth();
  // Pages read data as the signed-in user: wait for /me (a 401 is already redirecting).
  if (auth.state === "loading") return <p class="muted">Loading…</p>;
  switch (route.page) {
    case "experiments":
      return <ExperimentsPage query={route.query} />;
    case "runs":
      return <RunsTablePage experimentId={route.experimentId} query={route.query} />;
    case "run":
      return <RunPage experimentId={route.experimentId} runId={route.runId} />;
    case "artifacts":
      return (
        <ArtifactsPage experimentId={route.experimentId} runId={route.runId} path={route.path} />
      );
    case "compare":
      return <ComparePage runIds={route.runIds} experimentIds={route.experimentIds} />;
    case "logged-model":
      return <LoggedModelPage experimentId={route.experimentId} modelId={route.modelId} />;
    case "models":
      return <RegistryPage rest={route.rest} query={route.query} />;
    case "compare-model-versions":
      return <CompareVersionsPage name={route.name} versions={route.versions} />;
    case "admin-webhooks":
      return <WebhooksPage />;
    case "admin-webhook":
      return <WebhookPage webhookId={route.webhookId} />;
    case "admin-service-accounts":
      return <ServiceAccountsPage />;
    case "admin-access":
      return <AdminAccessPage />;
    case "admin-audit":
      return <AuditPage query={route.query} />;
    case "tokens":
      return <TokensPage />;
    case "me":
      return <MePage />;
    case "not-found":
      return (
        <section>
          <h1>Not found</h1>
          <p>
            No page at <code>#{route.path}</code>. <a href="#/experiments">All experiments</a>
          </p>
        </section>
      );
  }
}

export function App() {
  return (
    <AuthProvider>
      <Layout>
        <Page />
      </Layout>
    </AuthProvider>
  );
}
