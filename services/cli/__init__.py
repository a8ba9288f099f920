"""The `grimoire` command: one module per command group, each imported only when its command
runs (or when help lists the commands). `grimoire server`'s supervising process lives as long
as the server and holds every module it imported: with all commands loaded it held ~9 MiB
more (httpx, YAML, archives for `run` and `import`) and started ~0.1 s later
(docs/benchmarks.md)."""

import importlib
from typing import Any

import click

# Command name -> "module:attribute" of its click command.
COMMANDS = {
    "server": "services.cli.server:server",
    "db": "services.cli.db:db",
    "token": "services.cli.tokens:token",
    "grant": "services.cli.grants:grant",
    "revoke": "services.cli.grants:revoke",
    "routes": "services.cli.tables:routes",
    "policy": "services.cli.tables:policy",
    "service-account": "services.cli.service_accounts:service_account",
    "run": "services.cli.run_command:run",
    "job-exec": "services.cli.job_exec:job_exec",
    "import": "services.cli.import_command:import_history",
}


class LazyGroup(click.Group):
    """click's pattern for lazily loaded subcommands: `lazy_commands` says where each lives."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = self.lazy_commands[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command) or command.name != cmd_name:
            raise RuntimeError(f"{self.lazy_commands[cmd_name]} is not the {cmd_name!r} command")
        return command


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
def main() -> None:
    """Grimoire: ML experiment tracking and model registry that speaks MLflow's protocol."""
