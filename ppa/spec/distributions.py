"""Uncertain values in specs: any numeric field may be a distribution instead of a value.

Written inline in place of the value, or in an `uncertainty:` mapping beside the fields it qualifies (so the
value's own line stays as it is):

    adc_walden_fom: {value: 6.4 fJ, spread: 30 %}   # lognormal, median 6.4 fJ, relative sigma 30 %
    adc_cycle_time: {low: 120 ps, high: 160 ps}     # uniform
    vdd: {value: 0.9 V, sigma: 0.03 V}              # normal (sigma may also be '5 %' of the value)

    adc_walden_fom: 6.4 fJ
    uncertainty:                                    # keys are sibling fields (or dotted paths below them)
      adc_walden_fom: 30 %                          # short for {spread: 30 %}: lognormal around the value
      adc_cycle_time: {sigma: 10 %}                 # normal around the value
      conductances: 10 %                            # a list: one draw scales every element together

A distribution written inline wins over an `uncertainty:` entry for the same field, a later entry over an
earlier one (`conductances.0: 0` after `conductances: 15 %` pins the first state); a plain value written over
an inherited one keeps the inherited `uncertainty:` spread (write `uncertainty: {field: 0}` to pin it).
The lognormal's median is the value and its relative standard deviation the spread
(sigma_ln = sqrt(ln(1 + spread^2))). Every draw is truncated to the field's physical range: the bounds
its model declares (`gt`, `ge`, `lt`, `le`), and a quantity never changes sign. Integer fields are rounded.
A plain `load_chip` sees only the nominal value (the value; the middle of a uniform range); the
distributions, keyed by dotted path, ride on the validated spec for the sampler (`distributions_of`).
Sampling is by inverse CDF from one uniform stream per constant, keyed by the file and line that define it,
so designs that extend the same file draw its constants together (correlated uncertainty cancels in ratios).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ppa.errors import PpaError
from ppa.spec.yamlio import Document, Loc

FORMS = {frozenset({"value", "spread"}): "lognormal", frozenset({"low", "high"}): "uniform",
         frozenset({"value", "sigma"}): "normal"}
SHORT_FORMS = {frozenset({"spread"}): "lognormal", frozenset({"sigma"}): "normal"}   # in `uncertainty:`, around the value
UNCERTAINTY_KEY = "uncertainty"
DISTRIBUTION_KEYS = frozenset({"value", "spread", "low", "high", "sigma"})


def is_distribution(value: Any) -> bool:
    """True for a complete inline distribution mapping ({value, spread}, {low, high} or {value, sigma})."""
    return isinstance(value, dict) and frozenset(value) in FORMS


@dataclass(frozen=True)
class RawDistribution:
    """A distribution as written in YAML (values still strings with units), and where it was written."""

    kind: str
    loc: Loc
    fields: dict
    where: tuple[str, int | None]
    group: str | None = None        # a list spread in an `uncertainty:` block: its elements share one draw


@dataclass(frozen=True)
class Distribution:
    """One uncertain field in SI: its kind, nominal value, parameters and physical range (for truncation)."""

    kind: str                       # lognormal | uniform | normal
    nominal: float
    spread: float = 0.0             # lognormal: relative standard deviation
    sigma: float = 0.0              # normal: standard deviation (SI)
    low: float = 0.0                # uniform: range (SI)
    high: float = 0.0
    lower: float = -math.inf        # physical range of the field
    upper: float = math.inf
    lower_open: bool = False
    upper_open: bool = False
    integer: bool = False
    file: str = "<spec>"
    line: int | None = None
    group: str | None = None        # elements of one list drawn together (same uniform stream)

    def scaled(self, factor: float) -> "Distribution":
        """The same distribution with its width multiplied by `factor` (0: the nominal value alone)."""
        half = 0.5 * (self.high - self.low) * factor
        mid = 0.5 * (self.high + self.low)
        return replace(self, spread=self.spread * factor, sigma=self.sigma * factor,
                       low=mid - half if self.kind == "uniform" else self.low,
                       high=mid + half if self.kind == "uniform" else self.high)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF of the distribution truncated to the physical range, at probabilities `u` in [0, 1)."""
        from scipy.special import ndtr, ndtri

        u = np.asarray(u, dtype=np.float64)
        if self.kind == "uniform":
            x = self.low + u * (self.high - self.low)
        elif self.kind == "lognormal":
            s = math.sqrt(math.log1p(self.spread**2))
            if s == 0.0:
                x = np.full_like(u, self.nominal)
            else:
                lo = ndtr(math.log(self.lower / self.nominal) / s) if self.lower > 0 else 0.0
                hi = ndtr(math.log(self.upper / self.nominal) / s) if math.isfinite(self.upper) else 1.0
                x = self.nominal * np.exp(s * ndtri(lo + u * (hi - lo)))
        else:
            if self.sigma == 0.0:
                x = np.full_like(u, self.nominal)
            else:
                lo = ndtr((self.lower - self.nominal) / self.sigma) if math.isfinite(self.lower) else 0.0
                hi = ndtr((self.upper - self.nominal) / self.sigma) if math.isfinite(self.upper) else 1.0
                x = self.nominal + self.sigma * ndtri(lo + u * (hi - lo))
        if self.integer:
            x = np.rint(x)
        lower = np.nextafter(self.lower, math.inf) if self.lower_open else self.lower
        upper = np.nextafter(self.upper, -math.inf) if self.upper_open else self.upper
        if self.integer:
            lower, upper = math.ceil(lower), math.floor(upper)
        return np.clip(x, lower, upper)

    def quantile(self, q: float) -> float:
        """The value at probability `q` (e.g. 0.05 and 0.95 for the tornado's swing)."""
        return float(self.ppf(np.array([q]))[0])


