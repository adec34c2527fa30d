"""The in-memory-computing chip spec (`kind: imc`): the Dhull et al. hierarchy, subarray -> transposable
synaptic array -> PE -> tile -> chip, with a DW-MTJ or an SRAM synapse. Everything SI; unknown fields are errors."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, field_validator, model_validator

from ppa.spec.sections import Adc, AdcKind, BitsPerSecond, Fraction, PosInt, Strict, Technology, Variation  # noqa: F401
from ppa.spec.units import CurrentDensity, Farads, Joules, Meters, Ohms, Resistivity, Seconds, Siemens, SquareMeters, Volts

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
    device: Annotated[Union[DwMtjDevice, SramDevice], Field(discriminator="kind")]
    subarray: Subarray
    adc: Adc
    hierarchy: Hierarchy
    precision: Precision = Precision()
    training: Training = Training()
    transposed_readout: TransposedReadout = TransposedReadout()
    offchip: Offchip = Offchip()
    leakage: Leakage = Leakage()
    dataflow: Dataflow = Dataflow()
    inference_only: bool = False          # no weight-gradient unit, gradient storage or accumulation lanes
    source: str | None = None

    @property
    def adcs_per_subarray(self) -> int:
        """ADCs on one subarray edge: one per `columns_per_adc` columns."""
        return -(-self.subarray.columns // self.subarray.columns_per_adc)
