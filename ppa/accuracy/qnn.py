"""Quantised neural networks on DW-MTJ crossbars, in numpy (Dhull et al. sec. III-V, Table II).

Two networks for 8x8 images (scikit-learn's digits, see `ppa.accuracy.datasets`: it ships inside the package,
so nothing downloads, and it is an image-classification task like the paper's CIFAR-10 at a size numpy trains in
seconds on 2 cores):

- `cnn()`: a VGG-spirit CNN, conv3x3(8) - ReLU - conv3x3(16) - ReLU - maxpool2 - FC(256 -> 10), convolutions
  as im2col matrix products (Table II step 1: kernels unrolled column-wise, one crossbar column per kernel).
- `mlp()`: 64 - 64 - 10 with ReLU.

Three ways to run them:

- float: plain float32 training (Adam) and inference, the "32-bit" baseline of Fig. 4;
- on-chip (`train_on_chip`): quantisation-aware training on the arrays (Table II steps 4-6). The forward MVM and
  the back-propagated errors go through the same crossbars (DAC, varied conductances, ADC; the transposable array
  of sec. III); the weight gradient is computed digitally in full precision (the weight-gradient unit), and the
  SGD update is stochastically rounded onto the 5-state grid (Table II step 5) and written with stochastic DW
  pulses (Fig. 1d). There are no hidden float weights: the DW states are the weights. Biases stay digital;
- off-chip (`transfer`): a float-trained network quantised with Eq. 2 (per-layer range chosen to minimise the
  quantisation error) and programmed onto the arrays with write-verify.

The loss is softmax cross-entropy (the paper writes ``L = ||T - Y||^2``; cross-entropy trains these small networks
more reliably and does not change what is being compared). Every random draw comes from one seeded
`np.random.default_rng`, so a run is reproducible.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass, field

import numpy as np

from ppa.accuracy.crossbar import Crossbar
from ppa.accuracy.dw_synapse import DwDeviceParams, write_states
from ppa.accuracy.quantize import sgd_update, uniform_quantize

F32 = np.float32


def one_blas_thread(fn):
    """Run `fn` with BLAS limited to one thread: these matmuls are small (at most 8192 x 72 x 16), and a second
    BLAS thread only spins; measured on 2 loaded cores, 12 on-chip epochs take 0.84 s CPU / 2.6 s wall on one
    thread against 4.0 s CPU / 9.4 s wall on two (threadpoolctl ships with scikit-learn; without it, no limit)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            from threadpoolctl import threadpool_limits
            limit = threadpool_limits(1, user_api="blas")
        except ImportError:  # pragma: no cover - scikit-learn brings threadpoolctl
            limit = contextlib.nullcontext()
        with limit:
            return fn(*args, **kwargs)
    return wrapper


# ---- layers ---------------------------------------------------------------------------------------------------

def im2col(x: np.ndarray, k: int = 3) -> np.ndarray:
    """Table II step 1: unroll k x k patches (same padding) of channels-last (n, H, W, C) into rows (n·H·W, k·k·C).

    Channels-last keeps every copy contiguous: k·k slice copies into one preallocated array, no transpose
    (measured 2-3x faster than a strided window view made contiguous; see benchmarks/bench_qnn.py)."""
    n, h, w, c = x.shape
    p = k // 2
    xp = np.zeros((n, h + 2 * p, w + 2 * p, c), x.dtype)
    xp[:, p:p + h, p:p + w] = x
    out = np.empty((n, h, w, k, k, c), x.dtype)
    for i in range(k):
        for j in range(k):
            out[:, :, :, i, j] = xp[:, i:i + h, j:j + w]
    return out.reshape(n * h * w, k * k * c)


def col2im(cols: np.ndarray, shape: tuple[int, int, int, int], k: int = 3) -> np.ndarray:
    """Adjoint of `im2col`: add each patch gradient back onto the (n, H, W, C) input (loop over k·k offsets only)."""
    n, h, w, c = shape
    p = k // 2
    d = cols.reshape(n, h, w, k, k, c)
    out = np.zeros((n, h + 2 * p, w + 2 * p, c), cols.dtype)
    for i in range(k):
        for j in range(k):
            out[:, i:i + h, j:j + w] += d[:, :, :, i, j]
    return out[:, p:p + h, p:p + w]


