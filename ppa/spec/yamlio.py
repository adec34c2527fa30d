"""YAML reading that remembers where each key was written, and `extends:` inheritance between files.

Errors found later (pydantic validation, network shape checks) are reported at the file and line of the
offending field. `extends: other.yaml` inside any mapping loads that file (relative to the current one, else a shipped spec by name)
and lays this mapping's keys over it, recursively; a plain string where a section is expected
(`technology: tech_40nm.yaml`) means the same as `{extends: tech_40nm.yaml}`.

Reading is bounded: files above the input limit are refused before parsing (`ppa.spec.files.read_text`),
nesting deeper than MAX_DEPTH and documents that build more than MAX_NODES values (alias bombs: `&a [*a, *a]`
repeated) are refused with the limit named (raise them with `PPA_MAX_YAML_NODES` / `PPA_MAX_YAML_DEPTH`);
only the plain YAML types are read: any other tag (`!!python/...`, `!include`) is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ppa.errors import PpaError
from ppa.spec.files import _env_limit, read_text

MAX_NODES = 200_000        # values built from one document (aliases count every time they are expanded)
MAX_DEPTH = 100            # nested mappings/lists
NODES_ENV, DEPTH_ENV = "PPA_MAX_YAML_NODES", "PPA_MAX_YAML_DEPTH"
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
FILE_SECTIONS = ("technology",)  # top-level sections that may be given as a file name
Loc = tuple  # a path of keys / list indices into the document
_DISTRIBUTION_FORMS = (frozenset({"value", "spread"}), frozenset({"low", "high"}), frozenset({"value", "sigma"}))  # see distributions.py


@dataclass
class Document:
    """Plain data from a YAML file plus the (file, line) of every key path."""

    data: Any
    path: Path
    lines: dict[Loc, tuple[str, int]] = field(default_factory=dict)

    def where(self, loc: Loc) -> tuple[str, int | None]:
        """The file and line that best match a key path (the deepest known prefix)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return str(self.path), None

    def error(self, loc: Loc, message: str) -> PpaError:
        """A PpaError located at `loc` in this document."""
        file, line = self.where(loc)
        return PpaError(message, file=file, line=line, field=".".join(str(p) for p in loc) or None)


class _Budget:
    """Counts the values built from one document and refuses too many or too deep (alias bombs, recursion)."""

    def __init__(self, file: str):
        self.file = file
        self.nodes = 0
        self.max_nodes = _env_limit(NODES_ENV, MAX_NODES)
        self.max_depth = _env_limit(DEPTH_ENV, MAX_DEPTH)

    def take(self, node: yaml.Node, depth: int) -> None:
        self.nodes += 1
        line = node.start_mark.line + 1
        if self.nodes > self.max_nodes:
            raise PpaError(f"the document builds more than {self.max_nodes:,} values (repeated aliases?); "
                           f"raise the limit with the environment variable {NODES_ENV}", file=self.file, line=line)
        if depth > self.max_depth:
            raise PpaError(f"nesting deeper than {self.max_depth} levels (a recursive alias?); "
                           f"raise the limit with the environment variable {DEPTH_ENV}", file=self.file, line=line)


def _construct(node: yaml.Node, loc: Loc, file: str, lines: dict, budget: _Budget | None = None, depth: int = 0) -> Any:
    budget = budget or _Budget(file)
    budget.take(node, depth)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        raise PpaError(f"unsupported YAML tag {node.tag!r}: only plain mappings, lists and scalars are read",
                       file=file, line=node.start_mark.line + 1, field=".".join(map(str, loc)) or None)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise PpaError("a key must be a plain name, not a mapping or a list", file=file,
                               line=key_node.start_mark.line + 1, field=".".join(map(str, loc)) or None)
            key = key_node.value
            if key in out:
                raise PpaError(f"key {key!r} appears twice", file=file, line=key_node.start_mark.line + 1,
                               field=".".join(map(str, loc + (key,))))
            lines[loc + (key,)] = (file, key_node.start_mark.line + 1)
            out[key] = _construct(value_node, loc + (key,), file, lines, budget, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[loc + (i,)] = (file, item.start_mark.line + 1)
            items.append(_construct(item, loc + (i,), file, lines, budget, depth + 1))
        return items
    try:
        return _scalar(node)
    except Exception as exc:   # PyYAML's constructors fail in many ways on odd text: 2001-13-45, '!!float', !!binary xx
        problem = getattr(exc, "problem", None) or str(exc) or type(exc).__name__
        raise PpaError(f"cannot read this value: {problem.splitlines()[0]} (only plain YAML types are read)", file=file,
                       line=node.start_mark.line + 1, field=".".join(map(str, loc)) or None) from None


_SCALARS = yaml.SafeLoader("")   # one constructor for every scalar (resolving tags needs no stream state)


def _scalar(node: yaml.ScalarNode) -> Any:
    value = _SCALARS.construct_object(node, deep=True)
    _SCALARS.constructed_objects.pop(node, None)   # no cache kept across documents
    return value


def _nesting(text: str, path: Path, limit: int) -> None:
    """Refuse nesting deeper than `limit` from the event stream (PyYAML's composer would recurse into it)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limit:
                raise PpaError(f"nesting deeper than {limit} levels; raise the limit with the environment variable "
                               f"{DEPTH_ENV}", file=str(path), line=event.start_mark.line + 1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _expanded_size(root: yaml.Node, path: Path, budget: "_Budget") -> None:
    """Values the document would build with every alias expanded (counted once per distinct node, so an alias
    bomb is measured without being built); a recursive alias is refused."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise PpaError("a recursive alias (a collection that contains itself) cannot be read",
                           file=str(path), line=node.start_mark.line + 1)
        active.add(key)
        if isinstance(node, yaml.MappingNode):
            n = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            n = 1 + sum(size(v) for v in node.value)
        else:
            n = 1
        active.discard(key)
        sizes[key] = n = min(n, budget.max_nodes + 1)
        if n > budget.max_nodes:
            raise PpaError(f"the document builds more than {budget.max_nodes:,} values (repeated aliases?); raise the "
                           f"limit with the environment variable {NODES_ENV}", file=str(path), line=node.start_mark.line + 1)
        return n

    size(root)


