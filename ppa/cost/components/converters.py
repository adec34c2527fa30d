"""Data converters and analog front ends: SAR ADC, row DAC/driver, current conveyor."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SarAdc:
    """SAR ADC: E = FoM * 2^B (Walden figure of merit, Murmann ADC survey) + E_cycle * (B + 1) (comparator
    and SAR logic, which floor the energy of low-resolution converters); t = (B + 1) SAR cycles (sample +
    one per bit); area = fixed + per-step * 2^B (capacitor DAC)."""

    bits: np.ndarray | int
    fom: float                  # J per conversion step
    cycle_energy: float         # J per SAR cycle
    cycle_time: float           # s per SAR bit cycle
    area_fixed: float
    area_per_step: float

    @classmethod
    def from_spec(cls, adc, tech) -> "SarAdc":
        return cls(adc.bits, tech.adc_walden_fom, tech.adc_cycle_energy, tech.adc_cycle_time, tech.adc_area_fixed,
                   tech.adc_area_per_step)

    @property
    def area(self):
        return self.area_fixed + self.area_per_step * np.exp2(self.bits)

    @property
    def convert_energy(self):
        """Energy of one conversion: Walden FoM x 2^bits + per-cycle logic x (bits + 1)."""
        return self.fom * np.exp2(self.bits) + self.cycle_energy * (np.asarray(self.bits) + 1)

    @property
    def convert_latency(self):
        """Time of one conversion: (bits + 1) SAR cycles."""
        return (np.asarray(self.bits) + 1) * self.cycle_time


@dataclass(frozen=True)
class RowDac:
    """Row driver / DAC applying one input level to one row (energy and area per row)."""

    energy_per_row: float
    area_per_row: float

    @classmethod
    def from_spec(cls, tech) -> "RowDac":
        return cls(tech.dac_energy_per_row, tech.dac_area_per_row)

    @property
    def area(self) -> float:
        return self.area_per_row

    @property
    def drive_energy(self) -> float:
        return self.energy_per_row


@dataclass(frozen=True)
class CurrentConveyor:
    """Class-AB current conveyor holding a column at virtual ground while its current charges a capacitor
    (SAND2022-13142 Sec. 3.0.2, ref. [69]). Energy per integration = Vdd * (I_bias + |I_column|) * t:
    the quiescent bias plus the column current it must source, which is why higher MTJ resistances help."""

    vdd: float
    bias_current: float
    area_each: float

    @property
    def area(self) -> float:
        return self.area_each

    @classmethod
    def from_spec(cls, readout, tech) -> "CurrentConveyor":
        return cls(tech.vdd, readout.bias_current, readout.conveyor_area)

    def integrate_energy(self, column_current, duration):
        """Energy of one integration window carrying `column_current` (A) for `duration` (s)."""
        return self.vdd * (self.bias_current + np.abs(column_current)) * duration

    def source_energy(self, current, duration):
        """Energy of sourcing `current` (A) from the supply for `duration` (s): Vdd |I| t."""
        return self.vdd * np.abs(current) * duration
