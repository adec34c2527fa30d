"""One error type for bad input: it names the file, the line, the field and what was expected."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class PpaError(Exception):
    """Bad input from a user: printed as one line by the CLI (exit code 2), never as a traceback."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None):
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        field = f"{self.field}: " if self.field else ""
        # one line, and nothing a terminal would act on: control characters shown as escapes
        return _CONTROL.sub(lambda m: repr(m.group())[1:-1], f"{where}{field}{self.message}")
