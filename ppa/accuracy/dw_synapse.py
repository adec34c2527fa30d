"""The notched domain-wall (DW) MTJ synapse of Dhull et al. (sec. II and V): 5 states, signed weights, variation, writes.

- Conductance states: Table VIII (defined once here, `TABLE_VIII_CONDUCTANCES_S`).
- Signed weights: a parallel conductance ``G_parallel = (Gmax + Gmin)/2`` driven by the negated input is
  subtracted (Eqs. 3-7), so a device at state s contributes ``G_s - G_parallel``. In the numeric model the weight
  is that signed conductance divided by ``(Gmax - Gmin)/2``, i.e. about -1, -0.5, 0, 0.5, 1 (the 5-level grid of
  Eq. 2 on [-1, 1]); the array computes with the *actual* (unevenly spaced, varied) conductances.
- Conductance variation: a relative sigma. The paper's Table IX Monte Carlo (process parameters) ends in a spread
  of each state's conductance (Fig. 6, Table X); we model that spread directly as
  ``G = G_state · (1 + variation · N(0, 1))`` (clipped at 0), sampled each time a device is programmed
  (written) and then fixed until the next write. ``G_parallel`` is a fixed reference and is not varied.
- Stochastic writes (Fig. 1d): one potentiating pulse moves the wall from notch i to notch j with probability
  ``P[i][j]`` (row-stochastic). A depressing pulse uses the mirrored matrix
  ``P_dep[i][j] = P[n-1-i][n-1-j]`` (the racetrack is symmetric under reversing the current).

Default write matrix (our choice, documented): Fig. 1d shows most walls pinned at the next notch with some
staying or overshooting, but its bars are not transcribed, so `DEFAULT_WRITE_TRANSITION` is an illustrative
matrix: from notch i, stay 10 %, next notch 80 %, overshoot by two 10 % (mass beyond the last notch stays on the
last notch). A spec that gives no matrix (``write_transition: null``) gets this default, so writes are stochastic
as in the paper unless the user asks otherwise; `ideal_write_transition(n)` (identity shifted by one) gives
deterministic writes when passed explicitly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from ppa.errors import PpaError

#: Table VIII, column 3: conductance of the 5 notch positions (60, 140, 220, 300, 380 nm), in siemens.
TABLE_VIII_CONDUCTANCES_S: tuple[float, ...] = (3.3e-5, 7.8e-5, 12.3e-5, 16.9e-5, 21.2e-5)
#: Table VIII, column 2: MTJ resistance of the same states, in ohms.
TABLE_VIII_RESISTANCES_OHM: tuple[float, ...] = (29.8e3, 12.7e3, 8.1e3, 5.9e3, 4.7e3)
#: Table VIII, column 1: DW position of the notches, in nm.
TABLE_VIII_POSITIONS_NM: tuple[float, ...] = (60.0, 140.0, 220.0, 300.0, 380.0)


def default_write_transition(n: int = 5, stay: float = 0.10, overshoot: float = 0.10) -> np.ndarray:
    """Fig. 1d stand-in: one pulse moves notch i -> i+1 with 1-stay-overshoot, stays with `stay`, i+2 with `overshoot`."""
    p = np.zeros((n, n))
    for i in range(n):
        p[i, i] += stay
        p[i, min(i + 1, n - 1)] += 1.0 - stay - overshoot
        p[i, min(i + 2, n - 1)] += overshoot
    return p


def ideal_write_transition(n: int = 5) -> np.ndarray:
    """Fig. 1c (no stochasticity): one pulse moves the wall exactly one notch; the last notch stays."""
    p = np.zeros((n, n))
    p[np.arange(n), np.minimum(np.arange(n) + 1, n - 1)] = 1.0
    return p


DEFAULT_WRITE_TRANSITION: tuple[tuple[float, ...], ...] = tuple(map(tuple, default_write_transition()))


def g_parallel(conductances) -> float:
    """Eqs. 3-6: G_parallel = (Gmax + Gmin) / 2."""
    g = np.asarray(conductances, dtype=float)
    return float((g.max() + g.min()) / 2)


def signed_conductances(conductances) -> np.ndarray:
    """Eq. 6: G_eq = -(Gmax + Gmin)/2 + G_synapse (Table VIII, last column)."""
    g = np.asarray(conductances, dtype=float)
    return g - g_parallel(g)


def equivalent_resistance(r_synapse, r_max: float, r_min: float):
    """Eq. 7: R_eq = 2 Rmax Rmin R / (2 Rmax Rmin - R Rmax - R Rmin) (the resistance form of Eq. 6)."""
    r = np.asarray(r_synapse, dtype=float)
    return 2 * r_max * r_min * r / (2 * r_max * r_min - r * r_max - r * r_min)


def synapse_conductance(mz, g_max: float, g_min: float):
    """Eq. 1: G_synapse = (Gmax + Gmin)/2 + (Gmax - Gmin)/2 · <m_z>."""
    return (g_max + g_min) / 2 + (g_max - g_min) / 2 * np.asarray(mz, dtype=float)


def _check_transition(p: np.ndarray, n: int, field: str) -> np.ndarray:
    if p.shape != (n, n):
        raise PpaError(f"expected a {n}x{n} matrix (one row per DW state), got shape {p.shape}", field=field)
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise PpaError("every row must hold probabilities >= 0 that sum to 1 (row = state before the pulse)", field=field)
    return p / p.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class DwDeviceParams:
    """Device and periphery numbers the accuracy model needs (Table VIII states, variation, Fig. 1d, ADC/DAC bits)."""

    conductances_S: tuple[float, ...] = TABLE_VIII_CONDUCTANCES_S  # one per notch, ascending (Table VIII)
    variation: float = 0.0            # relative sigma of each state's conductance, per programming (Table X)
    write_transition: tuple[tuple[float, ...], ...] | None = None  # P[from][to], one pulse; None: the default
    adc_bits: int | None = 8          # column ADC precision (Table VII); None: no ADC (unquantised array)
    dac_bits: int = 8                 # input DAC levels 2^bits, or the number of bit planes when bit-serial
    rows: int = 128                   # rows per subarray (sec. IV: 128 x 128)
    bit_serial: bool = False          # inputs as 1-bit planes with shift-add instead of a multi-bit DAC

    def __post_init__(self):
        g = tuple(float(x) for x in self.conductances_S)
        object.__setattr__(self, "conductances_S", g)
        if len(g) < 2 or any(b <= a for a, b in zip(g, g[1:])) or g[0] < 0:
            raise PpaError("need >= 2 conductance states, positive and strictly ascending (S)", field="device.conductances")
        if not (0 <= float(self.variation) < 5):
            raise PpaError(f"relative sigma must be in [0, 5), got {self.variation}", field="device.variation")
        if self.write_transition is not None:
            p = _check_transition(np.asarray(self.write_transition, dtype=float), len(g), "device.write_transition")
            object.__setattr__(self, "write_transition", tuple(map(tuple, p.tolist())))
        if self.adc_bits is not None and not (1 <= int(self.adc_bits) <= 24):
            raise PpaError(f"ADC bits must be 1..24 or None (no ADC), got {self.adc_bits}", field="subarray.adc_bits")
        if not (1 <= int(self.dac_bits) <= 24):
            raise PpaError(f"DAC bits must be 1..24, got {self.dac_bits}", field="subarray.dac_bits")
        if int(self.rows) < 1:
            raise PpaError(f"rows must be positive, got {self.rows}", field="subarray.rows")

    @property
    def n_states(self) -> int:
        """Number of DW notches (Table VIII: 5)."""
        return len(self.conductances_S)

    @property
    def g_parallel(self) -> float:
        """Eqs. 3-6: the parallel reference conductance."""
        return g_parallel(self.conductances_S)

    @property
    def half_range(self) -> float:
        """(Gmax - Gmin)/2: the signed conductance of weight 1 (normalises Eq. 6 to weights in [-1, 1])."""
        return (self.conductances_S[-1] - self.conductances_S[0]) / 2

    @property
    def nominal_weights(self) -> np.ndarray:
        """Eq. 6 divided by (Gmax - Gmin)/2: the weight each state stands for, about -1 .. 1."""
        return signed_conductances(self.conductances_S) / self.half_range

    @property
    def potentiation(self) -> np.ndarray:
        """Fig. 1d: P[from][to] for one potentiating pulse (the default matrix when none is given)."""
        if self.write_transition is None:
            return default_write_transition(self.n_states)
        return np.asarray(self.write_transition, dtype=float)

    @property
    def depression(self) -> np.ndarray:
        """Mirror of the potentiating matrix: P_dep[i][j] = P[n-1-i][n-1-j]."""
        return self.potentiation[::-1, ::-1].copy()

    def replace(self, **changes: Any) -> DwDeviceParams:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_chip(cls, chip: Any) -> DwDeviceParams:
        """Read the device/subarray numbers of a cost-side `Chip` (ppa.spec.load_chip), so one YAML is one design.

        Reads device.conductances/variation/write_transition, subarray.rows, the ADC bits from
        subarray.adc_bits or adc.bits, bit-serial inputs from subarray.input_encoding, DAC bits from
        precision.activation_bits (each optional except the conductances)."""
        device, sub = getattr(chip, "device", None), getattr(chip, "subarray", None)
        if device is None or getattr(device, "conductances", None) is None:
            kind = getattr(device, "kind", "?")
            raise PpaError(f"the DW accuracy model needs a device with conductance states (kind: dw_mtj), got {kind!r}",
                           file=getattr(chip, "_source_path", None), field="device")
        transition = getattr(device, "write_transition", None)
        adc = getattr(sub, "adc_bits", None)
        if adc is None and getattr(chip, "adc", None) is not None:
            adc = getattr(chip.adc, "bits", None)
        kwargs: dict[str, Any] = dict(
            conductances_S=tuple(float(g) for g in device.conductances),
            variation=float(getattr(device, "variation", 0.0) or 0.0),
            write_transition=None if transition is None else tuple(tuple(float(x) for x in row) for row in transition),
            rows=int(getattr(sub, "rows", 128) or 128),
        )
        if adc is not None:
            kwargs["adc_bits"] = int(adc)
        if getattr(sub, "input_encoding", None) is not None:
            kwargs["bit_serial"] = str(sub.input_encoding).replace("-", "_") == "bit_serial"
        dac = getattr(sub, "dac_bits", None) or getattr(getattr(chip, "precision", None), "activation_bits", None)
        if dac is not None:
            kwargs["dac_bits"] = int(dac)
        return cls(**kwargs)


def program_conductances(states: np.ndarray, params: DwDeviceParams, rng: np.random.Generator) -> np.ndarray:
    """Table VIII state -> conductance with a relative spread sampled once per programming (Table X's variation)."""
    g = np.asarray(params.conductances_S)[states]
    if params.variation > 0:
        g = g * (1.0 + params.variation * rng.standard_normal(g.shape))
        np.maximum(g, 0.0, out=g)
    return g


def normalized_weights(conductances: np.ndarray, params: DwDeviceParams) -> np.ndarray:
    """Eq. 6 normalised: (G - G_parallel) / ((Gmax - Gmin)/2), as float32 for the crossbar."""
    return ((conductances - params.g_parallel) / params.half_range).astype(np.float32)


def _one_pulse(states: np.ndarray, matrix: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fig. 1d: sample each wall's notch after one pulse from row P[state] (vectorised inverse-CDF draw)."""
    cdf = np.cumsum(matrix, axis=1)[states]
    u = rng.random(states.shape)[..., None]
    return np.minimum((u >= cdf).sum(axis=-1), matrix.shape[0] - 1).astype(states.dtype)


def apply_pulses(states: np.ndarray, pulses: np.ndarray, params: DwDeviceParams, rng: np.random.Generator) -> np.ndarray:
    """Fig. 1d: give each device |pulses| potentiating (pulses > 0) or depressing (< 0) pulses, each one stochastic."""
    states = np.asarray(states).copy()
    pulses = np.asarray(pulses)
    pot, dep = params.potentiation, params.depression
    for k in range(int(np.abs(pulses).max(initial=0))):
        up = pulses > k
        down = pulses < -k
        if up.any():
            states[up] = _one_pulse(states[up], pot, rng)
        if down.any():
            states[down] = _one_pulse(states[down], dep, rng)
    return states


def write_states(current: np.ndarray, target: np.ndarray, params: DwDeviceParams, rng: np.random.Generator,
                 verify_rounds: int = 0) -> np.ndarray:
    """Move each wall from `current` to `target` by |target - current| pulses (Fig. 1d), then optionally
    read-verify and correct up to `verify_rounds` times."""
    states = apply_pulses(current, np.asarray(target) - np.asarray(current), params, rng)
    for _ in range(verify_rounds):
        diff = np.asarray(target) - states
        if not diff.any():
            break
        states = apply_pulses(states, np.sign(diff), params, rng)
    return states
