"""Design-space sweeps: a grid of spec overrides evaluated as numpy arrays, with Pareto marking and resume.

A grid file maps dotted spec paths to lists of values (`subarray.rows: [64, 128, 256]`); the key
`device` (or `hw`) lists base specs. Points are the cartesian product. Numeric fields are evaluated for
all points of a base spec at once: the mapping and pricing stages broadcast design parameters of shape
(points, 1) against layers (last axis), so a sweep is one array computation per chunk, not one estimate
call per point. Non-numeric fields (say `subarray.input_encoding`) split the points into groups, one
validated base spec per group.

Each field value is validated once against the spec models (bad values name the grid file, line and key);
combinations that break a cross-field rule (columns_per_adc > columns), or that need more tiles than a
fixed-size chip (`hierarchy.tiles`) has, are dropped and counted.
Results are written chunk by chunk next to the output (`OUT.parts/`), so an interrupted sweep resumes
where it stopped without losing or duplicating rows; the final table is written atomically.

Safety: the resume folder carries a marker (`ppa-sweep.json`) naming the output, the grid (a hash), the network,
mode and chunk size; ppa refuses to use a folder without it, or one holding files it did not write, and removes
only its own chunk files (never a folder by its name). Each chunk file starts with a header line giving its point
range, row count and the SHA-256 of its rows; a resume verifies every chunk and re-evaluates damaged ones, and the
final row count must equal the grid's valid points (invalid combinations counted from the grid itself) less those
too big for a fixed-size chip. Grids above MAX_GRID_POINTS (`PPA_MAX_GRID_POINTS`) are refused with their size
before any work; design points are generated chunk by chunk, never all at once.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from ppa.errors import PpaError
from ppa.cost.checks import check_priced
from ppa.cost.estimate import (PAPER_CATEGORIES, Mode, Prices, add_leakage, check_mode, chip_area, price_digital,
                               price_layers, price_operand_writes, vector_unit_area)
from ppa.cost.mapping import Geometry, LayerShapes, count_actions, count_digital, operand_writes, without_training_of_operands
from ppa.workload.network import Network
from ppa.spec import Chip, load_chip
from ppa.explore.sweep_result import SweepResult
from ppa.spec import files
from ppa.spec.chip import DW_GEOMETRY_FIELDS, notch_conductances, notch_states
from ppa.spec.shipped import resolve
from ppa.spec.technology import node_scaled
from ppa.spec.units import si_value
from ppa.spec.yamlio import Document, read_yaml

BASE_KEYS = ("device", "hw")
RESULT_COLUMNS = ("area_m2", "latency_s", "energy_j", "latency_paper_s", "energy_paper_j")
MAX_GRID_POINTS = 2_000_000          # the result table is held in memory: ~200 bytes a row
GRID_LIMIT_ENV = "PPA_MAX_GRID_POINTS"
MARKER = "ppa-sweep.json"
MARKER_ID = "sweep resume folder"
_CHUNK_FILE = re.compile(r"^chunk-(\d{6})\.csv$")
_OWN_TEMP = re.compile(r"^\.(chunk-\d{6}\.csv|ppa-sweep\.json)\.[A-Za-z0-9_]+\.tmp$")   # write_atomic's temp files
_CHUNK_HEADER = re.compile(r"^# ppa sweep chunk (\d+) points (\d+)-(\d+) rows (\d+) sha256 ([0-9a-f]{64})$")


@dataclass
class Grid:
    """A parsed grid: base specs and the values of each swept dotted path (in file order)."""

    bases: list[str]
    fields: dict[str, list]
    source: str = "<grid>"
    doc: Document | None = field(default=None, repr=False)

    @property
    def size(self) -> int:
        n = len(self.bases)
        for values in self.fields.values():
            n *= len(values)
        return n

    def fingerprint(self) -> str:
        """A hash of the grid's content, to refuse resuming a different sweep."""
        return hashlib.sha256(json.dumps({"bases": self.bases, "fields": self.fields}, sort_keys=True, default=str).encode()).hexdigest()[:16]


