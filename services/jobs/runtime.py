"""What a jobs process runs beside its routes: the Kubernetes client, the reconciler, the
watches and the pool live logs are followed in. Entered in the app's lifespan (a spec loop).

Without a cluster configured (no in-cluster account, no kubeconfig) or without the URL pods
reach Grimoire at, jobs are accepted and stay QUEUED, and the log says why once.
"""

import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from services.core.config import server_settings
from services.jobs.kube import Kube
from services.jobs.logs import Followers
from services.jobs.queues import jobs_settings
from services.jobs.reconciler import Reconciler
from services.jobs.watch import Watches

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def jobs_runtime(app: FastAPI) -> AsyncIterator[None]:
    settings = jobs_settings()
    app.state.jobs_settings = settings
    app.state.jobs_followers = followers = Followers(settings.max_log_followers)
    kube = Kube.configured(settings)
    app.state.jobs_kube = kube
    tracking_uri = settings.tracking_uri or server_settings().public_url
    try:
        if kube is None or tracking_uri is None:
            log.warning(
                "jobs are accepted but not started: %s",
                "no Kubernetes configured (in-cluster, GRIMOIRE_JOBS_KUBECONFIG or KUBECONFIG)"
                if kube is None
                else "GRIMOIRE_JOBS_TRACKING_URI (or GRIMOIRE_SERVER_PUBLIC_URL) is unset",
            )
            yield
            return
        reconciler = Reconciler(app.state.db, kube, app.state.store, settings, tracking_uri)
        app.state.jobs_reconciler = reconciler
        async with reconciler, Watches(app.state.db, kube, settings, reconciler.wake):
            yield
    finally:
        followers.close()
        if kube is not None:
            kube.close()
