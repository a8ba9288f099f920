"""Where a model version's artifacts really live, and whether its registrant may point there.

Everyone who may read a registered model may read its versions' files through the artifact
proxy (services/artifacts/version_files.py), so registering a version publishes its files.
A source must therefore name something the caller may read (MLflow 3.17.2's rules for
sources, plus the caller's role):

- `runs:/<run>/<path>`: the run's artifacts; READ on the run's experiment.
- `models:/m-<id>`: a logged model's artifacts; READ on its experiment.
- `models:/<name>/<version>`: that version's files; READ on that registered model.
- `mlflow-artifacts:/<path>`: inside the artifacts of the run or logged model given as
  `run_id` / `model_id` (or, when neither is given, the one the path names), with READ
  there. The store root, an experiment's folder or another run's files never qualify.
- any other URI (`s3://other-bucket/...`, `gs://...`, `https://...`): files the proxy never
  serves, so the caller's own business; but not the proxied store under another spelling
  (the S3 root, the proxy's HTTP route) and not a path (`file:`, `/abs`, `relative/path`),
  which MLflow refuses too.

`run_id` and `model_id`, when given, must exist and be readable, and must be what a
`runs:/` or `models:/m-` source names. With authentication off everyone may read everything.
Lineage rows are read through core's shared table definitions, never the tracking package.
Sources are parsed by services/core/artifact_uris.py, like every other artifact URI.
"""

from dataclasses import dataclass
from urllib.parse import SplitResult, unquote_plus, urlsplit

from sqlalchemy import select

from services.core.artifact_uris import (
    SCHEME,
    ForeignUri,
    LoggedModelReference,
    ProxiedUri,
    RegisteredVersionReference,
    RunReference,
    owner_in_store,
    parse_location,
    parse_source,
    proxied_uri,
    under,
)
from services.core.auth.access import role_on
from services.core.auth.access_cache import AccessCache
from services.core.auth.principal import Principal, at_least
from services.core.config import artifact_settings
from services.core.db.engine import Connection
from services.core.db.tables.tracking import logged_models, runs
from services.core.errors import InvalidParameterValue, PermissionDenied, ResourceDoesNotExist
from services.registry.models import repository as model_rows
from services.registry.versions import repository as version_rows

_PROXY_ROUTE = ("api", "2.0", SCHEME, "artifacts")
_S3_SCHEMES = {"s3", "s3a", "s3n"}
# Percent-decoding rounds looked through for a hidden "..": one is what proxies do, more
# only ever hides something (and unbounded rounds would cost quadratic time).
_DECODING_ROUNDS = 3


@dataclass(frozen=True)
class ResolvedSource:
    storage_location: str
    run_id: str | None
    logged_model_id: str | None


@dataclass(frozen=True)
class Owner:
    """A run or logged model, whose artifacts a source may lie in."""

    what: str
    experiment_id: str
    root: str
    run_id: str | None
    logged_model_id: str | None


def _invalid(source: str, why: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"Invalid model version source: '{source}'. {why}")


def _mismatch(source: str, field: str) -> InvalidParameterValue:
    return _invalid(source, f"The {field} request parameter must identify what contains it.")


def _segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def _refuse_relative_references(source: str) -> None:
    """MLflow's rule: no "." or ".." segment, however percent-encoded."""
    decoded = source
    for _ in range(_DECODING_ROUNDS + 1):
        if any(part in (".", "..") for part in decoded.split("/")):
            raise _invalid(source, "Relative path references ('.', '..') are not allowed.")
        decoded, previous = unquote_plus(decoded), decoded
        if decoded == previous:
            return
    raise _invalid(source, "It is percent-encoded more than once.")


def _split(source: str) -> SplitResult:
    try:
        return urlsplit(source)
    except ValueError as error:  # e.g. an unclosed IPv6 host
        raise _invalid(source, str(error)) from None


def _store_segments(root: str) -> list[str] | None:
    """A run's or logged model's root as store segments; None outside the proxied store
    (or named with a host, which no source may be)."""
    try:
        location = parse_location(root)
    except ValueError:
        return None
    if not isinstance(location, ProxiedUri) or location.host:
        return None
    return location.segments


def _names_the_store(parts: SplitResult) -> bool:
    """The proxy's HTTP route, or the S3 store root under any of S3's spellings."""
    scheme = parts.scheme.lower()
    path = tuple(unquote_plus(part) for part in _segments(parts.path))
    if scheme in ("http", "https"):
        width = len(_PROXY_ROUTE)
        return any(path[i : i + width] == _PROXY_ROUTE for i in range(len(path)))
    store = _split(artifact_settings().root or "")
    if store.scheme != "s3" or scheme not in _S3_SCHEMES:
        return False
    prefix = tuple(unquote_plus(part) for part in _segments(store.path))
    return parts.netloc.lower() == store.netloc.lower() and path[: len(prefix)] == prefix


