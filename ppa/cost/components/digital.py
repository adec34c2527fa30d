"""Digital blocks priced per bit from the technology: adders, shift-add, registers, MAC lanes, buffers, TRNG."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Adder:
    """Ripple-carry adder of `bits` bits: energy and area = bits x one full adder; one clock per add."""

    bits: np.ndarray | int
    fa_energy: float
    fa_area: float
    clock: float

    @classmethod
    def from_spec(cls, bits, tech) -> "Adder":
        return cls(bits, tech.full_adder_energy, tech.full_adder_area, tech.clock_period)

    @property
    def area(self):
        return np.asarray(self.bits) * self.fa_area

    @property
    def add_energy(self):
        return np.asarray(self.bits) * self.fa_energy

    @property
    def add_latency(self) -> float:
        return self.clock


@dataclass(frozen=True)
class Register:
    """Bank of `bits` D flip-flops."""

    bits: np.ndarray | int
    bit_energy: float
    bit_area: float

    @classmethod
    def from_spec(cls, bits, tech) -> "Register":
        return cls(bits, tech.register_energy, tech.register_area)

    @property
    def area(self):
        return np.asarray(self.bits) * self.bit_area

    @property
    def write_energy(self):
        return np.asarray(self.bits) * self.bit_energy


@dataclass(frozen=True)
class ShiftAdd:
    """Shift-and-add after each ADC (Dhull Sec. III): an adder plus its accumulator register."""

    adder: Adder
    register: Register

    @classmethod
    def from_spec(cls, bits, tech) -> "ShiftAdd":
        return cls(Adder.from_spec(bits, tech), Register.from_spec(bits, tech))

    @property
    def area(self):
        return self.adder.area + self.register.area

    @property
    def add_energy(self):
        return self.adder.add_energy + self.register.write_energy

    @property
    def add_latency(self) -> float:
        return self.adder.add_latency


@dataclass(frozen=True)
class MacUnit:
    """One lane of the digital weight-gradient unit: a multiply-accumulate per clock."""

    mac_energy: float
    mac_area: float
    clock: float

    @classmethod
    def from_spec(cls, tech) -> "MacUnit":
        return cls(tech.mac_energy, tech.mac_area, tech.clock_period)

    @property
    def area(self) -> float:
        return self.mac_area

    @property
    def mac_latency(self) -> float:
        return self.clock


@dataclass(frozen=True)
class Buffer:
    """SRAM buffer macro priced per bit accessed; area per bit stored (with periphery)."""

    capacity_bits: np.ndarray | int
    bit_energy: float
    bit_area: float

    @classmethod
    def from_spec(cls, capacity_bits, tech) -> "Buffer":
        return cls(capacity_bits, tech.sram_buffer_energy, tech.sram_buffer_area)

    @property
    def area(self):
        return np.asarray(self.capacity_bits) * self.bit_area

    @property
    def access_energy(self) -> float:
        """Energy of one bit read or written."""
        return self.bit_energy


@dataclass(frozen=True)
class CmosTrng:
    """CMOS true random number generator (Bae et al., JSSC 2017: 1.6 pJ/bit at 3 Gb/s) for the BNN baseline."""

    energy_per_bit: float
    bit_rate: float
    area_each: float = 0.0

    @property
    def area(self) -> float:
        return self.area_each

    def value_energy(self, bits):
        """Energy of one random value of `bits` bits."""
        return self.energy_per_bit * np.asarray(bits)

    def value_latency(self, bits):
        return np.asarray(bits) / self.bit_rate
