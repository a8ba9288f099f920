"""The HTTP client of the commands that manage a running Grimoire (tokens, grants, service
accounts)."""

import os
from typing import Any

import click


def call_api(
    method: str,
    path: str,
    json: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Call this Grimoire's API as the mlflow client would: MLFLOW_TRACKING_URI and
    MLFLOW_TRACKING_TOKEN (or _USERNAME/_PASSWORD with a token as the password)."""
    import httpx

    base = os.environ.get("MLFLOW_TRACKING_URI")
    if not base or not base.startswith("http"):
        raise click.UsageError("Set MLFLOW_TRACKING_URI to the Grimoire server's URL.")
    token = os.environ.get("MLFLOW_TRACKING_TOKEN") or os.environ.get("MLFLOW_TRACKING_PASSWORD")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.request(
        method, base.rstrip("/") + path, headers=headers, timeout=30, json=json, params=params
    )
    body = response.json() if response.content else {}
    if response.status_code >= 400:
        raise click.ClickException(
            f"{response.status_code} {body.get('error_code')}: {body.get('message')}"
        )
    return body
