"""The ``whoknows`` command line. Each command group lives in its own module and registers on ``main.app``."""

from __future__ import annotations

import importlib

from app.cli.main import app

# command modules, imported for their @app.command side effects
COMMAND_MODULES = (
    "app.cli.store_cmd",
    "app.cli.ingest_cmd",
    "app.cli.demo_data_cmd",
    "app.cli.analyze_cmd",
    "app.cli.serve_cmd",
    "app.cli.evaluate_cmd",
)


def register_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency, not a command module still to be written
                raise


def main() -> None:
    from app.cli.main import main as _main

    _main()


__all__ = ["app", "main", "register_commands"]