@dataclass
class Weights:
    """A weight layer (dense or conv-as-matmul): float matrix, or DW states on a crossbar with a digital scale α."""

    fan_in: int
    fan_out: int
    conv: bool = False
    w: np.ndarray | None = None          # float weights (fan_in, fan_out)
    b: np.ndarray | None = None          # digital bias
    xb: Crossbar | None = None           # DW crossbar (array mode)
    alpha: float = 1.0                   # digital scale: effective weight = α · normalised conductance
    cache: dict = field(default_factory=dict)
    grad_w: np.ndarray | None = None
    grad_b: np.ndarray | None = None
    momentum: float = 0.0                # running-estimate weight for range calibration (training)
    positions: int = 1                   # output positions sharing the bias (H·W for a conv), set by forward

    def matmul(self, x2: np.ndarray, calibrate: bool = False) -> np.ndarray:
        """Table II step 4: X·I (+ bias added by the caller) on the array or in float."""
        if self.xb is None:
            return x2 @ self.w
        if calibrate:
            self.xb.calibrate(x2, momentum=self.momentum)
        return self.alpha * self.xb.forward(x2)

    def matmul_t(self, d2: np.ndarray) -> np.ndarray:
        """Errors back through the same weights: δ·Wᵀ (transposable array when on DW)."""
        if self.xb is None:
            return d2 @ self.w.T
        return self.alpha * self.xb.backward(d2)

    def forward(self, x: np.ndarray, calibrate: bool = False) -> np.ndarray:
        """Table II steps 1-2 and 4: im2col (conv) or flat input, MVM, plus the digital bias."""
        if self.conv:
            n, h, w, _ = x.shape
            cols = im2col(x)
            self.cache = {"x2": cols, "shape": x.shape}
            self.positions = h * w
            y = self.matmul(cols, calibrate)
            y += self.b
            return y.reshape(n, h, w, self.fan_out)
        self.cache = {"x2": x}
        return self.matmul(x, calibrate) + self.b

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """Table II step 5: digital full-precision weight gradient Xᵀδ; errors to the previous layer through Wᵀ."""
        if self.conv:
            d2 = dy.reshape(-1, dy.shape[-1])
        else:
            d2 = dy
        x2 = self.cache["x2"]
        self.grad_w = x2.T @ d2
        self.grad_b = d2.sum(axis=0)
        if not need_dx:
            return None
        dx2 = self.matmul_t(d2)
        return col2im(dx2, self.cache["shape"]) if self.conv else dx2


class ReLU:
    """ReLU activation (the paper's digital activation unit, sec. IV)."""

    def forward(self, x, calibrate=False):
        """max(x, 0), remembering where x > 0."""
        self.mask = x > 0
        return np.maximum(x, 0, dtype=x.dtype)

    def backward(self, dy, need_dx=True):
        """Pass errors only where the input was positive."""
        return np.where(self.mask, dy, 0).astype(dy.dtype, copy=False)


class MaxPool2:
    """2x2 max pooling (the paper's pooling unit, sec. III; VGG-style), channels-last."""

    def forward(self, x, calibrate=False):
        """Max over each 2x2 window of (n, H, W, C)."""
        n, h, w, c = x.shape
        r = x.reshape(n, h // 2, 2, w // 2, 2, c)
        y = r.max(axis=(2, 4))
        self.mask = r == y[:, :, None, :, None]
        self.shape = x.shape
        return y

    def backward(self, dy, need_dx=True):
        """Route each error to the window's maximum."""
        d = np.where(self.mask, dy[:, :, None, :, None], 0).astype(dy.dtype, copy=False)
        return d.reshape(self.shape)


class ChannelsLast:
    """(n, C, H, W) images -> (n, H, W, C), the layout the conv layers compute in (contiguous im2col)."""

    def forward(self, x, calibrate=False):
        """Move channels last (a reshape for one channel)."""
        self.shape = x.shape
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1), dtype=F32)

    def backward(self, dy, need_dx=True):
        """Channels back to second."""
        return dy.transpose(0, 3, 1, 2)


class Flatten:
    """(n, H, W, C) -> (n, H·W·C) before the fully connected layer (Table II step 1 for FC layers)."""

    def forward(self, x, calibrate=False):
        """Flatten all but the batch axis."""
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy, need_dx=True):
        """Restore the input shape."""
        return dy.reshape(self.shape)