def load_grid(path: str | Path, default_hw: str = "dw_40nm") -> Grid:
    """Read a grid YAML (a file or a shipped grid's name); values must be non-empty lists; `device:` lists base specs."""
    files.check_path_argument(path)
    files.check_path_argument(default_hw, "default_hw")
    path = resolve(path, "hwspecs/grids")
    doc = read_yaml(path)
    if not isinstance(doc.data, dict) or not doc.data:
        raise PpaError("expected a mapping of dotted spec paths to lists of values", file=str(path))
    bases: list[str] = [default_hw]
    fields: dict[str, list] = {}
    for key, values in doc.data.items():
        if not isinstance(values, list) or not values:
            raise doc.error((key,), "expected a non-empty list of values")
        if len(set(map(str, values))) != len(values):
            raise doc.error((key,), "values repeat")
        if key in BASE_KEYS:
            bases = [_resolve_base(str(v), Path(path)) for v in values]
        else:
            fields[key] = values
    return Grid(bases, fields, str(path), doc)


def _resolve_base(name: str, grid_path: Path) -> str:
    candidate = grid_path.parent / name
    return str(candidate) if candidate.exists() else name


def _get(model: Any, dotted: str):
    node = model
    for part in dotted.split("."):
        if isinstance(node, BaseModel):
            if part not in type(node).model_fields:
                raise KeyError(part)
            node = getattr(node, part)
        else:
            raise KeyError(part)
    return node


def _set(data: dict, dotted: str, value) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value


def _validated(base: Chip, overrides: dict[str, Any], grid: Grid, key: str | None = None) -> Chip:
    data = base.model_dump()
    for dotted, value in overrides.items():
        _set(data, dotted, value)
    geometry = {f"device.{f}" for f in DW_GEOMETRY_FIELDS}
    if getattr(base.device, "notch_pitch", None) is not None and geometry & set(overrides) \
            and "device.conductances" not in overrides:
        data["device"].pop("conductances", None)      # derived from the geometry: derive them again
    try:
        return type(base).model_validate(data, context={"feature_size": base.technology.feature_size})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        msg = first["msg"].removeprefix("Value error, ")
        if grid.doc is not None and key is not None:
            raise grid.doc.error((key,), f"{msg} (at {where}, value {overrides.get(key)!r})") from None
        raise PpaError(f"{msg} (at {where})", file=grid.source) from None


def _is_numeric(value) -> bool:
    """Numbers and plain SI quantities ('22 nm') are broadcast as arrays; anything else splits groups."""
    return si_value(value) is not None


def design_points(grid: Grid, start: int = 0, stop: int | None = None) -> pd.DataFrame:
    """Points `start` to `stop` of the grid's cartesian product (last key fastest), as a table: `point`, `device`,
    then one column per dotted path. Built from the point indices, so a chunk never needs the whole grid."""
    stop = grid.size if stop is None else min(stop, grid.size)
    if stop - start > grid_limit():
        raise PpaError(f"{stop - start:,} design points at once, above the limit of {grid_limit():,}; take them in "
                       f"slices (start, stop) or raise {GRID_LIMIT_ENV}", file=grid.source)
    index = np.arange(start, max(start, stop), dtype=np.int64)
    axes = [("device", grid.bases), *grid.fields.items()]
    digits, rest = [], index.copy()
    for _, values in reversed(axes):
        digits.append(rest % len(values))
        rest //= len(values)
    data: dict[str, Any] = {"point": index}
    for (name, values), digit in zip(axes, reversed(digits)):
        data[name] = pd.Series(values).to_numpy()[digit]
    return pd.DataFrame(data)


def _valid_rows(points: pd.DataFrame, bases: dict[str, Chip]) -> np.ndarray:
    """Points that keep the subarray's cross-field rules (columns_per_adc <= columns, reference_columns < columns)."""
    def column(name: str) -> np.ndarray:
        key = f"subarray.{name}"
        if key in points:
            return points[key].map(si_value).to_numpy(dtype=np.float64)
        by_base = {b: float(getattr(spec.subarray, name)) for b, spec in bases.items()}
        return points["device"].map(by_base).to_numpy(dtype=np.float64)

    cols = column("columns")
    return (column("columns_per_adc") <= cols) & (column("reference_columns") < cols)