class SourceCheck:
    """One registration's source, resolved on the registering transaction's connection, with
    what the registering `caller` may read (None: authentication is off)."""

    def __init__(self, conn: Connection, caller: Principal | None, cache: AccessCache, source: str):
        self.conn = conn
        self.caller = caller
        self.cache = cache
        self.source = source

    async def may_read(self, resource_type: str, resource_id: str, what: str) -> None:
        if self.caller is None:  # authentication is off
            return
        role = await role_on(self.conn, self.caller, resource_type, resource_id, self.cache)
        if not at_least(role, "READ"):
            raise PermissionDenied(
                f"{self.caller.name} lacks READ on {what}: a model version shows its files to "
                "the registered model's readers, so it may only come from what its "
                "registrant may read."
            )

    async def find_run(self, run_id: str) -> Owner | None:
        r = runs.c
        statement = select(r.experiment_id, r.artifact_uri).where(r.run_uuid == run_id)
        row = (await self.conn.execute(statement)).first()
        if row is None:
            return None
        return Owner(f"run {run_id}", str(row.experiment_id), row.artifact_uri, run_id, None)

    async def find_logged_model(self, model_id: str) -> Owner | None:
        m = logged_models.c
        statement = select(m.experiment_id, m.artifact_location, m.source_run_id).where(
            m.model_id == model_id
        )
        row = (await self.conn.execute(statement)).first()
        if row is None:
            return None
        what = f"logged model {model_id}"
        return Owner(
            what, str(row.experiment_id), row.artifact_location, row.source_run_id, model_id
        )

    async def readable(self, owner: Owner) -> Owner:
        await self.may_read("experiment", owner.experiment_id, f"the experiment of {owner.what}")
        return owner

    async def readable_run(self, run_id: str) -> Owner:
        owner = await self.find_run(run_id)
        if owner is None:
            raise ResourceDoesNotExist(f"Run with id={run_id} not found")
        return await self.readable(owner)

    async def readable_logged_model(self, model_id: str) -> Owner:
        owner = await self.find_logged_model(model_id)
        if owner is None:
            raise ResourceDoesNotExist(f"Logged model with ID '{model_id}' not found.")
        return await self.readable(owner)

    async def from_run(self, reference: RunReference, linked_run: Owner | None) -> ResolvedSource:
        if linked_run and linked_run.run_id != reference.run_id:
            raise _mismatch(self.source, "run_id")
        owner = await self.readable_run(reference.run_id)
        return ResolvedSource(under(owner.root, reference.path), owner.run_id, None)

    async def from_logged_model(
        self, reference: LoggedModelReference, linked_model: Owner | None
    ) -> ResolvedSource:
        if linked_model and linked_model.logged_model_id != reference.model_id:
            raise _mismatch(self.source, "model_id")
        owner = await self.readable_logged_model(reference.model_id)
        return ResolvedSource(owner.root, owner.run_id, owner.logged_model_id)

    async def from_registered_version(self, name: str, number: str) -> ResolvedSource:
        """Copying a version (MlflowClient.copy_model_version): the same files."""
        model = await model_rows.get_model(self.conn, name)
        if model is None:
            raise ResourceDoesNotExist(f"Registered Model with name={name} not found")
        await self.may_read("registered_model", str(model.id), f"registered model {name}")
        version = await version_rows.get_version(self.conn, model.id, int(number))
        if version is None:
            raise ResourceDoesNotExist(f"Model Version (name={name}, version={number}) not found")
        return ResolvedSource(version.storage_location, version.run_id, version.logged_model_id)

    async def from_proxied_path(self, source: ProxiedUri, linked: list[Owner]) -> ResolvedSource:
        if source.host:
            raise _invalid(self.source, f"Name proxied artifacts as {SCHEME}:/<path>.")
        segments = source.segments
        candidates: list[Owner | None] = list(linked)
        spelled = owner_in_store(segments)
        if not linked and spelled and spelled.logged_model_id is not None:
            candidates.append(await self.find_logged_model(spelled.logged_model_id))
        elif not linked and spelled and spelled.run_id is not None:
            candidates.append(await self.find_run(spelled.run_id))
        for owner in candidates:
            root = _store_segments(owner.root) if owner else None
            if owner and root and segments[: len(root)] == root:
                await self.readable(owner)
                location = proxied_uri("/".join(segments))
                return ResolvedSource(location, owner.run_id, owner.logged_model_id)
        raise _invalid(
            self.source,
            "It must lie inside the artifacts of the run or logged model that run_id or "
            "model_id names (or, without them, that its path names).",
        )

    def external(self, source: ForeignUri) -> ResolvedSource:
        if source.is_local_path:
            raise _invalid(
                self.source,
                "Local paths are not model version sources on this server: register "
                f"runs:/<run_id>/<path>, models:/<model_id> or a {SCHEME}:/ URI.",
            )
        if _names_the_store(source.parts):
            raise _invalid(
                self.source,
                f"It names this server's artifact store: register it as {SCHEME}:/<path>, "
                "runs:/ or models:/, so that what the caller may read is checked.",
            )
        return ResolvedSource(self.source, None, None)


async def resolve(
    conn: Connection,
    caller: Principal | None,
    cache: AccessCache,
    source: str,
    run_id: str | None,
    model_id: str | None,
) -> ResolvedSource:
    if not source:
        raise InvalidParameterValue("Missing value for required parameter 'source'.")
    _refuse_relative_references(source)
    check = SourceCheck(conn, caller, cache, source)
    linked_run = await check.readable_run(run_id) if run_id else None
    linked_model = await check.readable_logged_model(model_id) if model_id else None
    try:
        parsed = parse_source(source)
    except ValueError as error:  # no URI at all, or a runs:/models: URI that names nothing
        raise _invalid(source, str(error)) from None
    if isinstance(parsed, RunReference):
        resolved = await check.from_run(parsed, linked_run)
    elif isinstance(parsed, LoggedModelReference):
        resolved = await check.from_logged_model(parsed, linked_model)
    elif isinstance(parsed, RegisteredVersionReference):
        resolved = await check.from_registered_version(parsed.name, parsed.version)
    elif isinstance(parsed, ProxiedUri):
        linked = [owner for owner in (linked_model, linked_run) if owner]
        resolved = await check.from_proxied_path(parsed, linked)
    else:
        resolved = check.external(parsed)
    # Given ids win over what the source implies, as in MLflow.
    return ResolvedSource(
        resolved.storage_location,
        run_id or resolved.run_id,
        model_id or resolved.logged_model_id,
    )
