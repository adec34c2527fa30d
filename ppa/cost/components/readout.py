"""Column readout front ends between the array and the converter, each from its circuit physics.

One registry entry per front end (`readout.kind` of a spec): `current_conveyor`, `transimpedance`,
`integrator`, `charge_share` (voltage-mode bit line) and `tdc` (time-to-digital). Every component exposes
`area` (m^2), `convert_energy(column_current, duration)` (J per conversion window) and `settle_time(bits)`
(s before the converter may sample at `bits` resolution). SI units throughout.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LN2 = math.log(2.0)


def settling_time(bits, tau):
    """Single-pole settling to half an LSB of a `bits`-bit converter: t = (B + 1) ln2 tau (Razavi, Design of
    Analog CMOS Integrated Circuits, 2nd ed., Sec. 10.1: an exponential reaches 2^-(B+1) after (B+1) ln2 tau)."""
    return (np.asarray(bits, dtype=np.float64) + 1.0) * LN2 * np.asarray(tau, dtype=np.float64)


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

    def convert_energy(self, column_current, duration):
        """The common readout action: one integration window."""
        return self.integrate_energy(column_current, duration)

    def settle_time(self, bits):
        """The conveyor integrates during the read window: no settling of its own beyond it."""
        return 0.0 * np.asarray(bits, dtype=np.float64)


@dataclass(frozen=True)
class Transimpedance:
    """Transimpedance (conductance-to-current) stage: an OTA with feedback holds the column at a fixed voltage and
    turns its current into a voltage. Its output must settle to half an LSB, t = (B + 1) ln2 C_L / g_m (single pole,
    Razavi Sec. 10.1), with g_m = (g_m / I_D) I_bias (the g_m/I_D method, Jespers & Murmann, Systematic Design of
    Analog CMOS Circuits, 2017, Ch. 2); energy = Vdd (I_bias + |I_col|) t."""

    vdd: float
    bias_current: float
    gm_over_id: float          # 1/V: ~25 in weak, ~10-15 in moderate inversion
    load_capacitance: float    # F: the converter's sampling capacitor and wiring
    area_each: float

    @classmethod
    def from_spec(cls, readout, tech, vdd: float | None = None) -> "Transimpedance":
        return cls(tech.vdd if vdd is None else vdd, readout.bias_current, readout.gm_over_id,
                   readout.load_capacitance, readout.area)

    @property
    def area(self) -> float:
        return self.area_each

    def settle_time(self, bits):
        """(B + 1) ln2 C_L / (g_m/I_D * I_bias)."""
        return settling_time(bits, self.load_capacitance / (self.gm_over_id * self.bias_current))

    def convert_energy(self, column_current, duration):
        """Vdd (I_bias + |I_col|) over the window (the window never shorter than the settling it needs)."""
        return self.vdd * (self.bias_current + np.abs(column_current)) * duration


@dataclass(frozen=True)
class ChargeIntegrator:
    """Switched-capacitor charge integrator with reset: an OTA holds the column at virtual ground while the
    column charge Q = I t lands on C_int (swing V = Q / C_int); accumulating several input bits on one capacitor
    before one conversion needs the swing to hold their binary-weighted sum (Johns & Martin, Analog Integrated
    Circuit Design, Ch. 10). Energy per integration = Vdd (I_bias t + |Q|) (bias plus the charge the OTA output
    sources); reset dumps C_int V^2 / 2 each conversion."""

    vdd: float
    bias_current: float
    capacitance: float
    voltage_swing: float
    area_each: float

    @classmethod
    def from_spec(cls, readout, tech, vdd: float | None = None) -> "ChargeIntegrator":
        return cls(tech.vdd if vdd is None else vdd, readout.bias_current, readout.capacitance,
                   readout.voltage_swing, readout.area)

    @property
    def area(self) -> float:
        return self.area_each

    @property
    def full_scale_charge(self) -> float:
        """Largest charge the capacitor holds within its swing: C_int V_swing."""
        return self.capacitance * self.voltage_swing

    def settle_time(self, bits):
        """The integrator is sampled at the end of its window; its output stage settles to half an LSB on
        C_int with the OTA's bias: (B + 1) ln2 C_int V_ov / I_bias with V_ov ~ 0.1 V (slew-free small-signal)."""
        return settling_time(bits, self.capacitance * 0.1 / self.bias_current)

    def integrate_energy(self, charge, duration):
        """One integration window: Vdd (I_bias t + |Q|)."""
        return self.vdd * (self.bias_current * duration + np.abs(charge))

    def reset_energy(self):
        """Reset after a conversion: the held charge, C_int V_swing^2 / 2 at full scale."""
        return 0.5 * self.capacitance * self.voltage_swing ** 2

    def convert_energy(self, column_current, duration):
        return self.integrate_energy(np.abs(column_current) * duration, duration) + self.reset_energy()


