"""The `grimoire` command: one module per command group."""

import click

from services.cli.db import db
from services.cli.grants import grant, revoke
from services.cli.import_command import import_history
from services.cli.job_exec import job_exec
from services.cli.run_command import run
from services.cli.server import server
from services.cli.service_accounts import service_account
from services.cli.tables import policy, routes
from services.cli.tokens import token


@click.group()
def main() -> None:
    """Grimoire: ML experiment tracking and model registry that speaks MLflow's protocol."""


COMMANDS = (server, db, token, grant, revoke, routes, policy, service_account)
for command in (*COMMANDS, run, job_exec, import_history):
    main.add_command(command)
