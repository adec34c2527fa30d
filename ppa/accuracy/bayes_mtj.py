"""Bayes-MTJ tunable noise source (SAND2022-13142 sec. 3.0.2-3.0.3, Eqs. 3.5-3.6).

The Bayes-MTJ's integrated-charge noise has a fixed, bounded, zero-symmetric shape whose width is set by the
VCMA voltage V_bi. Eq. 3.5 models the shape on (-1, 1), "up to a normalisation constant":

    P(x) = (pi/2) A sin(pi/2 (x+1)) + (1-A)/(B sqrt(2 pi)) exp(-(x/B)^2),  A = 0.9298, B = 0.0367.

Normalised exactly, this is a two-component mixture (the Gaussian part has variance B^2/2, and its tails
beyond |x| = 1 carry exp(-1/B^2) ~ 1e-323 of its mass, i.e. nothing in float64):

    raw masses: sine part 2A = 1.8596, Gaussian part (1-A)/sqrt(2) = 0.04964  (total 1.9092)
    weights:    sine 0.97400, Gaussian 0.02600    (not A and 1-A: the printed prefactors are not normalised)

The sine component's CDF is (1 + sin(pi x / 2))/2 with the closed-form inverse x = (2/pi) arcsin(2u - 1), so
sampling is exact and vectorised: one uniform per draw picks the component and (rescaled) inverts the sine
CDF; the ~2.6 % Gaussian draws come from the normal generator. No rejection loop.

Std of the normalised Eq. 3.5 is 0.42956, so 1/std = 2.3280, while the paper's Eq. 3.6 uses 2.379 (which
matches std = 0.4203). 2.379 is what one gets (2.382) if A is read as the sine component's *mixture weight*,
so the paper's constant most likely came from a differently normalised form (or from the LLG histogram).
We keep the literal Eq. 3.5 and the paper's 2.379, so the encoded noise std is 2.379 * 0.42956 = 1.0219 x
the requested sigma (+2.2 %); `BayesMtjParams.exact_std_ratio` gives the constant that makes it exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

SINE_MASS_FACTOR = 2.0  # integral of (pi/2) sin(pi/2 (x+1)) over (-1, 1)
GAUSS_MASS_FACTOR = 1.0 / math.sqrt(2.0)  # integral of exp(-(x/B)^2)/(B sqrt(2 pi)) over the real line
SINE_VARIANCE = 1.0 - 8.0 / math.pi**2  # variance of the normalised sine component (pi/4) cos(pi x / 2)


@dataclass(frozen=True)
class BayesMtjParams:
    """Device parameters of the probabilistic cell (SAND2022-13142 sec. 3.0.1-3.0.3, Tables 3-1/3-2)."""

    max_noise_conductance_S: float = 61.06e-6  # Eq. 3.6: max noise at V_bi = 0 (V_read 0.1 V, t_read 2 ns, Rp 2 kOhm)
    noise_on_off_ratio: float = 38.9  # sec. 3.0.2, Fig. 3-2D: max/min noise std over V_bi 0..5 V
    fit_a: float = 0.9298  # Eq. 3.5 fit parameter A
    fit_b: float = 0.0367  # Eq. 3.5 fit parameter B
    std_ratio: float = 2.379  # Eq. 3.6 constant (std of P(x) vs N(0,1))
    sigma_bits: int = 4  # sec. 3.0.3: sigma quantised nonlinearly to 4 bits of V_bi
    mu_bits: int = 4  # sec. 3.0.3: mu linear 4 bits (16 notches); 8 by bit slicing (sec. 3.0.4.1)
    dw_read_noise_fraction: float = 0.00335  # sec. 3.0.1: DW-MTJ read noise, fraction of conductance range
    notches: int = 16  # Table 3-2: notches per DW-MTJ
    adc_bits: int | None = None  # column ADC bits; None = ideal readout
    adc_style: str = "mid_rise"  # or "sign_magnitude" (a zero code); range calibrated on training inputs
    adc_per_column: bool = False  # one ADC range per column instead of per array
    dw_program_error_fraction: float = 0.0  # fixed programming error std of each DW device, fraction of its range

    def __post_init__(self) -> None:
        if self.adc_style not in ("mid_rise", "sign_magnitude"):
            raise ValueError(f"adc_style must be 'mid_rise' or 'sign_magnitude', got {self.adc_style!r}")
        if self.dw_program_error_fraction < 0 or self.dw_read_noise_fraction < 0:
            raise ValueError("DW read noise and programming error must be >= 0")
        if not 0.0 < self.fit_a <= 1.0 or self.fit_b <= 0.0:
            raise ValueError(f"Eq. 3.5 needs 0 < A <= 1 and B > 0, got A={self.fit_a}, B={self.fit_b}")
        if self.noise_on_off_ratio < 1.0:
            raise ValueError(f"noise on/off ratio must be >= 1, got {self.noise_on_off_ratio}")
        if self.notches < 2 or self.notches & (self.notches - 1):
            raise ValueError(f"notches must be a power of two >= 2, got {self.notches}")
        slice_bits = int(math.log2(self.notches))
        if self.mu_bits < 1 or self.mu_bits % slice_bits:
            raise ValueError(f"mu_bits={self.mu_bits} must be a multiple of log2(notches)={slice_bits} (bit slicing)")
        if self.sigma_bits < 1:
            raise ValueError(f"sigma_bits must be >= 1, got {self.sigma_bits}")

    @classmethod
    def from_chip(cls, chip: Any, **overrides: Any) -> BayesMtjParams:
        """Read the cost side's chip spec (chip.bayes_mtj, chip.dw_pair, chip.adc); missing fields keep defaults."""
        kw = cls.fields_from_chip(chip)
        kw.update(overrides)
        return cls(**kw)

    @staticmethod
    def fields_from_chip(chip: Any) -> dict[str, Any]:
        """The BayesMtjParams fields a chip spec provides (so a report can say which numbers came from it)."""
        kw: dict[str, Any] = {}
        # a chip spec holds them in its probabilistic device; a plain namespace may hold them at the top
        holder = chip.device if hasattr(getattr(chip, "device", None), "bayes_mtj") else chip
        bm = getattr(holder, "bayes_mtj", None)
        for attr, field in (
            ("max_noise_conductance", "max_noise_conductance_S"),
            ("noise_on_off_ratio", "noise_on_off_ratio"),
            ("noise_fit_a", "fit_a"),
            ("noise_fit_b", "fit_b"),
            ("std_ratio", "std_ratio"),
            ("sigma_bits", "sigma_bits"),
        ):
            value = getattr(bm, attr, None) if bm is not None else None
            if value is not None:
                kw[field] = _magnitude(value, "S" if field == "max_noise_conductance_S" else None)
        dw = getattr(holder, "dw_pair", None)
        if dw is not None:
            if getattr(dw, "notches", None) is not None:
                kw["notches"] = int(dw.notches)
            if getattr(dw, "read_noise_fraction", None) is not None:
                kw["dw_read_noise_fraction"] = float(_magnitude(dw.read_noise_fraction, None))
        adc = getattr(chip, "adc", None)
        if adc is not None and getattr(adc, "bits", None) is not None:
            kw["adc_bits"] = int(adc.bits)
        if "sigma_bits" in kw:
            kw["sigma_bits"] = int(kw["sigma_bits"])
        return kw

    @staticmethod
    def fields_from_crossbar(spec: Any) -> dict[str, Any]:
        """The DW-pair and ADC fields a crossbar description (ppa.spec.crossbar) gives the probabilistic cell (sec. 3.0.3).

        Raises CrossbarNotModelled naming the first field this cell model cannot honour (never ignores one)."""
        def refuse(field: str, why: str):
            raise CrossbarNotModelled(field, why)

        if spec.encoding == "offset":
            refuse("encoding", "the probabilistic cell holds mu on a DW pair: use balanced_pair or bit_sliced")
        levels = spec.levels
        if levels & (levels - 1):
            refuse("device.states", f"{levels} states: the DW pair needs a power-of-two number of notches")
        d = spec.device
        g_range = d.g_max - d.g_min
        kw: dict[str, Any] = {"notches": levels, "mu_bits": spec.weight_bits - 1}
        if (spec.weight_bits - 1) % int(math.log2(levels)):
            refuse("weight_bits", f"{spec.weight_bits - 1} magnitude bits are not whole slices of "
                                  f"{int(math.log2(levels))}-bit devices")
        v = spec.variation
        if v.read_noise.sigma > 0 and v.read_noise.relative_to != "g_max":
            refuse("variation.read_noise.relative_to", "the DW read noise is a fraction of the range: use g_max")
        kw["dw_read_noise_fraction"] = v.read_noise.sigma * d.g_max / g_range
        program = []
        for name in ("device_to_device", "cycle_to_cycle"):
            noise = getattr(v, name)
            if noise.sigma > 0 and noise.relative_to != "g_max":
                refuse(f"variation.{name}.relative_to", "the DW programming error is a fraction of the range: "
                                                        "use g_max")
            program.append(noise.sigma * d.g_max / g_range)
        kw["dw_program_error_fraction"] = math.hypot(*program)
        if v.drift.nu > 0 or v.drift.nu_spread > 0:
            refuse("variation.drift", "drift is not modelled on the probabilistic cell")
        if spec.wires.segment_resistance > 0:
            refuse("wires.segment_resistance", "IR drop is not modelled on the probabilistic cell")
        if spec.dac.bits is not None:
            refuse("dac.bits", "the probabilistic cell reads activations through an ideal DAC")
        if d.clip_to_range and kw["dw_program_error_fraction"] > 0:
            refuse("device.clip_to_range", "clipped programming error is not modelled on the probabilistic cell")
        if spec.adc.bits is not None:
            if spec.adc.range != "ideal":
                refuse("adc.range", "the BNN calibrates its ADC range on ideal values of the training inputs")
            kw.update(adc_bits=spec.adc.bits, adc_style=spec.adc.style, adc_per_column=spec.adc.per == "column")
        return kw

    def with_(self, **changes: Any) -> BayesMtjParams:
        """A copy with some fields changed (e.g. a swept on/off ratio)."""
        return replace(self, **changes)

    @property
    def mixture_weights(self) -> tuple[float, float]:
        """Normalised weights (sine, Gaussian) of Eq. 3.5 (see module docstring)."""
        s = SINE_MASS_FACTOR * self.fit_a
        g = GAUSS_MASS_FACTOR * (1.0 - self.fit_a)
        return s / (s + g), g / (s + g)

    @property
    def shape_std(self) -> float:
        """Analytical std of the normalised Eq. 3.5 distribution on (-1, 1)."""
        w_s, w_g = self.mixture_weights
        return math.sqrt(w_s * SINE_VARIANCE + w_g * self.fit_b**2 / 2.0)

    @property
    def exact_std_ratio(self) -> float:
        """The Eq. 3.6 constant that makes std(ratio * x) = 1 exactly for Eq. 3.5 (2.328 vs the paper's 2.379)."""
        return 1.0 / self.shape_std

    @property
    def min_noise_conductance_S(self) -> float:
        """Smallest encodable noise std (V_bi = 5 V): max / on-off ratio (sec. 3.0.2, Fig. 3-2D)."""
        return self.max_noise_conductance_S / self.noise_on_off_ratio


