"""Reading input files for every loader (specs, networks, grids, NeuroSim CSV, ONNX): one place that turns
whatever the operating system or the bytes throw (missing file, folder, permissions, bytes that are not UTF-8,
a path with a NUL) into a one-line PpaError naming the file and, for bad bytes, the line."""

from __future__ import annotations

from pathlib import Path

from ppa.errors import PpaError


def read_bytes(path: str | Path) -> bytes:
    """The bytes of an input file; any failure to read it is a PpaError naming the file."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise PpaError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise PpaError("is a folder, expected a file", file=str(path)) from None
    except OSError as exc:
        raise PpaError(f"cannot read file ({exc.strerror or exc})", file=str(path)) from None
    except ValueError as exc:   # e.g. a NUL byte in the path
        raise PpaError(f"not a usable path ({exc})", file=repr(str(path))) from None


def read_text(path: str | Path) -> str:
    """The UTF-8 text of an input file (a leading BOM dropped); bytes that are not UTF-8 name their line and column."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise PpaError(f"not UTF-8 text: byte 0x{data[exc.start]:02x} at column {column}; save the file as UTF-8",
                       file=str(path), line=line) from None
