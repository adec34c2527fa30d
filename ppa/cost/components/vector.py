"""The digital vector unit (softmax, layer norm, GELU, residual adds) and the digital MAC lanes of dynamic products."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class VectorUnit:
    """`lanes` 16-bit lanes, each one multiply or add per clock (Horowitz ISSCC 2014 FP16 energy and area, 40/45 scaled)."""

    lanes: float
    op_energy: float
    op_area: float
    clock: float

    @classmethod
    def from_spec(cls, unit, tech) -> "VectorUnit":
        return cls(unit.lanes, unit.op_energy, unit.op_area, tech.clock_period)

    @property
    def area(self):
        return np.asarray(self.lanes) * self.op_area

    def energy(self, ops):
        """Energy of `ops` operations."""
        return np.asarray(ops) * self.op_energy

    def latency(self, ops):
        """Time of `ops` operations spread over the lanes, one per lane per clock."""
        return np.asarray(ops) / self.lanes * self.clock