class CrossbarNotModelled(ValueError):
    """A crossbar-description field the probabilistic-cell model cannot honour (`field` is its dotted path)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _magnitude(value: Any, unit: str | None) -> float:
    """A plain float from a number or a pint quantity (converted to `unit` when given)."""
    if hasattr(value, "to") and hasattr(value, "magnitude"):
        return float(value.to(unit).magnitude if unit else value.magnitude)
    return float(value)


def pdf(x: np.ndarray, params: BayesMtjParams = BayesMtjParams()) -> np.ndarray:
    """Normalised Eq. 3.5 density on (-1, 1), zero outside."""
    x = np.asarray(x, dtype=np.float64)
    a, b = params.fit_a, params.fit_b
    raw = (np.pi / 2) * a * np.sin(np.pi / 2 * (x + 1)) + (1 - a) / (b * np.sqrt(2 * np.pi)) * np.exp(-((x / b) ** 2))
    z = SINE_MASS_FACTOR * a + GAUSS_MASS_FACTOR * (1 - a)
    return np.where(np.abs(x) < 1, raw / z, 0.0)


def cdf(x: np.ndarray, params: BayesMtjParams = BayesMtjParams()) -> np.ndarray:
    """Closed-form CDF of the normalised Eq. 3.5 distribution (sine part exact, Gaussian via erf)."""
    from math import erf

    x = np.clip(np.asarray(x, dtype=np.float64), -1.0, 1.0)
    w_s, w_g = params.mixture_weights
    sine = (1.0 - np.cos(np.pi / 2 * (x + 1))) / 2.0
    gauss = 0.5 * (1.0 + np.vectorize(erf)(x / params.fit_b))  # exp(-(x/B)^2) = N(0, B^2/2): erf(x/B)
    return w_s * sine + w_g * gauss


def sample(shape: int | tuple[int, ...], rng: np.random.Generator, params: BayesMtjParams = BayesMtjParams(),
           dtype: Any = np.float64) -> np.ndarray:
    """Exact vectorised draws from Eq. 3.5: one uniform picks the component and inverts the sine CDF exactly."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    w_s, w_g = params.mixture_weights
    x = rng.random(shape, dtype=np.float32 if dtype == np.float32 else np.float64)
    gauss = x < w_g
    # given u >= w_g, v = (u - w_g) / w_s is uniform on [0, 1); the sine component (pi/4) cos(pi x / 2) has
    # CDF (1 + sin(pi x / 2)) / 2, so x = (2/pi) arcsin(2 v - 1)
    x -= w_g
    x *= 2.0 / w_s
    x -= 1.0
    np.maximum(x, -1.0, out=x)  # only the Gaussian-component draws fall below -1; they are overwritten
    np.arcsin(x, out=x)
    x *= 2.0 / np.pi
    n_gauss = int(np.count_nonzero(gauss))
    if n_gauss:
        # exp(-(x/B)^2) is N(0, (B/sqrt 2)^2); its mass beyond |x| = 1 is ~1e-323, so the clip never acts
        x[gauss] = np.clip(rng.standard_normal(n_gauss) * (params.fit_b / np.sqrt(2.0)), -1.0, 1.0)
    return x


