"""Hardware specs: strict pydantic models loaded from YAML (DESIGN.md, "spec" stage).

Everything is SI inside. Unknown fields are errors. Validation happens here, once; the mapping and
pricing stages trust what they receive. Two kinds of spec exist:

- `Chip` (`kind: imc`): the Dhull et al. in-memory-computing hierarchy, subarray -> transposable synaptic
  array -> PE -> tile -> chip, with either a DW-MTJ or an SRAM synapse.
- `PmacSpec` (`kind: pmac`, in ppa/pmac_spec.py): the SAND2022-13142 probabilistic MAC array.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ppa.errors import PpaError
from ppa.units import (
    CurrentDensity,
    Farads,
    FaradsPerMeter,
    Joules,
    Meters,
    Resistivity,
    Seconds,
    Siemens,
    SquareMeters,
    Volts,
)
from ppa.yamlio import Document, read_yaml, resolve_extends

PosInt = Annotated[int, Field(gt=0)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """Base for every spec section: unknown fields are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Technology(Strict):
    """CMOS technology constants (40 nm by default); sources are named in hwspecs/tech_40nm.yaml."""

    name: str = "40nm"
    feature_size: Meters
    vdd: Volts
    clock_period: Seconds
    full_adder_energy: Joules          # energy of one full-adder bit operation
    full_adder_delay: Seconds          # carry delay of one bit of a ripple adder
    full_adder_area: SquareMeters
    register_energy: Joules            # one D flip-flop bit written
    register_area: SquareMeters
    sram_buffer_energy: Joules         # one bit read or written in a buffer macro
    sram_buffer_area: SquareMeters     # one buffer bit, with its periphery
    sram_cell_area: SquareMeters       # one dense 6T bit cell (large storage arrays)
    wire_capacitance: FaradsPerMeter
    wire_pitch: Meters
    adc_walden_fom: Joules             # energy per conversion step (E = FoM * 2^bits)
    adc_cycle_energy: Joules           # comparator decision + SAR logic per cycle (the low-resolution floor)
    adc_cycle_time: Seconds            # one SAR bit-cycle
    adc_area_per_step: SquareMeters    # capacitor-DAC unit + comparator share, per 2^bits step
    adc_area_fixed: SquareMeters       # comparator and SAR logic
    dac_energy_per_row: Joules         # driving one row at one input level
    dac_area_per_row: SquareMeters
    wordline_energy: Joules            # one digital word-line pulse (bit-serial inputs)
    mac_energy: Joules                 # one digital multiply-accumulate in the weight-gradient unit
    mac_area: SquareMeters             # one MAC lane of the weight-gradient unit
    mux_area_per_column: SquareMeters
    decoder_area_per_row: SquareMeters

    @field_validator("*")
    @classmethod
    def _all_positive(cls, v: Any) -> Any:
        if isinstance(v, float) and v <= 0:
            raise ValueError("must be positive")
        return v


class Noise(Strict):
    """A Gaussian conductance error of one mechanism: sigma relative to the state's own conductance or to G_max.

    A plain number in YAML means `{sigma: value, relative_to: state}`."""

    sigma: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    relative_to: Literal["state", "g_max"] = "state"

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, v: Any) -> Any:
        return {"sigma": v} if isinstance(v, (int, float)) and not isinstance(v, bool) else v


class Drift(Strict):
    """Conductance drift G(t) = G0 (t / t0)^-nu, nu drawn per device with `nu_spread` (RRAM/PCM-like cells)."""

    nu: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    nu_spread: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    t0: Seconds = 1.0
    time: Seconds = 1.0


class Variation(Strict):
    """Conductance non-idealities by mechanism (Dhull Tables IX-X; CrossSim's programming error and read noise).

    - device_to_device: fixed at fabrication, drawn once per chip instance, seen through training and inference;
    - cycle_to_cycle: drawn at every write (programming error);
    - read_noise: drawn at every MVM;
    - drift: power-law relaxation after programming."""

    device_to_device: Noise = Noise()
    cycle_to_cycle: Noise = Noise()
    read_noise: Noise = Noise()
    drift: Drift = Drift()


