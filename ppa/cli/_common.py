"""Options and output helpers shared by the CLI commands."""

from __future__ import annotations

import click

from ppa.report.tables import FORMATS


_FORMAT_WORDS = {"table": "an aligned table", "csv": "CSV", "json": "one JSON object", "markdown": "Markdown",
                 "latex": "LaTeX booktabs tables"}


def format_option(default: str = "table", choices: tuple[str, ...] = FORMATS):
    """The --format option every reporting command takes (its help lists only the offered formats)."""
    words = ", ".join(_FORMAT_WORDS.get(c, c) for c in choices)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help=f"Output format: {words}.",
    )


def emit(text: str) -> None:
    """Write a fully rendered output in one piece (never a partly written report)."""
    click.echo(text, nl=not text.endswith("\n"))