def _vector_view(base: Chip, numeric: dict[str, np.ndarray]) -> SimpleNamespace:
    """A read-only stand-in for a Chip whose swept numeric fields are arrays of shape (points, 1)."""

    def to_ns(value):
        if isinstance(value, dict):
            return SimpleNamespace(**{k: to_ns(v) for k, v in value.items()})
        return value

    data = base.model_dump()
    if "technology.node" in numeric:          # every technology constant and the device's CMOS fields follow the node
        node = np.asarray(numeric["technology.node"], dtype=np.float64)[:, None]
        data = node_scaled(data, node, base.node_rules())
        numeric = {k: v for k, v in numeric.items() if k != "technology.node"}
    view = to_ns(data)
    for dotted, values in numeric.items():
        node = view
        parts = dotted.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else getattr(node, part)
        column = np.asarray(values, dtype=np.float64)[:, None]
        if isinstance(node, list):                 # a list element (device.conductances.0)
            node[int(parts[-1])] = column
        else:
            setattr(node, parts[-1], column)
    dev = view.device
    _derive_dw_states(dev, base.device, numeric)
    # bit-sliced devices: ceil(weight bits / bits per cell), so a swept weight_bits broadcasts
    dev.weight_cells = (np.ceil(np.asarray(dev.weight_bits, dtype=np.float64) / np.floor(np.log2(getattr(dev, "levels", 2))))
                        if hasattr(dev, "weight_bits") else base.device.weight_cells)
    view.probabilistic = base.probabilistic
    view.adcs_per_subarray = np.ceil(np.asarray(view.subarray.columns, dtype=np.float64) / view.subarray.columns_per_adc)
    return view


def _derive_dw_states(dev, base_dev, numeric: dict) -> None:
    """A parametric DW-MTJ whose geometry, TMR or RA product varies gets its states derived again, as arrays."""
    swept = {f"device.{f}" for f in DW_GEOMETRY_FIELDS} & set(numeric)
    if getattr(base_dev, "kind", None) != "dw_mtj" or base_dev.notch_pitch is None or not swept:
        return
    length = dev.mtj_length if dev.mtj_length is not None else dev.racetrack_length
    base_len = base_dev.mtj_length if base_dev.mtj_length is not None else base_dev.racetrack_length
    n = notch_states(base_len, base_dev.notch_pitch)
    states = {notch_states(a, b) for a, b in np.broadcast(np.atleast_1d(length), np.atleast_1d(dev.notch_pitch))}
    if states != {n}:
        raise PpaError("notch_pitch or mtj_length values that change the number of DW states must be swept one "
                       "spec at a time (the states are a list of fixed length)", field="device.notch_pitch")
    derived = notch_conductances(length, dev.racetrack_width, dev.notch_pitch, dev.resistance_area_product, dev.tmr, n)
    # only points whose geometry moved take derived states; the others keep theirs (which may be swept themselves)
    moved = np.zeros(1, dtype=bool)
    for key in swept:
        field = key.split(".", 1)[1]
        moved = moved | (np.asarray(getattr(dev, field), dtype=np.float64) != getattr(base_dev, field))
    dev.conductances = [np.where(moved, g_new, g_old) for g_new, g_old in zip(derived, dev.conductances)]


