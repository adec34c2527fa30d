"""The notched domain-wall (DW) MTJ synapse of Dhull et al. (sec. II and V): 5 states, signed weights, variation, writes.

- Conductance states: Table VIII (defined once here, `TABLE_VIII_CONDUCTANCES_S`).
- Signed weights: a parallel conductance ``G_parallel = (Gmax + Gmin)/2`` driven by the negated input is
  subtracted (Eqs. 3-7), so a device at state s contributes ``G_s - G_parallel``. In the numeric model the weight
  is that signed conductance divided by ``(Gmax - Gmin)/2``, i.e. about -1, -0.5, 0, 0.5, 1 (the 5-level grid of
  Eq. 2 on [-1, 1]); the array computes with the *actual* (unevenly spaced, varied) conductances.
- Conductance variation by mechanism (`ppa.spec.Variation`, one schema with the crossbar description):
  device-to-device (d2d), fixed at fabrication: one N(0, 1) draw per device and per chip instance, the same for
  all of that device's states (the process draw shifts the whole device: `table_ix_monte_carlo` shows the oxide
  thickness, through RA ~ exp(2κ t_ox), dominates and moves all states together), ``G = G_s (1 + σ ε_d)``
  (relative_to state) or ``G_s + σ G_max ε_d`` (relative_to g_max); cycle-to-cycle (c2c): drawn afresh at every
  write; read noise: drawn at every MVM (see `crossbar`). All clipped at 0. ``G_parallel`` is a fixed reference.
  The old scalar ``variation`` (and a bare number in a spec's ``device.variation``) keeps its old meaning: a
  relative sigma drawn at every programming, i.e. cycle-to-cycle.
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
from ppa.spec import Noise, Variation

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


#: How the column ADC's reference is set: from the data (max |current| of a calibration batch) or fixed at the
#: largest current the subarray can carry (rows · full-scale input · max |w|), as a fixed-reference SAR ADC.
ADC_RANGES = ("calibrated", "full_scale", "ideal")  # "ideal": max |current| of the nominal (unvaried, noiseless) array

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
    variation: float = 0.0            # legacy: relative sigma drawn at every write (= cycle-to-cycle, Table X)
    write_transition: tuple[tuple[float, ...], ...] | None = None  # P[from][to], one pulse; None: the default
    adc_bits: int | None = 8          # column ADC precision (Table VII); None: no ADC (unquantised array)
    dac_bits: int = 8                 # input DAC levels 2^bits, or the number of bit planes when bit-serial
    rows: int = 128                   # rows per subarray (sec. IV: 128 x 128)
    bit_serial: bool = False          # inputs as 1-bit planes with shift-add instead of a multi-bit DAC
    adc_range: str = "full_scale"     # ADC reference: "full_scale" (fixed, the subarray's largest current) or
    #                                   "calibrated" (max |current| of a calibration batch)
    adc_code: str = "sign_magnitude"  # "sign_magnitude" (zero is a code) or "mid_rise" (Eq. 2, 2^B levels)
    mechanisms: Any = None            # ppa.spec.Variation (or its dict): d2d, c2c, read noise; None: none
    d2d_model: str = "gaussian"       # "gaussian": mechanisms.device_to_device; "table_ix": process Monte Carlo
    adc_per_column: bool = False      # one ADC range per column instead of one per subarray (calibrated/ideal)
    retention_escape: float = 0.0     # probability a written wall escapes to a neighbouring notch before it is read
    #                                   (SAND2022-13142 sec. 4 Arrhenius, p = 1 - exp(-k t)); applied at each whole-array write

    def __post_init__(self):
        g = tuple(float(x) for x in self.conductances_S)
        object.__setattr__(self, "conductances_S", g)
        if len(g) < 2 or any(b <= a for a, b in zip(g, g[1:])) or g[0] < 0:
            raise PpaError("need >= 2 conductance states, positive and strictly ascending (S)", field="device.conductances")
        if not (0 <= float(self.variation) < 5):
            raise PpaError(f"relative sigma must be in [0, 5), got {self.variation}", field="device.variation")
        mech = self.mechanisms
        try:
            mech = Variation() if mech is None else mech if isinstance(mech, Variation) else Variation.model_validate(mech)
        except Exception as err:  # pydantic's message, on one line
            raise PpaError(f"bad variation mechanisms: {str(err).splitlines()[-1].strip()}", field="device.variation") from None
        if self.variation and mech.cycle_to_cycle.sigma:
            raise PpaError("give the cycle-to-cycle sigma once: either `variation` or `mechanisms.cycle_to_cycle`",
                           field="device.variation")
        if mech.drift.nu or mech.drift.nu_spread:
            raise PpaError("drift (G ~ t^-nu) is not a DW-MTJ mechanism; MTJ state loss is the Arrhenius retention "
                           "model (ppa.accuracy.retention)", field="device.variation.drift")
        object.__setattr__(self, "mechanisms", mech)
        if self.d2d_model not in ("gaussian", "table_ix"):
            raise PpaError(f"d2d_model must be 'gaussian' or 'table_ix', got {self.d2d_model!r}", field="device.d2d_model")
        if self.write_transition is not None:
            p = _check_transition(np.asarray(self.write_transition, dtype=float), len(g), "device.write_transition")
            object.__setattr__(self, "write_transition", tuple(map(tuple, p.tolist())))
        if self.adc_bits is not None and not (1 <= int(self.adc_bits) <= 24):
            raise PpaError(f"ADC bits must be 1..24 or None (no ADC), got {self.adc_bits}", field="subarray.adc_bits")
        if not (1 <= int(self.dac_bits) <= 24):
            raise PpaError(f"DAC bits must be 1..24, got {self.dac_bits}", field="subarray.dac_bits")
        if self.adc_range not in ADC_RANGES:
            raise PpaError(f"ADC range must be one of {', '.join(ADC_RANGES)}, got {self.adc_range!r}",
                           field="subarray.adc_range")
        if self.adc_code not in ("sign_magnitude", "mid_rise"):
            raise PpaError(f"ADC code must be 'sign_magnitude' or 'mid_rise', got {self.adc_code!r}",
                           field="subarray.adc_code")
        if self.adc_code == "sign_magnitude" and self.adc_bits is not None and int(self.adc_bits) < 2:
            raise PpaError("a sign-magnitude ADC needs at least 2 bits (1 sign bit + magnitude)",
                           field="subarray.adc_bits")
        if int(self.rows) < 1:
            raise PpaError(f"rows must be positive, got {self.rows}", field="subarray.rows")
        if not (0.0 <= float(self.retention_escape) <= 1.0):
            raise PpaError(f"escape probability must be in [0, 1], got {self.retention_escape}", field="device.retention")

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
    def device_to_device(self) -> Noise:
        """Spread fixed at fabrication, one draw per device per chip instance (Dhull Table IX -> Table X)."""
        return self.mechanisms.device_to_device

    @property
    def cycle_to_cycle(self) -> Noise:
        """Write-to-write spread, drawn at every programming (the legacy scalar `variation` is this, relative)."""
        return Noise(sigma=self.variation) if self.variation else self.mechanisms.cycle_to_cycle

    @property
    def read_noise(self) -> Noise:
        """Read noise, drawn at every MVM (output-referred, exact for Gaussian per-device noise)."""
        return self.mechanisms.read_noise

    def noise_scale(self, noise: Noise) -> np.ndarray | float:
        """Per-state sigma in siemens of one mechanism: σ·G_s (relative_to state) or σ·G_max (relative_to g_max)."""
        if noise.relative_to == "g_max":
            return noise.sigma * self.conductances_S[-1]
        return noise.sigma * np.asarray(self.conductances_S)

    def with_states(self, n: int) -> DwDeviceParams:
        """The same device with n states spread linearly between its Gmin and Gmax (Eq. 1 with n notches)."""
        if not 2 <= int(n) <= 64:
            raise PpaError(f"number of DW states must be 2..64, got {n}", field="device.conductances")
        g = np.linspace(self.conductances_S[0], self.conductances_S[-1], int(n))
        return self.replace(conductances_S=tuple(g), write_transition=None)

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

    @staticmethod
    def fields_from_crossbar(spec: Any) -> dict[str, Any]:
        """The QNN device fields a crossbar description (ppa.spec.crossbar) gives: states, variation, retention, ADC, DAC.

        The QNN array stores a signed weight as one device less a fixed G_parallel reference (Dhull Eq. 3), so only the
        offset encoding maps; raises CrossbarNotModelled naming the first field it cannot honour (never ignores one)."""
        from ppa.accuracy.bayes_mtj import CrossbarNotModelled
        from ppa.accuracy.retention import ArrheniusFit, survival_probability

        def refuse(field: str, why: str):
            raise CrossbarNotModelled(field, why)

        if spec.encoding != "offset":
            refuse("encoding", f"{spec.encoding}: the QNN array holds one device per weight against a G_parallel "
                               "reference column (Dhull Eq. 3); use encoding: offset")
        d = spec.device
        levels = spec.levels
        if d.states is not None:
            g = tuple(float(x) for x in d.states)
            if spec.weight_bits is not None and levels not in (2**spec.weight_bits - 1, 2**spec.weight_bits):
                refuse("weight_bits", f"the QNN uses every listed state ({levels}), not a {spec.weight_bits}-bit subset")
        else:
            if levels > 64:
                refuse("device.bits" if d.bits is not None else "weight_bits",
                       f"{levels} levels: the QNN's stochastic-pulse writes take at most 64 states per device")
            g = tuple(np.linspace(d.g_min, d.g_max, levels).tolist())
        kw: dict[str, Any] = {"conductances_S": g, "write_transition": None}
        v = spec.variation
        if v.drift.nu > 0 or v.drift.nu_spread > 0:
            refuse("variation.drift", "power-law drift is not a DW-MTJ mechanism; MTJ state loss is device.retention")
        kw["mechanisms"] = v
        kw["variation"] = 0.0
        if d.clip_to_range and (v.device_to_device.sigma > 0 or v.cycle_to_cycle.sigma > 0):
            refuse("device.clip_to_range", "the QNN clips programmed conductances at 0, not to [G_min, G_max]")
        if d.retention is not None and d.retention.time > 0:
            fit = ArrheniusFit(d.retention.activation_energy, d.retention.prefactor, label="crossbar spec")
            kw["retention_escape"] = 1.0 - float(survival_probability(d.retention.time, d.retention.temperature, fit))
        if spec.wires.segment_resistance > 0:
            refuse("wires.segment_resistance", "IR drop is not modelled in the QNN crossbar")
        if spec.dac.full_scale != 1.0:
            refuse("dac.full_scale", "the QNN sets its DAC full scale from a calibration batch of activations")
        kw["dac_bits"] = spec.dac.bits if spec.dac.bits is not None else 24   # ideal DAC: 24 bits = float32 mantissa
        kw["adc_bits"] = spec.adc.bits
        kw["adc_code"] = spec.adc.style
        kw["adc_range"] = "ideal" if spec.adc.range == "ideal" else "calibrated"
        kw["adc_per_column"] = spec.adc.per == "column"
        kw["bit_serial"] = False
        return kw

    @staticmethod
    def crossbar_fields_read(spec: Any) -> list[str]:
        """The dotted fields of a crossbar description that `fields_from_crossbar` carries into the QNN device."""
        d, v = spec.device, spec.variation
        out = ["encoding"] + (["device.states"] if d.states is not None else
                              ["device.r_min", "device.r_max"] + (["device.bits"] if d.bits is not None else []))
        out += ["weight_bits"] if spec.weight_bits is not None else []
        out += [f"variation.{m}" for m in ("device_to_device", "cycle_to_cycle", "read_noise")
                if getattr(v, m).sigma > 0]
        out += ["device.retention"] if d.retention is not None and d.retention.time > 0 else []
        out += ["adc.bits", "adc.style", "adc.range", "adc.per"] if spec.adc.bits is not None else []
        return out + ["dac.bits"]

    @classmethod
    def from_crossbar(cls, spec: Any, base: DwDeviceParams | None = None) -> DwDeviceParams:
        """A QNN device from a crossbar description (`load_crossbar`): `base` (default Table VIII) with the spec's fields."""
        return (base or cls()).replace(**cls.fields_from_crossbar(spec))

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
        var = getattr(device, "variation", 0.0)
        kwargs: dict[str, Any] = dict(
            conductances_S=tuple(float(g) for g in device.conductances),
            variation=0.0 if isinstance(var, Variation) else float(var or 0.0),
            mechanisms=var if isinstance(var, Variation) else None,
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


def _per_state(scale, states: np.ndarray):
    """A per-state sigma array indexed by the states (relative_to state), or a scalar (relative_to g_max)."""
    return np.asarray(scale)[states] if np.ndim(scale) else scale


def draw_d2d(shape, params: DwDeviceParams, rng: np.random.Generator) -> np.ndarray | None:
    """Device-to-device draw of one chip instance (Table IX): ε_d ~ N(0, 1) per device, or with
    ``d2d_model="table_ix"`` each device's own state conductances from `table_ix_monte_carlo` (shape + (states,));
    None when there is no d2d spread."""
    if params.d2d_model == "table_ix":
        n = int(np.prod(shape))
        return table_ix_monte_carlo(params, runs=max(n, 2), rng=rng)["conductances_S"][:n].reshape(
            *shape, params.n_states)
    if params.device_to_device.sigma == 0:
        return None
    return rng.standard_normal(shape).astype(np.float32)


def program_conductances(states: np.ndarray, params: DwDeviceParams, rng: np.random.Generator,
                         d2d: np.ndarray | None = None) -> np.ndarray:
    """Table VIII state -> conductance: the device's fixed d2d offset, then a c2c spread drawn at this write."""
    states = np.asarray(states)
    if d2d is not None and d2d.ndim == states.ndim + 1:   # per-device conductance tables (table_ix)
        g = np.take_along_axis(d2d, states[..., None].astype(np.intp), axis=-1)[..., 0]
    else:
        g = np.asarray(params.conductances_S)[states]
        if d2d is not None:
            g = g + _per_state(params.noise_scale(params.device_to_device), states) * d2d
    c2c = params.cycle_to_cycle
    if c2c.sigma > 0:
        g = g + _per_state(params.noise_scale(c2c), states) * rng.standard_normal(g.shape)
    if d2d is not None or c2c.sigma > 0:
        g = np.maximum(g, 0.0)
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


# ---- Table IX process variation -> conductance spread (Monte Carlo) ------------------------------------------

#: Dhull Table IX: process-parameter variations, read as relative 1-sigma (the paper gives "%" without saying).
TABLE_IX_SIGMAS: dict[str, float] = {"free_layer_thickness": 0.05, "oxide_thickness": 0.02, "tmr": 0.02,
                                     "transistor_width": 0.05, "transistor_length": 0.05}
_HBAR, _ME, _Q = 1.054571817e-34, 9.1093837e-31, 1.602176634e-19


@dataclass(frozen=True)
class MtjProcess:
    """Nominal geometry and materials of the DW-MTJ read path (Dhull sec. II; assumptions marked in each comment)."""

    oxide_thickness_m: float = 1.0e-9          # assumed MgO barrier (typical 1.0 nm; Dhull gives none)
    barrier_height_eV: float = 0.4             # assumed effective MgO barrier height (Simmons: RA ~ exp(2κt))
    racetrack_length_m: float = 520e-9         # Dhull sec. II: 520 nm x 60 nm x 1 nm racetrack
    racetrack_width_m: float = 60e-9
    free_layer_thickness_m: float = 1.0e-9     # Dhull sec. II: 1 nm Pt/Co/Ni free layer
    free_layer_resistivity: float = 2.5e-7     # assumed thin Co/Ni film, ohm m
    heavy_metal_thickness_m: float = 5e-9      # as hwspecs/dw_40nm.yaml (assumed Pt underlayer)
    heavy_metal_resistivity: float = 2.0e-7    # as hwspecs/dw_40nm.yaml (Pt, ohm m)
    transistor_k_prime: float = 300e-6         # assumed 40 nm NMOS mu_n Cox, A/V^2
    transistor_w_over_l: float = 4.0           # assumed read access transistor W/L
    transistor_overdrive_V: float = 0.7        # assumed V_GS - V_T of the read transistor (linear region)

    @property
    def kappa(self) -> float:
        """Decay constant of the tunnelling barrier, κ = sqrt(2 m φ)/ħ (1/m): RA ∝ exp(2 κ t_ox) (Simmons)."""
        return float(np.sqrt(2 * _ME * self.barrier_height_eV * _Q) / _HBAR)

    @property
    def transistor_on_resistance(self) -> float:
        """Linear-region R_on = 1 / (k' (W/L) V_ov) of the read access transistor (ohm)."""
        return 1.0 / (self.transistor_k_prime * self.transistor_w_over_l * self.transistor_overdrive_V)

    def lateral_resistance(self, free_layer_scale=1.0):
        """Read current's path along half the racetrack: heavy metal in parallel with the free layer (ohm)."""
        half = self.racetrack_length_m / 2
        r_hm = self.heavy_metal_resistivity * half / (self.racetrack_width_m * self.heavy_metal_thickness_m)
        r_fl = self.free_layer_resistivity * half / (self.racetrack_width_m * self.free_layer_thickness_m
                                                     * np.asarray(free_layer_scale))
        return 1.0 / (1.0 / r_hm + 1.0 / r_fl)


def table_ix_monte_carlo(params: DwDeviceParams | None = None, runs: int = 1000, rng: np.random.Generator | None = None,
                         process: MtjProcess | None = None, sigmas: dict[str, float] | None = None) -> dict[str, Any]:
    """Dhull Table IX -> Fig. 6: per-device process draws through the MTJ read path, giving each state's spread.

    Read path of one device: G_s = 1 / (1/G_mtj,s + R_transistor + R_lateral), with the MTJ a parallel-area
    (P) fraction f_s and an antiparallel remainder: G_mtj,s = (A/RA) [f_s + (1 - f_s)/(1 + TMR)],
    RA ∝ exp(2 κ t_ox). The nominal device reproduces the given conductances exactly: the end notches leave the
    MTJ fully antiparallel (f = 0) and fully parallel (f = 1), which sets the nominal TMR, and the middle states'
    f_s follow. Each run draws t_ox, TMR, free-layer thickness, transistor W and L with Table IX's relative
    sigmas. Returns the conductance samples (runs x states) and the relative sigma per state they imply."""
    params = params or DwDeviceParams()
    process = process or MtjProcess()
    sig = dict(TABLE_IX_SIGMAS, **(sigmas or {}))
    unknown = set(sig) - set(TABLE_IX_SIGMAS)
    if unknown:
        raise PpaError(f"unknown process parameter(s) {sorted(unknown)}; known: {sorted(TABLE_IX_SIGMAS)}",
                       field="sigmas")
    if runs < 2:
        raise PpaError(f"need at least 2 Monte Carlo runs, got {runs}", field="runs")
    rng = rng if rng is not None else np.random.default_rng(0)
    g0 = np.asarray(params.conductances_S)
    r_tr0, r_lat0 = process.transistor_on_resistance, float(process.lateral_resistance())
    r_mtj0 = 1.0 / g0 - r_tr0 - r_lat0
    if np.any(r_mtj0 <= 0):
        raise PpaError("the series transistor and racetrack resistance exceed a state's resistance; "
                       "lower them in MtjProcess", field="process")
    g_mtj0 = 1.0 / r_mtj0
    tmr0 = g_mtj0[-1] / g_mtj0[0] - 1.0
    g_ap = 1.0 / (1.0 + tmr0)
    f = (g_mtj0 / g_mtj0[-1] - g_ap) / (1.0 - g_ap)          # parallel fraction per state, 0 .. 1

    d = {k: rng.standard_normal(runs) * v for k, v in sig.items()}
    t_ox = process.oxide_thickness_m * (1 + d["oxide_thickness"])
    ra_scale = np.exp(2 * process.kappa * (t_ox - process.oxide_thickness_m))
    tmr = tmr0 * (1 + d["tmr"])
    g_mtj = (g_mtj0[-1] / ra_scale)[:, None] * (f + (1 - f) / (1 + tmr)[:, None])
    r_tr = r_tr0 * (1 + d["transistor_length"]) / (1 + d["transistor_width"])
    r_lat = process.lateral_resistance(1 + d["free_layer_thickness"])
    g = 1.0 / (1.0 / g_mtj + (r_tr + r_lat)[:, None])
    return {
        "conductances_S": g,
        "sigma_per_state": (g.std(axis=0) / g0).tolist(),
        "mean_shift_per_state": (g.mean(axis=0) / g0 - 1).tolist(),
        "nominal_tmr": float(tmr0),
        "parallel_fraction": f.tolist(),
        "series_resistance_ohm": r_tr0 + r_lat0,
        "ra_sigma": float(np.std(np.log(ra_scale))),
        "runs": runs,
        "sigmas": sig,
    }