class DwMtjDevice(Strict):
    """Notched DW-MTJ synapse (Dhull et al. Sec. II, Table VIII); conductances ascending, in siemens."""

    kind: Literal["dw_mtj"]
    conductances: list[Siemens] = Field(min_length=2)
    read_voltage: Volts
    read_pulse: Seconds
    write_current_density: CurrentDensity
    write_pulse: Seconds
    racetrack_length: Meters
    racetrack_width: Meters
    heavy_metal_thickness: Meters
    heavy_metal_resistivity: Resistivity
    cell_area: SquareMeters
    variation: Variation = Variation()
    write_transition: list[list[Fraction]] | None = None

    @field_validator("variation", mode="before")
    @classmethod
    def _bare_variation(cls, v: Any) -> Any:
        """A bare number (the old field) keeps its old meaning: relative sigma drawn at every write (cycle-to-cycle)."""
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return {"cycle_to_cycle": {"sigma": v, "relative_to": "state"}}
        return v

    @property
    def weight_cells(self) -> int:
        """Cells per weight: one multi-state DW-MTJ (G_parallel is a shared reference column, Eq. 3)."""
        return 1

    @property
    def states(self) -> int:
        return len(self.conductances)

    @field_validator("conductances")
    @classmethod
    def _ascending(cls, v: list[float]) -> list[float]:
        if any(g <= 0 for g in v):
            raise ValueError("conductances must be positive")
        if any(b <= a for a, b in zip(v, v[1:])):
            raise ValueError("conductances must be strictly ascending (Table VIII order)")
        return v

    @model_validator(mode="after")
    def _transition_shape(self) -> "DwMtjDevice":
        m = self.write_transition
        if m is not None:
            n = len(self.conductances)
            if len(m) != n or any(len(row) != n for row in m):
                raise ValueError(f"write_transition must be {n} x {n} (one row per conductance state)")
            for i, row in enumerate(m):
                if abs(sum(row) - 1.0) > 1e-6:
                    raise ValueError(f"write_transition row {i} sums to {sum(row):.4g}, expected 1")
        return self


class SramDevice(Strict):
    """SRAM synapse: one bit per cell, `weight_bits` cells per weight (the paper's CMOS baseline)."""

    kind: Literal["sram"]
    weight_bits: PosInt
    cell_area: SquareMeters
    bitline_capacitance_per_cell: Farads
    read_swing: Volts
    write_energy_per_bit: Joules
    write_time: Seconds
    read_time: Seconds

    @property
    def weight_cells(self) -> int:
        return self.weight_bits


class Subarray(Strict):
    """Crossbar subarray (Dhull Sec. III): rows x columns, one ADC shared by `columns_per_adc` columns."""

    rows: PosInt
    columns: PosInt
    columns_per_adc: PosInt
    input_encoding: Literal["analog", "bit_serial"] = "analog"
    reference_columns: Annotated[int, Field(ge=0)] = 1

    @model_validator(mode="after")
    def _sharing_fits(self) -> "Subarray":
        if self.columns_per_adc > self.columns:
            raise ValueError(f"columns_per_adc ({self.columns_per_adc}) exceeds columns ({self.columns})")
        return self


class Adc(Strict):
    """Column ADC (SAR, Walden figure of merit from the technology)."""

    bits: Annotated[int, Field(ge=1, le=16)]


class Hierarchy(Strict):
    """Transposable synaptic arrays per PE and PEs per tile (H-tree joined), Dhull Fig. 2."""

    subarrays_per_pe: PosInt
    pes_per_tile: PosInt
    transposable: bool = True
    bus_width: PosInt = 128
    tiles: PosInt | None = None       # tiles on the chip; None sizes the chip to the network (NeuroSim style)


class Precision(Strict):
    """Bit widths of the data that move: activations, back-propagated errors, weight gradients."""

    activation_bits: PosInt = 8
    error_bits: PosInt = 8
    gradient_bits: PosInt = 16
    partial_sum_bits: PosInt = 16
    input_mean_square: Fraction = 0.25    # <x^2> of inputs normalised to full scale (read energy)


class Training(Strict):
    """On-chip training schedule (Dhull Sec. IV: batch 200, 50,000 CIFAR-10 images an epoch)."""

    batch_size: PosInt = 200
    images_per_epoch: PosInt = 50_000
    update_fraction: Fraction = 1.0
    wg_lanes: PosInt = 1024
    accumulation_lanes: PosInt = 256


