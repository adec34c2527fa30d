"""Where the shipped specs, networks and grids live: one place, so every loader resolves shipped names alike.

The top-level `hwspecs/` and `networks/` folders of the repository are the source of truth. In a checkout,
`ppa/_shipped/hwspecs` and `ppa/_shipped/networks` are symbolic links to them; the build backend follows the
links and copies the files into the wheel as package data (pyproject.toml `[tool.setuptools.package-data]`),
so an installed ppa finds them at the same place inside the package, from any working directory.
"""

from __future__ import annotations

from pathlib import Path

from ppa.errors import PpaError

#: The folder holding `hwspecs/` and `networks/`: `ppa/_shipped` (links into the checkout, or installed copies).
ROOT = Path(__file__).resolve().parents[1] / "_shipped"

#: The kinds of shipped files, each a folder under ROOT, with the file patterns `ppa list` shows.
KINDS = {"hwspecs": "*.yaml", "networks": "*.*", "hwspecs/grids": "*.yaml", "hwspecs/macros": "*.yaml"}


def shipped_dir(kind: str) -> Path:
    """The folder of shipped files of one kind: 'hwspecs', 'networks', 'hwspecs/grids' or 'hwspecs/macros'.

    Symbolic links are resolved, so in a checkout messages name `hwspecs/dw_40nm.yaml` in the repository.
    """
    folder = ROOT / kind
    if not folder.is_dir():   # a checkout made without symbolic links (Windows without core.symlinks)
        folder = ROOT.parents[1] / kind
    return folder.resolve()


def shipped_files(kind: str) -> list[Path]:
    """The shipped files of one kind, sorted by name (an empty list if the folder is missing)."""
    folder = shipped_dir(kind)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(KINDS.get(kind, "*")) if p.is_file() and not p.name.startswith("."))


def find_shipped(name: str | Path, kind: str) -> Path | None:
    """A shipped file of `kind` named `name` (`vgg8`, `vgg8.yaml`, `networks/vgg8.yaml`), or None."""
    p = Path(name)
    folder = shipped_dir(kind)
    for candidate in (folder / p.name, folder / f"{p.name}.yaml"):
        if candidate.is_file():
            return candidate
    return None


_WHAT = {"hwspecs": "hardware spec", "networks": "network", "hwspecs/grids": "grid", "hwspecs/macros": "macro"}


def resolve(name: str | Path, kind: str) -> Path:
    """`name` itself when it exists, else the shipped file of that name; neither is a PpaError listing the shipped ones."""
    p = Path(name)
    if p.exists():
        return p
    found = find_shipped(p, kind)
    if found is not None:
        return found
    import difflib

    known = [f.stem for f in shipped_files(kind)]
    close = difflib.get_close_matches(p.stem, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise PpaError(f"no such file, nor a shipped {_WHAT.get(kind, kind)} of that name (shipped: {', '.join(known)}){hint}",
                   file=str(name))
