"""Options and output helpers shared by the CLI commands."""

from __future__ import annotations

import math

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


class FiniteFloat(click.ParamType):
    """A finite number within [low, high] (`low_open`: strictly above low); inf and nan are refused."""

    name = "number"

    def __init__(self, low: float | None = None, high: float | None = None, low_open: bool = False):
        self.low, self.high, self.low_open = low, high, low_open

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            number = value
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                self.fail(f"expected a number, got {value!r}", param, ctx)
        if not math.isfinite(number):
            self.fail(f"expected a finite number, got {value!r}", param, ctx)
        if self.low is not None and (number <= self.low if self.low_open else number < self.low):
            self.fail(f"expected a number {'above' if self.low_open else 'at least'} {self.low:g}, got {number:g}", param, ctx)
        if self.high is not None and number > self.high:
            self.fail(f"expected a number at most {self.high:g}, got {number:g}", param, ctx)
        return number


def finite_list(text: str, what: str, low: float, high: float) -> list[float]:
    """Comma-separated finite numbers within (low, high]; a bad one is a click error naming it."""
    values = []
    for part in (t.strip() for t in text.split(",")):
        if not part:
            continue
        try:
            x = float(part)
        except ValueError:
            raise click.BadParameter(f"expected comma-separated {what}, got {part!r}") from None
        if not math.isfinite(x) or not low < x <= high:
            raise click.BadParameter(f"{what} must be finite, above {low:g} and at most {high:g}, got {part!r}")
        values.append(x)
    if not values:
        raise click.BadParameter(f"expected comma-separated {what}, got {text!r}")
    return values


def to_json(data, **options) -> str:
    """`ppa.report.tables.to_json` (no NaN or Infinity in JSON), imported when a command first needs it."""
    from ppa.report.tables import to_json as dump

    return dump(data, **options)


def crossbar_fields(path: str, fields_from, what: str):
    """Load a crossbar description and map it with `fields_from`; a field the model cannot take is one error naming it."""
    from ppa.accuracy.bayes_mtj import CrossbarNotModelled
    from ppa.errors import PpaError
    from ppa.spec.crossbar import load_crossbar

    xb = load_crossbar(path)
    try:
        return xb, fields_from(xb)
    except CrossbarNotModelled as exc:
        raise PpaError(f"not modelled by {what}: {exc.message}", file=path, field=exc.field) from None
