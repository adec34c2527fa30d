"""Quantities with units in YAML (`0.5 ns`, `61.06 uS`, `23 F^2`) converted to plain SI floats at load time.

Plain SI symbols with a metric prefix, combined with `*`, `/` and `^` (`fF/um`, `A/m^2`, `ohm*m`), are
read by a small table (fast: no registry to build); anything else goes to pint, which knows every unit.
`F^2` is the technology's feature size squared, so it needs that size (passed as validation context by
the spec loader). Plain numbers are taken as already in SI units.

Every quantity must be finite. The bounded types at the end (`Voltage`, `PulseWidth`, `CellArea`, ...) add the
physical range a field may take, wide enough for any device a reviewer would accept and narrow enough to
refuse typos and absurd magnitudes (a 1e30 V supply, a negative pulse); the range is named in the error.
`whole(lo, hi)` does the same for counts (rows, bits, lanes).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Annotated, Any

import annotated_types as at
from pydantic import BeforeValidator, ValidationInfo

_F2 = re.compile(r"^\s*([-+0-9.eE]+)\s*\*?\s*F\s*(\^|\*\*)\s*2\s*$")


@lru_cache(maxsize=1)
def _registry():
    import pint

    return pint.UnitRegistry()


_PREFIX = {"": 1.0, "a": 1e-18, "f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "μ": 1e-6, "m": 1e-3,
           "c": 1e-2, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
# SI symbol -> exponents of (kg, m, s, A, bit); a byte `B` is 8 bits (bandwidths such as `256 GB/s`)
_SYMBOL = {"s": (0, 0, 1, 0, 0), "m": (0, 1, 0, 0, 0), "g": (1, 0, 0, 0, 0), "J": (1, 2, -2, 0, 0), "W": (1, 2, -3, 0, 0),
           "V": (1, 2, -3, -1, 0), "A": (0, 0, 0, 1, 0), "S": (-1, -2, 3, 2, 0), "ohm": (1, 2, -3, -2, 0),
           "Ohm": (1, 2, -3, -2, 0), "Ω": (1, 2, -3, -2, 0), "F": (-1, -2, 4, 2, 0), "Hz": (0, 0, -1, 0, 0),
           "C": (0, 0, 1, 1, 0), "bit": (0, 0, 0, 0, 1), "B": (0, 0, 0, 0, 1)}
_SYMBOL_SCALE = {"g": 1e-3, "B": 8.0}
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _factor(token: str):
    base, _, exp = token.partition("^")
    power = int(exp) if exp.lstrip("-").isdigit() else (None if exp else 1)
    if power is None:
        return None
    for sym in sorted(_SYMBOL, key=len, reverse=True):
        if base.endswith(sym) and base[: -len(sym)] in _PREFIX:
            scale = _PREFIX[base[: -len(sym)]] * _SYMBOL_SCALE.get(sym, 1.0)
            return scale**power, tuple(power * d for d in _SYMBOL[sym])
    return None


def _simple_unit(text: str):
    """(scale to SI, dimension exponents) of a plain product/quotient of prefixed SI symbols, else None."""
    if not text:
        return 1.0, (0, 0, 0, 0, 0)
    scale, dims = 1.0, [0, 0, 0, 0, 0]
    for sign, token in re.findall(r"([*/]?)\s*([^*/\s]+)", text):
        f = _factor(token)
        if f is None:
            return None
        k = -1 if sign == "/" else 1
        scale *= f[0] ** k
        dims = [d + k * e for d, e in zip(dims, f[1])]
    return scale, tuple(dims)


@lru_cache(maxsize=1024)
def _parse(text: str, unit: str) -> float:
    m = _NUMBER.match(text)
    if m:
        got, want = _simple_unit(m.group(2).replace(" ", "")), _simple_unit(unit)
        if got is not None and want is not None:
            if got[1] != want[1]:
                raise ValueError(f"{text!r} is not a quantity in {unit}")
            return float(m.group(1)) * got[0] / want[0]
    return _parse_with_pint(text, unit)


def _parse_with_pint(text: str, unit: str) -> float:
    ureg = _registry()
    try:
        q = ureg.Quantity(text)
    except Exception as exc:  # pint raises several types for malformed units
        raise ValueError(f"cannot read {text!r} as a quantity in {unit} ({type(exc).__name__})") from None
    try:
        return float(q.to(unit).magnitude)
    except Exception:
        raise ValueError(f"{text!r} is not a quantity in {unit} (dimension {q.dimensionality})") from None


def si_value(value: Any) -> float | None:
    """A number, or a plain prefixed-SI quantity ('22 nm', '0.5 ns') in SI base units; None for anything else
    (F^2 areas, pint-only units, text). The dimension is not checked: validate against the field first."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str) or _F2.match(value):
        return None
    m = _NUMBER.match(value)
    unit = _simple_unit(m.group(2).replace(" ", "")) if m else None
    return float(m.group(1)) * unit[0] if unit is not None else None


def to_si(value: Any, unit: str, feature_size: float | None = None) -> float:
    """Convert a number (SI already) or a string with units to a finite float in `unit` (an SI unit)."""
    out = _to_si(value, unit, feature_size)
    if not math.isfinite(out):
        raise ValueError(f"expected a finite quantity in {unit}")
    return out


