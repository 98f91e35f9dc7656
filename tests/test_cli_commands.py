"""The commands of `echeancier` are built on demand (cold start, issue 9): the help still lists every command, each
command is the one typer builds when registered directly, and `simulate` imports nothing it does not use."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import import_module

import typer
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from echeancier.cli import COMMANDS, app

EXPECTED = [
    "simulate",
    "schedule",
    "organism",
    "serve",
    "forecast",
    "rights",
    "campaign",
    "law",
    "account",
    "payments",
    "tokens",
    "recovery",
]


def _eager_app() -> typer.Typer:
    """The same commands registered on one Typer the usual way (built all at once)."""
    eager = typer.Typer(name="echeancier", add_completion=False)
    for name, (module, attribute) in COMMANDS.items():
        target = getattr(import_module(module), attribute)
        if isinstance(target, typer.Typer):
            eager.add_typer(target, name=name)
        else:
            eager.command(name=name)(target)
    return eager


def _eager() -> TyperGroup:
    group = typer.main.get_command(_eager_app())
    assert isinstance(group, TyperGroup)
    return group


def _listing(group: TyperGroup) -> list[tuple[str, str]]:
    context = typer.Context(group)
    listing = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        listing.append((name, command.get_short_help_str(200)))
    return listing


def test_the_help_lists_every_command_in_order() -> None:
    output = subprocess.run(
        [sys.executable, "-m", "echeancier.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    listed = [line.split()[1] for line in output.splitlines() if line.startswith("│ ") and line.split()[1].isalpha()]
    names = [name for name in listed if name in EXPECTED]
    assert names == EXPECTED
    lazy = typer.main.get_command(app)
    assert isinstance(lazy, TyperGroup)
    assert [name for name, _ in _listing(lazy) if name in EXPECTED] == EXPECTED


def test_each_command_is_the_one_typer_builds_eagerly() -> None:
    lazy = typer.main.get_command(app)
    assert isinstance(lazy, TyperGroup)
    listed = [row for row in _listing(lazy) if row[0] in COMMANDS]
    assert listed == sorted(_listing(_eager()), key=lambda row: list(COMMANDS).index(row[0]))
    runner = CliRunner()
    eager = _eager_app()
    for arguments in (["simulate", "--help"], ["law", "show", "--help"], ["account", "create", "--help"]):
        assert runner.invoke(app, arguments).stdout == runner.invoke(eager, arguments).stdout, arguments


def test_simulate_builds_and_imports_only_what_it_uses() -> None:
    script = (
        "import sys\n"
        "from echeancier.cli import main\n"
        "sys.argv = ['echeancier', 'simulate', '--year', '2026', '--profession', 'artisan', '--income', '40000']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "import json, echeancier.cli as cli\n"
        "group = [m for m in sys.modules if m.split('.')[0] in ('numpy', 'pyarrow', 'polars', 'sqlalchemy')]\n"
        "sys.stderr.write(json.dumps(sorted(set(m.split('.')[0] for m in group)) + sorted(\n"
        "    m for m in sys.modules if m.startswith('echeancier.cli_'))) + '\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "Total" in done.stdout
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_an_unknown_command_is_matched_against_every_command() -> None:
    done = subprocess.run([sys.executable, "-m", "echeancier.cli", "acount"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == "erreur: acount: commande inconnue ; vouliez-vous dire 'account' ? (voir echeancier --help)\n"