def conductance_noise(x: np.ndarray, sigma: np.ndarray, mu_max: float,
                      params: BayesMtjParams = BayesMtjParams()) -> np.ndarray:
    """Eq. 3.6: delta G = 61.06 uS * (sigma / mu_max) * 2.379 * x, in siemens."""
    return params.max_noise_conductance_S * (np.asarray(sigma) / mu_max) * params.std_ratio * np.asarray(x)


@dataclass(frozen=True)
class SigmaEncoding:
    """Sigmas as the Bayes-MTJ encodes them: clipped to its range and quantised to its V_bi levels."""

    sigma: np.ndarray  # encoded sigma, weight units
    levels: np.ndarray  # the 2**sigma_bits encodable sigmas, weight units (ascending)
    sigma_max: float  # top of the range (V_bi = 0), weight units
    clipped: int  # how many sigmas lay outside [sigma_max / ratio, sigma_max]
    total: int

    @property
    def clipped_fraction(self) -> float:
        return self.clipped / self.total if self.total else 0.0


def fit_sigma_range(sigma: np.ndarray, on_off_ratio: float) -> float:
    """Top of the encodable sigma window that holds the most sigmas (sec. 3.0.3: R_p,DW tuned to fit the sigmas)."""
    s = np.sort(np.log(np.asarray(sigma, dtype=np.float64).ravel()[np.asarray(sigma).ravel() > 0]))
    if s.size == 0:
        return 1.0
    width = math.log(on_off_ratio)
    # a window [top - width, top] with top at each sigma: count inside, keep the best (ties: the larger top)
    inside = np.arange(s.size) + 1 - np.searchsorted(s, s - width, side="left")
    best = np.flatnonzero(inside == inside.max())[-1]
    return float(np.exp(s[best]))


