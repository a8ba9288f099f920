"""`grimoire grant` and `grimoire revoke`: roles for users and IdP groups."""

from collections.abc import Callable

import click

from services.cli.api_client import call_api
from services.cli.console import console

# --option -> the grant's resource_type; at most one is given, none means every resource.
_GRANT_TARGETS = {
    "experiment": "experiment",
    "model": "registered_model",
    "experiment_pattern": "experiment_pattern",
    "model_pattern": "registered_model_pattern",
    "create": "create",
}


def _grant_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(
        [
            click.option("--user"),
            click.option("--group"),
            click.option("--experiment", help="Experiment id."),
            click.option("--model", help="Registered model name."),
            click.option(
                "--experiment-pattern", help="Experiments whose name matches, e.g. 'team-a/*'."
            ),
            click.option("--model-pattern", help="Registered models whose name matches."),
            click.option(
                "--create",
                type=click.Choice(["experiment", "registered_model"]),
                help="The right to create these (and manage one's own), nothing else.",
            ),
        ]
    ):
        command = option(command)
    return command


def _grant_body(user: str | None, group: str | None, **targets: str | None) -> dict:
    if bool(user) == bool(group):
        raise click.UsageError("give exactly one of --user or --group")
    given = [(_GRANT_TARGETS[option], value) for option, value in targets.items() if value]
    if len(given) > 1:
        raise click.UsageError("give at most one resource option")
    resource_type, resource_id = given[0] if given else ("default", "*")
    return {
        "principal_type": "user" if user else "group",
        "principal": user or group,
        "resource_type": resource_type,
        "resource_id": resource_id,
    }


@click.command()
@_grant_options
@click.option("--role", type=click.Choice(["READ", "EDIT", "MANAGE", "ADMIN"]), default=None)
def grant(user: str | None, group: str | None, role: str | None, **targets: str | None) -> None:
    """Grant a role to a user or an IdP group (on every resource unless one is named)."""
    body = _grant_body(user, group, **targets)
    if role is None and body["resource_type"] != "create":
        raise click.UsageError("--role is required")
    body["role"] = role or "EDIT"
    call_api("POST", "/api/2.0/grimoire/permissions", json=body)
    console.print(
        f"granted {body['role']} to {body['principal_type']} {body['principal']} "
        f"on {body['resource_type']} {body['resource_id']}"
    )


@click.command()
@_grant_options
def revoke(user: str | None, group: str | None, **targets: str | None) -> None:
    """Revoke a grant."""
    call_api("DELETE", "/api/2.0/grimoire/permissions", json=_grant_body(user, group, **targets))
    console.print("revoked")
