"""Decide a request: the caller's role on what the rule's target names.

The guard hands over what the rule names, read from the request's one parsed message (a
`Subject`), so the check is about exactly what the endpoint will execute. The kit settles the
targets that need no grant (public, authenticated, admin); every other target is found by the
`Resolver` its service declares in its spec (`ServiceSpec.resolvers`): a run's experiment, a
registered model's id, an artifact path's owner. A target that cannot be found is refused (404)
here, never passed on: the endpoint cannot disagree about something it is never asked. A
target with no resolver is refused (fail closed), and the app factory refuses to build an app
whose rules name one.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from services.core.auth.access import may_create, role_on
from services.core.auth.access_cache import MISSING, AccessCache
from services.core.auth.policy import Rule
from services.core.auth.principal import Principal, Role, at_least
from services.core.db.engine import Connection
from services.core.errors import ResourceDoesNotExist

# Targets the kit settles from the rule alone.
SETTLED_TARGETS = frozenset({"public", "authenticated", "admin"})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    resource_type: str | None = None
    resource_id: str | None = None


@dataclass(frozen=True)
class Subject:
    """What the rule reads from the parsed request: the value its field names, and the
    other objects the request writes into (each must allow the role too)."""

    value: Any = None
    related: tuple[Any, ...] = field(default_factory=tuple)


class Memory:
    """Answers from the access cache only: None whenever the cache does not know."""

    def __init__(self, principal: Principal, cache: AccessCache):
        self.principal, self.cache = principal, cache

    def on(self, resource_type: str, resource_id: str, role: Role) -> Decision | None:
        granted = self.cache.role(self.principal, resource_type, resource_id)
        if granted is MISSING:
            return None
        return Decision(at_least(granted, role), resource_type, resource_id)


class Lookup:
    """The database, the caller and the access cache, for a resolver that must read."""

    def __init__(self, conn: Connection, principal: Principal, cache: AccessCache):
        self.conn, self.principal, self.cache = conn, principal, cache

    async def scalar(self, statement: Any) -> Any:
        return (await self.conn.execute(statement)).scalar_one_or_none()

    async def on(self, resource_type: str, resource_id: str, role: Role) -> Decision:
        granted = await role_on(self.conn, self.principal, resource_type, resource_id, self.cache)
        return Decision(at_least(granted, role), resource_type, resource_id)

    async def may_create(self, resource_type: str, name: str) -> Decision:
        return Decision(await may_create(self.conn, self.principal, resource_type, name))


def missing(what: str, value: Any) -> ResourceDoesNotExist:
    return ResourceDoesNotExist(f"{what} '{value}' does not exist.")


class Resolver:
    """How one rule target is found. `subject` shapes the value read from the request;
    `from_memory` answers from the access cache when it can (the hot path: a log call by a
    member whose run and role are remembered); `decide` reads what it needs."""

    def subject(self, value: Any, message: BaseModel | None) -> Subject:
        return Subject(value)

    def from_memory(self, memory: Memory, subject: Subject, role: Role) -> Decision | None:
        return None

    async def decide(self, lookup: Lookup, subject: Subject, role: Role) -> Decision:
        raise NotImplementedError


Resolvers = Mapping[str, Resolver]


class OnResource(Resolver):
    """The value is the id of a resource grants are given on (an experiment id)."""

    def __init__(self, resource_type: str):
        self.resource_type = resource_type

    def subject(self, value: Any, message: BaseModel | None) -> Subject:
        return Subject(None if value is None else str(value))

    def from_memory(self, memory: Memory, subject: Subject, role: Role) -> Decision | None:
        return memory.on(self.resource_type, subject.value, role)

    async def decide(self, lookup: Lookup, subject: Subject, role: Role) -> Decision:
        return await lookup.on(self.resource_type, subject.value, role)


class Creating(Resolver):
    """The value is the name of a resource of this kind about to be created."""

    def __init__(self, resource_type: str):
        self.resource_type = resource_type

    async def decide(self, lookup: Lookup, subject: Subject, role: Role) -> Decision:
        return await lookup.may_create(self.resource_type, subject.value)


class Named(Resolver):
    """The value names a resource grants are given on; `find_id` reads its id (names can
    change, so the answer is never cached)."""

    def __init__(
        self, resource_type: str, what: str, find_id: Callable[[Lookup, Any], Awaitable[Any]]
    ):
        self.resource_type, self.what, self.find_id = resource_type, what, find_id

    async def decide(self, lookup: Lookup, subject: Subject, role: Role) -> Decision:
        found = await self.find_id(lookup, subject.value)
        if found is None:
            raise missing(self.what, subject.value)
        return await lookup.on(self.resource_type, str(found), role)


def settled_by_rule(principal: Principal, rule: Rule, subject: Subject) -> Decision | None:
    """Administrators, any-caller and admin-only routes: no grant to look at."""
    if principal.is_admin:
        value = subject.value
        return Decision(True, rule.target, str(value) if isinstance(value, str) else None)
    if rule.target == "authenticated":
        return Decision(True)
    if rule.target == "admin":
        return Decision(False)
    return None


def decide_without_database(
    principal: Principal, rule: Rule, subject: Subject, resolvers: Resolvers, cache: AccessCache
) -> Decision | None:
    """The decision when no database read is needed. None: call `decide`."""
    settled = settled_by_rule(principal, rule, subject)
    if settled is not None:
        return settled
    resolver = resolvers.get(rule.target)
    if resolver is None:
        return None
    return resolver.from_memory(Memory(principal, cache), subject, rule.role)


async def decide(
    conn: Connection,
    principal: Principal,
    rule: Rule,
    subject: Subject,
    resolvers: Resolvers,
    cache: AccessCache,
) -> Decision:
    """On the guard's connection, once `decide_without_database` had no answer. Raises
    ResourceDoesNotExist for a target that is not there."""
    settled = settled_by_rule(principal, rule, subject)
    if settled is not None:
        return settled
    resolver = resolvers.get(rule.target)
    if resolver is None:
        return Decision(False)
    return await resolver.decide(Lookup(conn, principal, cache), subject, rule.role)
