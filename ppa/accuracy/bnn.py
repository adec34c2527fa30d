"""Variational Bayesian MLPs and iso-topology DNNs in numpy, and their inference on the spintronic cell.

Training (SAND2022-13142 sec. 1.0.1, 3.0.4, 3.0.5): every weight is N(mu, sigma), sigma = softplus(rho); the
loss is the data term (cross entropy, or the Gaussian NLL of Eq. 3.10 for regression) plus kl_weight x
KL(q || N(0, prior_sigma^2)) / N_train. Gradients use the local reparameterisation trick (a reparameterisation
of the pre-activations: exact for Gaussian weights and lower variance than sampling weights). Biases stay
deterministic, as in the paper (they are implemented digitally). Adam is written out by hand.

Inference:
- software BNN: one weight sample per Monte Carlo sample, shared across the whole test batch (the paper's
  TensorFlow Probability runs resample once per batch).
- spintronic BNN (sec. 3.0.2-3.0.3): mu on a DW-MTJ pair, linearly quantised to `mu_bits` (4 = 16 notches;
  8 = two bit-sliced pairs), DW read noise 0.335 % of each device's range; sigma on the Bayes-MTJ, clipped to
  its on/off range and quantised to 2**sigma_bits levels, noise drawn from Eq. 3.5 and scaled by Eq. 3.6;
  every matrix-vector multiplication (every input vector, every layer, every sample) draws fresh noise;
  optional ADC on the column outputs. The paper leaves the first layer without a Bayes-MTJ because its trained
  sigmas were ~0 there (Fig. 3-3C); here that follows the data: the first layer is deterministic only when the
  median of its sigma / max|mu| is below half an LSB of the mean (`small_sigma_threshold`, 1/30 at 4 bits).
  The Bayes-MTJ noise of an MVM is drawn output-referred by default: the sum over fan-in of independent
  Eq. 3.5 draws, h_j s_jk x_jk, has zero mean and exact variance std(Eq. 3.5)^2 (h^2)(s^2) and is drawn as one
  Gaussian per output (fan-ins of tens of terms make it Gaussian to a close approximation); `exact=True` draws
  every device's Eq. 3.5 sample instead.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from ppa.accuracy import bayes_mtj
from ppa.accuracy.bayes_mtj import BayesMtjParams

DEFAULT_PARAMS = BayesMtjParams()  # SAND2022-13142 device


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x), stable."""
    return np.logaddexp(0.0, x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function (derivative of softplus)."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, stable."""
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class Layer:
    """A dense layer: weight means mu (in, out), rho (sigma = softplus(rho); None for a DNN), bias (out,)."""

    mu: np.ndarray
    b: np.ndarray
    rho: np.ndarray | None = None

    @property
    def sigma(self) -> np.ndarray:
        return softplus(self.rho) if self.rho is not None else np.zeros_like(self.mu)


@dataclass
class Mlp:
    """A ReLU MLP; `bayesian` says whether weights are distributions; `task` is classification or regression."""

    layers: list[Layer]
    bayesian: bool
    task: str = "classification"
    history: list[float] = field(default_factory=list)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.layers[0].mu.shape[0],) + tuple(l.mu.shape[1] for l in self.layers)

    @property
    def n_parameters(self) -> int:
        return sum(l.mu.size * (2 if l.rho is not None else 1) + l.b.size for l in self.layers)


def init_mlp(sizes: tuple[int, ...], rng: np.random.Generator, bayesian: bool, task: str = "classification",
             rho_init: float = -5.0) -> Mlp:
    """He-initialised means; sigma starts at softplus(rho_init) (~7e-3) for a BNN (sec. 1.0.1 VI)."""
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        mu = rng.normal(0.0, math.sqrt(2.0 / n_in), (n_in, n_out))
        rho = np.full((n_in, n_out), rho_init) if bayesian else None
        layers.append(Layer(mu, np.zeros(n_out), rho))
    return Mlp(layers, bayesian, task)


def kl_gaussian(mu: np.ndarray, sigma: np.ndarray, prior_sigma: float) -> float:
    """KL(N(mu, sigma^2) || N(0, prior_sigma^2)) summed over weights (the VI regulariser, sec. 3.0.4)."""
    return float(np.sum(np.log(prior_sigma / sigma) + (sigma**2 + mu**2) / (2 * prior_sigma**2) - 0.5))