def price_points(network: Network, base: Chip, numeric: dict[str, np.ndarray], mode: Mode):
    """(priced per category x layer, area by category, resources) for arrays of numeric overrides of a base spec,
    design points on the leading axis (shape (points, 1) against layers)."""
    view = _vector_view(base, numeric)
    training = mode == "training"
    dynamic_in_arrays = base.vector_unit.dynamic_matmul == "array"
    shapes = LayerShapes.from_network(network, dynamic_in_arrays=dynamic_in_arrays)
    geometry = Geometry.from_chip(view)
    activity = count_actions(shapes, geometry)
    writes = operand_writes(shapes, geometry, activity)
    activity = without_training_of_operands(activity, shapes).select(training=training)
    digital = count_digital(network, geometry, dynamic_in_arrays).select(training=training)
    prices = Prices.from_chip(view)
    area, resources = chip_area(activity, geometry, prices, view, shapes)
    vector_area = vector_unit_area(view, digital)
    area["total"] = area["total"] + vector_area
    priced = price_layers(activity, geometry, prices, view, resources["htree_bit_energy"], resources["psum_bit_energy"])
    writes_priced = price_operand_writes(writes, prices, view, training)     # per MVM layer
    digital_priced = price_digital(digital, prices, view)                     # per digital (vector, matmul) layer
    # the digital layers come after the MVM layers on the last axis of every category
    points = max([len(np.atleast_1d(v)) for v in numeric.values()] or [1])
    mvm_layers = len(shapes.names)
    digital_layers = max([np.shape(v)[-1] for q in digital_priced.values() for v in q.values() if np.ndim(v)] or [0])
    for quantity in ("energy_j", "latency_s"):
        cats = dict.fromkeys([*priced[quantity], *writes_priced[quantity], *digital_priced[quantity]])
        joined = {}
        for category in cats:
            mvm = np.broadcast_to(priced[quantity].get(category, 0.0), (points, mvm_layers))
            if category in writes_priced[quantity]:
                mvm = mvm + np.broadcast_to(writes_priced[quantity][category], (points, mvm_layers))
            dig = np.broadcast_to(digital_priced[quantity].get(category, 0.0), (points, digital_layers))
            joined[category] = np.concatenate([mvm, dig], axis=-1)
        priced[quantity] = joined
    interval = None
    if view.dataflow.schedule == "pipelined" and mode == "inference":
        # steady-state time per image: the slowest stage (no weight copies in sweeps)
        stages = sum(np.broadcast_to(v, (points, mvm_layers + digital_layers)) for v in priced["latency_s"].values())
        interval = np.max(stages, axis=-1)
    # the vector unit leaks with the rest of the CMOS logic
    va = np.asarray(vector_area, dtype=np.float64)
    vector_leak = np.asarray(prices.static.power(va[..., None] if va.ndim else va, 0.0))   # design points as (P, 1)
    resources["leakage_power_w"] = resources["leakage_power_w"] + (vector_leak[..., 0] if vector_leak.ndim else vector_leak)
    add_leakage(priced, resources["leakage_power_w"], resources["retained_power_w"], view.leakage.duty_cycle, interval)
    resources["interval_s"] = interval
    check_priced(priced, area, list(shapes.names) + list(digital.names), getattr(base, "_source_path", None))
    return priced, area, resources


def evaluate_points(network: Network, base: Chip, numeric: dict[str, np.ndarray], mode: Mode) -> dict[str, np.ndarray]:
    """Totals per design point (per image) for arrays of numeric overrides of one validated base spec."""
    priced, area, resources = price_points(network, base, numeric, mode)
    n = len(next(iter(numeric.values()))) if numeric else 1
    interval = resources["interval_s"]
    pipelined = interval is not None

    def total(quantity, categories=None):
        parts = [v for c, v in priced[quantity].items() if categories is None or c in categories]
        return np.broadcast_to(sum(np.sum(np.broadcast_to(v, np.broadcast_shapes(np.shape(v), (n, 1))), axis=-1) for v in parts), (n,))

    return {
        "tiles": np.broadcast_to(resources["tiles"], (n,)),
        "area_m2": np.broadcast_to(area["total"], (n,)).astype(np.float64),
        "latency_s": interval if pipelined else total("latency_s"), "energy_j": total("energy_j"),
        "latency_paper_s": total("latency_s", PAPER_CATEGORIES), "energy_paper_j": total("energy_j", PAPER_CATEGORIES),
    }


