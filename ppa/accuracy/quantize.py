"""Quantisers of Dhull et al. (Eq. 2 and Table II steps 5-6), written exactly as the paper prints them.

- `uniform_quantize`  : Eq. 2, ``q = round((clip(x, a, b) - a) / Δ) · Δ + a`` with ``Δ = (b - a) / (n - 1)``.
- `clip_q`            : Table II step 5a, ``Q(n, B) = clip(σ(B) · round(n / σ(B)), -1 + σ(B), 1 - σ(B))``,
                        ``σ(B) = 2^(1-B)``.
- `stochastic_round`  : Table II step 5b. The paper writes the probabilities on ``|n|``
                        (``P(floor) = ceil(|n|) - |n|``, ``P(ceil) = |n| - floor(|n|)``); we round the magnitude
                        that way and restore the sign, which is the unbiased rounding ``E[SR(n)] = n`` for both signs.
- `sgd_update`        : Table II step 5, ``W_new = clip(SR-update(W_old, η, g), -1, 1)`` on a grid of spacing Δ.

Rounding to nearest is numpy's ``np.rint`` (half to even), so exact ties such as 0.5 go to the even level;
the paper does not say how ties break. Every function takes and returns numpy arrays (float32 stays float32).
"""

from __future__ import annotations

import numpy as np


def step(a: float, b: float, n: int) -> float:
    """Eq. 2 scaling factor Δ = (b - a) / (n - 1) for n levels on [a, b]."""
    if n < 2:
        raise ValueError(f"need at least 2 quantisation levels, got n={n}")
    if not b > a:
        raise ValueError(f"empty quantisation range [a={a}, b={b}]")
    return (b - a) / (n - 1)


def clip(x, a, b):
    """Table II step 6: clip(x, a, b) = min(max(x, a), b)."""
    return np.minimum(np.maximum(x, a), b)


def uniform_quantize(x, a: float, b: float, n: int):
    """Eq. 2: q = round((clip(x, a, b) - a) / Δ) · Δ + a, Δ = (b - a)/(n - 1) (round to nearest)."""
    d = step(a, b, n)
    x = np.asarray(x)
    return np.rint((clip(x, a, b) - a) / d) * d + a


def uniform_levels(a: float, b: float, n: int) -> np.ndarray:
    """The n output levels of Eq. 2 on [a, b]: a, a + Δ, ..., b."""
    return a + step(a, b, n) * np.arange(n)


def sigma(bits: int) -> float:
    """Table II step 5a: σ(B) = 2^(1-B), the resolution of a B-bit signed number in (-1, 1)."""
    if bits < 1:
        raise ValueError(f"B must be a positive integer, got {bits}")
    return 2.0 ** (1 - bits)


def clip_q(x, bits: int):
    """Table II step 5a: Q(n, B) = clip(σ(B)·round(n/σ(B)), -1 + σ(B), 1 - σ(B))."""
    s = sigma(bits)
    return clip(s * np.rint(np.asarray(x) / s), -1 + s, 1 - s)


def stochastic_round(x, rng: np.random.Generator):
    """Table II step 5b: round |n| down with P = ceil(|n|) - |n|, up with P = |n| - floor(|n|); keep the sign."""
    x = np.asarray(x)
    mag = np.abs(x)
    low = np.floor(mag)
    up = rng.random(x.shape) < (mag - low)
    return np.sign(x) * (low + up)


def stochastic_quantize(x, a: float, b: float, n: int, rng: np.random.Generator):
    """Eq. 2 with the round replaced by Table II's stochastic rounding (unbiased between the two nearest levels)."""
    d = step(a, b, n)
    return stochastic_round((clip(np.asarray(x), a, b) - a) / d, rng) * d + a


def sgd_update(w_old, lr: float, grad, rng: np.random.Generator, a: float = -1.0, b: float = 1.0, n: int = 5):
    """Table II step 5: W_new = clip(stochastic-round(W_old - η·∂L/∂W), -1, 1) on the n-level grid of Eq. 2."""
    return stochastic_quantize(np.asarray(w_old) - lr * np.asarray(grad), a, b, n, rng)