class Net:
    """A sequential network; weight layers are `Weights` (float or on DW crossbars)."""

    def __init__(self, layers: list, name: str):
        self.layers = layers
        self.name = name

    @property
    def weight_layers(self) -> list[Weights]:
        """The layers that hold weights (crossbars on DW)."""
        return [layer for layer in self.layers if isinstance(layer, Weights)]

    def forward(self, x: np.ndarray, calibrate: bool = False) -> np.ndarray:
        """Table II step 4: the feed-forward pass; logits out."""
        for layer in self.layers:
            x = layer.forward(x, calibrate)
        return x

    def backward(self, dlogits: np.ndarray) -> None:
        """Table II step 5: back-propagate the loss gradient, leaving grad_w/grad_b on every weight layer."""
        d = dlogits
        first = next(i for i, layer in enumerate(self.layers) if isinstance(layer, Weights))
        for i in range(len(self.layers) - 1, first - 1, -1):   # nothing below the first weight layer needs errors
            d = self.layers[i].backward(d, need_dx=i > first)

    def predict(self, x: np.ndarray, batch: int = 512, reads: int = 1) -> np.ndarray:
        """Class index per input (inference, all columns in parallel); `reads` > 1 averages the logits of
        that many passes (fresh read noise each), the digital way to average read noise away."""
        def logits(xb):
            return sum(self.forward(xb) for _ in range(reads)) if reads > 1 else self.forward(xb)
        return np.concatenate([logits(x[i:i + batch]).argmax(axis=1) for i in range(0, len(x), batch)])

    def accuracy(self, x: np.ndarray, y: np.ndarray, reads: int = 1) -> float:
        """Fraction of inputs classified correctly (Tables VII/X report this in %)."""
        return float(np.mean(self.predict(x, reads=reads) == y))

    def calibrate(self, x_cal: np.ndarray, momentum: float = 0.0) -> None:
        """Set every array's DAC/ADC ranges from a calibration batch, layer by layer (sec. III periphery);
        `momentum` > 0 keeps a running estimate (see `Crossbar.calibrate`)."""
        for layer in self.weight_layers:
            layer.momentum = momentum
        self.forward(x_cal, calibrate=True)


