"""The verification pass: for every object of the source that is now in Grimoire, counts
read back from Grimoire's tables against the source's, artifact files listed on both sides
(paths and sizes), and the sha256 of every file copied now read back from Grimoire's store
against the source's bytes. Files an earlier import copied and checked are compared by size
with its record, not read again, unless --verify asks for both sides to be hashed again."""

import asyncio
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.core.artifact_uris import store_path_of
from services.core.storage.base import ArtifactStore
from services.importer.artifacts import stored_sha256
from services.importer.model import ArtifactSource
from services.importer.report import Outcome, Report

_COUNTS = {
    "run": text(
        "SELECT (SELECT count(*) FROM params WHERE run_uuid = :i) AS params, "
        "(SELECT count(*) FROM tags WHERE run_uuid = :i) AS tags, "
        "(SELECT count(*) FROM metrics WHERE run_uuid = :i) AS points, "
        "(SELECT count(*) FROM latest_metrics WHERE run_uuid = :i) AS metric_keys, "
        "(SELECT count(*) FROM run_dataset_inputs WHERE run_uuid = :i) AS datasets"
    ),
    "logged_model": text(
        "SELECT (SELECT count(*) FROM logged_model_params WHERE model_id = :i) AS params, "
        "(SELECT count(*) FROM logged_model_tags WHERE model_id = :i) AS tags, "
        "(SELECT count(*) FROM logged_model_metrics WHERE model_id = :i) AS points"
    ),
    "registered_model": text(
        "SELECT (SELECT count(*) FROM model_versions v JOIN registered_models m "
        "ON m.id = v.model_id WHERE m.name = :i) AS versions, "
        "(SELECT count(*) FROM registered_model_aliases a JOIN registered_models m "
        "ON m.id = a.model_id WHERE m.name = :i) AS aliases, "
        "(SELECT count(*) FROM registered_model_tags t JOIN registered_models m "
        "ON m.id = t.model_id WHERE m.name = :i) AS tags"
    ),
}


@dataclass
class Check:
    """What one object looks like in the source. `sha256`: the digests of files copied in
    this invocation (taken from the source stream); `recorded`: the size and sha256 of the
    files an earlier import copied (the ledger's record), which are checked by size unless
    `reread` (--verify) asks to hash both sides again; any other file is hashed."""

    kind: str
    source_id: str
    counts: dict[str, int]
    source_root: str | None = None
    target_root: str | None = None
    sha256: dict[str, str] = field(default_factory=dict)
    recorded: dict[str, tuple[int, str]] = field(default_factory=dict)
    reread: bool = False


def _source_sha256(source: ArtifactSource, root: str, path: str) -> str:
    digest = hashlib.sha256()
    for chunk in source.read(root, path):
        digest.update(chunk)
    return digest.hexdigest()


async def _stored_files(store: ArtifactStore, root: str) -> dict[str, int]:
    found: dict[str, int] = {}
    pending = [root]
    while pending:
        folder = pending.pop()
        for info in await store.list(folder):
            if info.is_dir:
                pending.append(info.path)
            else:
                found[info.path[len(root) + 1 :]] = info.file_size or 0
    return found


async def verify_artifacts(
    check: Check, source: ArtifactSource, store: ArtifactStore, report: Report
) -> None:
    assert check.source_root is not None and check.target_root is not None
    listed = {f.path: f.size for f in await asyncio.to_thread(source.list_files, check.source_root)}
    root = store_path_of(check.target_root)
    stored = await _stored_files(store, root)
    if listed != stored:
        missing = sorted(set(listed) - set(stored))
        extra = sorted(set(stored) - set(listed))
        resized = sorted(p for p in set(listed) & set(stored) if listed[p] != stored[p])
        report.mismatches.append(
            Outcome(
                check.kind,
                check.source_id,
                f"artifacts differ: missing {missing[:5]}, extra {extra[:5]}, sizes {resized[:5]}",
            )
        )
        return
    for path, size in listed.items():
        recorded = check.recorded.get(path)
        if path not in check.sha256 and recorded is not None and not check.reread:
            if recorded[0] != size:  # the listings agree, so the source's file changed
                report.mismatches.append(
                    Outcome(check.kind, check.source_id, f"size of {path} since imported")
                )
                return
            continue
        expected = check.sha256.get(path) or await asyncio.to_thread(
            _source_sha256, source, check.source_root, path
        )
        if recorded is not None and recorded[1] not in ("", expected):
            report.mismatches.append(
                Outcome(check.kind, check.source_id, f"sha256 of {path} since imported")
            )
            return
        if await stored_sha256(store, f"{root}/{path}") != expected:
            report.mismatches.append(Outcome(check.kind, check.source_id, f"sha256 of {path}"))
            return
    report.verified["artifact files"] += len(listed)
    report.verified["artifact bytes"] += sum(listed.values())


async def verify(
    checks: list[Check],
    engine: AsyncEngine,
    source: ArtifactSource,
    store: ArtifactStore,
    report: Report,
    jobs: int,
) -> None:
    bound = asyncio.Semaphore(jobs)

    async def one(check: Check) -> None:
        async with bound:
            async with engine.connect() as conn:
                row = (await conn.execute(_COUNTS[check.kind], {"i": check.source_id})).one()
            found = dict(row._mapping)
            if found != check.counts:
                report.mismatches.append(
                    Outcome(check.kind, check.source_id, f"source {check.counts}, Grimoire {found}")
                )
                return
            if check.source_root is not None:
                await verify_artifacts(check, source, store, report)
            report.verified[f"{check.kind.replace('_', ' ')}s"] += 1
            if "points" in found and check.kind == "run":
                report.verified["metric points"] += found["points"]

    await asyncio.gather(*(one(check) for check in checks))
