"""The in-memory-computing chip spec (`kind: imc`): the Dhull et al. hierarchy, subarray -> transposable
synaptic array -> PE -> tile -> chip, with a DW-MTJ, SRAM, probabilistic, SOT-/STT-MRAM, RRAM or FeFET synapse.
Everything SI; unknown fields are errors."""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ppa.spec.readout import CurrentConveyorReadout, Readout  # noqa: F401
from ppa.spec.sections import (Adc, AdcKind, Bits, BitsPerSecond, Fraction, Lanes, PosInt, Strict,  # noqa: F401
                               Technology, Variation)
from ppa.spec.units import (
    Amperes,
    CurrentDensity,
    Farads,
    FaradsPerSquareMeter,
    Hertz,
    Joules,
    Meters,
    Ohms,
    Resistivity,
    Seconds,
    Siemens,
    SquareMeters,
    Volts,
    quantity,
)
from ppa.spec.units import (  # noqa: F401  (the bounded types every field below uses)
    ActionEnergy,
    Capacitance,
    CapacitancePerArea,
    CellArea,
    ComponentArea,
    Conductance,
    Current,
    CurrentDensityRange,
    Frequency,
    Length,
    PulseWidth,
    Resistance,
    ResistivityRange,
    Voltage,
    bounded,
    unitless,
    whole,
)

Positive = unitless(0.0, 1e6, low_open=True)
Ratio = unitless(0.0, 1000.0, low_open=True)
OnOff = unitless(1.0, 1e6, low_open=True)                    # on/off ratios: above 1
Endurance = unitless(0.0, 1e20, low_open=True)               # write cycles a cell survives
ArraySide = whole(1, 65536)                                  # rows or columns of one subarray
AreaResistance = bounded("ohm*m^2", 0.0, 1e-6)              # MTJ resistance-area product (MgO: ~1e-12 - 1e-10)
ChargeDensity = bounded("C/m^2", 0.0, 10.0)                  # ferroelectric remanent polarisation (~0.1-0.5)
Levels = Annotated[int, Field(ge=2, le=256)]

#: node-scaling rules of the CMOS-dependent device fields (ppa.spec.technology); magnetic, resistive and
#: ferroelectric physics stays put, the access transistors (cell area) follow logic area
TRANSISTOR_CELL_RULES: dict[str, str] = {"cell_area": "logic_area"}
#: the other sections with CMOS parts: the conveyor is analog (area ~F, bias current held), the TRNG and
#: multiplier of the CMOS baseline are logic (Stillmaker energy, delay and area)
SECTION_NODE_RULES: dict[str, dict[str, str]] = {
    "readout": {"conveyor_area": "linear"},
    "cmos_baseline": {"trng_energy_per_bit": "logic_energy", "trng_area": "logic_area",
                      "multiply_energy": "logic_energy", "multiply_area": "logic_area"},
}

#: the fields the parametric DW-MTJ derives its conductance states from
DW_GEOMETRY_FIELDS = ("notch_pitch", "mtj_length", "racetrack_length", "racetrack_width", "tmr", "resistance_area_product")


def notch_states(length, pitch) -> int:
    """Notches under the MTJ: floor(L_MTJ / pitch) + 1 (Table VIII: 320 nm / 80 nm -> 5 states)."""
    return int(math.floor(float(length) / float(pitch) + 1e-9)) + 1


def notch_conductances(length, width, pitch, ra, tmr, n: int | None = None) -> list:
    """Conductance of each notch state, G_i = (L_MTJ w / RA)(x_i + (1 - x_i) / (1 + TMR)) with x_i = i / (n - 1)
    (Dhull Sec. II, Table VIII); numpy arrays broadcast (design points), `n` fixed by the caller then."""
    n = notch_states(length, pitch) if n is None else n
    g_p = length * width / ra
    return [g_p * (i / (n - 1) + (1 - i / (n - 1)) / (1 + tmr)) for i in range(n)]