def read_yaml(path: str | Path) -> Document:
    """Parse a YAML file into a Document; malformed YAML becomes a PpaError with its line."""
    path = Path(path)
    text = read_text(path)
    budget = _Budget(str(path))
    try:
        _nesting(text, path, budget.max_depth)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise PpaError(f"malformed YAML: {problem}", file=str(path), line=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise PpaError(f"nesting too deep to read (the limit is {budget.max_depth} levels)", file=str(path)) from None
    lines: dict[Loc, tuple[str, int]] = {}
    if node is not None:
        _expanded_size(node, path, budget)
    data = _construct(node, (), str(path), lines, budget) if node is not None else None
    return Document(data, path, lines)


def _merge(base: Any, over: Any) -> Any:
    """Lay `over` on `base`: mappings merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        if frozenset(over) in _DISTRIBUTION_FORMS:
            return over  # a complete distribution replaces the base value or distribution, never mixes with it
        if "kind" in over and over.get("kind") != base.get("kind"):
            return over  # a different kind of section (e.g. device: sram over dw_mtj) replaces, never mixes
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base[key], value) if key in base else value
        return out
    return over


def _extended_path(here: Path, target: str) -> Path:
    """The file an `extends:` names: relative to the extending file, else a shipped spec by name (`dw_40nm`)."""
    local = (here.parent / target).resolve()
    if local.exists() or local.with_suffix(".yaml").exists() and not target.endswith(".yaml"):
        return local if local.exists() else local.with_suffix(".yaml")
    from ppa.spec.shipped import shipped_dir

    name = Path(target).name
    for candidate in (shipped_dir("hwspecs") / name, shipped_dir("hwspecs") / f"{name}.yaml"):
        if "/" not in target and "\\" not in target and candidate.is_file():
            return candidate.resolve()
    return local


def resolve_extends(doc: Document, _seen: tuple[Path, ...] = ()) -> Document:
    """Resolve every `extends:` in the document (recursively, relative paths, cycles refused)."""
    lines = dict(doc.lines)

    def visit(value: Any, loc: Loc, here: Path, seen: tuple[Path, ...]) -> Any:
        if isinstance(value, dict) and not loc:
            value = {k: ({"extends": v} if k in FILE_SECTIONS and isinstance(v, str) else v) for k, v in value.items()}
        if isinstance(value, dict):
            value = {k: visit(v, loc + (k,), here, seen) for k, v in value.items()}
            if "extends" in value:
                target = value.pop("extends")
                if not isinstance(target, str):
                    raise doc.error(loc + ("extends",), "expected a path to a YAML file")
                try:
                    base_path = _extended_path(here, target)
                except (OSError, ValueError, RuntimeError) as exc:   # a NUL byte, a symlink loop
                    raise doc.error(loc + ("extends",), f"not a usable path ({exc})") from None
                if base_path in seen:
                    raise doc.error(loc + ("extends",), f"extends cycle through {target}")
                base = read_yaml(base_path)
                base = resolve_extends(base, seen + (base_path,))
                if not isinstance(base.data, dict):
                    raise doc.error(loc + ("extends",), f"{target} must hold a mapping")
                for k, v in base.lines.items():
                    lines.setdefault(loc + k, v)
                # keys written here win; their lines stay those of this file
                value = _merge(base.data, value)
            return value
        if isinstance(value, list):
            return [visit(v, loc + (i,), here, seen) for i, v in enumerate(value)]
        return value

    data = visit(doc.data, (), doc.path, _seen + (doc.path.resolve(),))
    return Document(data, doc.path, lines)
