"""Which service owns which URL path: the one table both topologies apply.

`grimoire server` dispatches in-process with `service_for`; the Kubernetes Ingress is
generated from ROUTES (longest prefix wins in both), so a path lands on the same service
on a laptop and in a cluster.
"""

ROUTES: tuple[tuple[str, str], ...] = (
    ("/api/2.0/mlflow-artifacts/", "artifacts"),
    ("/ajax-api/2.0/mlflow-artifacts/", "artifacts"),
    ("/api/2.0/mlflow/registered-models/", "registry"),
    ("/api/2.0/mlflow/model-versions/", "registry"),
    ("/api/2.0/mlflow/webhooks", "registry"),
    ("/ajax-api/2.0/mlflow/registered-models/", "registry"),
    ("/ajax-api/2.0/mlflow/model-versions/", "registry"),
    ("/auth/", "tracking"),
    ("/me", "tracking"),
    ("/api/2.0/grimoire/", "tracking"),
    ("/api/2.0/mlflow/", "tracking"),
    ("/api/3.0/mlflow/", "tracking"),
    ("/ajax-api/", "tracking"),
)
DEFAULT_SERVICE = "tracking"

_BY_LENGTH = sorted(ROUTES, key=lambda route: len(route[0]), reverse=True)


def service_for(path: str) -> str:
    for prefix, service in _BY_LENGTH:
        if path.startswith(prefix):
            return service
    return DEFAULT_SERVICE
