"""What an import did, object by object: imported, already present, conflicts (listed, never
overwritten), failures with their reason, experiment id mappings, and the verification's
findings; and the progress bars while it runs."""

from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table


@dataclass(frozen=True)
class Outcome:
    kind: str  # experiment, run, logged_model, registered_model, artifact
    source_id: str
    detail: str = ""


@dataclass(frozen=True)
class Mapping:
    name: str
    source_id: str
    target_id: str


@dataclass
class Planned:
    """--dry-run: what one experiment would bring."""

    name: str
    runs: int = 0
    present: int = 0
    points: int = 0
    artifact_bytes: int = 0
    logged_models: int = 0


@dataclass
class Report:
    imported: list[Outcome] = field(default_factory=list)
    present: list[Outcome] = field(default_factory=list)
    conflicts: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    notes: list[Outcome] = field(default_factory=list)
    mappings: list[Mapping] = field(default_factory=list)
    mismatches: list[Outcome] = field(default_factory=list)
    planned: dict[str, Planned] = field(default_factory=dict)
    verified: Counter = field(default_factory=Counter)
    points: int = 0
    artifact_bytes: int = 0

    @property
    def clean(self) -> bool:
        return not (self.failed or self.conflicts or self.mismatches)

    def counts(self, outcomes: list[Outcome]) -> str:
        by_kind = Counter(o.kind for o in outcomes)
        return ", ".join(f"{n} {kind.replace('_', ' ')}(s)" for kind, n in sorted(by_kind.items()))

    def render(self, console: Console) -> None:
        if self.planned:
            self._render_plan(console)
            return
        if self.mappings:
            table = Table(
                title="Experiment ids that were taken here (tag grimoire.import.source_id)"
            )
            for column in ("experiment", "source id", "Grimoire id"):
                table.add_column(column)
            for m in self.mappings:
                table.add_row(m.name, m.source_id, m.target_id)
            console.print(table)
        for title, outcomes in (
            ("Conflicts (not overwritten)", self.conflicts),
            ("Failed", self.failed),
            ("Kept as they were", self.notes),
            ("Verification mismatches", self.mismatches),
        ):
            if outcomes:
                table = Table(title=title)
                for column in ("kind", "source id", "reason"):
                    table.add_column(column)
                for o in outcomes:
                    table.add_row(o.kind, o.source_id, o.detail)
                console.print(table)
        if not self.imported:
            console.print(
                "Nothing imported: everything in the source is already here."
                if self.clean
                else "Nothing imported."
            )
        else:
            console.print(
                f"Imported {self.counts(self.imported)}: {self.points:,} metric points, "
                f"{self.artifact_bytes:,} bytes of artifacts."
            )
        if self.present:
            console.print(f"Already present, unchanged: {self.counts(self.present)}.")
        if self.verified:
            checked = ", ".join(f"{n:,} {what}" for what, n in sorted(self.verified.items()))
            verdict = "[green]match[/]" if not self.mismatches else "[red]differ[/]"
            console.print(f"Verification, source against Grimoire: {checked}: {verdict}.")

    def _render_plan(self, console: Console) -> None:
        table = Table(title="Dry run: what would be imported (nothing written)")
        for column in (
            "experiment",
            "runs",
            "already here",
            "metric points",
            "artifact bytes",
            "logged models",
        ):
            table.add_column(column, justify="right" if column != "experiment" else "left")
        for plan in self.planned.values():
            table.add_row(
                plan.name,
                f"{plan.runs:,}",
                f"{plan.present:,}",
                f"{plan.points:,}",
                f"{plan.artifact_bytes:,}",
                f"{plan.logged_models:,}",
            )
        console.print(table)
        for o in [*self.conflicts, *self.failed]:
            console.print(f"[yellow]{o.kind} {o.source_id}[/]: {o.detail}")


class Bars:
    """Experiments, runs, points and bytes, on stderr."""

    def __init__(self, console: Console):
        self.progress = Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {
            name: self.progress.add_task(name, total=None)
            for name in ("experiments", "runs", "points", "bytes")
        }

    def __enter__(self) -> "Bars":
        self.progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.progress.stop()

    def grow(self, name: str, amount: int) -> None:
        task = self.progress.tasks[self.tasks[name]]
        self.progress.update(self.tasks[name], total=(task.total or 0) + amount)

    def advance(self, name: str, amount: int = 1) -> None:
        self.progress.advance(self.tasks[name], amount)
