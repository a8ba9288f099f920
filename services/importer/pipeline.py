"""One import: experiments placed (their own ids when free), then per experiment its logged
models and runs, then the registry, then the verification pass.

Each run (and each logged model, each registered model) is one transaction holding its rows
and its ledger row; its artifacts are copied and checked before that transaction commits, so
an object is in Grimoire whole or not at all, and an interrupted import resumes where it
stopped. What the ledger says was imported with the same content is counted as present;
what exists here otherwise, or changed in the source since, is a conflict: listed, never
overwritten. Every failure is reported with its reason."""

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.core.artifact_uris import (
    experiment_location,
    logged_model_artifact_uri,
    run_artifact_uri,
    store_path_of,
)
from services.core.db.tables.tracking import experiment_tags
from services.core.storage.base import ArtifactStore
from services.importer import ledger, registered, writer
from services.importer.artifacts import copy_tree
from services.importer.model import Experiment, LoggedModel, Reader, RegisteredModel, Run
from services.importer.report import Bars, Mapping, Outcome, Planned, Report
from services.importer.sources import Roots, UnresolvedSource, rewrite
from services.importer.stored import (
    comparable,
    differing_fields,
    pairs,
    stored_digest,
    stored_registered_model,
    stored_run,
)
from services.importer.verify import Check, verify

# On an experiment whose id was taken here: the id it had in the source.
SOURCE_ID_TAG = "grimoire.import.source_id"


class InterruptedImport(Exception):
    """The last import of this source did not finish and --resume was not given."""


@dataclass(frozen=True)
class Options:
    experiments: tuple[str, ...] = ()
    dry_run: bool = False
    resume: bool = False
    jobs: int = 4
    # Objects already here: their artifacts read again on both sides and hashed (without it
    # they are checked by size against the sha256 record the import kept).
    verify: bool = False


@dataclass(frozen=True)
class Placed:
    experiment_id: int | None  # None: a dry run's experiment that would get a new id
    location: str


