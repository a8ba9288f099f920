"""The Kubernetes API, through the official `kubernetes` client.

The official client is synchronous; its calls run in a thread pool of `kube_threads`, which
bounds how many API calls a process makes at once. (`kubernetes_asyncio` is a community
port regenerated behind the official client; the official one is what the issue asks for and
what every other tool here is tested against.) Objects come back as plain JSON dicts, the
same shape the API server sends, so what reads them (run_state.py) is pure and testable
without a client.

Configuration: in a pod, the in-cluster service account; outside, `GRIMOIRE_JOBS_KUBECONFIG`
or `KUBECONFIG`. With none of them the service accepts jobs and leaves them QUEUED.
"""

import asyncio
import functools
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import urllib3
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from services.core.errors import TemporarilyUnavailable
from services.jobs.names import RUN_ID_LABEL
from services.jobs.queues import JobsSettings

T = TypeVar("T")
KUEUE = ("kueue.x-k8s.io", "v1beta1", "workloads")
# Kueue's visibility API (an aggregated API server, served by Kueue's manager when its
# VisibilityOnDemand feature is on): a LocalQueue's pending Workloads in Kueue's own order.
PENDING_WORKLOADS = (
    "/apis/visibility.kueue.x-k8s.io/v1beta1/namespaces/{namespace}/localqueues/{name}"
    "/pendingworkloads"
)
BACKGROUND = client.V1DeleteOptions(propagation_policy="Background")


class Refused(Exception):
    """The API server refused a request (403, 422, ...): retrying it will not help."""

    def __init__(self, status: int, reason: str):
        super().__init__(f"{status} {reason}")
        self.status, self.reason = status, reason


def api_client(settings: JobsSettings) -> client.ApiClient | None:
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        configuration = client.Configuration()
        config.load_incluster_config(client_configuration=configuration)
        return client.ApiClient(configuration)
    path = settings.kubeconfig or os.environ.get("KUBECONFIG")
    if not path:
        return None
    return config.new_client_from_config(config_file=str(path))


def _message(error: ApiException) -> str:
    """The API server's own words: its Status's reason and message (`Forbidden: jobs.batch
    is forbidden: User ... cannot create ...`)."""
    try:
        status = json.loads(error.body or "")
        return f"{status['reason']}: {status['message']}"[:500]
    except (ValueError, TypeError, KeyError):
        return str(error.reason)


