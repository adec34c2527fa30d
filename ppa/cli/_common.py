"""Options and output helpers shared by the CLI commands."""

from __future__ import annotations

import click

from ppa.report import FORMATS


def format_option(default: str = "table", choices: tuple[str, ...] = FORMATS):
    """The --format option every reporting command takes."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format: aligned table, csv, one json object, markdown, or a LaTeX booktabs table.",
    )


def emit(text: str) -> None:
    """Write a fully rendered output in one piece (never a partly written report)."""
    click.echo(text, nl=not text.endswith("\n"))
