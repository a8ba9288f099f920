"""The `grimoire` command's lazily loaded subcommands (services/cli/__init__.py): every name
in the table resolves to its own command, and starting the server command loads none of the
other commands' modules, which the supervising process would hold for the server's life."""

import json
import subprocess
import sys

import click

from services.cli import COMMANDS, main
from tests.fixtures.servers import REPO


def test_every_listed_command_resolves_to_the_command_of_that_name() -> None:
    context = click.Context(main)
    assert main.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        command = main.get_command(context, name)
        assert isinstance(command, click.Command) and command.name == name


def test_the_server_command_loads_no_other_command_module() -> None:
    probe = (
        "import json, sys, click\n"
        "from services.cli import main\n"
        "main.get_command(click.Context(main), 'server')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('services.cli.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [
        "services.cli.console",
        "services.cli.server",
        "services.cli.settings_options",
    ]
