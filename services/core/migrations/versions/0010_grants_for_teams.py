"""Grants for teams: a create permission and roles on name patterns.

`create` grants (resource_id `experiment` or `registered_model`) let a team create without
EDIT on everything; `experiment_pattern` / `registered_model_pattern` grants give a role on
every experiment or model whose name matches a glob (`team-a/*`). A pattern's matches change
when a name does, so renaming an experiment or a registered model notifies the credential
channel (migration 0005's function), as a change of grants does: cached roles are emptied.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TYPES = "('experiment', 'registered_model', 'default'{more})"
_MORE = ", 'create', 'experiment_pattern', 'registered_model_pattern'"
_RENAMED = """
    CREATE TRIGGER {table}_renamed AFTER UPDATE OF name ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION grimoire_credentials_changed()
"""


def _resource_types(more: str) -> None:
    op.drop_constraint(op.f("ck_grants_resource_type"), "grants", type_="check")
    op.create_check_constraint(
        op.f("ck_grants_resource_type"), "grants", f"resource_type IN {_TYPES.format(more=more)}"
    )


def upgrade() -> None:
    _resource_types(_MORE)
    for table in ("experiments", "registered_models"):
        op.execute(_RENAMED.format(table=table))


def downgrade() -> None:
    for table in ("experiments", "registered_models"):
        op.execute(f"DROP TRIGGER {table}_renamed ON {table}")
    op.execute(
        "DELETE FROM grants WHERE resource_type IN "
        "('create', 'experiment_pattern', 'registered_model_pattern')"
    )
    _resource_types("")
