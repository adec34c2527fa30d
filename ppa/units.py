"""Quantities with units in YAML (`0.5 ns`, `61.06 uS`, `23 F^2`) converted to plain SI floats at load time.

Parsing uses pint; `F` is the technology's feature size, so `F^2` areas need it (passed as validation
context by the spec loader). Plain numbers are taken as already in SI units.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo

_F2 = re.compile(r"^\s*([-+0-9.eE]+)\s*\*?\s*F\s*(\^|\*\*)\s*2\s*$")


@lru_cache(maxsize=1)
def _registry():
    import pint

    return pint.UnitRegistry()


@lru_cache(maxsize=1024)
def _parse(text: str, unit: str) -> float:
    ureg = _registry()
    try:
        q = ureg.Quantity(text)
    except Exception as exc:  # pint raises several types for malformed units
        raise ValueError(f"cannot read {text!r} as a quantity in {unit} ({type(exc).__name__})") from None
    try:
        return float(q.to(unit).magnitude)
    except Exception:
        raise ValueError(f"{text!r} is not a quantity in {unit} (dimension {q.dimensionality})") from None


def to_si(value: Any, unit: str, feature_size: float | None = None) -> float:
    """Convert a number (SI already) or a string with units to a float in `unit` (an SI unit)."""
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


def quantity(unit: str):
    """A pydantic before-validator converting to SI `unit`; `F^2` uses context['feature_size']."""

    def convert(value: Any, info: ValidationInfo) -> Any:
        feature = (info.context or {}).get("feature_size") if info is not None else None
        return to_si(value, unit, feature)

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
JoulesPerBit = Joules
