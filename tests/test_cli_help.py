"""Every command explains itself and ends its help with an example."""
from __future__ import annotations

import click
from click.testing import CliRunner

from navigator.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.extend(_commands(command, prefix + (name,)))
        else:
            found.append(prefix + (name,))
    return found


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    for path in _commands(main):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example:" in result.output, f"`navigator {' '.join(path)}` help lacks an example"
