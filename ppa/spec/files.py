"""Reading and writing user files safely: the one atomic writer every output goes through, and bounded text input.

- `write_atomic` writes a temporary file in the target's folder and renames it into place, so a failure never
  leaves a partial file; it refuses a target that is also an input of the run, and replaces an existing file only
  when it is an earlier ppa output of the same kind (`kind`, recognised by its content). It never deletes
  anything but its own temporary file.
- `read_text` reads a user's text file with a size limit (`PPA_MAX_INPUT_BYTES`, default 16 MiB) and decodes
  UTF-8 (with or without a BOM) or BOM-marked UTF-16; anything else is one PpaError naming the line. Every loader
  (specs, networks, grids, NeuroSim CSV) reads through it; `require_file` checks the path ONNX's reader opens.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Union

from ppa.errors import PpaError

MAX_INPUT_BYTES = 16 * 1024 * 1024
INPUT_LIMIT_ENV = "PPA_MAX_INPUT_BYTES"
Data = Union[str, bytes, Callable[[Path], None]]


def _env_limit(name: str, default: int) -> int:
    """A positive whole-number limit from the environment variable `name`, else `default`."""
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = int(text)
    except ValueError:
        raise PpaError(f"expected a whole number, got {text!r}", field=name) from None
    if value < 1:
        raise PpaError(f"expected a positive whole number, got {value}", field=name)
    return value


def input_limit() -> int:
    """Largest input file read, in bytes (`PPA_MAX_INPUT_BYTES`, default 16 MiB)."""
    return _env_limit(INPUT_LIMIT_ENV, MAX_INPUT_BYTES)


def check_size(path: Path, limit: int | None = None) -> None:
    """Refuse a file larger than `limit` bytes before reading any of it."""
    limit = input_limit() if limit is None else limit
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise PpaError("file not found", file=str(path)) from None
    except OSError as exc:
        raise PpaError(f"cannot read file ({exc.strerror})", file=str(path)) from None
    if size > limit:
        raise PpaError(f"file is {size:,} bytes, above the {limit:,}-byte input limit "
                       f"(raise it with the environment variable {INPUT_LIMIT_ENV})", file=str(path))


def decode(raw: bytes, path: str | Path) -> str:
    """UTF-8 (BOM optional) or UTF-16 with a BOM; other bytes are a PpaError naming the line of the first bad byte."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise PpaError("starts with a UTF-16 byte-order mark but is not valid UTF-16; save it as UTF-8",
                           file=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise PpaError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                       file=str(path), line=line) from None
    if "\x00" in text:
        raise PpaError("holds NUL bytes: not a text file", file=str(path), line=text[:text.index("\x00")].count("\n") + 1)
    return text


def read_text(path: str | Path, limit: int | None = None) -> str:
    """A user's text file (size-limited, decoded by `decode`); every failure is one PpaError naming the file.

    At most limit + 1 bytes are read, so a device or a pipe with no end (`/dev/zero`, whose size says 0) stops at
    the limit too; a path the OS cannot take (a NUL byte) is one error like the others.
    """
    path = Path(path)
    limit = input_limit() if limit is None else limit
    try:
        if path.is_dir():
            raise PpaError("is a folder, expected a file", file=str(path))
        check_size(path, limit)
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        raise PpaError("file not found", file=str(path)) from None
    except OSError as exc:
        raise PpaError(f"cannot read file ({exc.strerror or exc})", file=str(path)) from None
    except ValueError as exc:   # e.g. a NUL byte in the path
        raise PpaError(f"not a usable path ({exc})", file=repr(str(path))) from None
    if len(raw) > limit:
        raise PpaError(f"holds more than the {limit:,}-byte input limit (raise it with the environment variable "
                       f"{INPUT_LIMIT_ENV})", file=str(path))
    return decode(raw, path)


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


def check_path_argument(value, name: str = "path") -> None:
    """A TypeError naming the argument unless `value` is a path (str or os.PathLike)."""
    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file path or a shipped name (str or Path), got {type(value).__name__}")


# ---------------------------------------------------------------- outputs

def _head(path: Path, size: int = 65536) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def _is_report(path: Path) -> bool:
    return b"Generated by " in _head(path) and b"ppa report " in _head(path)


def _is_sweep_table(path: Path) -> bool:
    head = _head(path)
    if head.startswith(b"PAR1"):       # parquet: ppa's own only if it has ppa's columns
        try:
            import pyarrow.parquet as pq

            names = set(pq.read_schema(path).names)
        except Exception:  # noqa: BLE001 - not readable as parquet: not ours
            return False
        return {"point", "pareto", "energy_j"} <= names
    first = head.split(b"\n", 1)[0].split(b",")
    return first[:1] == [b"point"] and b"pareto" in [c.strip() for c in first]


def _is_sweep_chunk(path: Path) -> bool:
    return _head(path, 64).startswith(b"# ppa sweep chunk ")


#: kind of output -> how an earlier ppa output of that kind is recognised (so it may be replaced)
RECOGNISERS: dict[str, Callable[[Path], bool]] = {
    "report": _is_report,
    "sweep table": _is_sweep_table,
    "sweep chunk": _is_sweep_chunk,
    "sweep marker": lambda p: _head(p, 64).lstrip().startswith(b'{"ppa": "sweep resume folder"'),
}


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (existing files compared by inode, others by resolved path)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def refuse_inputs(out: str | Path, inputs: Iterable[str | Path | None]) -> None:
    """A PpaError when output `out` is (resolves to) one of `inputs`."""
    out = Path(out)
    for inp in inputs:
        if inp is not None and same_file(out, Path(inp)):
            raise PpaError(f"the output is also an input ({inp}); choose another output name", file=str(out))


def check_writable(path: str | Path, kind: str | None = None, inputs: Iterable[str | Path | None] = ()) -> None:
    """The checks of `write_atomic` without writing (so a long run fails before it starts, not after)."""
    out = Path(path)
    refuse_inputs(out, inputs)
    if out.is_dir():
        raise PpaError("is a folder; expected a file name", file=str(out))
    if out.exists() or out.is_symlink():
        if out.is_symlink() or not out.is_file():
            raise PpaError("exists and is not a regular file; ppa replaces only its own outputs", file=str(out))
        recognise = RECOGNISERS.get(kind) if kind else None
        if recognise is None or not recognise(out):
            what = f"a ppa {kind}" if kind else "a file ppa wrote"
            raise PpaError(f"exists and is not {what}; ppa never overwrites other files: remove it or choose "
                           "another name", file=str(out))


def write_atomic(data: Data, path: str | Path, kind: str | None = None, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Write `data` (text, bytes, or a function writing to the path it is given) to `path` through a temp file + rename.

    An existing `path` is replaced only when it is an earlier ppa output of `kind` (see RECOGNISERS; no `kind`:
    any existing file is refused), and never when it is one of `inputs`. Only the temp file is ever removed.
    """
    out = Path(path)
    check_writable(out, kind, inputs)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        if callable(data):
            os.close(fd)
            data(Path(tmp))
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return out
