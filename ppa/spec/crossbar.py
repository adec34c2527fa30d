"""Crossbar description (`kind: crossbar`): how signed weights sit on conductances and what disturbs an analog MVM.

One YAML file describes the weight encoding (offset against a reference column as in Dhull Eq. 3, balanced pair
G+ - G-, or bit-sliced balanced pairs with shift-add), the device range (Rmin/Rmax with `bits`, or a list of
conductance states), the conductance non-idealities (the shared `ppa.spec.Variation`: device-to-device,
cycle-to-cycle, read noise, drift; optional DW-MTJ notch retention), wire resistance (IR drop), the DAC and
the ADC. It is read with the same YAML reader as the hardware specs (file/line-numbered errors, `extends:`,
units) and consumed by `ppa.accuracy.analog_mvm`.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from ppa.errors import PpaError
from ppa.spec import Noise, Strict, Variation, resolve_spec_path
from ppa.spec.units import Ohms, Seconds, Siemens
from ppa.spec.yamlio import Document, read_yaml, resolve_extends

Bits = Annotated[int, Field(ge=1, le=16)]


class Retention(Strict):
    """DW-MTJ notch retention (SAND2022-13142 sec. 4): a state escapes to a neighbour with p = 1 - exp(-k t)."""

    temperature: Annotated[float, Field(gt=0.0, le=1000.0)] = 300.0  # kelvin
    time: Seconds = 0.0
    activation_energy: Annotated[float, Field(gt=0.0, le=1e-17)] = 2.0e-19  # J, the paper's fit (K_u = 1e6 J/m^3)
    prefactor: Annotated[float, Field(gt=0.0, le=1.0)] = 8.1e-14  # s


class Device(Strict):
    """One memory cell's conductance range: `r_min`/`r_max` with 2**bits evenly spaced levels, or explicit `states`."""

    r_min: Annotated[Ohms, Field(ge=1.0, le=1e10)] | None = None   # 1 ohm .. 10 Gohm bounds any memory cell
    r_max: Annotated[Ohms, Field(ge=1.0, le=1e10)] | None = None
    bits: Bits | None = None                    # per device; default follows the encoding and weight_bits
    states: list[Siemens] | None = None         # conductances, ascending (e.g. Dhull Table VIII notches)
    clip_to_range: bool = False                 # clip programmed conductances to [G_min, G_max]
    retention: Retention | None = None          # notch escapes (DW-MTJ devices with `states`)

    @model_validator(mode="after")
    def _range(self) -> "Device":
        if self.states is not None:
            if self.r_min is not None or self.r_max is not None:
                raise ValueError("@states: give either states or r_min/r_max, not both")
            if len(self.states) < 2:
                raise ValueError("@states: at least two conductances are needed")
            if any(g <= 0 or g > 1.0 for g in self.states):
                raise ValueError("@states: conductances must lie between 0 and 1 S")
            if any(b <= a for a, b in zip(self.states, self.states[1:])):
                raise ValueError("@states: conductances must be strictly ascending")
            if self.bits is not None:
                raise ValueError("@bits: follows from the number of states; drop one of them")
        else:
            if self.r_min is None or self.r_max is None:
                raise ValueError(f"@{'r_min' if self.r_min is None else 'r_max'}: a device needs r_min and r_max (or a list of states)")
            if self.retention is not None:
                raise ValueError("@retention: moves a notched wall between listed states: give the device's states")
            if self.r_min >= self.r_max:
                raise ValueError(f"@r_min: {self.r_min:g} ohm must be below r_max ({self.r_max:g} ohm)")
        return self

    @property
    def g_max(self) -> float:
        """Largest conductance, siemens."""
        return self.states[-1] if self.states is not None else 1.0 / self.r_min

    @property
    def g_min(self) -> float:
        """Smallest conductance, siemens."""
        return self.states[0] if self.states is not None else 1.0 / self.r_max


class Dac(Strict):
    """Row DAC: ideal (bits omitted) or `bits` signed levels over +-`full_scale` (inputs clipped to it)."""

    bits: Bits | None = None
    full_scale: Annotated[float, Field(gt=0.0, le=1e6)] = 1.0


class Adc(Strict):
    """Column ADC: `bits`; sign_magnitude (2^(b-1)-1 levels each side, a zero code) or mid_rise (2^b, no zero);
    range from the batch's largest |ideal| or |noisy| pre-ADC value, one range per array or per column."""

    bits: Bits | None = None
    style: Literal["sign_magnitude", "mid_rise"] = "sign_magnitude"
    range: Literal["ideal", "noisy"] = "ideal"
    per: Literal["array", "column"] = "array"