def _why(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


CHANGED_IN_SOURCE = "changed in the source since it was imported here; not overwritten"


def _run_counts(run: Run) -> dict[str, int]:
    return {
        "params": len(run.params),
        "tags": len(run.tags),
        "points": len(writer.unique_points(run)),
        "metric_keys": len({p.key for p in run.metrics}),
        "datasets": len({(d.name, d.digest) for d in run.datasets}),
    }


class Import:
    def __init__(
        self,
        reader: Reader,
        engine: AsyncEngine,
        store: ArtifactStore,
        options: Options,
        bars: Bars,
    ):
        self.reader = reader
        self.source = reader.describe()
        self.engine = engine
        self.store = store
        self.options = options
        self.bars = bars
        self.report = Report()
        self.streams = asyncio.Semaphore(options.jobs)
        self.run_roots: dict[str, Roots] = {}
        self.model_roots: dict[str, Roots] = {}
        self.checks: list[Check] = []

    async def run(self) -> Report:
        """After start(): everything, then the verification pass."""
        experiments = await asyncio.to_thread(self.reader.experiments)
        chosen = self._chosen(experiments)
        self.bars.grow("experiments", len(chosen))
        for experiment in chosen:
            placed = await self._place(experiment)
            if placed is not None:
                await self._contents(experiment, placed)
            self.bars.advance("experiments")
        await self._registry()
        if not self.options.dry_run:
            await verify(
                self.checks,
                self.engine,
                self.reader.artifacts,
                self.store,
                self.report,
                self.options.jobs,
            )
            await self._set_state("complete")
        return self.report

    def _chosen(self, experiments: list[Experiment]) -> list[Experiment]:
        wanted = set(self.options.experiments)
        if not wanted:
            return experiments
        chosen = [e for e in experiments if e.experiment_id in wanted or e.name in wanted]
        for missing in wanted - {e.experiment_id for e in chosen} - {e.name for e in chosen}:
            self.report.failed.append(Outcome("experiment", missing, "not in the source"))
        return chosen

    async def start(self) -> None:
        """Refuse to go on after an interrupted import unless told to resume; then mark this
        import as running (a dry run marks nothing)."""
        if self.options.dry_run:
            return
        async with self.engine.connect() as conn:
            state = await ledger.entry(conn, self.source, "import", "state")
        if state is not None and state.target_id == "running" and not self.options.resume:
            raise InterruptedImport(
                f"The last import of {self.source} did not finish; run the same command with "
                "--resume to continue it (objects already imported are kept)."
            )
        await self._set_state("running")

    async def _set_state(self, state: str) -> None:
        async with self.engine.begin() as conn:
            await ledger.record(conn, self.source, "import", "state", ledger.Record(state, ""))

    async def _place(self, experiment: Experiment) -> Placed | None:
        """Where the experiment's runs go: the experiment this source's earlier import made,
        the one here with the same id and name (Default), a new one with the source's id when
        that is free, else a new id (a mapping, reported and tagged)."""
        source_id = experiment.experiment_id
        async with self.engine.begin() as conn:
            earlier = await ledger.entry(conn, self.source, "experiment", source_id)
            if earlier is not None:
                row = await writer.experiment_by_id(conn, int(earlier.target_id))
                if row is not None:
                    await self._adopt(conn, experiment, row)
                    return Placed(row.experiment_id, row.artifact_location)
            wanted = int(source_id) if source_id.isdigit() else None
            same_id = None if wanted is None else await writer.experiment_by_id(conn, wanted)
            same_name = await writer.experiment_by_name(conn, experiment.name)
            if same_id is not None and same_id.name == experiment.name:
                await self._adopt(conn, experiment, same_id)
                if not self.options.dry_run:
                    digest = ledger.fingerprint(experiment)
                    record = ledger.Record(str(wanted), digest)
                    await ledger.record(conn, self.source, "experiment", source_id, record)
                return Placed(same_id.experiment_id, same_id.artifact_location)
            if same_name is not None:
                self.report.conflicts.append(
                    Outcome(
                        "experiment",
                        source_id,
                        f"an experiment named {experiment.name!r} already exists here with id "
                        f"{same_name.experiment_id}; its runs were not imported",
                    )
                )
                return None
            keep_id = wanted if same_id is None else None
            if self.options.dry_run:
                location = experiment_location(keep_id if keep_id is not None else "new")
                return Placed(keep_id, location)
            extra = {} if keep_id is not None else {SOURCE_ID_TAG: source_id}
            new_id = await writer.insert_experiment(conn, experiment, keep_id, extra)
            record = ledger.Record(str(new_id), ledger.fingerprint(experiment))
            await ledger.record(conn, self.source, "experiment", source_id, record)
        if keep_id is None:
            self.report.mappings.append(Mapping(experiment.name, source_id, str(new_id)))
        self.report.imported.append(Outcome("experiment", source_id, experiment.name))
        return Placed(new_id, experiment_location(new_id))

    async def _adopt(self, conn: AsyncConnection, experiment: Experiment, row: Any) -> None:
        """An experiment here receives the source's runs: it is given the tags it lacks; a
        name, lifecycle stage or tag value that differs is a conflict, not overwritten (its
        runs are imported all the same: they keep their own identity)."""
        here_tags = await pairs(conn, experiment_tags, row.experiment_id, "experiment_id")
        differing = [
            what
            for what, ours, theirs in (
                ("name", experiment.name, row.name),
                ("lifecycle stage", experiment.lifecycle_stage, row.lifecycle_stage),
            )
            if ours != theirs
        ]
        changed = sorted(k for k, v in experiment.tags.items() if here_tags.get(k, v) != v)
        differing += [f"tag {key}" for key in changed]
        if not self.options.dry_run:
            missing = {k: v for k, v in experiment.tags.items() if k not in here_tags}
            await writer.add_experiment_tags(conn, row.experiment_id, missing)
        if differing:
            detail = f"exists here with different {', '.join(differing)}; not overwritten"
            self.report.conflicts.append(
                Outcome("experiment", experiment.experiment_id, f"{detail}, runs imported")
            )
        else:
            self.report.present.append(
                Outcome("experiment", experiment.experiment_id, experiment.name)
            )

    async def _contents(self, experiment: Experiment, placed: Placed) -> None:
        source_id = experiment.experiment_id
        if self.options.dry_run:
            self.report.planned[source_id] = Planned(experiment.name)
        async with self.engine.connect() as conn:
            known_models = await ledger.entries(conn, self.source, "logged_model")
            known_runs = await ledger.entries(conn, self.source, "run")
        try:
            models = await asyncio.to_thread(self.reader.logged_models, source_id)
            run_ids = await asyncio.to_thread(self.reader.run_ids, source_id)
        except Exception as error:  # the whole experiment is unreadable: say so, go on
            self.report.failed.append(Outcome("experiment", source_id, _why(error)))
            return
        for model in models:
            await self._logged_model(model, placed, known_models.get(model.model_id))
        self.bars.grow("runs", len(run_ids))
        bound = asyncio.Semaphore(self.options.jobs)

        async def one(run_id: str) -> None:
            async with bound:
                await self._run(run_id, placed, source_id, known_runs.get(run_id))
            self.bars.advance("runs")

        await asyncio.gather(*(one(run_id) for run_id in run_ids))

    async def _plan_artifacts(self, root: str) -> int:
        files = await asyncio.to_thread(self.reader.artifacts.list_files, root)
        return sum(f.size for f in files)

    async def _copy(self, source_root: str, target_root: str) -> ledger.Files:
        """Every file of the source root into the store, checked; their size and sha256."""
        copied = await copy_tree(
            self.reader.artifacts,
            source_root,
            self.store,
            store_path_of(target_root),
            self.streams,
            self._bytes,
        )
        return {c.path: (c.size, c.sha256) for c in copied}

    def _check(
        self,
        kind: str,
        source_id: str,
        counts: dict[str, int],
        roots: Roots,
        copied: ledger.Files | None = None,
        known: ledger.Entry | None = None,
    ) -> None:
        """The verification of one object: files copied now are compared with the stored
        copy; those of an object already here with the import's record (by size, or read
        again on both sides with --verify)."""
        self.checks.append(
            Check(
                kind,
                source_id,
                counts,
                roots.source,
                roots.target,
                {path: sha for path, (_, sha) in (copied or {}).items()},
                recorded=(known.files if known is not None else None) or {},
                reread=self.options.verify,
            )
        )

    async def _logged_model(
        self, model: LoggedModel, placed: Placed, known: ledger.Entry | None
    ) -> None:
        """A logged model this source's import brought in is present while its content in
        the source is unchanged; one here from elsewhere is a conflict."""
        try:
            digest = ledger.fingerprint(model)
            roots = Roots(
                model.artifact_location,
                logged_model_artifact_uri(placed.location, model.model_id),
            )
            counts = {
                "params": len(model.params),
                "tags": len(model.tags),
                "points": len(model.metrics),
            }
            if known is not None:
                if known.fingerprint != digest:
                    self.report.conflicts.append(
                        Outcome("logged_model", model.model_id, CHANGED_IN_SOURCE)
                    )
                    return
                self.report.present.append(Outcome("logged_model", model.model_id))
                self.model_roots[model.model_id] = roots
                self._check("logged_model", model.model_id, counts, roots, known=known)
                return
            async with self.engine.connect() as conn:
                if await writer.logged_model_exists(conn, model.model_id):
                    self.report.conflicts.append(
                        Outcome(
                            "logged_model",
                            model.model_id,
                            "this id exists here already, not from this source; not overwritten",
                        )
                    )
                    return
            self.model_roots[model.model_id] = roots
            if self.options.dry_run:
                plan = self.report.planned[model.experiment_id]
                plan.logged_models += 1
                plan.artifact_bytes += await self._plan_artifacts(model.artifact_location)
                return
            copied = await self._copy(roots.source, roots.target)
            assert placed.experiment_id is not None
            async with self.engine.begin() as conn:
                await writer.write_logged_model(conn, model, placed.experiment_id, placed.location)
                record = ledger.Record(model.model_id, digest, files=copied)
                await ledger.record(conn, self.source, "logged_model", model.model_id, record)
            self.report.imported.append(Outcome("logged_model", model.model_id, model.name))
            self._check("logged_model", model.model_id, counts, roots, copied)
        except Exception as error:
            self.model_roots.pop(model.model_id, None)
            self.report.failed.append(Outcome("logged_model", model.model_id, _why(error)))

    def _bytes(self, amount: int) -> None:
        self.report.artifact_bytes += amount
        self.bars.advance("bytes", amount)

    async def _run(
        self, run_id: str, placed: Placed, experiment_id: str, known: ledger.Entry | None
    ) -> None:
        try:
            run = await asyncio.to_thread(self.reader.run, run_id)
            digest = ledger.fingerprint_of(comparable(run))
            roots = Roots(run.artifact_uri, run_artifact_uri(placed.location, run_id))
            if known is not None or await self._exists(run_id):
                await self._present(run, digest, roots, experiment_id, known)
                return
            self.run_roots[run_id] = roots
            if self.options.dry_run:
                plan = self.report.planned[experiment_id]
                plan.runs += 1
                plan.points += len(writer.unique_points(run))
                plan.artifact_bytes += await self._plan_artifacts(run.artifact_uri)
                return
            self.bars.grow("points", len(run.metrics))
            copied = await self._copy(roots.source, roots.target)
            assert placed.experiment_id is not None
            async with self.engine.begin() as conn:
                points = await writer.write_run(conn, run, placed.experiment_id, placed.location)
                stored = await stored_digest(conn, run_id)
                record = ledger.Record(run_id, digest, stored, copied)
                await ledger.record(conn, self.source, "run", run_id, record)
            self.report.imported.append(Outcome("run", run_id, run.name))
            self.report.points += points
            self.bars.advance("points", len(run.metrics))
            self._check("run", run_id, _run_counts(run), roots, copied)
        except Exception as error:
            self.run_roots.pop(run_id, None)
            self.report.failed.append(Outcome("run", run_id, _why(error)))

    async def _exists(self, run_id: str) -> bool:
        async with self.engine.connect() as conn:
            return await writer.run_exists(conn, run_id)

    async def _present(
        self, run: Run, digest: str, roots: Roots, experiment_id: str, known: ledger.Entry | None
    ) -> None:
        """A run id already here. Imported from this source before: present while neither
        the source's content (its fingerprint) nor the rows stored here (their digest,
        computed by PostgreSQL) changed since, which reads nothing back; otherwise, or
        here from elsewhere, compared field by field with the run as stored: different
        content is a conflict naming the fields, never overwritten. A ledger row written
        before the stored digest was kept (migration 0018) has a fingerprint of another
        spelling: such a run is compared field by field."""
        if known is not None and known.stored_digest is not None and known.fingerprint != digest:
            self.report.conflicts.append(Outcome("run", run.run_id, CHANGED_IN_SOURCE))
            return
        async with self.engine.connect() as conn:
            unchanged = (
                known is not None
                and known.stored_digest is not None
                and (await stored_digest(conn, run.run_id) == known.stored_digest)
            )
            here = None if unchanged else await stored_run(conn, run.run_id)
        if not unchanged:
            differing = differing_fields(run, here)
            if differing:
                self.report.conflicts.append(
                    Outcome(
                        "run",
                        run.run_id,
                        f"exists here with different {', '.join(differing)}; not overwritten",
                    )
                )
                return
        self.report.present.append(Outcome("run", run.run_id))
        self.run_roots[run.run_id] = roots
        if self.options.dry_run:
            self.report.planned[experiment_id].present += 1
        else:
            self._check("run", run.run_id, _run_counts(run), roots, known=known)

    async def _registry(self) -> None:
        try:
            models = await asyncio.to_thread(self.reader.registered_models)
        except Exception as error:
            self.report.failed.append(Outcome("registered_model", "*", _why(error)))
            return
        async with self.engine.connect() as conn:
            known = await ledger.entries(conn, self.source, "registered_model")
        for model in models:
            try:
                await self._registered_model(model, known.get(model.name))
            except Exception as error:
                self.report.failed.append(Outcome("registered_model", model.name, _why(error)))

    async def _registered_model(self, model: RegisteredModel, known: Any) -> None:
        """Written whole when the name is free here; else compared by content with the one
        here (services/importer/registered.py): versions the source gained since this
        source's import are added, differences are conflicts, never overwritten."""
        counts = {
            "versions": len(model.versions),
            "aliases": len(model.aliases),
            "tags": len(model.tags),
        }
        versions = []
        for version in model.versions:
            try:
                rewritten = rewrite(version, self.run_roots, self.model_roots)
            except UnresolvedSource as error:
                self.report.failed.append(
                    Outcome("registered_model", model.name, f"version {version.version}: {error}")
                )
                return
            if rewritten.foreign:
                self.report.notes.append(
                    Outcome(
                        "model_version",
                        f"{model.name}/{version.version}",
                        f"source {version.source} is outside the imported artifacts; kept",
                    )
                )
            versions.append((version, rewritten.source, rewritten.storage_location))
        async with self.engine.connect() as conn:
            here = await stored_registered_model(conn, model.name)
        record = ledger.Record(model.name, ledger.fingerprint(model))
        if here is None:
            if self.options.dry_run:
                return
            async with self.engine.begin() as conn:
                await writer.write_registered_model(conn, model, versions)
                await ledger.record(conn, self.source, "registered_model", model.name, record)
            self.report.imported.append(Outcome("registered_model", model.name))
            self.checks.append(Check("registered_model", model.name, counts))
            return
        model_id, stored = here
        found = registered.plan(model, versions, stored, ours=known is not None)
        self.report.conflicts += found.conflicts
        self.report.notes += found.notes
        if found.conflicts and known is None:
            return
        if not self.options.dry_run:
            async with self.engine.begin() as conn:
                await writer.add_versions(conn, model_id, model, found.new_versions)
                await writer.add_aliases(conn, model_id, found.new_aliases)
                await ledger.record(conn, self.source, "registered_model", model.name, record)
        if found.writes:
            self.report.imported.append(Outcome("registered_model", model.name))
        elif not found.conflicts:
            self.report.present.append(Outcome("registered_model", model.name))