class Kube:
    def __init__(self, api: client.ApiClient, settings: JobsSettings):
        self.api = api
        self.batch = client.BatchV1Api(api)
        self.core = client.CoreV1Api(api)
        self.custom = client.CustomObjectsApi(api)
        self.timeout = settings.kube_timeout_seconds
        self.executor = ThreadPoolExecutor(settings.kube_threads, thread_name_prefix="kube")

    @classmethod
    def configured(cls, settings: JobsSettings) -> "Kube | None":
        api = api_client(settings)
        return None if api is None else cls(api, settings)

    def as_dict(self, obj: Any) -> dict[str, Any]:
        return obj if isinstance(obj, dict) else self.api.sanitize_for_serialization(obj)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One API call in the pool. Network trouble is an outage (the caller retries later);
        a 4xx other than 404/409 is `Refused`; 404 and 409 reach the caller as ApiException."""
        kwargs.setdefault("_request_timeout", self.timeout)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))
        except ApiException as error:
            if error.status in (404, 409, 410):
                raise
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                raise Refused(error.status, _message(error)) from error
            raise TemporarilyUnavailable(f"Kubernetes API: {_message(error)}") from error
        except urllib3.exceptions.HTTPError as error:
            raise TemporarilyUnavailable(f"Kubernetes API unreachable: {error}") from error

    async def create_job(self, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The Job, and whether this call created it (False: it existed and is adopted)."""
        namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
        try:
            created = await self.call(self.batch.create_namespaced_job, namespace, body)
            return self.as_dict(created), True
        except ApiException as error:
            if error.status != 409:
                raise
        existing = await self.read_job(namespace, name)
        if existing is None:  # deleted between the two calls: the next pass creates it
            raise TemporarilyUnavailable(f"Job {name} vanished while being adopted")
        return existing, False

    async def read_job(self, namespace: str, name: str) -> dict[str, Any] | None:
        try:
            return self.as_dict(await self.call(self.batch.read_namespaced_job, name, namespace))
        except ApiException as error:
            if error.status == 404:
                return None
            raise

    async def delete_job(self, namespace: str, name: str) -> bool:
        """Background propagation: the garbage collector deletes the pods and the Secret."""
        try:
            await self.call(self.batch.delete_namespaced_job, name, namespace, body=BACKGROUND)
            return True
        except ApiException as error:
            if error.status == 404:
                return False
            raise

    async def put_secret(self, body: dict[str, Any]) -> None:
        namespace = body["metadata"]["namespace"]
        try:
            await self.call(self.core.create_namespaced_secret, namespace, body)
        except ApiException as error:
            if error.status != 409:
                raise
            # A Secret left by an earlier attempt holds a token that attempt never handed
            # out for good: this one's replaces it.
            await self.replace_secret(body)

    async def replace_secret(self, body: dict[str, Any]) -> None:
        namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
        await self.call(self.core.replace_namespaced_secret, name, namespace, body)

    async def delete_secret(self, namespace: str, name: str) -> None:
        """A Secret no Job owns yet (its Job was refused, or never made)."""
        try:
            await self.call(self.core.delete_namespaced_secret, name, namespace)
        except ApiException as error:
            if error.status != 404:
                raise

    async def pods_of(self, namespace: str, run_id: str) -> list[dict[str, Any]]:
        found = await self.call(
            self.core.list_namespaced_pod, namespace, label_selector=f"{RUN_ID_LABEL}={run_id}"
        )
        return [self.as_dict(pod) for pod in found.items]

    async def workloads(self, namespace: str) -> list[dict[str, Any]]:
        found = await self.call(
            self.custom.list_namespaced_custom_object, *KUEUE[:2], namespace, KUEUE[2]
        )
        return list(found.get("items", []))

    async def queue_positions(self, namespace: str, local_queue: str) -> dict[str, int] | None:
        """Each pending Workload's position in its LocalQueue (1: next), as Kueue's visibility
        API says; None when that API does not answer (not installed, not allowed, down)."""
        try:
            summary = await self.call(
                self.api.call_api,
                PENDING_WORKLOADS,
                "GET",
                path_params={"namespace": namespace, "name": local_queue},
                header_params={"Accept": "application/json"},
                auth_settings=["BearerToken"],
                response_types_map={200: "object"},
                _return_http_data_only=True,
            )
        except (ApiException, Refused, TemporarilyUnavailable):
            return None
        if not isinstance(summary, dict):
            return None
        return {
            item["metadata"]["name"]: int(item["positionInLocalQueue"]) + 1  # Kueue's: from 0
            for item in summary.get("items") or ()
            if "positionInLocalQueue" in item
        }

    async def pod_log(self, namespace: str, pod: str) -> bytes:
        try:
            response = await self.call(
                self.core.read_namespaced_pod_log, pod, namespace, _preload_content=False
            )
        except ApiException as error:
            if error.status == 404:
                return b""
            raise
        return await asyncio.get_running_loop().run_in_executor(self.executor, response.read)

    def follow_log(self, namespace: str, pod: str) -> Iterator[bytes]:
        """Blocking: the pod's log as it is written, until the container ends. Run it in a
        thread of its own (logs.py bounds how many)."""
        response = self.core.read_namespaced_pod_log(
            pod,
            namespace,
            follow=True,
            _preload_content=False,
            _request_timeout=(self.timeout, None),
        )
        try:
            # read1: what has arrived (up to 64 KiB), not a wait for 64 KiB.
            while chunk := response.read1(64 * 1024):
                yield chunk
        finally:
            response.release_conn()

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.api.close()
