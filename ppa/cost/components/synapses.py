"""Synaptic cells: the notched DW-MTJ (Dhull et al.), the SRAM bit cell of the CMOS baseline, the probabilistic
Bayes-MTJ + DW-pair cell (SAND2022-13142), and the usual NVM
baselines (binary SOT-/STT-MRAM, multi-level 1T1R RRAM, FeFET). Each is built by `from_spec(device, technology)`,
exposes `area`, and prices its `read` and `write` actions; `CELL_OF_DEVICE` names each device kind's cell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class OhmicRead:
    """Reads of a cell that is an Ohmic conductance (`conductances`, `read_voltage`, `read_pulse`, `cell_area`):
    energy (V_read^2 <x^2>) G_mean t_read (Dhull Eq. 1), the column current it adds, and its area."""

    @property
    def area(self) -> float:
        return self.cell_area

    @property
    def mean_conductance(self) -> float:
        """Mean over the stored states (weights spread over all levels); per design point when states are arrays."""
        if any(np.ndim(g) for g in self.conductances):
            return np.mean(np.broadcast_arrays(*self.conductances), axis=0)
        return float(np.mean(self.conductances))

    def read_energy(self, input_mean_square: float = 1.0) -> float:
        """Energy of one cell read: (V_read^2 * <x^2>) * G_mean * t_read."""
        return self.read_voltage**2 * input_mean_square * self.mean_conductance * self.read_pulse

    @property
    def read_latency(self) -> float:
        return self.read_pulse

    def column_current(self, input_mean_square: float = 1.0, noisy: bool = False):
        """Current one cell adds to its column: V x_rms G_mean (for a current-conveyor readout)."""
        return self.read_voltage * np.sqrt(input_mean_square) * self.mean_conductance


@dataclass(frozen=True)
class DwMtjCell(OhmicRead):
    """Notched DW-MTJ synapse: read through the MTJ, written by SOT current in the heavy metal (Dhull Sec. II).

    Read energy = (V_read * input)^2 * G_mean * t_read per cell (Ohmic MTJ, Eq. 1 conductances);
    write energy per notch step = pulses x I^2 * R_HM * t_pulse with I = J * w * t_HM and R_HM = rho * L / (w * t_HM).
    """

    conductances: tuple[float, ...]
    read_voltage: float
    read_pulse: float
    write_current_density: float
    write_pulse: float
    length: float
    width: float
    hm_thickness: float
    hm_resistivity: float
    cell_area: float
    pulses_per_step: int = 1

    @classmethod
    def from_spec(cls, dev, tech=None) -> "DwMtjCell":
        return cls(tuple(dev.conductances), dev.read_voltage, dev.read_pulse, dev.write_current_density,
                   dev.write_pulse, dev.racetrack_length, dev.racetrack_width, dev.heavy_metal_thickness,
                   dev.heavy_metal_resistivity, dev.cell_area, getattr(dev, "pulses_per_step", 1))

    @property
    def write_current(self) -> float:
        """SOT write current I = J * w * t_HM (Dhull Sec. II: 90e10 A/m^2 in the heavy metal)."""
        return self.write_current_density * self.width * self.hm_thickness

    @property
    def write_energy(self) -> float:
        """Joule energy of one notch step in the heavy metal: pulses x I^2 * rho * L / (w * t_HM) * t_pulse."""
        r_hm = self.hm_resistivity * self.length / (self.width * self.hm_thickness)
        return self.pulses_per_step * self.write_current**2 * r_hm * self.write_pulse

    @property
    def write_latency(self) -> float:
        return self.pulses_per_step * self.write_pulse


@dataclass(frozen=True)
class SramCell:
    """SRAM bit cell in a CIM array: a read discharges its share of the bit-line (C_cell * Vdd * swing)."""

    cell_area: float
    bitline_capacitance: float
    vdd: float
    swing: float
    write_energy_per_bit: float
    read_time: float
    write_time: float

    @classmethod
    def from_spec(cls, dev, tech) -> "SramCell":
        return cls(dev.cell_area, dev.bitline_capacitance_per_cell, tech.vdd, dev.read_swing,
                   dev.write_energy_per_bit, dev.read_time, dev.write_time)

    @property
    def area(self) -> float:
        return self.cell_area

    def read_energy(self, input_mean_square: float = 1.0) -> float:
        """Bit-line charge of one cell read: C_cell * Vdd * swing (the input gates the read port)."""
        return self.bitline_capacitance * self.vdd * self.swing

    @property
    def read_latency(self) -> float:
        return self.read_time

    @property
    def write_energy(self) -> float:
        return self.write_energy_per_bit

    @property
    def write_latency(self) -> float:
        return self.write_time


def mean_conductance(r_parallel, tmr):
    """Mean of an MTJ's parallel and antiparallel conductances, G_p (1 + 1/(1 + TMR)) / 2."""
    return 0.5 / r_parallel * (1.0 + 1.0 / (1.0 + tmr))