def _to_si(value: Any, unit: str, feature_size: float | None = None) -> float:
    if isinstance(value, bool):
        raise ValueError(f"expected a quantity in {unit}, got a boolean")
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a number or a string like '0.5 ns' (in {unit}), got {type(value).__name__}")
    m = _F2.match(value)
    if m:
        if unit != "m^2":
            raise ValueError(f"{value!r}: F^2 is an area, but this field is in {unit}")
        if not feature_size:
            raise ValueError(f"{value!r}: F^2 needs the technology feature size")
        return float(m.group(1)) * feature_size**2
    return _parse(value.strip(), unit)


@lru_cache(maxsize=None)
def quantity(unit: str):
    """A pydantic before-validator converting to SI `unit`; `F^2` uses context['feature_size'].

    One object per unit, so every field in that unit (bounded or not) carries the same marker in its metadata."""

    def convert(value: Any, info: ValidationInfo) -> Any:
        feature = (info.context or {}).get("feature_size") if info is not None else None
        return to_si(value, unit, feature)

    convert.unit = unit   # read back by `ppa show` (ppa.spec.provenance) to print each field's unit
    return BeforeValidator(convert)


Seconds = Annotated[float, quantity("s")]
Joules = Annotated[float, quantity("J")]
Volts = Annotated[float, quantity("V")]
Amperes = Annotated[float, quantity("A")]
Siemens = Annotated[float, quantity("S")]
Ohms = Annotated[float, quantity("ohm")]
Meters = Annotated[float, quantity("m")]
SquareMeters = Annotated[float, quantity("m^2")]
Farads = Annotated[float, quantity("F")]
Hertz = Annotated[float, quantity("Hz")]
Watts = Annotated[float, quantity("W")]
CurrentDensity = Annotated[float, quantity("A/m^2")]
Resistivity = Annotated[float, quantity("ohm*m")]
FaradsPerMeter = Annotated[float, quantity("F/m")]
FaradsPerSquareMeter = Annotated[float, quantity("F/m^2")]


def _show(x: float) -> str:
    return f"{x:g}"


def bounded(unit: str, low: float, high: float, low_open: bool = True):
    """A finite quantity in SI `unit` within (low, high] (or [low, high]); the error names the range.

    The range is also declared as annotated-types constraints (`Gt`/`Ge`, `Le`), so tools reading a field's
    bounds (the uncertainty draws) see it, and the unit's marker `quantity(unit)` is kept; the check runs first
    (before-validators run last-declared first) so its message, with the value as written, is the one shown."""
    lower = f"above {_show(low)}" if low_open else f"at least {_show(low)}"
    text = f"expected a value {lower} and at most {_show(high)}" + (f" {unit}" if unit else "")

    convert = quantity(unit)

    def check(value: Any, info: ValidationInfo) -> float:
        v = convert.func(value, info)              # converted here too, so the error shows the value as written
        if not math.isfinite(v) or (v <= low if low_open else v < low) or v > high:
            raise ValueError(text)
        return v

    return Annotated[float, at.Gt(low) if low_open else at.Ge(low), at.Le(high), convert, BeforeValidator(check)]


def unitless(low: float, high: float, low_open: bool = False):
    """A finite plain number (fraction, ratio, sigma) within [low, high] (or (low, high]); the error names the range."""
    return bounded("", low, high, low_open)


def whole(low: int, high: int):
    """A whole number from `low` to `high` (counts: rows, bits, lanes); the error names the range."""

    def check(v: Any) -> Any:
        number = v if isinstance(v, int) and not isinstance(v, bool) else (
            v if isinstance(v, float) and v.is_integer() else None)
        if number is not None and not low <= number <= high:
            raise ValueError(f"expected a whole number from {low:,} to {high:,}")
        return v

    return Annotated[int, at.Ge(low), at.Le(high), BeforeValidator(check)]


# Physical ranges (SI), each wide of any real device: a field's type says which applies.
FeatureSize = bounded("m", 1e-9, 1e-5, low_open=False)   # 1 nm .. 10 um nodes
Voltage = bounded("V", 0.0, 5.0)                         # supplies, read and swing voltages
PulseWidth = bounded("s", 0.0, 1e-3)                     # clock, gate delays, read/write pulses: up to 1 ms
Duration = bounded("s", 0.0, 1e10)                       # retention / drift times: up to ~300 years
ActionEnergy = bounded("J", 0.0, 1e-6)                   # energy of one action of one component: up to 1 uJ
ComponentArea = bounded("m^2", 0.0, 1e-6)                # one component, cell or bit: up to 1 mm^2
CellArea = bounded("m^2", 0.0, 1e-9)                     # one memory cell: up to 1000 um^2
Conductance = bounded("S", 0.0, 1.0)                     # up to 1 S (1 ohm)
Resistance = bounded("ohm", 1.0, 1e12, low_open=False)   # 1 ohm .. 1 Tohm
Current = bounded("A", 0.0, 1.0)
CurrentDensityRange = bounded("A/m^2", 0.0, 1e14)         # SOT/STT write densities are ~1e10-1e12 A/m^2
ResistivityRange = bounded("ohm*m", 0.0, 1.0)
Capacitance = bounded("F", 0.0, 1e-9)
CapacitancePerLength = bounded("F/m", 0.0, 1e-6)          # wires: ~2e-10 F/m
CapacitancePerArea = bounded("F/m^2", 0.0, 10.0)          # MIM/MOS: ~1e-3 - 1e-1 F/m^2
Length = bounded("m", 0.0, 1e-2)                          # device dimensions and wire pitches: up to 1 cm
Frequency = bounded("Hz", 0.0, 1e12)