def _dense(fan_in, fan_out, rng, conv=False) -> Weights:
    """A float weight layer with He-normal initialisation."""
    w = (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(F32)
    return Weights(fan_in, fan_out, conv=conv, w=w, b=np.zeros(fan_out, F32))


def cnn(rng: np.random.Generator, channels: tuple[int, int] = (8, 16), classes: int = 10, size: int = 8) -> Net:
    """VGG-spirit CNN for (n, 1, 8, 8): conv3x3(8)-ReLU-conv3x3(16)-ReLU-maxpool2-FC(256->10)."""
    c1, c2 = channels
    feat = c2 * (size // 2) ** 2
    return Net([ChannelsLast(), _dense(9, c1, rng, True), ReLU(), _dense(9 * c1, c2, rng, True), ReLU(), MaxPool2(), Flatten(),
                _dense(feat, classes, rng)], "cnn")


def mlp(rng: np.random.Generator, hidden: int = 64, inputs: int = 64, classes: int = 10) -> Net:
    """MLP inputs-hidden-classes with ReLU (flattens images)."""
    return Net([Flatten(), _dense(inputs, hidden, rng), ReLU(), _dense(hidden, classes, rng)], "mlp")


def build(name: str, rng: np.random.Generator) -> Net:
    """Network by name: 'cnn' or 'mlp'."""
    if name == "cnn":
        return cnn(rng)
    if name == "mlp":
        return mlp(rng)
    raise ValueError(f"unknown network {name!r}; expected 'cnn' or 'mlp'")


def softmax_xent_grad(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and its gradient w.r.t. the logits (replaces Table II step 3's squared error)."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = float(-np.log(p[np.arange(n), y] + 1e-12).mean())
    p[np.arange(n), y] -= 1
    return loss, (p / n).astype(F32)


def _batches(n: int, batch: int, rng: np.random.Generator):
    order = rng.permutation(n)
    for i in range(0, n, batch):
        yield order[i:i + batch]


# ---- float training ------------------------------------------------------------------------------------------

@one_blas_thread
def train_float(net: Net, x: np.ndarray, y: np.ndarray, rng: np.random.Generator, epochs: int = 20,
                batch: int = 128, lr: float = 1e-2) -> Net:
    """Float32 baseline training (Adam, off-chip): the '32-bit' network of Fig. 4."""
    params = [(layer, name) for layer in net.weight_layers for name in ("w", "b")]
    m = [np.zeros_like(getattr(layer, n)) for layer, n in params]
    v = [np.zeros_like(getattr(layer, n)) for layer, n in params]
    t = 0
    b1, b2 = 0.9, 0.999
    for _ in range(epochs):
        for idx in _batches(len(x), batch, rng):
            _, g = softmax_xent_grad(net.forward(x[idx]), y[idx])
            net.backward(g)
            t += 1
            for k, (layer, n) in enumerate(params):
                grad = layer.grad_w if n == "w" else layer.grad_b
                m[k] = b1 * m[k] + (1 - b1) * grad
                v[k] = b2 * v[k] + (1 - b2) * grad * grad
                step = lr * (m[k] / (1 - b1**t)) / (np.sqrt(v[k] / (1 - b2**t)) + 1e-8)
                setattr(layer, n, (getattr(layer, n) - step).astype(F32))
    return net


# ---- DW arrays -----------------------------------------------------------------------------------------------

def _levels_to_states(levels: np.ndarray, n: int) -> np.ndarray:
    """Grid value in [-1, 1] (Eq. 2 with n levels) -> DW notch index 0..n-1."""
    return np.rint((levels + 1) * (n - 1) / 2).astype(np.int8)


def best_alpha(w: np.ndarray, n: int) -> float:
    """Per-layer range [-α, α] for Eq. 2 that minimises the squared quantisation error of w (searched)."""
    top = float(np.abs(w).max()) or 1.0
    cands = top * np.linspace(0.15, 1.0, 35)
    errs = [np.sum((w - a * uniform_quantize(w / a, -1, 1, n)) ** 2) for a in cands]
    return float(cands[int(np.argmin(errs))])


def transfer(net: Net, params: DwDeviceParams, rng: np.random.Generator, x_cal: np.ndarray,
             verify_rounds: int = 10) -> Net:
    """Off-chip training, then transfer: quantise each float layer with Eq. 2 and program it onto DW arrays.

    Writes start from the reset notch and use the stochastic pulses of Fig. 1d, followed by up to
    `verify_rounds` read-verify-correct rounds; conductance variation is sampled at this programming."""
    n = params.n_states
    layers = []
    for layer in net.layers:
        if isinstance(layer, Weights):
            a = best_alpha(layer.w, n)
            target = _levels_to_states(uniform_quantize(layer.w / a, -1, 1, n), n)
            states = write_states(np.zeros_like(target), target, params, rng, verify_rounds)
            xb = Crossbar(params, layer.fan_in, layer.fan_out)
            xb.program(states, rng)
            layers.append(Weights(layer.fan_in, layer.fan_out, layer.conv, None, layer.b.copy(), xb, a))
        else:
            layers.append(type(layer)())
    dw = Net(layers, net.name)
    dw.calibrate(x_cal)
    return dw


def reprogram(net: Net, params: DwDeviceParams, rng: np.random.Generator, x_cal: np.ndarray,
              same_chip: bool = False) -> Net:
    """The same DW states written again with `params` (new c2c draw, new ADC bits, read noise), calibrated: onto a
    fresh chip instance (new d2d draw), or with `same_chip` onto the chip they were trained on (its d2d kept)."""
    layers = []
    for layer in net.layers:
        if isinstance(layer, Weights):
            xb = Crossbar(params, layer.fan_in, layer.fan_out)
            xb.program(layer.xb.states, rng, d2d=layer.xb.d2d if same_chip else None)
            layers.append(Weights(layer.fan_in, layer.fan_out, layer.conv, None, layer.b.copy(), xb, layer.alpha))
        else:
            layers.append(type(layer)())
    dw = Net(layers, net.name)
    dw.calibrate(x_cal)
    return dw


def dw_network(name: str, params: DwDeviceParams, rng: np.random.Generator) -> Net:
    """A network whose weights start as random DW states (sec. III: 'initialized with random quantized states')."""
    net = build(name, rng)
    n = params.n_states
    for layer in net.weight_layers:
        states = rng.integers(0, n, (layer.fan_in, layer.fan_out)).astype(np.int8)
        layer.xb = Crossbar(params, layer.fan_in, layer.fan_out)
        layer.xb.program(states, rng)
        # He-scaled digital gain from one read of the programmed array: α = sqrt(2/fan_in) / rms(weights). Without
        # variation the rms is the grid's 0.71; a chip with a large d2d spread reads wider weights, and a gain
        # from the nominal grid started it with logits 2-4x too large (first-epoch loss 4 > ln 10, FC inputs dead)
        rms = float(np.sqrt(np.mean(layer.xb.weights.astype(np.float64) ** 2))) or 1.0
        layer.alpha = float(np.sqrt(2.0 / layer.fan_in) / rms)
        layer.w = None
    return net


def sr_update(layer: Weights, lr: float, rng: np.random.Generator) -> int:
    """Table II step 5 on the device: new state = SR(w - η·∂L/∂w) on the grid, written by stochastic pulses.

    `lr` is the float-equivalent rate; on the normalised weights it is η = lr/α². Returns the number of
    devices that were written (and so re-sampled their conductance)."""
    xb = layer.xb
    params = xb.params
    n = params.n_states
    grid = 2.0 / (n - 1)
    w = xb.states.astype(F32) * grid - 1.0                         # the state's nominal grid weight
    g = layer.alpha * layer.grad_w                                 # ∂L/∂w for the normalised weight
    target = _levels_to_states(sgd_update(w, lr / layer.alpha**2, g, rng, -1.0, 1.0, n), n)
    changed = target != xb.states
    if not changed.any():
        return 0
    new = xb.states.copy()
    new[changed] = write_states(xb.states[changed], target[changed], params, rng)
    written = new != xb.states
    xb.rewrite(written, new, rng)
    return int(written.sum())


@one_blas_thread
def train_on_chip(name: str, params: DwDeviceParams, x: np.ndarray, y: np.ndarray, rng: np.random.Generator,
                  epochs: int = 20, batch: int = 128, lr: float = 0.2, calib: int = 256, log: list | None = None,
                  init: Net | None = None) -> Net:
    """Quantisation-aware on-chip training (Table II steps 4-6) with the DW states as the only weights.

    Everything the chip does is in the loop: the forward MVM and the back-propagated errors go through DAC,
    this chip's conductances (its fixed device-to-device draw, each write's cycle-to-cycle draw, each read's
    noise) and the ADC; the weight gradient sees the ADC straight-through. Each epoch updates the DAC/ADC ranges
    as a running estimate on `calib` training images; the learning rate decays linearly to 10 %. Batches of 128
    (the paper uses 200) average the gradient noise that stochastic rounding would turn into random flips.

    Digital biases take the mean of their gradient over a convolution's output positions (not the sum): with the
    sum, a conv bias moved H·W times faster than an FC bias, grew without bound (conv1 biases reached 5 on inputs
    in [0, 1]), pushed the next layer's ranges up (181) until its outputs rounded to zero, and the network died at
    chance (issue 17: 4 of 18 `--full` runs). `log`, if given, gets (epoch, mean loss, fraction of FC inputs > 0).
    `init`: continue from a trained DW network's states, on its chip (fine-tuning with this device, e.g. its ADC)."""
    if init is not None:
        net = reprogram(init, params, rng, x[:calib], same_chip=True)
        for new, old in zip(net.weight_layers, init.weight_layers):
            new.b = old.b.copy()
    else:
        net = dw_network(name, params, rng)
    total = epochs * -(-len(x) // batch)
    step = 0
    for epoch in range(epochs):
        net.calibrate(x[rng.choice(len(x), min(calib, len(x)), replace=False)], momentum=0.5)
        losses = []
        for idx in _batches(len(x), batch, rng):
            eta = lr * (1 - 0.9 * step / total)
            loss, g = softmax_xent_grad(net.forward(x[idx]), y[idx])
            losses.append(loss)
            net.backward(g)
            for layer in net.weight_layers:
                sr_update(layer, eta, rng)
                layer.b -= F32(eta / layer.positions) * layer.grad_b
            step += 1
        if log is not None:
            fc_in = net.weight_layers[-1].cache["x2"]
            log.append((epoch, float(np.mean(losses)), float(np.mean(fc_in > 0))))
    net.calibrate(x[rng.choice(len(x), min(calib, len(x)), replace=False)], momentum=0.5)
    return net
