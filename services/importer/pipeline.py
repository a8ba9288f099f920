"""One import: experiments placed (their own ids when free), then per experiment its logged
models and runs, then the registry, then the verification pass.

Each run (and each logged model, each registered model) is one transaction holding its rows
and its ledger row; its artifacts are copied and checked before that transaction commits, so
an object is in Grimoire whole or not at all, and an interrupted import resumes where it
stopped. What the ledger says was imported with the same content is counted as present;
what exists here otherwise, or changed in the source since, is a conflict: listed, never
overwritten. Every failure is reported with its reason."""

import asyncio
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.core.artifact_uris import (
    experiment_location,
    logged_model_artifact_uri,
    run_artifact_uri,
    store_path_of,
)
from services.core.clock import now_ms
from services.core.db.tables.imports import import_ledger
from services.core.storage.base import ArtifactStore
from services.importer import ledger, writer
from services.importer.artifacts import copy_tree
from services.importer.model import Experiment, LoggedModel, Reader, RegisteredModel, Run
from services.importer.report import Bars, Mapping, Outcome, Planned, Report
from services.importer.sources import Roots, UnresolvedSource, rewrite
from services.importer.stored import comparable, stored_run
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


@dataclass(frozen=True)
class Placed:
    experiment_id: int | None  # None: a dry run's experiment that would get a new id
    location: str