def evaluate_chunk(network: Network, grid: Grid, points: pd.DataFrame, mode: Mode,
                   _bases: dict[str, Chip] | None = None) -> pd.DataFrame:
    """Evaluate a slice of design points: group by base spec and non-numeric fields, broadcast the rest."""
    numeric_keys = [k for k, vals in grid.fields.items() if all(_is_numeric(v) for v in vals)]
    group_keys = ["device"] + [k for k in grid.fields if k not in numeric_keys]
    bases = _bases if _bases is not None else {}
    out = []
    for group, frame in points.groupby(group_keys, sort=False):
        group = group if isinstance(group, tuple) else (group,)
        spec_name = group[0]
        if spec_name not in bases:
            bases[spec_name] = load_chip(spec_name)
        base = bases[spec_name]
        check_mode(base, mode)
        structural = dict(zip(group_keys[1:], group[1:]))
        if structural:
            base = _validated(base, structural, grid)
        keep = _valid_rows(frame, {spec_name: base})
        frame = frame[keep]
        numeric = {k: frame[k].map(si_value).to_numpy(dtype=np.float64) for k in numeric_keys}
        if len(frame) == 0:
            continue
        res = evaluate_points(network, base, numeric, mode)
        frame = frame.copy()
        for key in RESULT_COLUMNS:
            frame[key] = np.broadcast_to(res[key], (len(frame),))
        limit = numeric.get("hierarchy.tiles", base.hierarchy.tiles)
        if limit is not None:                      # a chip of fixed size: drop points the network does not fit
            frame = frame[res["tiles"] <= np.asarray(limit, dtype=np.float64)]
        out.append(frame)
    if not out:
        return points.iloc[0:0].assign(**{k: pd.Series(dtype=float) for k in RESULT_COLUMNS})
    return pd.concat(out).sort_values("point", kind="stable")


def validate_grid(grid: Grid) -> dict[str, Chip]:
    """Load each base spec and validate every (path, value) once against it; returns the base specs."""
    bases: dict[str, Chip] = {}
    for name in grid.bases:
        spec = load_chip(name)
        if not isinstance(spec, Chip):
            raise PpaError("sweeps cover in-memory-computing specs (kind: imc)", file=name, field="kind")
        bases[name] = spec
        for key, values in grid.fields.items():
            try:
                current = _get(spec, key)
            except KeyError:
                allowed = _paths(spec)
                import difflib

                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise grid.doc.error((key,), f"not a field of {spec.name}{hint}") if grid.doc else PpaError(key) from None
            if isinstance(current, BaseModel):
                raise grid.doc.error((key,), "names a whole section; sweep one of its fields")
            for value in values:
                _validated(spec, {key: value}, grid, key)
    return bases


def _paths(model: BaseModel, prefix: str = "") -> list[str]:
    out = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        out.extend(_paths(value, path + ".") if isinstance(value, BaseModel) else [path])
    return out


def pareto_mask(values: np.ndarray, block: int = 512) -> np.ndarray:
    """Rows not dominated by any other (all objectives minimised): no other row is <= everywhere and < somewhere.

    A row with a NaN or infinite objective is never Pareto-optimal and dominates nothing.

    Rows are visited in lexicographic order (a dominator always sorts first), block by block, each block
    checked against the front found so far and against itself; a row dominated by anything is dominated
    by a front row, so the front stays small and the work near linear.
    """
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    finite = np.all(np.isfinite(values), axis=1)
    if not finite.all():
        keep = np.flatnonzero(finite)
        mask[keep] = pareto_mask(values[keep], block)
        return mask
    order = np.lexsort(values.T[::-1])
    front = np.empty((0, values.shape[1]))

    def dominated_by(cands: np.ndarray, others: np.ndarray) -> np.ndarray:
        le = np.all(others[None, :, :] <= cands[:, None, :], axis=2)
        lt = np.any(others[None, :, :] < cands[:, None, :], axis=2)
        return np.any(le & lt, axis=1)

    for start in range(0, n, block):
        idx = order[start:start + block]
        chunk = values[idx]
        idx = idx[~dominated_by(chunk, front)] if len(front) else idx
        survivors = values[idx]
        idx = idx[~dominated_by(survivors, survivors)]
        mask[idx] = True
        front = np.concatenate([front, values[idx]])
    return mask


def grid_limit() -> int:
    """Largest grid a sweep evaluates (`PPA_MAX_GRID_POINTS`, default MAX_GRID_POINTS)."""
    return files._env_limit(GRID_LIMIT_ENV, MAX_GRID_POINTS)


