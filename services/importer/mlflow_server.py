"""A running MLflow server over HTTP(S), with the credentials the mlflow client itself uses
(MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD,
MLFLOW_TRACKING_INSECURE_TLS): the REST API with paging, artifacts through the server's
artifact routes."""

import httpx
from mlflow.tracking import MlflowClient
from mlflow.utils.credentials import get_default_host_creds
from mlflow.utils.rest_utils import MlflowHostCreds

from services.importer.artifacts import LocalArtifacts, ServerArtifacts
from services.importer.client_reader import ClientReader


def _http_client(url: str, creds: MlflowHostCreds) -> httpx.Client:
    headers = {"Authorization": f"Bearer {creds.token}"} if creds.token else {}
    auth = (creds.username, creds.password) if creds.username and creds.password else None
    return httpx.Client(
        base_url=url.rstrip("/"),
        headers=headers,
        auth=auth,
        verify=not creds.ignore_tls_verification,
        timeout=httpx.Timeout(60, connect=10),
    )


class MlflowServer(ClientReader):
    def __init__(self, url: str):
        self.http = _http_client(url, get_default_host_creds(url))
        super().__init__(
            MlflowClient(tracking_uri=url, registry_uri=url),
            url.rstrip("/"),
            ServerArtifacts(self.http, LocalArtifacts()),
        )

    def close(self) -> None:
        self.http.close()
