"""Every ``whoknows`` subcommand answers ``--help`` (run as a real subprocess, as a user would)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import typer

from app.cli import register_commands
from app.cli.main import app

register_commands()


def _command_paths(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for command in group.registered_commands:
        name = command.name or (command.callback.__name__.replace("_", "-") if command.callback else "")
        paths.append((*prefix, name))
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        name = sub.name or (sub.typer_instance.info.name or "")
        paths.append((*prefix, name))
        paths.extend(_command_paths(sub.typer_instance, (*prefix, name)))
    return paths


COMMANDS = _command_paths(app)


def _whoknows() -> list[str]:
    exe = shutil.which("whoknows", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-c", "from app.cli import main; main()"]


def test_the_documented_commands_exist() -> None:
    names = {" ".join(p) for p in COMMANDS}
    documented = {"ingest", "ingest hris", "ingest forum", "analyze", "serve", "demo", "demo-data", "token", "stats"}
    assert documented <= names, documented - names


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda p: " ".join(p) or "whoknows")
def test_help(path: tuple[str, ...]) -> None:
    proc = subprocess.run([*_whoknows(), *path, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout
    assert "Traceback" not in proc.stderr