class Wires(Strict):
    """Wire resistance of one row or column segment between adjacent cells (IR drop; 0 = ideal wires)."""

    segment_resistance: Annotated[Ohms, Field(ge=0.0, le=1e6)] = 0.0


class CrossbarSpec(Strict):
    """A crossbar design for the analog-MVM accuracy model (kind: crossbar)."""

    kind: Literal["crossbar"]
    name: str
    description: str = ""
    source: str | None = None
    encoding: Literal["offset", "balanced_pair", "bit_sliced"]
    weight_bits: Annotated[int, Field(ge=2, le=16)] | None = None  # signed, sign included; offset + states: the states
    slices: Annotated[int, Field(ge=1, le=16)] = 1       # devices (pairs) per weight for bit_sliced
    device: Device
    variation: Variation = Variation()
    wires: Wires = Wires()
    dac: Dac = Dac()
    adc: Adc = Adc()

    @model_validator(mode="after")
    def _fits(self) -> "CrossbarSpec":
        if self.slices > 1 and self.encoding != "bit_sliced":
            raise ValueError(f"@slices: slices = {self.slices} needs encoding: bit_sliced")
        if self.weight_bits is None:
            if self.encoding == "offset" and self.device.states is not None:
                return self  # each weight takes the nearest of the listed states, less the reference (Dhull Eq. 3)
            raise ValueError("@weight_bits: required (only an offset encoding over listed states may omit it)")
        need = self.bits_per_device_needed
        if self.device.states is not None:
            have = len(self.device.states)
            if self.encoding == "offset":
                if have < 2**self.weight_bits - 1:
                    raise ValueError(f"@device.states: offset encoding of {self.weight_bits}-bit weights needs "
                                     f"{2**self.weight_bits - 1} states, the device has {have}")
            elif have < 2**need:
                raise ValueError(f"@device.states: {self.encoding} with {self.weight_bits}-bit weights"
                                 f"{f' in {self.slices} slices' if self.slices > 1 else ''} needs {2**need} states "
                                 f"per device, the device has {have}")
        elif self.device.bits is not None and self.device.bits < need:
            raise ValueError(f"@device.bits: {self.encoding} with {self.weight_bits}-bit weights"
                             f"{f' in {self.slices} slices' if self.slices > 1 else ''} needs {need} bits per "
                             f"device, got {self.device.bits}")
        return self

    @property
    def bits_per_device_needed(self) -> int:
        """Offset: all weight bits on one device; balanced pair: the magnitude bits; bit-sliced: per slice."""
        if self.encoding == "offset":
            return self.weight_bits if self.weight_bits is not None else math.ceil(math.log2(len(self.device.states)))
        return math.ceil((self.weight_bits - 1) / self.slices)

    @property
    def levels(self) -> int:
        """Conductance levels one device offers."""
        if self.device.states is not None:
            return len(self.device.states)
        return 2 ** (self.device.bits if self.device.bits is not None else self.bits_per_device_needed)


