"""One error type for bad input: it names the file, the line, the field and what was expected."""

from __future__ import annotations


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
        return f"{where}{field}{self.message}"
