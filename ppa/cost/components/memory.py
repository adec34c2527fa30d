"""Off-chip memory (DRAM) traffic and static (leakage) power of on-chip blocks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OffchipMemory:
    """DRAM behind the chip, priced per bit moved (I/O + array access, e.g. HBM2 ~3.9 pJ/bit, O'Connor et al.,
    MICRO 2017) and limited by its peak bandwidth: t = bits / bandwidth (no overlap with compute)."""

    energy_per_bit: float
    bandwidth: float            # bit/s

    @classmethod
    def from_spec(cls, offchip) -> "OffchipMemory":
        if offchip.kind == "none":
            return cls(0.0, np.inf)
        return cls(offchip.energy_per_bit, offchip.bandwidth)

    def transfer_energy(self, bits):
        return np.asarray(bits) * self.energy_per_bit

    def transfer_latency(self, bits):
        return np.asarray(bits) / self.bandwidth


@dataclass(frozen=True)
class StaticPower:
    """Leakage while powered: P = density * CMOS block area + per-bit leakage * SRAM bits (non-volatile cells hold
    their state unpowered and leak nothing). `retained` is the part that must stay on while idle (volatile weights)."""

    leakage_density: float      # W/m^2 of CMOS logic and periphery
    bit_leakage: float          # W per SRAM bit

    def power(self, cmos_area, sram_bits):
        return self.leakage_density * np.asarray(cmos_area) + self.bit_leakage * np.asarray(sram_bits)