@dataclass(frozen=True)
class ChargeShare:
    """Voltage-mode bit line with charge sharing: N cell capacitors, each charged to Vdd or 0 by its product,
    are shorted onto the compute line; the line voltage is the mean of the products (Valavi et al., JSSC 2019,
    Sec. II). Energy = (products charged) C_cell Vdd^2 + C_line Vdd^2 (precharge/reset); the line settles through
    the share switch, tau = R_switch (C_cell + C_line / N) per cell node (RC settling, Razavi Sec. 10.1)."""

    vdd: float
    rows: int
    cell_capacitance: float
    line_capacitance: float
    switch_resistance: float
    area_each: float = 0.0

    @property
    def area(self) -> float:
        return self.area_each

    def settle_time(self, bits):
        """(B + 1) ln2 R_switch (C_cell + C_line / N)."""
        tau = self.switch_resistance * (self.cell_capacitance + self.line_capacitance / np.asarray(self.rows))
        return settling_time(bits, tau)

    def share_energy(self, activity):
        """One evaluation: `activity` x N cell capacitors charged to Vdd, plus the line reset."""
        return (np.asarray(activity) * np.asarray(self.rows) * self.cell_capacitance + self.line_capacitance) * self.vdd ** 2

    def convert_energy(self, column_current, duration):
        """The share itself draws no column current: the line reset only (the cells are priced as cells)."""
        return self.line_capacitance * self.vdd ** 2 + 0.0 * np.asarray(column_current) * duration


@dataclass(frozen=True)
class TimeToDigital:
    """Time-to-digital converter: a column's time (or pulse width) is counted in a delay line of 2^B stages
    (Henzler, Time-to-Digital Converters, Springer 2010, Ch. 3); latency = 2^B stage delays, energy = 2^B
    stage transitions (one inverter-class C V^2 each) plus a B-bit register."""

    bits: np.ndarray | int
    stage_energy: float
    stage_delay: float
    register_energy: float
    stage_area: float

    @classmethod
    def from_spec(cls, readout, tech, bits) -> "TimeToDigital":
        return cls(bits, tech.full_adder_energy / 4.0, tech.full_adder_delay / 2.0, tech.register_energy,
                   tech.full_adder_area / 4.0)

    @property
    def area(self):
        return np.exp2(self.bits) * self.stage_area

    def settle_time(self, bits):
        return np.exp2(np.asarray(bits, dtype=np.float64)) * self.stage_delay

    def convert_energy(self, column_current=0.0, duration=0.0):
        return np.exp2(self.bits) * self.stage_energy + np.asarray(self.bits) * self.register_energy


def make_readout(readout, tech, rows: int = 128, vdd: float | None = None, bits: int = 8):
    """The front end of a `readout` spec section (`kind` selects the component)."""
    kind = readout.kind
    if kind == "current_conveyor":
        return CurrentConveyor.from_spec(readout, tech)
    if kind == "transimpedance":
        return Transimpedance.from_spec(readout, tech, vdd)
    if kind == "integrator":
        return ChargeIntegrator.from_spec(readout, tech, vdd)
    if kind == "charge_share":
        return ChargeShare(tech.vdd if vdd is None else vdd, rows, readout.cell_capacitance,
                           readout.line_capacitance_per_row * rows, readout.switch_resistance)
    if kind == "tdc":
        return TimeToDigital.from_spec(readout, tech, bits)
    raise KeyError(kind)
