"""Data converters: SAR, flash and sense-amp ADCs, the row DAC/driver; the current conveyor lives in readout.py."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def schreier_energy_8b(fom_db: float) -> float:
    """Thermal-noise-limited energy of an 8-bit conversion from the Schreier FoM (Murmann ADC survey):
    FoM_S = SNDR + 10 log10(f_s / 2 / P) with SNDR = 6.02 B + 1.76 dB, so P / f_s = 1 / (2 * 10^((FoM_S - SNDR) / 10))."""
    return 1.0 / (2.0 * 10.0 ** ((fom_db - (6.02 * 8 + 1.76)) / 10.0))


def thermal_energy(bits, energy_8b: float):
    """The Schreier term at B bits from its 8-bit value: SNDR grows 6.02 dB per bit, so the energy 10^0.602 = 4x."""
    return energy_8b * 10.0 ** (0.602 * (np.asarray(bits, dtype=np.float64) - 8.0))


@dataclass(frozen=True)
class SarAdc:
    """SAR ADC after the Murmann ADC survey trends: E = FoM_W * 2^B (Walden regime) + E_cycle * (B + 1)
    (comparator and SAR logic, the low-resolution floor) + the Schreier thermal-noise term (4x per bit at high B);
    t = (B + 1) SAR cycles (sample + one per bit); area = scale * (A_fixed + A_step * 2^B), the survey's
    capacitor-DAC-dominated trend (about 2x per bit above 6 bits), scaled by one calibrated factor."""

    bits: np.ndarray | int
    fom: float                  # J per conversion step
    cycle_energy: float         # J per SAR cycle
    cycle_time: float           # s per SAR bit cycle
    area_fixed: float
    area_per_step: float
    thermal_energy_8b: float = 0.0   # J: the Schreier (thermal-noise) term at 8 bits
    area_scale: float = 1.0

    @classmethod
    def from_spec(cls, adc, tech) -> "SarAdc":
        return cls(adc.bits, tech.adc_walden_fom, tech.adc_cycle_energy, tech.adc_cycle_time, tech.adc_area_fixed,
                   tech.adc_area_per_step, getattr(tech, "adc_thermal_energy_8b", 0.0), getattr(tech, "adc_area_scale", 1.0))

    @property
    def area(self):
        return self.area_scale * (self.area_fixed + self.area_per_step * np.exp2(self.bits))

    @property
    def convert_energy(self):
        """Energy of one conversion: Walden FoM x 2^bits + per-cycle logic x (bits + 1) + thermal-noise term."""
        return (self.fom * np.exp2(self.bits) + self.cycle_energy * (np.asarray(self.bits) + 1)
                + thermal_energy(self.bits, self.thermal_energy_8b))

    def convert_energy_at(self, activity_ratio):
        """Energy of one conversion when the input (and so the mean code) is `activity_ratio` x the calibration
        point: the capacitor-DAC switching (Walden term) follows the code, comparator and logic cycles do not."""
        return (self.fom * np.exp2(self.bits) * np.asarray(activity_ratio) + self.cycle_energy * (np.asarray(self.bits) + 1)
                + thermal_energy(self.bits, self.thermal_energy_8b))

    @property
    def convert_latency(self):
        """Time of one conversion: (bits + 1) SAR cycles."""
        return (np.asarray(self.bits) + 1) * self.cycle_time


@dataclass(frozen=True)
class FlashAdc:
    """Flash ADC: 2^B - 1 latched comparators fire in parallel against a reference ladder, then a
    thermometer-to-binary encoder (about one gate per comparator, log2 depth). Energy and area ~ 2^B - 1;
    latency = one comparator decision + B gate delays."""

    bits: np.ndarray | int
    comparator_energy: float
    comparator_area: float
    comparator_delay: float
    gate_energy: float
    gate_area: float
    gate_delay: float

    @classmethod
    def from_spec(cls, adc, tech) -> "FlashAdc":
        return cls(adc.bits, tech.comparator_energy, tech.comparator_area, tech.comparator_delay,
                   tech.full_adder_energy, tech.full_adder_area, tech.full_adder_delay)

    @property
    def levels(self):
        return np.exp2(self.bits) - 1.0

    @property
    def area(self):
        return self.levels * (self.comparator_area + self.gate_area)

    @property
    def convert_energy(self):
        return self.levels * (self.comparator_energy + self.gate_energy)

    def convert_energy_at(self, activity_ratio):
        """Every comparator decides at every conversion: the energy does not follow the input."""
        return self.convert_energy * np.ones_like(np.asarray(activity_ratio, dtype=np.float64))

    @property
    def convert_latency(self):
        return self.comparator_delay + np.asarray(self.bits) * self.gate_delay


@dataclass(frozen=True)
class SenseAmpAdc:
    """Current-mode multi-level sense amplifier (NeuroSim's MLSA): 2^B - 1 sense amps, each against its own
    reference current, decide in parallel. Energy and area ~ 2^B - 1; the energy follows the column current
    (input-dependent). Sensing time is the column RC: the LSB current of one cell (resistance R) must
    charge the bit-line of `rows` cells (C each): t = rows * R * C, plus one latch decision."""

    bits: np.ndarray | int
    rows: np.ndarray | int
    cell_resistance: float
    cell_capacitance: float
    sense_energy: float
    sense_area: float
    latch_delay: float

    @classmethod
    def from_spec(cls, adc, tech, rows, cell_resistance: float, cell_capacitance: float) -> "SenseAmpAdc":
        return cls(adc.bits, rows, cell_resistance, cell_capacitance, tech.sense_amp_energy, tech.sense_amp_area,
                   tech.comparator_delay)

    @property
    def levels(self):
        return np.exp2(self.bits) - 1.0

    @property
    def area(self):
        return self.levels * self.sense_area

    @property
    def convert_energy(self):
        return self.levels * self.sense_energy

    def convert_energy_at(self, activity_ratio):
        """Current-mode sense amps draw the column current they compare: energy follows the input."""
        return self.convert_energy * np.asarray(activity_ratio)

    @property
    def convert_latency(self):
        return np.asarray(self.rows, dtype=np.float64) * self.cell_resistance * self.cell_capacitance + self.latch_delay


def make_adc(adc, tech, rows=128, cell_resistance: float = 20e3, cell_capacitance: float = 0.15e-15):
    """The converter of an `adc` spec section (`kind`: sar, flash or sense_amp)."""
    kind = getattr(adc, "kind", "sar")
    if kind == "flash":
        return FlashAdc.from_spec(adc, tech)
    if kind == "sense_amp":
        return SenseAmpAdc.from_spec(adc, tech, rows, cell_resistance, cell_capacitance)
    return SarAdc.from_spec(adc, tech)


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


from ppa.cost.components.readout import CurrentConveyor  # noqa: E402,F401  (one copy: the readout module's)
