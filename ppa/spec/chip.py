"""The in-memory-computing chip spec (`kind: imc`): the Dhull et al. hierarchy, subarray -> transposable
synaptic array -> PE -> tile -> chip, with a DW-MTJ or an SRAM synapse. Everything SI; unknown fields are errors."""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import Field, field_validator, model_validator

from ppa.spec.sections import Adc, Bits, Fraction, Lanes, PosInt, Strict, Technology, Variation  # noqa: F401
from ppa.spec.units import (
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
ArraySide = whole(1, 65536)          # rows or columns of one subarray

class DwMtjDevice(Strict):
    """Notched DW-MTJ synapse (Dhull et al. Sec. II, Table VIII); conductances ascending, in siemens."""

    kind: Literal["dw_mtj"]
    conductances: list[Conductance] = Field(min_length=2)
    read_voltage: Voltage
    read_pulse: PulseWidth
    write_current_density: CurrentDensityRange
    write_pulse: PulseWidth
    racetrack_length: Length
    racetrack_width: Length
    heavy_metal_thickness: Length
    heavy_metal_resistivity: ResistivityRange
    cell_area: CellArea
    variation: unitless(0.0, 10.0) = 0.0
    write_transition: list[list[Fraction]] | None = None

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

    @property
    def weight_cells(self) -> int:
        return self.weight_bits


class BayesMtj(Strict):
    """Bayes-MTJ tunable noise source (SAND2022-13142 Table 3-1, Eqs. 3.5-3.6)."""

    resistance_parallel: Resistance
    tmr: Ratio
    max_noise_conductance: Conductance
    noise_on_off_ratio: unitless(1.0, 1e6, low_open=True)
    noise_fit_a: Fraction
    noise_fit_b: Positive
    std_ratio: Ratio
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


class CurrentConveyorReadout(Strict):
    """Column readout by a current conveyor holding the column at virtual ground and charging a capacitor
    (SAND2022-13142 Sec. 3.0.2, ref. [69]); the ADC converts the capacitor voltage."""

    kind: Literal["current_conveyor"]
    bias_current: Current
    conveyor_area: ComponentArea
    capacitor_density: CapacitancePerArea   # MIM capacitance per area
    voltage_swing: Voltage


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


class Subarray(Strict):
    """Crossbar subarray (Dhull Sec. III): rows x columns, one ADC shared by `columns_per_adc` columns."""

    rows: ArraySide
    columns: ArraySide
    columns_per_adc: ArraySide
    input_encoding: Literal["analog", "bit_serial"] = "analog"
    reference_columns: whole(0, 65535) = 1
    rows_per_dac: ArraySide = 1       # rows sharing one DAC, set in turn (1: a driver per row, Dhull)
    dac_time: bounded("s", 0.0, 1e-3, low_open=False) = 0.0   # time to set one row level

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


class Chip(Strict):
    """A complete in-memory-computing accelerator spec (Dhull et al. hierarchy)."""

    kind: Literal["imc"] = "imc"
    name: str
    description: str = ""
    technology: Technology
    device: Annotated[Union[DwMtjDevice, SramDevice, ProbabilisticCell], Field(discriminator="kind")]
    subarray: Subarray
    readout: CurrentConveyorReadout | None = None     # None: columns go straight to the ADC (Dhull)
    adc: Adc
    hierarchy: Hierarchy
    precision: Precision = Precision()
    training: Training = Training()
    cmos_baseline: CmosBaseline | None = None         # the design a probabilistic chip is compared with
    variants: list[ResistanceVariant] = []
    source: str | None = None

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