def gaussian_nll(y_pred: np.ndarray, y_true: np.ndarray, sigma0: float) -> np.ndarray:
    """Eq. 3.10 as printed: -log[exp(-(y_true - y_pred)^2 / sigma0^2) / (sigma0 sqrt(2 pi))] (no 1/2 in the exponent)."""
    return (y_true - y_pred) ** 2 / sigma0**2 + math.log(sigma0 * math.sqrt(2 * math.pi))


def _forward_train(net: Mlp, x: np.ndarray, rng: np.random.Generator):
    """Training forward pass with local reparameterisation; returns output and the cache for backprop."""
    cache = []
    h = x
    n = len(net.layers)
    for i, layer in enumerate(net.layers):
        m = h @ layer.mu + layer.b
        if layer.rho is not None:
            sig = layer.sigma
            s = np.sqrt((h * h) @ (sig * sig) + 1e-16)
            eps = rng.standard_normal(m.shape)
            a = m + s * eps
        else:
            sig = s = eps = None
            a = m
        cache.append((h, sig, s, eps, a))
        h = np.maximum(a, 0.0) if i < n - 1 else a
    return h, cache


def _backward(net: Mlp, cache, g: np.ndarray):
    """Backprop through the local-reparameterised layers; returns per-layer (d mu, d rho or None, d b)."""
    grads = []
    n = len(net.layers)
    for i in reversed(range(n)):
        layer = net.layers[i]
        h, sig, s, eps, a = cache[i]
        if i < n - 1:
            g = g * (a > 0)
        dmu = h.T @ g
        db = g.sum(axis=0)
        if layer.rho is not None:
            t = g * eps / s
            dsig = sig * ((h * h).T @ t)
            drho = dsig * sigmoid(layer.rho)
            dh = g @ layer.mu.T + h * (t @ (sig * sig).T)
        else:
            drho = None
            dh = g @ layer.mu.T
        grads.append((dmu, drho, db))
        g = dh
    return grads[::-1]


def train(net: Mlp, x: np.ndarray, y: np.ndarray, rng: np.random.Generator, *, epochs: int = 100,
          batch: int = 32, lr: float = 1e-3, kl_weight: float = 1.0, prior_sigma: float = 1.0,
          sigma0: float = 1.0) -> Mlp:
    """Mini-batch Adam on cross entropy (classification) or Eq. 3.10 (regression) + kl_weight KL / N (sec. 3.0.4)."""
    n = len(x)
    params = []
    for layer in net.layers:
        params += [layer.mu, layer.b] + ([layer.rho] if layer.rho is not None else [])
    m_state = [np.zeros_like(p) for p in params]
    v_state = [np.zeros_like(p) for p in params]
    b1, b2, step = 0.9, 0.999, 0
    kl_scale = kl_weight / n
    for _ in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            xb, yb = x[idx], y[idx]
            out, cache = _forward_train(net, xb, rng)
            if net.task == "classification":
                p = softmax(out)
                total += -np.log(p[np.arange(len(idx)), yb] + 1e-12).sum()
                g = p.copy()
                g[np.arange(len(idx)), yb] -= 1.0
                g /= len(idx)
            else:
                pred = out[:, 0]
                total += gaussian_nll(pred, yb, sigma0).sum()
                g = (2.0 * (pred - yb) / sigma0**2 / len(idx))[:, None]
            grads = _backward(net, cache, g)
            flat = []
            for layer, (dmu, drho, db) in zip(net.layers, grads):
                if layer.rho is not None:
                    sig = layer.sigma
                    dmu = dmu + kl_scale * layer.mu / prior_sigma**2
                    drho = drho + kl_scale * (-1.0 / sig + sig / prior_sigma**2) * sigmoid(layer.rho)
                flat += [dmu, db] + ([drho] if drho is not None else [])
            step += 1
            corr = math.sqrt(1 - b2**step) / (1 - b1**step)
            for p_, g_, m_, v_ in zip(params, flat, m_state, v_state):
                m_ *= b1
                m_ += (1 - b1) * g_
                v_ *= b2
                v_ += (1 - b2) * g_ * g_
                p_ -= lr * corr * m_ / (np.sqrt(v_) + 1e-8)
        net.history.append(total / n)
    return net


def _finish(net: Mlp, out: np.ndarray) -> np.ndarray:
    return softmax(out) if net.task == "classification" else out[..., 0]


def predict_deterministic(net: Mlp, x: np.ndarray) -> np.ndarray:
    """Forward pass with the weight means (the DNN, or a BNN's mean network): probabilities or predictions."""
    h = x
    for i, layer in enumerate(net.layers):
        h = h @ layer.mu + layer.b
        if i < len(net.layers) - 1:
            h = np.maximum(h, 0.0)
    return _finish(net, h)