@dataclass(frozen=True)
class ProbabilisticCell:
    """Probabilistic-MAC cell of SAND2022-13142 Fig. 3-2A: a Bayes-MTJ noise source beside a DW-MTJ pair.

    Every read drives the DW pair with unipolar +/- pulses: E = V^2 <x^2> 2 G_dw t. A stochastic read also
    pulses the Bayes-MTJ: E = V^2 <x^2> G_bayes t (G: mean of parallel and antiparallel). The column current
    each cell adds is V x_rms (G_dw [+ G_bayes]), which the column readout must source (Sec. 3.0.6)."""

    g_dw: float
    g_bayes: float
    read_voltage: float
    read_pulse: float
    cell_area: float

    @classmethod
    def from_spec(cls, dev, tech=None) -> "ProbabilisticCell":
        return cls(mean_conductance(dev.dw_pair.resistance_parallel, dev.dw_pair.tmr),
                   mean_conductance(dev.bayes_mtj.resistance_parallel, dev.bayes_mtj.tmr),
                   dev.read.voltage, dev.read.pulse, dev.cell_area)

    @property
    def area(self) -> float:
        return self.cell_area

    def read_energy(self, input_mean_square: float = 1.0):
        """Energy of one DW-pair read: V^2 <x^2> (G+ + G-) t_read."""
        return self.read_voltage**2 * input_mean_square * 2.0 * self.g_dw * self.read_pulse

    def noise_read_energy(self, input_mean_square: float = 1.0):
        """Energy of one Bayes-MTJ read (bipolar pulse, Sec. 3.0.2): V^2 <x^2> G_bayes t_read."""
        return self.read_voltage**2 * input_mean_square * self.g_bayes * self.read_pulse

    def column_current(self, input_mean_square: float = 1.0, noisy: bool = False):
        """Current one cell adds to its column: V x_rms (G_dw + G_bayes if the noise source is read)."""
        return self.read_voltage * np.sqrt(input_mean_square) * (self.g_dw + (self.g_bayes if noisy else 0.0))

    @property
    def read_latency(self) -> float:
        return self.read_pulse

    @property
    def write_energy(self) -> float:
        return 0.0          # weights are programmed once before inference; on-chip training is not modelled

    @property
    def write_latency(self) -> float:
        return 0.0


def _levels(g_min, g_max, levels: int) -> tuple[float, ...]:
    return tuple(float(g_min + (g_max - g_min) * i / (levels - 1)) for i in range(int(levels)))


@dataclass(frozen=True)
class ResistiveCell(OhmicRead):
    """A cell read as an Ohmic conductance: read energy = (V_read^2 <x^2>) G_mean t_read (as DwMtjCell);
    the write energy per cell write is computed by each device's `from_spec`."""

    conductances: tuple[float, ...]
    read_voltage: float
    read_pulse: float
    write_energy: float
    write_latency: float
    cell_area: float


def _mtj_conductances(dev) -> tuple[float, float]:
    """Binary perpendicular MTJ: G_P = (pi d^2 / 4) / RA, G_AP = G_P / (1 + TMR)."""
    g_p = np.pi * dev.mtj_diameter**2 / 4 / dev.resistance_area_product
    return (float(g_p / (1 + dev.tmr)), float(g_p))


class SotMramCell(ResistiveCell):
    """Binary SOT-MRAM, 2T1MTJ (Liu et al., Science 2012; Garello et al., VLSI 2018): read through the MTJ,
    written by I = J w t_HM in the heavy metal, E_write = I^2 rho L / (w t_HM) t_pulse."""

    @classmethod
    def from_spec(cls, dev, tech=None) -> "SotMramCell":
        current = dev.write_current_density * dev.heavy_metal_width * dev.heavy_metal_thickness
        r_hm = dev.heavy_metal_resistivity * dev.heavy_metal_length / (dev.heavy_metal_width * dev.heavy_metal_thickness)
        return cls(_mtj_conductances(dev), dev.read_voltage, dev.read_pulse, current**2 * r_hm * dev.write_pulse,
                   dev.write_pulse, dev.cell_area)


class SttMramCell(ResistiveCell):
    """Binary STT-MRAM, 1T1MTJ (NVSim's STT-RAM cell, Dong et al. TCAD 2012): written through the MTJ,
    E_write = V_write I_write t_write (the supply's charge through MTJ and access transistor)."""

    @classmethod
    def from_spec(cls, dev, tech=None) -> "SttMramCell":
        return cls(_mtj_conductances(dev), dev.read_voltage, dev.read_pulse,
                   dev.write_voltage * dev.write_current * dev.write_pulse, dev.write_pulse, dev.cell_area)


class RramCell(ResistiveCell):
    """1T1R multi-level RRAM (NeuroSim's default cell): `levels` conductances from 1/R_off to 1/R_on;
    E_write = pulses x V_write^2 G_mean t_pulse (each program pulse drives the filament at V_write)."""

    @classmethod
    def from_spec(cls, dev, tech=None) -> "RramCell":
        g_on = 1 / dev.resistance_on
        g = _levels(g_on / dev.on_off_ratio, g_on, dev.levels)
        energy = dev.pulses_per_write * dev.write_voltage**2 * float(np.mean(g)) * dev.write_pulse
        return cls(g, dev.read_voltage, dev.read_pulse, energy, dev.pulses_per_write * dev.write_pulse, dev.cell_area)


class FefetCell(ResistiveCell):
    """Multi-level FeFET (Jerry et al., IEDM 2017): read as a channel conductance; a gate pulse switches
    polarisation charge, E_pulse = (2 P_r A_FE + C_gate V_write) V_write, no static current."""

    @classmethod
    def from_spec(cls, dev, tech=None) -> "FefetCell":
        g = _levels(dev.conductance_max / dev.on_off_ratio, dev.conductance_max, dev.levels)
        pulse = (2 * dev.remanent_polarization * dev.ferroelectric_area + dev.gate_capacitance * dev.write_voltage) * dev.write_voltage
        return cls(g, dev.read_voltage, dev.read_pulse, dev.pulses_per_write * pulse,
                   dev.pulses_per_write * dev.write_pulse, dev.cell_area)
