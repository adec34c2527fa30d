"""The in-memory-computing chip spec (`kind: imc`): the Dhull et al. hierarchy, subarray -> transposable
synaptic array -> PE -> tile -> chip, with a DW-MTJ or an SRAM synapse. Everything SI; unknown fields are errors."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, field_validator, model_validator

from ppa.spec.sections import Adc, Bits, Fraction, Lanes, PosInt, Strict, Technology, Variation  # noqa: F401
from ppa.spec.units import (ActionEnergy, Capacitance, CellArea, Conductance, CurrentDensityRange, Length, PulseWidth,
                            ResistivityRange, Voltage, whole)

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
    variation: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
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


class Subarray(Strict):
    """Crossbar subarray (Dhull Sec. III): rows x columns, one ADC shared by `columns_per_adc` columns."""

    rows: ArraySide
    columns: ArraySide
    columns_per_adc: ArraySide
    input_encoding: Literal["analog", "bit_serial"] = "analog"
    reference_columns: whole(0, 65535) = 1

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
