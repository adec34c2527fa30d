"""Reading input files for every loader (specs, networks, grids, NeuroSim CSV, ONNX): one place that turns
whatever the operating system or the bytes throw (missing file, folder, permissions, bytes that are not UTF-8,
a path with a NUL) into a one-line PpaError naming the file and, for bad bytes, the line."""

from __future__ import annotations

from pathlib import Path

from ppa.errors import PpaError


#: The largest spec, network, grid or CSV file read (the shipped ones are a few kB): /dev/zero must not eat memory.
MAX_TEXT_BYTES = 16 * 2**20


def read_bytes(path: str | Path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of an input file (at most `limit`); any failure to read it is a PpaError naming the file."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise PpaError(f"larger than {limit // 2**20} MiB: not a spec, network, grid or CSV file", file=str(path))
        return data
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


def require_file(path: str | Path) -> Path:
    """`path` when it names a regular file (for readers that open the file themselves, such as ONNX's)."""
    p = Path(path)
    try:
        if p.is_file():
            return p
        exists, folder = p.exists(), p.is_dir()
    except (OSError, ValueError) as exc:
        raise PpaError(f"not a usable path ({exc})", file=repr(str(path))) from None
    what = "is a folder, expected a file" if folder else "not a regular file (a device or a pipe)" if exists else "file not found"
    raise PpaError(what, file=str(path))
