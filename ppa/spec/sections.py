"""Spec sections shared by every design kind: the strict base model, technology constants, ADC, variation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ppa.spec.units import (ActionEnergy, CapacitancePerLength, ComponentArea, Duration, FeatureSize, Length,
                            PulseWidth, Voltage, bounded, unitless, whole)

WattsPerSquareMeter = bounded("W/m^2", 0.0, 1e7)         # static power density of CMOS blocks (~10-1000 W/m^2)
BitsPerSecond = bounded("bit/s", 0.0, 1e15)               # off-chip bandwidth: HBM stacks are ~1e12-1e13 bit/s
LeakagePower = bounded("W", 0.0, 1e-3)                    # static power of one stored bit

PosInt = Annotated[int, Field(gt=0)]
Bits = whole(1, 64)                      # widths of data words
Lanes = whole(1, 1_000_000)              # parallel units (lanes, adders)
Fraction = unitless(0.0, 1.0)


class Strict(BaseModel):
    """Base for every spec section: unknown fields are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Technology(Strict):
    """CMOS technology constants; sources are named in hwspecs/tech_40nm.yaml, node scaling in ppa/spec/technology.py.

    `node:` (130 nm to 7 nm) derives every constant not written: `{node: 22 nm}` alone takes the per-node
    tables and the 40 nm reference scaled by each constant's rule; with `extends:` (or inherited from a
    parent spec) the inherited constants, written for `feature_size`, are moved to the node by the same
    rules, while constants written next to `node:` are taken as given at that node."""

    name: str = "40nm"
    node: FeatureSize | None = None     # target node; after validation feature_size == node
    feature_size: FeatureSize
    vdd: Voltage
    clock_period: PulseWidth
    full_adder_energy: ActionEnergy     # energy of one full-adder bit operation
    full_adder_delay: PulseWidth        # carry delay of one bit of a ripple adder
    full_adder_area: ComponentArea
    register_energy: ActionEnergy       # one D flip-flop bit written
    register_area: ComponentArea
    sram_buffer_energy: ActionEnergy    # one bit read or written in a buffer macro
    sram_buffer_area: ComponentArea     # one buffer bit, with its periphery
    sram_cell_area: ComponentArea       # one dense 6T bit cell (large storage arrays)
    wire_capacitance: CapacitancePerLength
    wire_pitch: Length
    adc_walden_fom: ActionEnergy        # energy per conversion step (E = FoM * 2^bits)
    adc_cycle_energy: ActionEnergy      # comparator decision + SAR logic per cycle (the low-resolution floor)
    adc_cycle_time: PulseWidth          # one SAR bit-cycle
    adc_area_per_step: ComponentArea    # capacitor-DAC unit + comparator share, per 2^bits step
    adc_area_fixed: ComponentArea       # comparator and SAR logic
    dac_energy_per_row: ActionEnergy    # driving one row at one input level
    dac_area_per_row: ComponentArea
    wordline_energy: ActionEnergy       # one digital word-line pulse (bit-serial inputs)
    mac_energy: ActionEnergy            # one digital multiply-accumulate in the weight-gradient unit
    mac_area: ComponentArea             # one MAC lane of the weight-gradient unit
    mux_area_per_column: ComponentArea
    decoder_area_per_row: ComponentArea
    # fields added for the ADC family, leakage and the calibrated digital scale (defaults keep older specs valid)
    adc_thermal_energy_8b: ActionEnergy = 0.155e-12   # thermal-noise-limited conversion energy at 8 bits (x4 per bit)
    adc_area_scale: unitless(0.0, 1000.0, low_open=True) = 1.0        # calibrated scale factor on the survey SAR area trend
    comparator_energy: ActionEnergy = 10e-15  # one latched (StrongARM) comparator decision
    comparator_area: ComponentArea = 30e-12
    comparator_delay: PulseWidth = 100e-12
    sense_amp_energy: ActionEnergy = 20e-15   # one current-mode sense amplifier decision (reference branch + latch)
    sense_amp_area: ComponentArea = 20e-12
    cmos_leakage_density: WattsPerSquareMeter = 100.0  # W/m^2 of CMOS block area (static power while powered)
    sram_cell_leakage: LeakagePower = 20e-12      # W per stored SRAM bit
    sram_array_bit_energy: ActionEnergy = 10e-15  # one bit read or written in a dense on-chip SRAM array (gradient storage)

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

    sigma: unitless(0.0, 10.0) = 0.0
    relative_to: Literal["state", "g_max"] = "state"

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, v: Any) -> Any:
        return {"sigma": v} if isinstance(v, (int, float)) and not isinstance(v, bool) else v


class Drift(Strict):
    """Conductance drift G(t) = G0 (t / t0)^-nu, nu drawn per device with `nu_spread` (RRAM/PCM-like cells)."""

    nu: unitless(0.0, 1.0) = 0.0
    nu_spread: unitless(0.0, 1.0) = 0.0
    t0: Duration = 1.0
    time: Duration = 1.0


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
    bits: whole(1, 16)
