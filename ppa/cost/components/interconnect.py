"""H-tree interconnect joining subarrays into PEs and PEs into tiles (Dhull Fig. 2)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HTree:
    """H-tree over a block of side `side` (m) with `leaves` leaves and a `bus_width`-bit bus.

    Wire length from the root to one leaf of an H-tree over a square of side s is about s (the segments
    halve at each level: s/2 + s/4 + ... for x and y); the total wire of the tree is about
    (s/2) * sqrt(leaves) per direction per level pair, approximated here as s * sqrt(leaves).
    Energy per bit carried = C_wire * L_root_to_leaf * Vdd^2 / 2 (half the bits toggle).
    """

    side: np.ndarray | float
    leaves: np.ndarray | float
    bus_width: int
    wire_capacitance: float
    wire_pitch: float
    vdd: float

    @property
    def total_wire(self):
        return np.asarray(self.side) * np.sqrt(self.leaves)

    @property
    def area(self):
        return self.total_wire * self.bus_width * self.wire_pitch

    @property
    def bit_energy(self):
        return 0.5 * self.wire_capacitance * np.asarray(self.side) * self.vdd**2