def _why(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


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
        statement = insert(import_ledger).values(
            source=self.source,
            kind="import",
            source_id="state",
            target_id=state,
            fingerprint="",
            imported_at=now_ms(),
        )
        async with self.engine.begin() as conn:
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["source", "kind", "source_id"],
                    set_={"target_id": state, "imported_at": statement.excluded.imported_at},
                )
            )

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
                    self.report.present.append(Outcome("experiment", source_id, experiment.name))
                    return Placed(row.experiment_id, row.artifact_location)
            wanted = int(source_id) if source_id.isdigit() else None
            same_id = None if wanted is None else await writer.experiment_by_id(conn, wanted)
            same_name = await writer.experiment_by_name(conn, experiment.name)
            if same_id is not None and same_id.name == experiment.name:
                if not self.options.dry_run:
                    await writer.add_experiment_tags(conn, same_id.experiment_id, experiment.tags)
                    digest = ledger.fingerprint(experiment)
                    await ledger.record(
                        conn, self.source, "experiment", source_id, str(wanted), digest
                    )
                self.report.present.append(Outcome("experiment", source_id, experiment.name))
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
            await ledger.record(
                conn,
                self.source,
                "experiment",
                source_id,
                str(new_id),
                ledger.fingerprint(experiment),
            )
        if keep_id is None:
            self.report.mappings.append(Mapping(experiment.name, source_id, str(new_id)))
        self.report.imported.append(Outcome("experiment", source_id, experiment.name))
        return Placed(new_id, experiment_location(new_id))

    async def _contents(self, experiment: Experiment, placed: Placed) -> None:
        source_id = experiment.experiment_id
        if self.options.dry_run:
            self.report.planned[source_id] = Planned(experiment.name)
        async with self.engine.connect() as conn:
            known_models = await ledger.entries(conn, self.source, "logged_model")
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
                await self._run(run_id, placed, source_id)
            self.bars.advance("runs")

        await asyncio.gather(*(one(run_id) for run_id in run_ids))

    async def _already(
        self, kind: str, source_id: str, known: ledger.Entry | None, digest: str, exists: Any
    ) -> bool:
        """True when the object must not be written: present with the same content, changed
        since its import, or here from somewhere else."""
        if known is not None:
            if known.fingerprint == digest:
                self.report.present.append(Outcome(kind, source_id))
            else:
                self.report.conflicts.append(
                    Outcome(kind, source_id, "changed in the source since it was imported here")
                )
            return True
        async with self.engine.connect() as conn:
            if await exists(conn, source_id):
                self.report.conflicts.append(
                    Outcome(kind, source_id, "this id exists here with other content")
                )
                return True
        return False

    async def _plan_artifacts(self, root: str) -> int:
        files = await asyncio.to_thread(self.reader.artifacts.list_files, root)
        return sum(f.size for f in files)

    async def _logged_model(self, model: LoggedModel, placed: Placed, known: Any) -> None:
        try:
            digest = ledger.fingerprint(model)
            target_root = logged_model_artifact_uri(placed.location, model.model_id)
            if await self._already(
                "logged_model", model.model_id, known, digest, writer.logged_model_exists
            ):
                if known is not None and known.fingerprint == digest:
                    self.model_roots[model.model_id] = Roots(model.artifact_location, target_root)
                    self._check_model(model, target_root, {})
                return
            if self.options.dry_run:
                plan = self.report.planned[model.experiment_id]
                plan.logged_models += 1
                plan.artifact_bytes += await self._plan_artifacts(model.artifact_location)
                self.model_roots[model.model_id] = Roots(model.artifact_location, target_root)
                return
            copied = await copy_tree(
                self.reader.artifacts,
                model.artifact_location,
                self.store,
                store_path_of(target_root),
                self.streams,
                self._bytes,
            )
            assert placed.experiment_id is not None
            async with self.engine.begin() as conn:
                await writer.write_logged_model(conn, model, placed.experiment_id, placed.location)
                await ledger.record(
                    conn, self.source, "logged_model", model.model_id, model.model_id, digest
                )
            self.model_roots[model.model_id] = Roots(model.artifact_location, target_root)
            self.report.imported.append(Outcome("logged_model", model.model_id, model.name))
            self._check_model(model, target_root, {c.path: c.sha256 for c in copied})
        except Exception as error:
            self.report.failed.append(Outcome("logged_model", model.model_id, _why(error)))

    def _check_model(self, model: LoggedModel, target_root: str, sha: dict[str, str]) -> None:
        counts = {
            "params": len(model.params),
            "tags": len(model.tags),
            "points": len(model.metrics),
        }
        self.checks.append(
            Check("logged_model", model.model_id, counts, model.artifact_location, target_root, sha)
        )

    def _bytes(self, amount: int) -> None:
        self.report.artifact_bytes += amount
        self.bars.advance("bytes", amount)

    async def _run(self, run_id: str, placed: Placed, experiment_id: str) -> None:
        try:
            run = await asyncio.to_thread(self.reader.run, run_id)
            digest = ledger.fingerprint(comparable(run))
            target_root = run_artifact_uri(placed.location, run_id)
            async with self.engine.connect() as conn:
                here = await stored_run(conn, run_id)
            if here is not None:
                self._compare(run, here, digest, target_root, experiment_id)
                return
            self.run_roots[run_id] = Roots(run.artifact_uri, target_root)
            if self.options.dry_run:
                plan = self.report.planned[experiment_id]
                plan.runs += 1
                plan.points += len(writer.unique_points(run))
                plan.artifact_bytes += await self._plan_artifacts(run.artifact_uri)
                return
            self.bars.grow("points", len(run.metrics))
            copied = await copy_tree(
                self.reader.artifacts,
                run.artifact_uri,
                self.store,
                store_path_of(target_root),
                self.streams,
                self._bytes,
            )
            assert placed.experiment_id is not None
            async with self.engine.begin() as conn:
                points = await writer.write_run(conn, run, placed.experiment_id, placed.location)
                await ledger.record(conn, self.source, "run", run_id, run_id, digest)
            self.report.imported.append(Outcome("run", run_id, run.name))
            self.report.points += points
            self.bars.advance("points", len(run.metrics))
            sha = {c.path: c.sha256 for c in copied}
            self.checks.append(
                Check("run", run_id, _run_counts(run), run.artifact_uri, target_root, sha)
            )
        except Exception as error:
            self.run_roots.pop(run_id, None)
            self.report.failed.append(Outcome("run", run_id, _why(error)))

    def _compare(
        self, run: Run, here: Run, digest: str, target_root: str, experiment_id: str
    ) -> None:
        """A run id already here: present when its content is the source's, else a conflict
        naming what differs (never overwritten)."""
        if ledger.fingerprint(comparable(here)) != digest:
            ours, theirs = comparable(run), comparable(here)
            differing = [
                f.name
                for f in fields(Run)
                if ledger.fingerprint_of(getattr(ours, f.name))
                != ledger.fingerprint_of(getattr(theirs, f.name))
            ]
            self.report.conflicts.append(
                Outcome(
                    "run",
                    run.run_id,
                    f"exists here with different {', '.join(differing)}; not overwritten",
                )
            )
            return
        self.report.present.append(Outcome("run", run.run_id))
        self.run_roots[run.run_id] = Roots(run.artifact_uri, target_root)
        if self.options.dry_run:
            self.report.planned[experiment_id].present += 1
        else:
            self.checks.append(
                Check("run", run.run_id, _run_counts(run), run.artifact_uri, target_root)
            )

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
        digest = ledger.fingerprint(model)
        counts = {
            "versions": len(model.versions),
            "aliases": len(model.aliases),
            "tags": len(model.tags),
        }
        if await self._already(
            "registered_model", model.name, known, digest, writer.registered_model_exists
        ):
            if known is not None and known.fingerprint == digest:
                self.checks.append(Check("registered_model", model.name, counts))
            return
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
        if self.options.dry_run:
            return
        async with self.engine.begin() as conn:
            await writer.write_registered_model(conn, model, versions)
            await ledger.record(
                conn, self.source, "registered_model", model.name, model.name, digest
            )
        self.report.imported.append(Outcome("registered_model", model.name))
        self.checks.append(Check("registered_model", model.name, counts))
