"""The `memoryos` command line: a thin shell over the library."""

from __future__ import annotations

import logging
import sys

import typer

app = typer.Typer(help="memoryos: a memory operating system for personalized AI agents.", no_args_is_help=True)


@app.command()
def demo(data: str = typer.Option(None, "--data", envvar="MEMORYOS_DATA", help="Data directory (default: temp).")):
    """Run the quick-start demo on the embedded defaults (no LLM, no network)."""
    from .demo import run

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    run(data).close()


@app.callback()
def _root() -> None:
    """memoryos command line."""


def main() -> None:
    app()