class DwMtjDevice(Strict):
    """Notched DW-MTJ synapse (Dhull et al. Sec. II, Table VIII); conductances ascending, in siemens."""

    kind: Literal["dw_mtj"]
    conductances: list[Conductance] = Field(min_length=2)
    notch_pitch: Length | None = None          # parametric form: states = mtj_length / notch_pitch + 1
    mtj_length: Length | None = None           # stretch of racetrack under the MTJ holding the notches (default: all of it)
    tmr: Ratio | None = None                # (R_AP - R_P) / R_P of the MTJ over the racetrack
    resistance_area_product: AreaResistance | None = None   # RA of the MTJ barrier (parallel state)
    pulses_per_step: whole(1, 1_000_000) = 1                # SOT write pulses moving the wall one notch
    read_voltage: Voltage
    read_pulse: PulseWidth
    write_current_density: CurrentDensityRange
    write_pulse: PulseWidth
    racetrack_length: Length
    racetrack_width: Length
    heavy_metal_thickness: Length
    heavy_metal_resistivity: ResistivityRange
    cell_area: CellArea
    variation: Variation = Variation()
    write_transition: list[list[Fraction]] | None = None

    @field_validator("variation", mode="before")
    @classmethod
    def _bare_variation(cls, v: Any) -> Any:
        """A bare number (the old field) keeps its old meaning: relative sigma drawn at every write (cycle-to-cycle)."""
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return {"cycle_to_cycle": {"sigma": v, "relative_to": "state"}}
        return v
    endurance: Endurance | None = None   # write cycles a cell survives (None: not stated)

    node_rules: ClassVar[dict[str, str]] = TRANSISTOR_CELL_RULES

    @model_validator(mode="before")
    @classmethod
    def _parametric(cls, data: Any) -> Any:
        """Conductances from the geometry when not listed: n = floor(L_MTJ / pitch) + 1 notches; a wall at notch i
        leaves a fraction x_i = i / (n - 1) of the MTJ parallel, G_i = (L_MTJ w / RA)(x_i + (1 - x_i) / (1 + TMR))
        (parallel conductances of the two domains under the MTJ, Dhull Sec. II and Table VIII)."""
        params = ("notch_pitch", "tmr", "resistance_area_product")
        if not isinstance(data, dict) or data.get("conductances") is not None:
            return data
        if not all(data.get(k) is not None for k in params):
            return data          # the missing `conductances` is then reported as such
        from ppa.spec.units import to_si

        length = to_si(data.get("mtj_length") or data["racetrack_length"], "m")
        width = to_si(data["racetrack_width"], "m")
        pitch, ra, tmr = to_si(data["notch_pitch"], "m"), to_si(data["resistance_area_product"], "ohm*m^2"), float(data["tmr"])
        if pitch <= 0 or pitch > length or ra <= 0 or tmr <= 0:
            raise ValueError("notch_pitch must lie in (0, mtj_length]; tmr and resistance_area_product positive")
        return {**data, "conductances": notch_conductances(length, width, pitch, ra, tmr)}

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
    weight_bits: Bits
    cell_area: CellArea
    bitline_capacitance_per_cell: Capacitance
    read_swing: Voltage
    write_energy_per_bit: ActionEnergy
    write_time: PulseWidth
    read_time: PulseWidth
    read_resistance: Resistance = 20e3          # on-resistance of the 8T read port (sets a sense-amp ADC's column RC)
    endurance: Endurance | None = None   # write cycles a cell survives (None: not stated)

    node_rules: ClassVar[dict[str, str]] = {
        "cell_area": "sram_cell_area", "bitline_capacitance_per_cell": "linear", "read_swing": "vdd",
        "write_energy_per_bit": "logic_energy", "read_time": "logic_delay", "write_time": "logic_delay",
        "read_resistance": "constant"}   # a minimum-width read port keeps ~10-20 kOhm on-resistance at every node

    @property
    def weight_cells(self) -> int:
        return self.weight_bits