def _check_arguments(network, grid, mode, out, chunk_size, scheduler) -> None:
    """TypeError/ValueError/PpaError naming the argument of `run_sweep` that is wrong."""
    if isinstance(network, Grid) and isinstance(grid, Network):
        raise TypeError("sweep(network, grid): the arguments are in the other order (the network comes first)")
    if not isinstance(network, Network):
        raise TypeError(f"network must be a ppa Network (from ppa.load_network(path)), got {type(network).__name__}")
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must be a Grid (from ppa.load_grid(path)), got {type(grid).__name__}")
    if mode not in ("inference", "training"):
        raise ValueError(f"mode must be 'inference' or 'training', got {mode!r}")
    if out is not None and not isinstance(out, (str, Path)):
        raise TypeError(f"out must be a path (str or Path) or None, got {type(out).__name__}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)):
        raise TypeError(f"chunk_size must be a whole number, got {type(chunk_size).__name__}")
    if chunk_size < 1:
        raise PpaError("chunk size must be positive", field="chunk_size")
    if scheduler is not None and (not isinstance(scheduler, str)
                                  or not (scheduler == "local" or re.match(r"^(tcp|tls|ucx|inproc|ws|wss)://\S+$", scheduler))):
        raise PpaError(f"expected 'local' or a Dask scheduler address such as tcp://host:8786, got {scheduler!r}",
                       field="scheduler")


def _identity(network: Network, grid: Grid, bases: dict[str, Chip], mode: str, chunk_size: int, out: Path) -> dict:
    """What the resume folder belongs to: its output, grid, base specs (their validated content), network, mode and
    chunking (the marker's content); a rerun with any of them changed starts afresh."""
    layers = hashlib.sha256(repr(network.layers).encode()).hexdigest()[:16]
    specs = hashlib.sha256(json.dumps({k: v.model_dump(mode="json") for k, v in sorted(bases.items())},
                                      sort_keys=True).encode()).hexdigest()[:16]
    return {"ppa": MARKER_ID, "version": 2, "output": out.name, "grid": grid.fingerprint(), "points": grid.size,
            "specs": specs, "network": network.name, "layers": layers, "mode": mode, "chunk_size": int(chunk_size)}


def _open_parts(parts: Path, identity: dict) -> None:
    """Make or reuse the resume folder: refuse anything ppa did not make; a different sweep's chunks are replaced."""
    if parts.is_symlink() or (parts.exists() and not parts.is_dir()):
        raise PpaError("exists and is not a resume folder ppa made (it keeps a sweep's finished chunks there); "
                       "move it away or choose another output name", file=str(parts))
    marker = parts / MARKER
    if parts.is_dir():
        entries = sorted(p.name for p in parts.iterdir())
        if not marker.exists():
            if entries:
                raise PpaError(f"is not a ppa resume folder (no {MARKER}) and holds {entries[0]!r}; ppa never uses or "
                               "deletes a folder it did not make: move it away or choose another output name",
                               file=str(parts))
        else:
            try:
                old = json.loads(marker.read_text(encoding="utf-8"))
                if not isinstance(old, dict) or old.get("ppa") != MARKER_ID:
                    raise ValueError("not a ppa marker")
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise PpaError(f"corrupt resume state ({type(exc).__name__}); to start the sweep over, delete the "
                               f"folder {parts}", file=str(marker)) from None
            foreign = [e for e in entries if (e != MARKER and not _CHUNK_FILE.match(e) and not _OWN_TEMP.match(e))
                       or (parts / e).is_symlink() or not (parts / e).is_file()]
            if foreign:
                raise PpaError(f"holds {foreign[0]!r}, which ppa did not write; move it away to resume", file=str(parts))
            for e in entries:
                if e != MARKER and not _CHUNK_FILE.match(e):
                    (parts / e).unlink()                 # a temp file of ours, left by a kill
                elif _CHUNK_FILE.match(e) and old != identity:
                    (parts / e).unlink()                 # a different sweep's chunk (same output): replaced
    parts.mkdir(parents=True, exist_ok=True)
    files.write_atomic(json.dumps(identity), marker, kind="sweep marker")


def _chunk_bytes(i: int, start: int, stop: int, frame: pd.DataFrame) -> bytes:
    body = frame.to_csv(index=False).encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()
    return f"# ppa sweep chunk {i} points {start}-{stop} rows {len(frame)} sha256 {digest}\n".encode() + body


def _parse_chunk(raw: bytes, i: int, start: int, stop: int, invalid: int) -> pd.DataFrame | None:
    """A chunk file's rows if its header, checksum, range and row count all hold, else None (damaged)."""
    head, _, body = raw.partition(b"\n")
    m = _CHUNK_HEADER.match(head.decode("ascii", "replace"))
    if m is None or tuple(int(g) for g in m.groups()[:3]) != (i, start, stop):
        return None
    rows = int(m.group(4))
    if hashlib.sha256(body).hexdigest() != m.group(5) or rows > stop - start - invalid:
        return None
    try:
        frame = pd.read_csv(io.BytesIO(body))
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError):
        return None
    points = frame["point"].to_numpy() if "point" in frame else np.array([])
    if len(frame) != rows or (rows and (points.min() < start or points.max() >= stop or len(set(points)) != rows)):
        return None
    return frame


