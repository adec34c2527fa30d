"""Uncertainty and calibration metrics (SAND2022-13142 sec. 3.0.4-3.0.5, Eqs. 3.7-3.9, Fig. 3-7B).

Entropies are in nats. Probabilities come as (samples, N, classes); a deterministic network is one sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def entropy(p: np.ndarray, axis: int = -1) -> np.ndarray:
    """Information entropy H(p) = -sum_i p_i log p_i (sec. 3.0.4), with 0 log 0 = 0."""
    p = np.asarray(p, dtype=np.float64)
    return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=axis)


@dataclass(frozen=True)
class EntropySplit:
    """Per-input total, aleatoric and epistemic entropy (Eqs. 3.7-3.8)."""

    total: np.ndarray
    aleatoric: np.ndarray
    epistemic: np.ndarray


def decompose(probs: np.ndarray) -> EntropySplit:
    """Eqs. 3.7-3.8: H_total = H(E[p]), H_aleatoric = E[H(p)], H_epistemic = H_total - H_aleatoric (>= 0)."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 2:
        probs = probs[None]
    total = entropy(probs.mean(axis=0))
    aleatoric = entropy(probs).mean(axis=0)
    # Jensen: epistemic (the mutual information) is >= 0; only rounding can make it a hair negative
    epistemic = np.maximum(total - aleatoric, 0.0)
    return EntropySplit(total, total - epistemic, epistemic)


@dataclass(frozen=True)
class Reliability:
    """Reliability-diagram data for Eq. 3.9: per confidence bin, count, accuracy and mean confidence."""

    edges: np.ndarray
    count: np.ndarray
    accuracy: np.ndarray  # nan for empty bins
    confidence: np.ndarray  # nan for empty bins
    ece: float

    def records(self) -> list[dict]:
        """One dict per bin (for tables and JSON)."""
        return [
            {"bin_low": float(lo), "bin_high": float(hi), "count": int(n),
             "accuracy": None if np.isnan(a) else float(a), "confidence": None if np.isnan(c) else float(c)}
            for lo, hi, n, a, c in zip(self.edges[:-1], self.edges[1:], self.count, self.accuracy, self.confidence)
        ]


def reliability(probs: np.ndarray, labels: np.ndarray, n_bins: int = 10) -> Reliability:
    """Eq. 3.9: ECE = sum_m N_m/N |acc(x_m) - conf(x_m)| over equal-width confidence bins of E[p]'s max."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 3:
        probs = probs.mean(axis=0)
    labels = np.asarray(labels)
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # bins are (lo, hi]; a confidence of exactly 0 cannot occur (max of a probability vector >= 1/C)
    idx = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    count = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = np.bincount(idx, weights=correct, minlength=n_bins) / count
        mean_conf = np.bincount(idx, weights=conf, minlength=n_bins) / count
    n = len(labels)
    gaps = np.where(count > 0, np.abs(np.nan_to_num(acc) - np.nan_to_num(mean_conf)), 0.0)
    ece = float(np.sum(count / n * gaps)) if n else 0.0
    return Reliability(edges, count, acc, mean_conf, ece)


def ece(probs: np.ndarray, labels: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error, Eq. 3.9, as a fraction (the paper's Table 3-3 prints percent)."""
    return reliability(probs, labels, n_bins).ece


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
    """Top-1 accuracy of the mean prediction E[p] (sec. 3.0.4)."""
    probs = np.asarray(probs)
    if probs.ndim == 3:
        probs = probs.mean(axis=0)
    return float(np.mean(probs.argmax(axis=1) == np.asarray(labels)))


def interval_coverage(predictions: np.ndarray, y_true: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """Fig. 3-7B: fraction of targets inside the central alpha credible interval of the sampled predictions."""
    predictions = np.asarray(predictions, dtype=np.float64)  # (samples, N)
    y_true = np.asarray(y_true, dtype=np.float64)
    out = []
    for a in np.atleast_1d(alphas):
        lo, hi = np.quantile(predictions, [(1 - a) / 2, (1 + a) / 2], axis=0)
        out.append(float(np.mean((y_true >= lo) & (y_true <= hi))))
    return np.array(out)


def calibration_error_regression(predictions: np.ndarray, y_true: np.ndarray, alphas: np.ndarray) -> float:
    """Mean |coverage(alpha) - alpha| over the alphas: 0 for a perfectly calibrated regressor (Fig. 3-7B)."""
    alphas = np.atleast_1d(alphas)
    return float(np.mean(np.abs(interval_coverage(predictions, y_true, alphas) - alphas)))
