"""Spec sections shared by every design kind: the strict base model, technology constants, ADC, variation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ppa.spec.units import FaradsPerMeter, Joules, Meters, Seconds, SquareMeters, Volts, Watts, quantity

WattsPerSquareMeter = Annotated[float, quantity("W/m^2")]
BitsPerSecond = Annotated[float, quantity("bit/s")]

PosInt = Annotated[int, Field(gt=0)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """Base for every spec section: unknown fields are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Technology(Strict):
    """CMOS technology constants; sources are named in hwspecs/tech_40nm.yaml, node scaling in ppa/spec/technology.py.

    `node:` (130 nm to 7 nm) derives every constant not written: `{node: 22 nm}` alone takes the per-node
    tables and the 40 nm reference scaled by each constant's rule; with `extends:` (or inherited from a
    parent spec) the inherited constants, written for `feature_size`, are moved to the node by the same
    rules, while constants written next to `node:` are taken as given at that node."""

    name: str = "40nm"
    node: Meters | None = None         # target node; after validation feature_size == node
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
    # fields added for the ADC family, leakage and the calibrated digital scale (defaults keep older specs valid)
    adc_thermal_energy_8b: Joules = 0.155e-12   # thermal-noise-limited conversion energy at 8 bits (x4 per bit)
    adc_area_scale: float = 1.0        # calibrated scale factor on the survey SAR area trend
    comparator_energy: Joules = 10e-15  # one latched (StrongARM) comparator decision
    comparator_area: SquareMeters = 30e-12
    comparator_delay: Seconds = 100e-12
    sense_amp_energy: Joules = 20e-15   # one current-mode sense amplifier decision (reference branch + latch)
    sense_amp_area: SquareMeters = 20e-12
    cmos_leakage_density: WattsPerSquareMeter = 100.0  # W/m^2 of CMOS block area (static power while powered)
    sram_cell_leakage: Watts = 20e-12      # W per stored SRAM bit
    sram_array_bit_energy: Joules = 10e-15  # one bit read or written in a dense on-chip SRAM array (gradient storage)

    @field_validator("*")
    @classmethod
    def _all_positive(cls, v: Any) -> Any:
        if isinstance(v, float) and v <= 0:
            raise ValueError("must be positive")
        return v

    @field_validator("node")
    @classmethod
    def _node_in_range(cls, v: float | None) -> float | None:
        if v is not None:
            from ppa.spec.technology import check_node

            check_node(v)
        return v

    @model_validator(mode="wrap")
    @classmethod
    def _scale_to_node(cls, data: Any, handler, info: ValidationInfo) -> "Technology":
        """Derive missing constants at `node`, and move inherited ones from `feature_size` to it
        (ppa.spec.technology: Stillmaker & Baas 2017 and the per-node tables)."""
        if not isinstance(data, dict) or data.get("node") is None:
            return handler(data)
        from ppa.spec import technology as scaling
        from ppa.spec.units import to_si

        try:
            node = to_si(data["node"], "m")
            scaling.check_node(node)
        except (ValueError, TypeError):
            return handler(data)          # the `node` field validator reports it, located at technology.node
        written = ((info.context or {}).get("written_with_node") if info is not None else None) or set()
        fs = to_si(data["feature_size"], "m") if "feature_size" in data else node
        derived = {k: v for k, v in scaling.derive(node).items() if k not in data}
        label = f"{node / 1e-9:g}nm"
        keep_name = "name" in data and (abs(fs - node) <= 1e-6 * node or ("technology", "name") in written)
        model = handler({**derived, **data, "feature_size": fs, "node": node, "name": data["name"] if keep_name else label})
        if abs(fs - node) <= 1e-6 * node:
            return model
        inherited = {k: getattr(model, k) for k in scaling.TECHNOLOGY_RULES
                     if k in data and ("technology", k) not in written}
        return model.model_copy(update={**scaling.rescale(inherited, scaling.TECHNOLOGY_RULES, node, fs),
                                        "feature_size": node})


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


AdcKind = Literal["sar", "flash", "sense_amp"]


class Adc(Strict):
    """Column ADC: `sar` (Murmann survey trends), `flash` (2^B - 1 comparators + encoder) or `sense_amp` (NeuroSim's
    current-mode multi-level sense amplifier, 2^B - 1 sense amps, sensing time set by the column RC)."""

    kind: AdcKind = "sar"
    bits: Annotated[int, Field(ge=1, le=16)]