def run_sweep(network: Network, grid: Grid, mode: Mode = "inference", out: str | Path | None = None,
              chunk_size: int = 4096, scheduler: str | None = None,
              on_chunk: Callable[[int, int], None] | None = None, accuracy: str | None = None,
              min_accuracy: float | None = None, accuracy_seed: int = 0, uncertainty: int | None = None,
              seed: int = 0, max_points: int | None = None) -> SweepResult:
    """Evaluate every design point of `grid`, mark the Pareto front, and write `out` (CSV or parquet).

    `accuracy` ('qnn', or 'bnn' for probabilistic designs, which also adds `ece`) adds an `accuracy` column from
    the accuracy model (ppa.explore.joint) and makes it a fourth Pareto objective; `min_accuracy` (a fraction) keeps only the points that reach it.
    With `uncertainty` N, every point also gets p5/p50/p95 columns over N samples of the specs' uncertain
    values and its probability of being Pareto-optimal (`ppa.explore.uncertainty.sweep_uncertainty`).

    With `out`, finished chunks live in `OUT.parts/` until the end, so a rerun after an interruption
    evaluates only the missing or damaged chunks. `scheduler` is None (in process), 'local' (a Dask LocalCluster)
    or a Dask scheduler address ('tcp://host:port'); every engine gives the same table. The table's `attrs` hold
    `invalid_points` (combinations breaking a cross-field rule, counted from the grid), `too_big_points` (not fitting
    `hierarchy.tiles`) and `damaged_chunks` (re-evaluated on resume).
    """
    _check_arguments(network, grid, mode, out, chunk_size, scheduler)
    if min_accuracy is not None and (isinstance(min_accuracy, bool) or not isinstance(min_accuracy, (int, float))
                                     or not 0.0 <= min_accuracy <= 1.0):
        raise ValueError(f"min_accuracy must be a fraction from 0 to 1, got {min_accuracy!r}")
    limit = grid_limit() if max_points is None else max_points
    if grid.size > limit:
        raise PpaError(f"the grid has {grid.size:,} design points, above the limit of {limit:,} (the table is held in "
                       f"memory); split the grid, or raise the limit with {GRID_LIMIT_ENV}", file=grid.source)
    bases = validate_grid(grid)
    for base in bases.values():
        check_mode(base, mode)
    ranges = [(start, min(start + chunk_size, grid.size)) for start in range(0, grid.size, chunk_size)]
    invalid = [int((~_valid_rows(design_points(grid, a, b), bases)).sum()) for a, b in ranges]
    parts = None
    done: dict[int, pd.DataFrame] = {}
    damaged: list[int] = []
    if out is not None:
        out = Path(out)
        if out.suffix not in (".csv", ".parquet"):
            raise PpaError("expected an output ending in .csv or .parquet", file=str(out))
        parts = out.with_name(out.name + ".parts")
        inputs = [network.source or None, grid.source if grid.doc is not None else None,
                  *(b for b in grid.bases if Path(b).exists())]
        files.check_writable(out, "sweep table", inputs)
        files.refuse_inputs(parts, inputs)
        _open_parts(parts, _identity(network, grid, bases, mode, chunk_size, out))
        for i, (a, b) in enumerate(ranges):
            path = parts / f"chunk-{i:06d}.csv"
            if not path.exists():
                continue
            frame = _parse_chunk(path.read_bytes(), i, a, b, invalid[i]) if path.is_file() else None
            if frame is None:
                damaged.append(i)
                path.unlink()                        # our own chunk, damaged: evaluated again below
            else:
                done[i] = frame
    todo = [i for i in range(len(ranges)) if i not in done]

    def finished(i: int, frame: pd.DataFrame) -> None:
        if parts is not None:
            raw = _chunk_bytes(i, *ranges[i], frame)
            files.write_atomic(raw, parts / f"chunk-{i:06d}.csv", kind="sweep chunk")
            frame = _parse_chunk(raw, i, *ranges[i], invalid[i])   # the table is built from what the files hold
        done[i] = frame
        if on_chunk:
            on_chunk(len(done), len(ranges))

    if on_chunk and done:
        on_chunk(len(done), len(ranges))
    if scheduler is None:
        for i in todo:
            finished(i, evaluate_chunk(network, grid, design_points(grid, *ranges[i]), mode, bases))
    else:
        for i, frame in _run_dask(network, grid, ranges, todo, mode, scheduler):
            finished(i, frame)

    frames = [done[i] for i in range(len(ranges)) if len(done[i])]
    result = pd.concat(frames, ignore_index=True) if frames else evaluate_chunk(network, grid, design_points(grid, 0, 0), mode, bases)
    result = result.sort_values("point", kind="stable").reset_index(drop=True)
    n_invalid = sum(invalid)
    too_big = grid.size - n_invalid - len(result)
    if too_big < 0 or len(set(result["point"])) != len(result):
        raise PpaError(f"the sweep produced {len(result)} rows for {grid.size - n_invalid} valid points; "
                       + (f"delete the folder {parts} to start over" if parts else "please report this"), file=str(out or grid.source))
    attrs = dict(invalid_points=n_invalid, too_big_points=too_big, damaged_chunks=damaged)
    if accuracy is not None:
        from ppa.explore.joint import accuracy_columns

        try:
            columns = accuracy_columns(result, bases, accuracy, accuracy_seed)
        except PpaError as e:   # a swept value the accuracy model cannot take: name its line in the grid
            if e.file is None and grid.doc is not None and e.field in grid.fields:
                raise grid.doc.error((e.field,), e.message) from None
            raise
        for column, values in columns.items():
            result[column] = values
        if min_accuracy is not None:
            below = int((result["accuracy"] < min_accuracy).sum())
            result = result[result["accuracy"] >= min_accuracy].reset_index(drop=True)
            attrs["below_min_accuracy"] = below
    elif min_accuracy is not None:
        raise PpaError("min_accuracy needs an accuracy model (accuracy='qnn' or 'bnn')", field="min_accuracy")
    from ppa.explore.joint import objectives

    result["pareto"] = pareto_mask(objectives(result)) if len(result) else []
    if uncertainty and len(result):
        from ppa.explore.uncertainty import sweep_uncertainty

        result = sweep_uncertainty(result, network, grid, mode, uncertainty, seed)
    result.attrs.update(attrs)
    if out is not None:
        if out.suffix == ".parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise PpaError('writing parquet needs pyarrow: pip install "ppa[distributed]", or use a .csv output',
                               file=str(out)) from None
            files.write_atomic(lambda tmp: result.to_parquet(tmp, index=False), out, "sweep table", inputs)
        else:
            files.write_atomic(result.to_csv(index=False), out, "sweep table", inputs)
        for i in range(len(ranges)):                 # our own files only, one by one; the folder if then empty
            (parts / f"chunk-{i:06d}.csv").unlink(missing_ok=True)
        (parts / MARKER).unlink(missing_ok=True)
        try:
            parts.rmdir()
        except OSError:
            pass
    return SweepResult.wrap(result)


def _run_dask(network, grid, ranges, todo, mode, scheduler) -> Iterable[tuple[int, pd.DataFrame]]:
    """Evaluate chunks on a Dask cluster ('local' starts one in this process), yielding them as they finish."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise PpaError('distributed sweeps need Dask: pip install "ppa[distributed]"', field="scheduler") from None
    grid = Grid(grid.bases, grid.fields, grid.source)          # the YAML document stays home
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout=10)
            except OSError as exc:
                raise PpaError(f"cannot reach the Dask scheduler ({exc})", field="scheduler") from None
        with client:
            futures = {client.submit(evaluate_chunk, network, grid, design_points(grid, *ranges[i]), mode, pure=False): i
                       for i in todo}
            for future in as_completed(futures):
                yield futures[future], future.result()
    finally:
        if cluster is not None:
            cluster.close()
