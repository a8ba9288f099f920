"""Who may call what: the rules, declared next to each route with `@requires(...)`.

A rule names what the request acts on (and where its id is in the request: a field of the
route's declared message, or a path parameter) and the role it needs there. The guard applies
it before the endpoint runs; a route without a rule is refused (fail closed), and a test
checks that every route has one. `grimoire policy` prints the whole table for audit.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from services.core.auth.principal import Role
from services.core.gate import CATALOGUE_ROUTE_PREFIX


@dataclass(frozen=True)
class Rule:
    # What the request acts on: the kit's public | authenticated | admin | grant_target, or
    # a target its service resolves (services/<svc>/resolvers.py: run, experiment, model...).
    target: str
    role: Role = "READ"
    field: str | None = None  # request field (query, JSON body or path) holding the id
    audit: str | None = None  # audit action written when the call succeeds


PUBLIC = Rule("public")
AUTHENTICATED = Rule("authenticated")
ADMIN = Rule("admin", "ADMIN")
E = TypeVar("E", bound=Callable[..., Any])


def experiment(role: Role, audit: str | None = None) -> Rule:
    return Rule("experiment", role, "experiment_id", audit)


def run(role: Role, audit: str | None = None) -> Rule:
    return Rule("run", role, "run_id", audit)


def logged_model(role: Role, audit: str | None = None) -> Rule:
    return Rule("logged_model", role, "model_id", audit)


def model(role: Role, audit: str | None = None) -> Rule:
    return Rule("model", role, "name", audit)


def artifact(role: Role, field: str = "artifact_path") -> Rule:
    return Rule("artifact", role, field)


# The routes the app factory adds to every service (they have no endpoint of a service).
FACTORY_RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
    ("GET", "/metrics"): AUTHENTICATED,
    ("GET", "/openapi.json"): AUTHENTICATED,
}
RULE_ATTRIBUTE = "grimoire_rule"


def requires(rule: Rule) -> Callable[[E], E]:
    """Declare, next to the route, what the route acts on and the role it needs there. The
    guard applies it before the endpoint runs; a route without one is refused."""

    def declare(endpoint: E) -> E:
        setattr(endpoint, RULE_ATTRIBUTE, rule)
        return endpoint

    return declare


def rule_for(method: str, template: str | None, endpoint: Any, catalogue: bool) -> Rule | None:
    """The rule of a matched route. Unmatched paths (404) and MLflow endpoints we answer 501
    still need authentication, so nothing about the server leaks to anonymous callers."""
    if template is None or catalogue:
        return AUTHENTICATED
    declared = getattr(endpoint, RULE_ATTRIBUTE, None)
    return declared if declared is not None else FACTORY_RULES.get((method, template))


@dataclass(frozen=True)
class RouteRule:
    service: str
    method: str
    template: str
    rule: Rule | None  # None: refused by the guard (a route without a rule)
    catalogue: bool  # an MLflow endpoint answered 501


def route_rules(apps: dict[str, Any]) -> list[RouteRule]:
    """Every route of the given service apps with the rule the guard applies to it: the
    one-table view for audit (`grimoire policy`) and for the "every route has a rule" test."""
    found = set()
    for service, app in apps.items():
        for route in app.routes:
            catalogue = (getattr(route, "name", "") or "").startswith(CATALOGUE_ROUTE_PREFIX)
            for method in (getattr(route, "methods", None) or {"GET"}) - {"HEAD", "OPTIONS"}:
                rule = rule_for(method, route.path, getattr(route, "endpoint", None), catalogue)
                found.add(RouteRule(service, method, route.path, rule, catalogue))
    return sorted(found, key=lambda r: (r.template, r.method, r.service))
