"""A source's registered model against the one here by the same name: what to write and what
conflicts. Compared by content (the rows are few), whatever the ledger says: a model this
source's earlier import made takes the versions the source gained since, and aliases it
lacks; anything that exists here with other content (a model from elsewhere, a version, an
alias, the model's description or tags) is a conflict, listed and never overwritten."""

from dataclasses import dataclass, field, replace

from services.importer.model import PlacedVersion, RegisteredModel
from services.importer.report import Outcome

# What must agree; the last-update times move with every change, so they are not compared.
MODEL_FIELDS = ("description", "creation_timestamp", "tags")
VERSION_FIELDS = (
    "creation_timestamp",
    "user_id",
    "current_stage",
    "description",
    "source",
    "run_id",
    "run_link",
    "status",
    "status_message",
    "tags",
)


@dataclass
class Plan:
    new_versions: list[PlacedVersion] = field(default_factory=list)
    new_aliases: dict[str, int] = field(default_factory=dict)
    conflicts: list[Outcome] = field(default_factory=list)
    notes: list[Outcome] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return bool(self.new_versions or self.new_aliases)


def _differing(ours: object, theirs: object, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if getattr(ours, name) != getattr(theirs, name)]


def _not_overwritten(kind: str, source_id: str, differing: list[str]) -> Outcome:
    what = ", ".join(differing)
    return Outcome(kind, source_id, f"exists here with different {what}; not overwritten")


def plan(
    model: RegisteredModel, versions: list[PlacedVersion], here: RegisteredModel, ours: bool
) -> Plan:
    """`ours`: this source's earlier import made the model here (the ledger says so); one
    from elsewhere that differs in anything is one conflict, left alone entirely."""
    differing = _differing(model, here, MODEL_FIELDS)
    here_versions = {v.version: v for v in here.versions}
    new_versions: list[PlacedVersion] = []
    version_conflicts = []
    notes: list[Outcome] = []
    for version, source, storage in versions:
        existing = here_versions.get(version.version)
        if existing is None and ours and version.version < here.next_version:
            name = f"{model.name}/{version.version}"
            notes.append(Outcome("model_version", name, "deleted here since imported; kept so"))
            continue
        if existing is None:
            new_versions.append((version, source, storage))
            continue
        changed = _differing(replace(version, source=source), existing, VERSION_FIELDS)
        if changed:
            name = f"{model.name}/{version.version}"
            version_conflicts.append(_not_overwritten("model_version", name, changed))
    numbers = set(here_versions) | {v.version for v, _, _ in new_versions}
    new_aliases = {}
    for alias, number in model.aliases.items():
        if alias not in here.aliases and number in numbers:
            new_aliases[alias] = number
        elif here.aliases.get(alias) != number:
            differing.append(f"alias {alias}")
    if not ours:
        what = [*differing]
        what += ["versions"] if version_conflicts or new_versions else []
        what += ["aliases"] if new_aliases else []
        return Plan(
            conflicts=[_not_overwritten("registered_model", model.name, what)] if what else []
        )
    model_conflict = (
        [_not_overwritten("registered_model", model.name, differing)] if differing else []
    )
    return Plan(new_versions, new_aliases, [*model_conflict, *version_conflicts], notes)
