"""The in-memory-computing chip spec (`kind: imc`): the Dhull et al. hierarchy, subarray -> transposable
synaptic array -> PE -> tile -> chip, with a DW-MTJ or an SRAM synapse. Everything SI; unknown fields are errors."""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import Field, field_validator, model_validator

from ppa.spec.sections import Adc, AdcKind, BitsPerSecond, Fraction, PosInt, Strict, Technology, Variation  # noqa: F401
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

Positive = Annotated[float, Field(gt=0)]

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
    variation: Annotated[float, Field(ge=0.0)] = 0.0
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
    weight_bits: PosInt
    cell_area: SquareMeters
    bitline_capacitance_per_cell: Farads
    read_swing: Volts
    write_energy_per_bit: Joules
    write_time: Seconds
    read_time: Seconds
    read_resistance: Ohms = 20e3          # on-resistance of the 8T read port (sets a sense-amp ADC's column RC)

    @property
    def weight_cells(self) -> int:
        return self.weight_bits


class BayesMtj(Strict):
    """Bayes-MTJ tunable noise source (SAND2022-13142 Table 3-1, Eqs. 3.5-3.6)."""

    resistance_parallel: Ohms
    tmr: Positive
    max_noise_conductance: Siemens
    noise_on_off_ratio: Annotated[float, Field(gt=1)]
    noise_fit_a: Fraction
    noise_fit_b: Positive
    std_ratio: Positive
    sigma_bits: PosInt


class DwPair(Strict):
    """The DW-MTJ pair holding a weight's mean as G+ - G- (SAND2022-13142 Table 3-2, Sec. 3.0.1)."""

    resistance_parallel: Ohms
    tmr: Positive
    notches: Annotated[int, Field(ge=2)]
    read_noise_fraction: Fraction
    mu_bits: PosInt

    @property
    def bits_per_pair(self) -> int:
        """Mean bits one pair holds: log2 of its notches (16 notches = 4 bits, Table 3-2)."""
        return max(1, int(math.floor(math.log2(self.notches))))


class Read(Strict):
    """Read pulses: bipolar on the Bayes-MTJ, unipolar +/- on the DW pair, same amplitude and length (Sec. 3.0.2)."""

    voltage: Volts
    pulse: Seconds


class ProbabilisticCell(Strict):
    """Probabilistic-MAC cell of SAND2022-13142 Fig. 3-2A: a Bayes-MTJ (the weight's sigma) beside a DW-MTJ pair
    (its mean). Means wider than one pair are bit-sliced over several pairs, the Bayes-MTJ on the high pair only."""

    kind: Literal["bayes_dw_pair"]
    bayes_mtj: BayesMtj
    dw_pair: DwPair
    read: Read
    cell_area: SquareMeters

    @property
    def weight_cells(self) -> int:
        """Cells per weight: one per DW-pair bit slice of the mean (Sec. 3.0.3: 8-bit means use two pairs)."""
        return -(-self.dw_pair.mu_bits // self.dw_pair.bits_per_pair)


class CurrentConveyorReadout(Strict):
    """Column readout by a current conveyor holding the column at virtual ground and charging a capacitor
    (SAND2022-13142 Sec. 3.0.2, ref. [69]); the ADC converts the capacitor voltage."""

    kind: Literal["current_conveyor"]
    bias_current: Amperes
    conveyor_area: SquareMeters
    capacitor_density: FaradsPerSquareMeter   # MIM capacitance per area
    voltage_swing: Volts


class CmosBaseline(Strict):
    """CMOS true-RNG route a probabilistic design is compared with: a random value per weight per sample plus a
    digital multiply (SAND2022-13142 Sec. 3.0.6, Fig. 3-8A's dashed line)."""

    trng_energy_per_bit: Joules
    trng_bit_rate: Hertz
    trngs: PosInt
    trng_area: SquareMeters
    random_bits: PosInt
    multiply_energy: Joules
    multiply_area: SquareMeters


class ResistanceVariant(Strict):
    """Another resistance case of a probabilistic design: new parallel resistances for its two devices."""

    name: str
    bayes_mtj_resistance: Ohms
    dw_resistance: Ohms


class Subarray(Strict):
    """Crossbar subarray (Dhull Sec. III): rows x columns, one ADC shared by `columns_per_adc` columns."""

    rows: PosInt
    columns: PosInt
    columns_per_adc: PosInt
    input_encoding: Literal["analog", "bit_serial"] = "analog"
    reference_columns: Annotated[int, Field(ge=0)] = 1
    rows_per_dac: PosInt = 1          # rows sharing one DAC, set in turn (1: a driver per row, Dhull)
    dac_time: Annotated[float, quantity("s"), Field(ge=0.0)] = 0.0   # time to set one row level

    @model_validator(mode="after")
    def _sharing_fits(self) -> "Subarray":
        if self.columns_per_adc > self.columns:
            raise ValueError(f"columns_per_adc ({self.columns_per_adc}) exceeds columns ({self.columns})")
        return self


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


class TransposedReadout(Strict):
    """Read-out of the transposed (backward) pass on the row edge; unset fields follow the forward read-out."""

    columns_per_adc: PosInt | None = None
    adc_bits: Annotated[int, Field(ge=1, le=16)] | None = None
    adc_kind: AdcKind | None = None


class Offchip(Strict):
    """Off-chip memory (DRAM) traffic: energy per bit moved and bandwidth; `kind: none` leaves it out."""

    kind: Literal["none", "hbm2", "lpddr4", "ddr4", "custom"] = "none"
    energy_per_bit: Joules = 0.0
    bandwidth: BitsPerSecond = 1.0
    store_activations: bool = True        # training: each layer's input goes to DRAM and back for the backward pass
    weight_copy_bits: Annotated[int, Field(ge=0)] = 0   # training: master weight copy read and written once per batch
    gradient_writeback: bool = True      # training: gradient words written to DRAM and read back once per batch
    images_per_weight_load: PosInt = 1   # inference on a chip too small for the network: images per streamed weight load


class Leakage(Strict):
    """Static power while the chip is powered; `duty_cycle` is the share of powered time spent computing."""

    enabled: bool = True
    duty_cycle: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0


class Dataflow(Strict):
    """How layers share the chip in time, and the convolution padding convention of the counts."""

    schedule: Literal["layer_by_layer", "pipelined"] = "layer_by_layer"
    duplicate_slow_layers: bool = True   # pipelined: copy the slowest layers' weights into spare tiles (fixed-size chip)
    padding: Literal["network", "neurosim"] = "network"   # neurosim: OFM side = (IFM - K) / stride + 1 (no padding)


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
    transposed_readout: TransposedReadout = TransposedReadout()
    offchip: Offchip = Offchip()
    leakage: Leakage = Leakage()
    dataflow: Dataflow = Dataflow()
    inference_only: bool = False          # no weight-gradient unit, gradient storage or accumulation lanes
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