def predict_software(net: Mlp, x: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Software BNN: `samples` weight draws, each shared by the whole batch; returns (samples, N, ...) outputs."""
    outs = []
    for _ in range(samples):
        h = x
        for i, layer in enumerate(net.layers):
            w = layer.mu + layer.sigma * rng.standard_normal(layer.mu.shape)
            h = h @ w + layer.b
            if i < len(net.layers) - 1:
                h = np.maximum(h, 0.0)
        outs.append(_finish(net, h))
    return np.stack(outs)


@dataclass
class HwLayer:
    """One layer as mapped onto probabilistic cells (sec. 3.0.3)."""

    mu_q: np.ndarray  # quantised mean, weight units
    read_var: np.ndarray  # DW read-noise variance per weight (both devices, all slices), weight units^2
    noise_scale: np.ndarray | None  # std_ratio * encoded sigma (multiplies an Eq. 3.5 draw); None = no Bayes-MTJ
    b: np.ndarray
    sigma_encoding: bayes_mtj.SigmaEncoding | None
    adc_range: float | np.ndarray | None = None  # per array, or per column (out,)
    noise_var: np.ndarray | None = None  # noise_scale^2 (float64), for the output-referred sampler


@dataclass
class HwNetwork:
    """A BNN mapped to DW-MTJ pairs + Bayes-MTJs, with its clipping statistics."""

    layers: list[HwLayer]
    task: str
    params: BayesMtjParams
    first_layer: dict = field(default_factory=dict)  # how the first layer's Bayes-MTJ was decided (see map_to_hardware)

    @property
    def sigma_clipped(self) -> int:
        return sum(l.sigma_encoding.clipped for l in self.layers if l.sigma_encoding is not None)

    @property
    def sigma_total(self) -> int:
        return sum(l.sigma_encoding.total for l in self.layers if l.sigma_encoding is not None)

    @property
    def sigma_clipped_fraction(self) -> float:
        return self.sigma_clipped / self.sigma_total if self.sigma_total else 0.0


def small_sigma_threshold(params: BayesMtjParams = DEFAULT_PARAMS) -> float:
    """Half an LSB of the mean, relative to max|mu| (1/30 at 4 bits): a smaller sigma hides in mu's quantisation (sec. 3.0.3)."""
    return 1.0 / (2 * (2**params.mu_bits - 1))


def first_layer_decision(net: Mlp, params: BayesMtjParams = DEFAULT_PARAMS,
                         deterministic: bool | None = None) -> dict:
    """Whether layer 1 gets Bayes-MTJs: by the caller, or by the data (median sigma / max|mu| vs the threshold)."""
    layer = net.layers[0]
    threshold = small_sigma_threshold(params)
    if layer.rho is None:
        return {"deterministic": True, "decided_by": "network has no sigmas", "threshold": threshold,
                "median_sigma_over_mu_max": 0.0}
    ratio = float(np.median(layer.sigma) / (np.max(np.abs(layer.mu)) or 1.0))
    if deterministic is None:
        return {"deterministic": ratio < threshold, "decided_by": "data", "threshold": threshold,
                "median_sigma_over_mu_max": ratio}
    return {"deterministic": bool(deterministic), "decided_by": "caller", "threshold": threshold,
            "median_sigma_over_mu_max": ratio}


def map_to_hardware(net: Mlp, params: BayesMtjParams = DEFAULT_PARAMS, *,
                    first_layer_deterministic: bool | None = None,
                    calibration_x: np.ndarray | None = None, rng: np.random.Generator | None = None) -> HwNetwork:
    """Sec. 3.0.3: per layer, mu -> DW pair (mu_max = max |mu|), sigma -> Bayes-MTJ range; ADC range from calibration.

    `first_layer_deterministic=None` decides by the data (`first_layer_decision`); True/False force it. `rng`
    draws the fixed DW programming error when the device has one (default: seed 0)."""
    decision = first_layer_decision(net, params, first_layer_deterministic)
    first_layer_deterministic = decision["deterministic"]
    if params.dw_program_error_fraction > 0 and rng is None:
        rng = np.random.default_rng(0)
    layers, targets = [], []
    for i, layer in enumerate(net.layers):
        mu_max = float(np.max(np.abs(layer.mu))) or 1.0
        mu_q, slices = bayes_mtj.quantize_mu(layer.mu, params, mu_max)
        targets.append(mu_q)
        # each device of a pair: read noise std = fraction x its full range ((notches-1) notches)
        read_var = np.zeros_like(mu_q)
        for _, per_notch in slices:
            dev_std = params.dw_read_noise_fraction * (params.notches - 1) * per_notch
            read_var += 2.0 * dev_std**2
            if params.dw_program_error_fraction > 0:  # G+ and G- each written with an independent fixed error
                err = params.dw_program_error_fraction * (params.notches - 1) * per_notch
                mu_q = mu_q + math.sqrt(2.0) * err * rng.standard_normal(mu_q.shape)
        if layer.rho is None or (first_layer_deterministic and i == 0):
            enc, scale = None, None
        else:
            enc = bayes_mtj.encode_sigma(layer.sigma, params)
            scale = (params.std_ratio * enc.sigma).astype(np.float32)
        layers.append(HwLayer(mu_q, read_var, scale, layer.b.copy(), enc,
                              noise_var=None if scale is None else (params.std_ratio * enc.sigma) ** 2))
    hw = HwNetwork(layers, net.task, params, decision)
    if params.adc_bits is not None:
        x = calibration_x
        if x is None:
            raise ValueError("an ADC needs calibration inputs to set its range")
        h = x
        for i, (hl, target) in enumerate(zip(hw.layers, targets)):
            z = h @ target  # the range is set on the ideal (error-free) column values
            if params.adc_per_column:
                top = np.max(np.abs(z), axis=0)
                hl.adc_range = np.where(top > 0, top, 1.0)
            else:
                hl.adc_range = float(np.max(np.abs(z))) or 1.0
            h = z + hl.b
            if i < len(hw.layers) - 1:
                h = np.maximum(h, 0.0)
    return hw


def adc(z: np.ndarray, bits: int, full_scale, style: str = "mid_rise") -> np.ndarray:
    """Signed uniform ADC over +-full_scale: mid-rise 2**bits levels, or sign-magnitude 2**bits - 1 with a zero."""
    if style == "sign_magnitude":
        top = 2 ** (bits - 1) - 1
        step = np.where(np.asarray(full_scale) > 0, full_scale, 1.0) / top
        return np.clip(np.rint(z / step), -top, top) * step
    half = 2 ** (bits - 1) - 0.5
    step = full_scale / half
    return np.clip(np.rint(z / step - 0.5) + 0.5, -half, half) * step


def _noisy_mvm(h: np.ndarray, hl: HwLayer, params: BayesMtjParams, rng: np.random.Generator,
               exact: bool = False, chunk_elems: int = 4_000_000) -> np.ndarray:
    """One probabilistic MVM per input row: mean + DW read noise + fresh Eq. 3.5 Bayes-MTJ noise (sec. 3.0.2)."""
    z = h @ hl.mu_q
    h2 = h * h
    # independent Gaussian read noise on every device sums to a Gaussian with variance sum_j h_j^2 var_j
    z += np.sqrt(h2 @ hl.read_var) * rng.standard_normal(z.shape)
    if hl.noise_scale is not None and not exact:
        # sum_j h_j s_jk x_jk over fan-in, x ~ Eq. 3.5: zero mean, variance std(Eq. 3.5)^2 sum_j h_j^2 s_jk^2
        z += params.shape_std * np.sqrt(h2 @ hl.noise_var) * rng.standard_normal(z.shape)
    elif hl.noise_scale is not None:
        n_in, n_out = hl.noise_scale.shape
        rows = max(1, chunk_elems // (n_in * n_out))
        h32 = h.astype(np.float32)
        for s in range(0, len(h), rows):
            hb = h32[s:s + rows]
            eps = bayes_mtj.sample((len(hb), n_in, n_out), rng, params, dtype=np.float32)
            eps *= hl.noise_scale
            z[s:s + rows] += np.matmul(hb[:, None, :], eps)[:, 0, :]
    if params.adc_bits is not None and hl.adc_range is not None:
        z = adc(z, params.adc_bits, hl.adc_range, params.adc_style)
    return z


def predict_spintronic(hw: HwNetwork, x: np.ndarray, samples: int, rng: np.random.Generator,
                       exact: bool = False) -> np.ndarray:
    """Spintronic BNN: `samples` passes, every MVM of every input resampling all device noise (sec. 3.0.2);
    `exact` draws each device's Eq. 3.5 sample instead of the output-referred sum."""
    outs = []
    for _ in range(samples):
        h = x
        for i, hl in enumerate(hw.layers):
            h = _noisy_mvm(h, hl, hw.params, rng, exact) + hl.b
            if i < len(hw.layers) - 1:
                h = np.maximum(h, 0.0)
        outs.append(softmax(h) if hw.task == "classification" else h[..., 0])
    return np.stack(outs)
