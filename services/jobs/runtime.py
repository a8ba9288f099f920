"""What a jobs process runs beside its routes: the Kubernetes client, the reconciler, the
watches and the pool live logs are followed in. Entered in the app's lifespan (a spec loop).

Without a cluster configured (no in-cluster account, no kubeconfig) or without the URL pods
reach Grimoire at, jobs are accepted and stay QUEUED, and the log says why once.
"""

import contextlib
import logging
import os
from collections.abc import AsyncIterator

from fastapi import FastAPI

from services.core.config import server_settings
from services.jobs.logs import Followers
from services.jobs.queues import JobsSettings, jobs_settings

log = logging.getLogger(__name__)


def cluster_configured(settings: JobsSettings) -> bool:
    """In a pod, or with a kubeconfig: the conditions `kube.api_client` loads one under."""
    return bool(
        os.environ.get("KUBERNETES_SERVICE_HOST")
        or settings.kubeconfig
        or os.environ.get("KUBECONFIG")
    )


@contextlib.asynccontextmanager
async def jobs_runtime(app: FastAPI) -> AsyncIterator[None]:
    settings = jobs_settings()
    app.state.jobs_settings = settings
    app.state.jobs_followers = followers = Followers(settings.max_log_followers)
    app.state.jobs_kube = None
    tracking_uri = settings.tracking_uri or server_settings().public_url
    if not cluster_configured(settings) or tracking_uri is None:
        log.warning(
            "jobs are accepted but not started: %s",
            "GRIMOIRE_JOBS_TRACKING_URI (or GRIMOIRE_SERVER_PUBLIC_URL) is unset"
            if cluster_configured(settings)
            else "no Kubernetes configured (in-cluster, GRIMOIRE_JOBS_KUBECONFIG or KUBECONFIG)",
        )
        try:
            yield
        finally:
            followers.close()
        return
    # Only a process that starts jobs loads the client (services/jobs/quantities.py: why).
    from services.jobs.kube import Kube  # noqa: PLC0415
    from services.jobs.reconciler import Reconciler  # noqa: PLC0415
    from services.jobs.watch import Watches  # noqa: PLC0415

    kube = Kube.configured(settings)
    assert kube is not None  # cluster_configured said so
    app.state.jobs_kube = kube
    reconciler = Reconciler(app.state.db, kube, app.state.store, settings, tracking_uri)
    app.state.jobs_reconciler = reconciler
    try:
        async with reconciler, Watches(app.state.db, kube, settings, reconciler.wake):
            yield
    finally:
        followers.close()
        kube.close()