def _percent(value: Any, what: str) -> float | None:
    """'30 %' or 0.3 -> 0.3; None if not a relative figure."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
        except ValueError:
            return None
    return None


def split_distributions(doc: Document) -> tuple[Document, dict[Loc, RawDistribution]]:
    """Replace every distribution in a resolved document by a placeholder value; return them by key path.

    Inline forms stand in for their value; `uncertainty:` mappings qualify sibling fields and are removed.
    """
    found: dict[Loc, RawDistribution] = {}
    inline: set[Loc] = set()          # written in place of the value: wins over any `uncertainty:` entry

    def fail(loc: Loc, message: str) -> PpaError:
        return doc.error(loc, message)

    def visit(value: Any, loc: Loc) -> Any:
        if is_distribution(value):
            kind = FORMS[frozenset(value)]
            found[loc] = RawDistribution(kind, loc, dict(value), doc.where(loc))
            inline.add(loc)
            return value["low"] if kind == "uniform" else value["value"]
        if isinstance(value, dict):
            keys = set(value)
            if "value" in keys or (keys <= DISTRIBUTION_KEYS and keys & {"low", "high"}):
                raise fail(loc, "expected a distribution {value, spread}, {low, high} or {value, sigma}, "
                                f"got keys {', '.join(sorted(keys))}")
            out = {k: visit(v, loc + (k,)) for k, v in value.items() if k != UNCERTAINTY_KEY}
            if UNCERTAINTY_KEY in value:
                _apply_uncertainty(value[UNCERTAINTY_KEY], out, loc)
            return out
        if isinstance(value, list):
            return [visit(v, loc + (i,)) for i, v in enumerate(value)]
        return value

    def _apply_uncertainty(block: Any, out: dict, loc: Loc) -> None:
        here = loc + (UNCERTAINTY_KEY,)
        if not isinstance(block, dict):
            raise fail(here, "expected a mapping of field names to spreads ('30 %') or distributions")
        for key, spec in block.items():
            at = here + (key,)
            target = tuple(int(p) if p.isdigit() else p for p in str(key).split("."))
            node = out
            for part in target[:-1]:
                node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
                if node is None:
                    break
            if node is None or not _has(node, target[-1]):
                raise fail(at, f"no field {key!r} beside this uncertainty block")
            value = node[target[-1]]
            numbers = value if isinstance(value, list) else [value]
            if not numbers or any(isinstance(v, (dict, list, bool)) or v is None for v in numbers):
                raise fail(at, f"{key!r} is not a numeric field (or a list of numbers)")
            if spec is None or (_percent(spec, key) is not None and not isinstance(spec, dict)):
                spec = {"spread": spec if spec is not None else 0}
            if not isinstance(spec, dict):
                raise fail(at, "expected a spread ('30 %' or 0.3) or a mapping {spread}, {sigma} or {low, high}")
            keys = frozenset(spec)
            if keys in SHORT_FORMS:
                kind = SHORT_FORMS[keys]
            elif keys == frozenset({"low", "high"}) and not isinstance(value, list):
                kind = "uniform"
            else:
                what = ("a list takes {spread} or {sigma} (one draw moves all its elements)" if isinstance(value, list)
                        else "expected {spread}, {sigma} or {low, high}")
                raise fail(at, f"{what}, got keys {', '.join(sorted(map(str, keys)))}")
            full = loc + target
            if isinstance(value, list):   # one draw moves the whole list together (its elements keep their order)
                group = ".".join(map(str, full))
                for i, v in enumerate(value):
                    if full + (i,) not in inline:
                        found[full + (i,)] = RawDistribution(kind, full + (i,), {"value": v, **spec}, doc.where(at), group)
                continue
            if full in inline:
                continue                  # a distribution written inline (say in a spec that extends this one) wins
            fields = {"value": value, **spec} if kind != "uniform" else dict(spec)
            found[full] = RawDistribution(kind, full, fields, doc.where(at))
            if kind == "uniform":
                node[target[-1]] = spec["low"]

    data = visit(doc.data, ())
    return Document(data, doc.path, doc.lines), found


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def get_at(obj: Any, loc: Loc) -> Any:
    """The value at a key path in a model or plain data (attribute, key or list index)."""
    for part in loc:
        if isinstance(part, int) or isinstance(obj, (list, tuple)):
            obj = obj[int(part)]
        elif isinstance(obj, dict):
            obj = obj[part]
        else:
            obj = getattr(obj, part)
    return obj


def set_at(data: Any, loc: Loc, value: Any) -> None:
    """Set a value at a key path in plain data (dicts and lists)."""
    for part in loc[:-1]:
        data = data[part]
    data[loc[-1]] = value


def _copy_path(data: Any, loc: Loc) -> Any:
    """A copy of `data` whose containers along `loc` are new (the rest shared), for setting one value."""
    if not loc:
        return data
    head = data[loc[0]]
    new = dict(data) if isinstance(data, dict) else list(data)
    new[loc[0]] = _copy_path(head, loc[1:])
    return new


def physical_range(model: Any, loc: Loc) -> tuple[float, bool, float, bool]:
    """(lower, open, upper, open) declared by the pydantic field at `loc` of a validated model."""
    import annotated_types as at
    from pydantic import BaseModel

    node, info = model, None
    metadata: list = []
    for part in loc:
        if isinstance(part, int):
            annotation = getattr(info, "annotation", None)
            args = getattr(annotation, "__args__", ()) if annotation is not None else ()
            metadata = list(getattr(args[0], "__metadata__", ())) if args else []
            node = node[part]
            continue
        if isinstance(node, BaseModel):
            info = type(node).model_fields[part]
            metadata = list(info.metadata)
            node = getattr(node, part)
    lower, lower_open, upper, upper_open = -math.inf, False, math.inf, False
    for m in metadata:
        if isinstance(m, at.Gt):
            lower, lower_open = float(m.gt), True
        elif isinstance(m, at.Ge):
            lower, lower_open = float(m.ge), False
        elif isinstance(m, at.Lt):
            upper, upper_open = float(m.lt), True
        elif isinstance(m, at.Le):
            upper, upper_open = float(m.le), False
    return lower, lower_open, upper, upper_open


_WRITTEN = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _written_midpoint(low: Any, high: Any, si_midpoint: float) -> Any:
    """The midpoint of a uniform range in the units it was written in ('4 fJ'..'9 fJ' -> '6.5 fJ'), so that the
    nominal spec goes through the same conversions (units, F^2, node scaling) as every written value; the SI
    midpoint when the two ends are not written alike."""
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and not isinstance(low, bool):
        mid = 0.5 * (low + high)
        return int(round(mid)) if isinstance(si_midpoint, int) else mid
    a, b = _WRITTEN.match(str(low)), _WRITTEN.match(str(high))
    if a and b and a.group(2) == b.group(2):
        return f"{0.5 * (float(a.group(1)) + float(b.group(1))):.12g} {a.group(2)}".strip()
    return si_midpoint


def resolve_distributions(doc: Document, raw: dict[Loc, RawDistribution], validate: Callable[[Document], Any]):
    """Convert raw distributions to SI through the spec model itself; returns (nominal spec, {dotted: Distribution}).

    Each bound or value is validated in place of the field (so units, `F^2` and the field's bounds apply), the
    nominal spec is validated once more with every nominal value, and each distribution keeps its field's range.
    """
    spec = validate(doc)
    data = doc.data
    out: dict[str, Distribution] = {}
    for loc, r in raw.items():
        def si(value: Any, key: str) -> float:
            trial = _copy_path(data, loc)
            set_at(trial, loc, value)
            try:
                return float(get_at(validate(Document(trial, doc.path, doc.lines)), loc))
            except PpaError as err:
                raise PpaError(f"{key} of the distribution: {err.message}", file=r.where[0], line=r.where[1],
                               field=".".join(map(str, loc))) from None

        def bad(message: str) -> PpaError:
            return PpaError(message, file=r.where[0], line=r.where[1], field=".".join(map(str, loc)))

        current = get_at(spec, loc)
        integer = isinstance(current, int) and not isinstance(current, bool)
        lower, lower_open, upper, upper_open = physical_range(spec, loc)
        f = r.fields
        if r.kind == "uniform":
            low, high = si(f["low"], "low"), si(f["high"], "high")
            if high < low:
                raise bad(f"uniform range has high < low ({high:g} < {low:g})")
            nominal = 0.5 * (low + high)
            if integer:
                nominal = int(round(nominal))
            dist = Distribution("uniform", nominal, low=low, high=high)
        else:
            nominal = si(f["value"], "value")
            if r.kind == "lognormal":
                spread = _percent(f["spread"], "spread")
                if spread is None or not math.isfinite(spread) or spread < 0:
                    raise bad(f"expected a relative spread like '30 %' or 0.3 (got {f['spread']!r})")
                if nominal <= 0:
                    raise bad(f"a lognormal spread needs a positive value (got {nominal:g}); use {{value, sigma}}")
                dist = Distribution("lognormal", nominal, spread=spread)
            else:
                rel = _percent(f["sigma"], "sigma") if isinstance(f["sigma"], str) and str(f["sigma"]).strip().endswith("%") else None
                sigma = rel * abs(nominal) if rel is not None else si(f["sigma"], "sigma") if isinstance(f["sigma"], str) else float(f["sigma"])
                if not math.isfinite(sigma) or sigma < 0:
                    raise bad(f"sigma must be zero or positive (got {f['sigma']!r})")
                dist = Distribution("normal", nominal, sigma=sigma)
        if nominal > 0 and lower < 0:          # a quantity never changes sign
            lower, lower_open = 0.0, True
        elif nominal < 0 and upper > 0:
            upper, upper_open = 0.0, True
        dist = replace(dist, lower=lower, upper=upper, lower_open=lower_open, upper_open=upper_open, integer=integer,
                       file=r.where[0], line=r.where[1], group=r.group)
        if r.kind == "uniform":     # the document holds `low` in its place: write the midpoint as written
            data = _copy_path(data, loc)
            set_at(data, loc, _written_midpoint(f["low"], f["high"], int(nominal) if integer else nominal))
        # lognormal and normal: the document already holds `value` as written (in its units, at its node)
        out[".".join(map(str, loc))] = dist
    spec = validate(Document(data, doc.path, doc.lines)) if raw else spec
    return spec, out


def attach(spec: Any, distributions: dict[str, Distribution]) -> Any:
    """Record the distributions on a validated spec (kept beside the model, not in it)."""
    object.__setattr__(spec, "_distributions", dict(distributions))
    return spec


def distributions_of(spec: Any) -> dict[str, Distribution]:
    """The distributions recorded on a spec by the loader ({} for a spec without uncertain values)."""
    return dict(getattr(spec, "_distributions", None) or {})


def stream_key(seed: int, dist: Distribution, path: str, design: int | None = None) -> list[int]:
    """Seed sequence of one constant's uniform stream: the file and line that define it (and the path),
    so designs extending the same file share the draw; `design` makes it private to one design."""
    text = f"{Path(dist.file).name}:{dist.line}:{dist.group or path}" + (f"#{design}" if design is not None else "")
    digest = hashlib.sha256(text.encode()).digest()
    return [int(seed)] + [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]


def draw(distributions: dict[str, Distribution], n: int, seed: int = 0, scale: float = 1.0,
         design: int | None = None) -> dict[str, np.ndarray]:
    """`n` draws of every distribution ({dotted path: array of shape (n,)}), each from its own keyed stream."""
    out = {}
    for path, dist in distributions.items():
        u = np.random.default_rng(stream_key(seed, dist, path, design)).random(n)
        out[path] = (dist.scaled(scale) if scale != 1.0 else dist).ppf(u)
    return out