class Chip(Strict):
    """A complete in-memory-computing accelerator spec (Dhull et al. hierarchy)."""

    kind: Literal["imc"] = "imc"
    name: str
    description: str = ""
    technology: Technology
    device: Annotated[Union[DwMtjDevice, SramDevice], Field(discriminator="kind")]
    subarray: Subarray
    adc: Adc
    hierarchy: Hierarchy
    precision: Precision = Precision()
    training: Training = Training()
    source: str | None = None

    @property
    def adcs_per_subarray(self) -> int:
        """ADCs on one subarray edge: one per `columns_per_adc` columns."""
        return -(-self.subarray.columns // self.subarray.columns_per_adc)


SHIPPED = Path(__file__).resolve().parent.parent / "hwspecs"


def resolve_spec_path(name: str | Path) -> Path:
    """A spec file path, or the name of a shipped spec (`dw_40nm` -> hwspecs/dw_40nm.yaml)."""
    p = Path(name)
    if p.exists():
        return p
    for candidate in (SHIPPED / p, SHIPPED / f"{p}.yaml", SHIPPED / p.name):
        if candidate.exists():
            return candidate
    known = sorted(f.stem for f in SHIPPED.glob("*.yaml")) if SHIPPED.exists() else []
    import difflib

    close = difflib.get_close_matches(p.stem, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise PpaError(f"no such hardware spec (shipped: {', '.join(known)}){hint}", file=str(name))


def _pydantic_error(doc: Document, err: ValidationError) -> PpaError:
    first = err.errors()[0]
    # drop pydantic's own steps from the path: the union tag (dw_mtj, sram) and validator wrappers ("function-after[...]")
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and (p in ("dw_mtj", "sram") or "[" in p)))
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        parent = loc[:-1]
        allowed = _allowed_fields(doc, parent)
        import difflib

        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        msg = "unknown field" + (f"; did you mean {close[0]!r}?" if close else "") + (f" (expected one of: {', '.join(allowed)})" if allowed else "")
    elif first["type"] == "missing":
        msg = "required field is missing"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if "input" in first and first["type"] not in ("missing", "extra_forbidden") and not isinstance(first["input"], (dict, list)):
        msg += f" (got {first['input']!r})"
    return doc.error(loc, msg)


def _allowed_fields(doc: Document, parent: tuple) -> list[str]:
    if (doc.data or {}).get("kind", "imc") == "pmac":
        from ppa.pmac_spec import PmacSpec as model
    else:
        model = Chip
    for key in parent:
        if isinstance(key, int):
            return []
        field = model.model_fields.get(key)
        if field is None:
            return []
        ann = field.annotation
        if key == "device":
            kind = ((doc.data or {}).get("device") or {}).get("kind")
            ann = {"dw_mtj": DwMtjDevice, "sram": SramDevice}.get(kind)
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return []
        model = ann
    return sorted(model.model_fields)


def _validate(doc: Document, model: type[BaseModel]) -> Any:
    data = doc.data
    if not isinstance(data, dict):
        raise PpaError("expected a mapping of spec sections at the top level", file=str(doc.path))
    feature = None
    tech = data.get("technology")
    if isinstance(tech, dict) and "feature_size" in tech:
        from ppa.units import to_si

        try:
            feature = to_si(tech["feature_size"], "m")
        except ValueError as exc:
            raise doc.error(("technology", "feature_size"), str(exc)) from None
    try:
        return model.model_validate(data, context={"feature_size": feature})
    except ValidationError as err:
        raise _pydantic_error(doc, err) from None


def load_chip(path: str | Path):
    """Load and validate a hardware spec (file path or shipped name): a Chip, or a PmacSpec for kind: pmac."""
    doc = resolve_extends(read_yaml(resolve_spec_path(path)))
    kind = doc.data.get("kind", "imc") if isinstance(doc.data, dict) else None
    if kind == "pmac":
        from ppa.pmac_spec import PmacSpec as model  # noqa: N813
    elif kind == "imc":
        model = Chip
    else:
        raise doc.error(("kind",), f"unknown spec kind {kind!r}; expected 'imc' or 'pmac'")
    spec = _validate(doc, model)
    object.__setattr__(spec, "_source_path", str(doc.path))
    return spec


def chip_from_dict(data: dict, name: str = "<dict>") -> Chip:
    """Validate a spec already in memory (used by sweeps that override fields)."""
    doc = Document(data, Path(name))
    return _validate(doc, Chip)