def _error(doc: Document, err: ValidationError) -> PpaError:
    """The first pydantic error as one line at the file, line and dotted field that caused it."""
    first = err.errors()[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and "[" in p))
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        allowed = _allowed(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        msg = "unknown field" + (f"; did you mean {close[0]!r}?" if close else "") + \
              (f" (expected one of: {', '.join(allowed)})" if allowed else "")
    elif first["type"] == "missing":
        msg = "required field is missing"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
        if msg.startswith("@"):   # a whole-model check names the field it concerns: "@device.bits: ..."
            where, _, msg = msg[1:].partition(": ")
            loc = loc + tuple(int(p) if p.isdigit() else p for p in where.split("."))
            return doc.error(loc, msg)
    if "input" in first and first["type"] not in ("missing", "extra_forbidden") \
            and not isinstance(first["input"], (dict, list)):
        msg += f" (got {first['input']!r})"
    return doc.error(loc, msg)


def _allowed(parent: tuple) -> list[str]:
    model: type[BaseModel] = CrossbarSpec
    for key in parent:
        field = model.model_fields.get(key) if isinstance(key, str) else None
        ann = field.annotation if field is not None else None
        if ann is not None and not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            ann = next((a for a in getattr(ann, "__args__", ()) if isinstance(a, type) and issubclass(a, BaseModel)),
                       None)
        if ann is None:
            return []
        model = ann
    return sorted(model.model_fields)


def crossbar_from_dict(data: Any, name: str = "<dict>") -> CrossbarSpec:
    """Validate a crossbar description already in memory (errors name `name` as the file)."""
    return _validate(Document(data, Path(name)))


def _validate(doc: Document) -> CrossbarSpec:
    if not isinstance(doc.data, dict):
        raise PpaError("expected a mapping of crossbar fields at the top level", file=str(doc.path))
    if doc.data.get("kind") != "crossbar":
        raise doc.error(("kind",), f"expected kind: crossbar, got {doc.data.get('kind')!r}")
    try:
        return CrossbarSpec.model_validate(doc.data)
    except ValidationError as err:
        raise _error(doc, err) from None


def load_crossbar(path: str | Path) -> CrossbarSpec:
    """Load and validate a crossbar description (file path or shipped name such as `crossbar_balanced_8b`)."""
    return _validate(resolve_extends(read_yaml(resolve_spec_path(path))))


__all__ = ["Adc", "CrossbarSpec", "Dac", "Device", "Noise", "Retention", "Variation", "Wires", "crossbar_from_dict",
           "load_crossbar", "apply_to_chip", "CostNotModelled", "ACCURACY_ONLY"]


class CostNotModelled(ValueError):
    """A crossbar-description field with cost meaning the chip's device kind cannot take (`field`: dotted path)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


#: Fields of a crossbar description with no cost meaning (accuracy only): listed as not applied, never refused.
ACCURACY_ONLY = ("variation", "wires.segment_resistance", "dac.full_scale", "adc.style", "adc.range", "adc.per",
                 "device.clip_to_range", "device.retention")


def _range_fields(d: Device) -> list[str]:
    if d.states is not None:
        return ["device.states"]
    return ["device.r_min", "device.r_max"] + (["device.bits"] if d.bits is not None else [])


def apply_to_chip(chip: Any, spec: CrossbarSpec) -> tuple[Any, list[str]]:
    """The chip (ppa.spec.Chip) with a crossbar description's cost-relevant fields applied, and their dotted names.

    ADC bits -> adc.bits; DAC bits -> precision.activation_bits (the input resolution; bit planes when bit-serial);
    device states or r_min/r_max -> the device's conductances (dw_mtj), levels and resistance_on/on_off_ratio (rram)
    or conductance_max/on_off_ratio (fefet), weight_bits -> device.weight_bits of bit-sliced kinds. Raises
    CostNotModelled naming the first cost-relevant field this device kind cannot take."""
    data = chip.model_dump()
    dev = data["device"]
    kind = dev.get("kind")
    applied: list[str] = []
    if spec.encoding != "offset":
        raise CostNotModelled("encoding", f"{spec.encoding}: the cost model places one device per weight (slice) "
                                          "against a reference column; a device pair per weight is not costed")
    d = spec.device
    if d.states is not None or d.r_min is not None:
        name = "device.states" if d.states is not None else "device.r_min"
        levels = spec.levels
        g = list(d.states) if d.states is not None else [d.g_min + (d.g_max - d.g_min) * i / (levels - 1)
                                                         for i in range(levels)]
        if kind == "dw_mtj":
            dev["conductances"] = g
            applied += _range_fields(d)
        elif kind in ("rram", "fefet"):
            steps = [b - a for a, b in zip(g, g[1:])]
            if max(steps) - min(steps) > 1e-6 * max(steps):
                raise CostNotModelled(name, f"{kind} levels are evenly spaced from G_off to G_on; these states are not")
            if kind == "rram":
                dev["resistance_on"] = 1.0 / g[-1]
            else:
                dev["conductance_max"] = g[-1]
            dev["on_off_ratio"] = g[-1] / g[0]
            dev["levels"] = levels
            applied += _range_fields(d)
        else:
            raise CostNotModelled(name, f"a {kind} device's read energy does not follow a conductance range "
                                        "(binary or SRAM cell): drop the device range for the cost estimate")
    if spec.weight_bits is not None and kind in ("rram", "fefet", "sot_mram", "stt_mram"):
        dev["weight_bits"] = spec.weight_bits
        applied.append("weight_bits")
    if spec.adc.bits is not None:
        data["adc"]["bits"] = spec.adc.bits
        applied.append("adc.bits")
    if spec.dac.bits is not None:
        data["precision"]["activation_bits"] = spec.dac.bits
        applied.append("dac.bits")
    try:
        new = type(chip).model_validate(data, context={"feature_size": chip.technology.feature_size})
    except ValidationError as err:
        first = err.errors()[0]
        raise PpaError(f"{first['msg'].removeprefix('Value error, ')} (at {'.'.join(map(str, first['loc']))}, "
                       f"after applying the crossbar description)") from None
    return new, applied
