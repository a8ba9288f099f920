"""`grimoire routes` and `grimoire policy`: the routing table and the policy table, printed
from the code itself (the services' specs and their built apps), for review and audit."""

import os

import click


@click.command()
def routes() -> None:
    """Path prefix -> service, longest prefix first: what `grimoire server` and the Ingress
    apply."""
    from services.specs import ROUTING

    for prefix, service in ROUTING.routes:
        click.echo(f"{prefix}\t{service}")


@click.command()
def policy() -> None:
    """Every route of every service and the rule the guard applies to it (tab-separated:
    service, method, path, target, role, field, audit)."""
    # Listing routes needs no identity provider; the apps are built, never served.
    os.environ.setdefault("GRIMOIRE_AUTH_DISABLED", "true")
    from services.core.auth.policy import route_rules
    from services.server import GrimoireServer

    for entry in route_rules(GrimoireServer().apps):
        rule = entry.rule
        columns = [entry.service, entry.method, entry.template]
        if rule is None:
            columns += ["REFUSED (no rule)", "", "", ""]
        else:
            columns += [
                "501 catalogue: " + rule.target if entry.catalogue else rule.target,
                rule.role,
                rule.field or "",
                rule.audit or "",
            ]
        click.echo("\t".join(columns))