class BayesMtj(Strict):
    """Bayes-MTJ tunable noise source (SAND2022-13142 Table 3-1, Eqs. 3.5-3.6)."""

    resistance_parallel: Resistance
    tmr: Ratio
    max_noise_conductance: Conductance
    noise_on_off_ratio: OnOff
    noise_fit_a: Fraction
    noise_fit_b: Positive
    std_ratio: Positive
    sigma_bits: whole(1, 16)


class DwPair(Strict):
    """The DW-MTJ pair holding a weight's mean as G+ - G- (SAND2022-13142 Table 3-2, Sec. 3.0.1)."""

    resistance_parallel: Resistance
    tmr: Ratio
    notches: whole(2, 65536)
    read_noise_fraction: Fraction
    mu_bits: whole(1, 16)

    @property
    def bits_per_pair(self) -> int:
        """Mean bits one pair holds: log2 of its notches (16 notches = 4 bits, Table 3-2)."""
        return max(1, int(math.floor(math.log2(self.notches))))


class Read(Strict):
    """Read pulses: bipolar on the Bayes-MTJ, unipolar +/- on the DW pair, same amplitude and length (Sec. 3.0.2)."""

    voltage: Voltage
    pulse: PulseWidth


class ProbabilisticCell(Strict):
    """Probabilistic-MAC cell of SAND2022-13142 Fig. 3-2A: a Bayes-MTJ (the weight's sigma) beside a DW-MTJ pair
    (its mean). Means wider than one pair are bit-sliced over several pairs, the Bayes-MTJ on the high pair only."""

    kind: Literal["bayes_dw_pair"]
    bayes_mtj: BayesMtj
    dw_pair: DwPair
    read: Read
    cell_area: CellArea

    @property
    def weight_cells(self) -> int:
        """Cells per weight: one per DW-pair bit slice of the mean (Sec. 3.0.3: 8-bit means use two pairs)."""
        return -(-self.dw_pair.mu_bits // self.dw_pair.bits_per_pair)


class CmosBaseline(Strict):
    """CMOS true-RNG route a probabilistic design is compared with: a random value per weight per sample plus a
    digital multiply (SAND2022-13142 Sec. 3.0.6, Fig. 3-8A's dashed line)."""

    trng_energy_per_bit: ActionEnergy
    trng_bit_rate: Frequency
    trngs: whole(1, 1_000_000)
    trng_area: ComponentArea
    random_bits: Bits
    multiply_energy: ActionEnergy
    multiply_area: ComponentArea


class ResistanceVariant(Strict):
    """Another resistance case of a probabilistic design: new parallel resistances for its two devices."""

    name: str
    bayes_mtj_resistance: Resistance
    dw_resistance: Resistance


class _SlicedDevice(Strict):
    """A weight of `weight_bits` bit-sliced over cells of `levels` states each (NeuroSim's cellBit)."""

    weight_bits: Bits
    levels: Levels = 2
    read_voltage: Voltage
    read_pulse: PulseWidth
    write_pulse: PulseWidth
    cell_area: CellArea

    node_rules: ClassVar[dict[str, str]] = TRANSISTOR_CELL_RULES

    @property
    def bits_per_cell(self) -> int:
        return int(math.floor(math.log2(self.levels)))

    @property
    def weight_cells(self) -> int:
        """Cells per weight: ceil(weight bits / bits per cell)."""
        return -(-self.weight_bits // self.bits_per_cell)

    @property
    def states(self) -> int:
        return self.levels


class _BinaryMtj(_SlicedDevice):
    """A binary perpendicular MTJ: R_P = RA / (pi d^2 / 4), R_AP = R_P (1 + TMR)."""

    levels: Literal[2] = 2
    tmr: Ratio
    resistance_area_product: AreaResistance
    mtj_diameter: Length

    @property
    def conductances(self) -> list[float]:
        g_p = math.pi * self.mtj_diameter**2 / 4 / self.resistance_area_product
        return [g_p / (1 + self.tmr), g_p]


class SotMramDevice(_BinaryMtj):
    """Binary SOT-MRAM, 2T1MTJ: read through the MTJ, written by a current pulse in the heavy metal under it."""

    kind: Literal["sot_mram"]
    access: Literal["2T1MTJ"] = "2T1MTJ"
    write_current_density: CurrentDensityRange
    heavy_metal_length: Length
    heavy_metal_width: Length
    heavy_metal_thickness: Length
    heavy_metal_resistivity: ResistivityRange



class SttMramDevice(_BinaryMtj):
    """Binary STT-MRAM, 1T1MTJ (or 2T1MTJ): read and written through the MTJ."""

    kind: Literal["stt_mram"]
    access: Literal["1T1MTJ", "2T1MTJ"] = "1T1MTJ"
    write_current: Current
    write_voltage: Voltage



class RramDevice(_SlicedDevice):
    """1T1R RRAM, multi-level: `levels` conductances spaced evenly from 1/R_off to 1/R_on."""

    kind: Literal["rram"]
    access: Literal["1T1R"] = "1T1R"
    resistance_on: Resistance
    on_off_ratio: OnOff
    write_voltage: Voltage
    pulses_per_write: whole(1, 1_000_000) = 1


    @property
    def conductances(self) -> list[float]:
        g_on = 1 / self.resistance_on
        g_off = g_on / self.on_off_ratio
        return [g_off + (g_on - g_off) * i / (self.levels - 1) for i in range(self.levels)]


class FefetDevice(_SlicedDevice):
    """FeFET, multi-level: channel conductance set by partial polarisation switching with gate pulses."""

    kind: Literal["fefet"]
    conductance_max: Conductance
    on_off_ratio: OnOff
    write_voltage: Voltage
    pulses_per_write: whole(1, 1_000_000) = 1
    remanent_polarization: ChargeDensity
    ferroelectric_area: ComponentArea
    gate_capacitance: Capacitance


    @property
    def conductances(self) -> list[float]:
        g_off = self.conductance_max / self.on_off_ratio
        return [g_off + (self.conductance_max - g_off) * i / (self.levels - 1) for i in range(self.levels)]


DEVICES = (DwMtjDevice, SramDevice, ProbabilisticCell, SotMramDevice, SttMramDevice, RramDevice, FefetDevice)
Device = Annotated[Union[DwMtjDevice, SramDevice, ProbabilisticCell, SotMramDevice, SttMramDevice, RramDevice,
                         FefetDevice], Field(discriminator="kind")]


class Subarray(Strict):
    """Crossbar subarray (Dhull Sec. III): rows x columns, one ADC shared by `columns_per_adc` columns."""

    rows: ArraySide
    columns: ArraySide
    columns_per_adc: ArraySide
    input_encoding: Literal["analog", "bit_serial"] = "analog"
    reference_columns: whole(0, 65535) = 1
    rows_per_dac: ArraySide = 1       # rows sharing one DAC, set in turn (1: a driver per row, Dhull)
    dac_time: bounded("s", 0.0, 1e-3, low_open=False) = 0.0   # time to set one row level
    # zero weights the array can skip (docs/cost_model.md): none; cell (a zero cell is not read: no read current);
    # column_group (also a column read holding only zeros is not converted, Yue et al. ISSCC 2021 block-wise skipping)
    zero_skipping: Literal["none", "cell", "column_group"] = "none"

    @model_validator(mode="after")
    def _sharing_fits(self) -> "Subarray":
        if self.columns_per_adc > self.columns:
            raise ValueError(f"columns_per_adc ({self.columns_per_adc}) exceeds columns ({self.columns})")
        if self.reference_columns >= self.columns:
            raise ValueError(f"reference_columns ({self.reference_columns}) leaves no weight column of {self.columns}")
        return self


class Hierarchy(Strict):
    """Transposable synaptic arrays per PE and PEs per tile (H-tree joined), Dhull Fig. 2."""

    subarrays_per_pe: whole(1, 4096)
    pes_per_tile: whole(1, 4096)
    transposable: bool = True
    bus_width: whole(1, 65536) = 128
    tiles: whole(1, 1_000_000) | None = None       # tiles on the chip; None sizes the chip to the network (NeuroSim style)


class Precision(Strict):
    """Bit widths of the data that move: activations, back-propagated errors, weight gradients."""

    activation_bits: Bits = 8
    error_bits: Bits = 8
    gradient_bits: Bits = 16
    partial_sum_bits: Bits = 16
    input_mean_square: Fraction = 0.25    # <x^2> of inputs normalised to full scale (read energy)


class Training(Strict):
    """On-chip training schedule (Dhull Sec. IV: batch 200, 50,000 CIFAR-10 images an epoch)."""

    batch_size: whole(1, 1_000_000) = 200
    images_per_epoch: whole(1, 1_000_000_000) = 50_000
    update_fraction: Fraction = 1.0
    wg_lanes: Lanes = 1024
    accumulation_lanes: Lanes = 256


class TransposedReadout(Strict):
    """Read-out of the transposed (backward) pass on the row edge; unset fields follow the forward read-out."""

    columns_per_adc: ArraySide | None = None
    adc_bits: whole(1, 16) | None = None
    adc_kind: AdcKind | None = None


class Offchip(Strict):
    """Off-chip memory (DRAM) traffic: energy per bit moved and bandwidth; `kind: none` leaves it out."""

    kind: Literal["none", "hbm2", "lpddr4", "ddr4", "custom"] = "none"
    energy_per_bit: bounded("J", 0.0, 1e-6, low_open=False) = 0.0
    bandwidth: BitsPerSecond = 1.0
    store_activations: bool = True        # training: each layer's input goes to DRAM and back for the backward pass
    weight_copy_bits: whole(0, 64) = 0   # training: master weight copy read and written once per batch
    gradient_writeback: bool = True      # training: gradient words written to DRAM and read back once per batch
    images_per_weight_load: whole(1, 1_000_000_000) = 1   # inference on a chip too small for the network: images per streamed weight load


class Leakage(Strict):
    """Static power while the chip is powered; `duty_cycle` is the share of powered time spent computing."""

    enabled: bool = True
    duty_cycle: unitless(0.0, 1.0, low_open=True) = 1.0


class Dataflow(Strict):
    """How layers share the chip in time, and the convolution padding convention of the counts."""

    schedule: Literal["layer_by_layer", "pipelined"] = "layer_by_layer"
    duplicate_slow_layers: bool = True   # pipelined: copy the slowest layers' weights into spare tiles (fixed-size chip)
    padding: Literal["network", "neurosim"] = "network"   # neurosim: OFM side = (IFM - K) / stride + 1 (no padding)


class VectorUnit(Strict):
    """The chip's digital vector unit (softmax, layer norm, GELU, residual adds) and where activation-by-activation
    products (attention's Q.K^T and A.V) run.

    `dynamic_matmul: digital` computes them on digital MAC lanes (technology.mac_energy per MAC);
    `array` writes one operand (K^T, V) into synaptic arrays for every image, paying the device's write
    energy and latency (and one write per cell per image against its endurance), then reads it as an MVM.
    Defaults: shipped specs state every value with its source (hwspecs/dw_40nm.yaml)."""

    dynamic_matmul: Literal["digital", "array"] = "digital"
    lanes: Lanes = 128                      # elementwise operations per clock
    op_energy: ActionEnergy = 0.98e-12      # one 16-bit multiply or add (FP16 multiply, Horowitz ISSCC 2014, x 40/45)
    op_area: ComponentArea = 2.37e-9        # one lane: FP16 multiplier + adder (Horowitz: 1640 + 1360 um^2 at 45 nm, x (40/45)^2)
    matmul_lanes: Lanes | None = None       # digital MAC lanes for dynamic products; None: the weight-gradient unit's


class Chip(Strict):
    """A complete in-memory-computing accelerator spec (Dhull et al. hierarchy)."""

    kind: Literal["imc"] = "imc"
    name: str
    description: str = ""
    technology: Technology
    device: Device
    subarray: Subarray
    readout: Readout | None = None     # front end by `kind` (ppa.spec.readout); None: columns go straight to the ADC (Dhull)
    adc: Adc
    hierarchy: Hierarchy
    precision: Precision = Precision()
    training: Training = Training()
    transposed_readout: TransposedReadout = TransposedReadout()
    offchip: Offchip = Offchip()
    leakage: Leakage = Leakage()
    dataflow: Dataflow = Dataflow()
    inference_only: bool = False          # no weight-gradient unit, gradient storage or accumulation lanes
    vector_unit: VectorUnit = VectorUnit()
    cmos_baseline: CmosBaseline | None = None         # the design a probabilistic chip is compared with
    variants: list[ResistanceVariant] = []
    source: str | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _device_to_node(cls, data: Any, handler, info: ValidationInfo) -> "Chip":
        """When `technology.node` moves the design from its written feature size, move the CMOS-dependent fields
        of the device, readout and CMOS baseline too (`node_rules`); fields written next to `node:` stay."""
        model = handler(data)
        tech = data.get("technology") if isinstance(data, dict) else None
        if not isinstance(tech, dict) or tech.get("node") is None or "feature_size" not in tech:
            return model
        from ppa.spec import technology as scaling
        from ppa.spec.units import to_si

        fs, node = to_si(tech["feature_size"], "m"), model.technology.feature_size
        if abs(fs - node) <= 1e-6 * node:
            return model
        written = ((info.context or {}).get("written_with_node") if info is not None else None) or set()
        update = {}
        for section, rules in model.node_rules().items():
            raw, part = data.get(section), getattr(model, section)
            if not isinstance(raw, dict) or part is None:
                continue
            values = {k: getattr(part, k) for k in rules if k in raw}
            keep = {k for k in rules if (section, k) in written}
            update[section] = part.model_copy(update=scaling.rescale(values, rules, node, fs, skip=keep))
        if ("name",) not in written:              # "DW-MTJ 5-state, 40 nm" moved to 22 nm says so
            was, now = f"{fs / 1e-9:g} nm", f"{node / 1e-9:g} nm"
            update["name"] = model.name.replace(was, now) if was in model.name else f"{model.name}, {now}"
        return model.model_copy(update=update)

    def node_rules(self) -> dict[str, dict[str, str]]:
        """How the CMOS-dependent fields of each section move with the node (ppa.spec.technology rules)."""
        return {"device": getattr(type(self.device), "node_rules", TRANSISTOR_CELL_RULES), **SECTION_NODE_RULES}

    @model_validator(mode="after")
    def _probabilistic_parts(self) -> "Chip":
        if self.variants and self.device.kind != "bayes_dw_pair":
            raise ValueError("variants (resistance cases) apply to a bayes_dw_pair device only")
        names = [self.name] + [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must differ from each other and from the spec name")
        return self

    @property
    def probabilistic(self) -> bool:
        """True when the cells carry a Bayes-MTJ noise source (SAND2022-13142)."""
        return self.device.kind == "bayes_dw_pair"

    def with_resistances(self, variant: ResistanceVariant) -> "Chip":
        """The same probabilistic design with a variant's resistances (SAND2022-13142 Sec. 3.0.6 cases)."""
        dev = self.device
        device = dev.model_copy(update={
            "bayes_mtj": dev.bayes_mtj.model_copy(update={"resistance_parallel": variant.bayes_mtj_resistance}),
            "dw_pair": dev.dw_pair.model_copy(update={"resistance_parallel": variant.dw_resistance})})
        return self.model_copy(update={"name": variant.name, "device": device, "variants": []})

    def with_mean_bits(self, mu_bits: int) -> "Chip":
        """The same probabilistic design holding `mu_bits`-bit means (bit-sliced over DW pairs, Sec. 3.0.3)."""
        dev = self.device
        return self.model_copy(update={"device": dev.model_copy(
            update={"dw_pair": dev.dw_pair.model_copy(update={"mu_bits": mu_bits})})})

    @property
    def adcs_per_subarray(self) -> int:
        """ADCs on one subarray edge: one per `columns_per_adc` columns."""
        return -(-self.subarray.columns // self.subarray.columns_per_adc)