def encode_sigma(sigma: np.ndarray, params: BayesMtjParams = BayesMtjParams(),
                 sigma_max: float | None = None) -> SigmaEncoding:
    """Sec. 3.0.3: clip sigmas to [max/on-off, max], quantise to 2**sigma_bits levels geometric in noise std.

    The paper quantises V_bi (4 bits) and the noise std falls nonlinearly with V_bi (Fig. 3-2D); without that
    curve we space the 16 levels geometrically over the range (equal steps in log sigma).
    """
    sigma = np.asarray(sigma, dtype=np.float64)
    if sigma_max is None:
        sigma_max = fit_sigma_range(sigma, params.noise_on_off_ratio)
    lo = sigma_max / params.noise_on_off_ratio
    n_levels = 2 ** params.sigma_bits
    levels = np.geomspace(lo, sigma_max, n_levels) if n_levels > 1 else np.array([sigma_max])
    tol = 1e-12 * sigma_max
    clipped = int(np.count_nonzero((sigma < lo - tol) | (sigma > sigma_max + tol)))
    clipped_sigma = np.clip(sigma, lo, sigma_max)
    if n_levels > 1:
        step = math.log(params.noise_on_off_ratio) / (n_levels - 1)
        k = np.rint((np.log(clipped_sigma) - math.log(lo)) / step).astype(np.int64)
        encoded = levels[np.clip(k, 0, n_levels - 1)]
    else:
        encoded = np.full_like(sigma, sigma_max)
    return SigmaEncoding(encoded, levels, float(sigma_max), clipped, int(sigma.size))


def quantize_mu(mu: np.ndarray, params: BayesMtjParams = BayesMtjParams(),
                mu_max: float | None = None) -> tuple[np.ndarray, list[tuple[np.ndarray, float]]]:
    """Sec. 3.0.3 / 3.0.4.1: mu on DW-MTJ pairs, linear, mu_bits (4 = 16 notches; 8 = two bit-sliced pairs).

    Returns the quantised mu and the slices as (signed notch difference G+ - G- in notches, weight per notch),
    so that mu_q = sum(slice * weight). The sign comes from which device of the pair holds the DW offset.
    """
    mu = np.asarray(mu, dtype=np.float64)
    if mu_max is None:
        mu_max = float(np.max(np.abs(mu))) or 1.0
    slice_bits = int(math.log2(params.notches))
    n_slices = params.mu_bits // slice_bits
    top = 2**params.mu_bits - 1
    q = np.rint(np.clip(np.abs(mu) / mu_max, 0.0, 1.0) * top).astype(np.int64)
    sign = np.sign(mu)
    slices = []
    for i in reversed(range(n_slices)):
        base = 2 ** (slice_bits * i)
        digit = (q // base) % (2**slice_bits)
        slices.append((sign * digit, mu_max * base / top))
    mu_q = sign * q * mu_max / top
    return mu_q, slices
