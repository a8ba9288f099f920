"""The small HTTP client of the jobs API (`/api/grimoire/v1/jobs`) that `grimoire run
--backend kubernetes` submits to and follows: same base URL and token as the mlflow client."""

import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import click
import httpx

from services.cli.console import console

PREFIX = "/api/grimoire/v1/jobs"
FINAL_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")
POLL_SECONDS = 2.0


class JobsApi:
    def __init__(self, base_url: str | None = None) -> None:
        base = base_url or os.environ.get("MLFLOW_TRACKING_URI")
        if not base or not base.startswith("http"):
            raise click.UsageError("Set MLFLOW_TRACKING_URI to the Grimoire server's URL.")
        token = os.environ.get("MLFLOW_TRACKING_TOKEN") or os.environ.get(
            "MLFLOW_TRACKING_PASSWORD"
        )
        self._http = httpx.Client(
            base_url=base.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"} if token else {},
            timeout=30,
        )

    def _call(self, method: str, path: str, json: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._http.request(method, PREFIX + path, json=json)
        return _checked(response)

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "", body)["job"]

    def get(self, run_id: str) -> dict[str, Any]:
        return self._call("GET", f"/{run_id}")["job"]

    def cancel(self, run_id: str) -> dict[str, Any]:
        return self._call("POST", f"/{run_id}/cancel")["job"]

    def logs(self, run_id: str) -> Iterator[str]:
        """The pod's log as it comes; the response stays open until the job ends."""
        with self._http.stream(
            "GET",
            f"{PREFIX}/{run_id}/logs",
            params={"follow": "true"},
            timeout=httpx.Timeout(30, read=None),
        ) as response:
            if not response.is_success:
                response.read()
                _checked(response)
            yield from response.iter_text()

    def wait(self, run_id: str) -> dict[str, Any]:
        """Poll until the job is in a final state."""
        while (job := self.get(run_id))["state"] not in FINAL_STATES:
            time.sleep(POLL_SECONDS)
        return job


def _checked(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = {"message": response.text[:500]}
    if not response.is_success:
        raise click.ClickException(
            f"jobs API: {response.status_code} {body.get('error_code')}: {body.get('message')}"
        )
    return body


def follow(api: JobsApi, run_id: str, cancel_on_interrupt: bool) -> int:
    """Print the job's log until it ends; 0 when it SUCCEEDED, 1 otherwise, 130 when the
    user interrupted (after cancelling it, if they chose to)."""
    try:
        try:
            for text in api.logs(run_id):
                sys.stdout.write(text)
                sys.stdout.flush()
        except httpx.TransportError as error:
            console.print(f"[yellow]the log stream broke ({error}); waiting for the job[/]")
        job = api.wait(run_id)
    except KeyboardInterrupt:
        if cancel_on_interrupt or click.confirm("\nCancel the job?", default=False, err=True):
            job = api.cancel(run_id)
            console.print(f"cancelled: the job is {job['state']}, the run KILLED")
        else:
            console.print(
                f"the job keeps running; follow it with GET {PREFIX}/{run_id}/logs?follow=true"
            )
        return 130
    reason = f" ({job['reason']})" if job.get("reason") else ""
    colour = "green" if job["state"] == "SUCCEEDED" else "red"
    console.print(f"[{colour}]job {job['state']}{reason}[/], attempt {job.get('attempt')}")
    return 0 if job["state"] == "SUCCEEDED" else 1
