"""What authorization reads from the database, kept in memory per process.

A team member's every log call is authorized through the run's experiment and the grants
there: two indexed reads on a pooled connection, which cost more than the write itself. Both
answers almost never change:

- A run's or logged model's experiment never changes (no API moves either, and their ids
  are never reused), so it is remembered for as long as it stays among the most recently
  used. Run ids (32 hex) and logged model ids (`m-` + 32 hex) cannot collide in one map.
- A principal's role on a resource changes only with the grants table. Roles are remembered
  only while the credential listener is connected: migration 0006 makes every change to
  `grants` notify the same channel as token changes, at commit, and a notification empties
  this cache (as it does the token cache). A lookup that raced a notification is not stored
  (the generation counter); entries also age out after `TTL_SECONDS` as a last resort.
"""

from enum import Enum
from typing import Final

from cachetools import LRUCache, TTLCache

from services.core.auth.credential_cache import NotifiedCache
from services.core.auth.principal import Principal, Role
from services.core.observability import ACCESS_CACHE_LOOKUPS

TTL_SECONDS = 300
MAX_ROLES = 50_000
MAX_OWNED_OBJECTS = 100_000


class _Missing(Enum):
    MISSING = "not remembered"


# "Not remembered", as opposed to a remembered None ("no role"); an enum member so that
# `is MISSING` narrows a lookup's type.
MISSING: Final = _Missing.MISSING

# The principal (and whom it acts for: part of its role in the registry), the resource.
RoleKey = tuple[str, tuple[str, ...], tuple[str, tuple[str, ...]] | None, str, str | None]
# Bound once: every authorized call counts one or two lookups.
_RUN_LOOKUPS = {found: ACCESS_CACHE_LOOKUPS.labels("run", found) for found in ("hit", "miss")}
_ROLE_LOOKUPS = {found: ACCESS_CACHE_LOOKUPS.labels("role", found) for found in ("hit", "miss")}


def _role_key(principal: Principal, resource_type: str, resource_id: str | None) -> RoleKey:
    delegate = principal.acts_for
    acting_for = None if delegate is None else (delegate.name, delegate.groups)
    return (principal.name, principal.groups, acting_for, resource_type, resource_id)


class AccessCache(NotifiedCache):
    """Roles are the notified entries; objects' experiments are kept whatever the listener
    does."""

    def __init__(self) -> None:
        super().__init__(TTLCache(MAX_ROLES, TTL_SECONDS))
        self._experiment_of: LRUCache[str, str] = LRUCache(MAX_OWNED_OBJECTS)

    def experiment_of(self, object_id: str) -> str | None:
        """The experiment of a run or logged model, if remembered."""
        found = self._experiment_of.get(object_id)
        _RUN_LOOKUPS["miss" if found is None else "hit"].inc()
        return found

    def remember_experiment_of(self, object_id: str, experiment_id: str) -> None:
        self._experiment_of[object_id] = experiment_id

    def role(
        self, principal: Principal, resource_type: str, resource_id: str | None
    ) -> Role | None | _Missing:
        """The remembered role (None: no role at all), or `MISSING` when not known."""
        found: Role | None | _Missing = (
            self._entries.get(_role_key(principal, resource_type, resource_id), MISSING)
            if self.enabled
            else MISSING
        )
        _ROLE_LOOKUPS["miss" if found is MISSING else "hit"].inc()
        return found

    def remember_role(
        self,
        principal: Principal,
        resource_type: str,
        resource_id: str | None,
        role: Role | None,
        generation: int,
    ) -> None:
        self._store(_role_key(principal, resource_type, resource_id), role, generation)
