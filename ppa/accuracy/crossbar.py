"""Crossbar matrix-vector multiply of a DW-MTJ synaptic array (Dhull et al. sec. III, V; Eqs. 2-6; Table II).

One layer's weight matrix (fan-in x fan-out) is cut into subarrays of `rows` rows (128 in the paper). For an input
vector the model does, all vectorised over batch, subarrays and columns (no Python loop over rows or columns):

1. DAC: inputs quantised with Eq. 2 to ``2^dac_bits`` levels on a calibrated range (unsigned for activations,
   signed for back-propagated errors); this is the activation quantisation of Table II step 6. With ``bit_serial=True`` the DAC codes are instead applied one bit plane
   at a time (1-bit pulses), and each plane's column result is digitised and shift-added (``Σ_j 2^j · ADC_j``).
2. Array: column currents ``I_c = Σ_r V_r (G_rc - G_parallel)`` (Eqs. 3-6) with the programmed (varied)
   conductances, in units of ``(Gmax - Gmin)/2`` so the numbers read as weights.
3. ADC: each subarray's column sums are quantised with Eq. 2 to ``2^adc_bits`` levels on ``[-r, r]``; one ADC is
   shared by several columns (8 in the paper), so one range serves all columns of a subarray. By default ``r`` is
   the subarray's full-scale current, rows used x DAC full scale x max |w| (a fixed-reference SAR ADC: what makes
   4 bits collapse as in Table VII); with ``adc_range="calibrated"`` it is the largest magnitude seen on a
   calibration batch (`Crossbar.calibrate`).
   The default ADC is sign-magnitude (codes -(2^(B-1)-1)..2^(B-1)-1, zero is a code); ``adc_code="mid_rise"``
   gives Eq. 2's 2^B levels with no zero (a sub-LSB column then reads ±half a step, which at 6 bits fed random
   large logits and trapped 2 of 8 40-epoch runs at chance).
   Read noise (device spec `variation.read_noise`) is added to the column sums of every MVM before the ADC,
   output-referred: exact in distribution for independent Gaussian noise per device.
4. Accumulation: subarray partial sums are added digitally (the paper's accumulation unit).

Conductances (the chip's fixed device-to-device draw plus each write's cycle-to-cycle draw) are computed once per
programming and stored as float32 tiles, so an MVM costs one batched matmul plus one in-place quantisation pass
(and one more matmul, (x²)(G²), for state-proportional read noise).
"""

from __future__ import annotations

import numpy as np

from ppa.accuracy.dw_synapse import (
    DwDeviceParams,
    draw_d2d,
    normalized_weights,
    program_conductances,
)


def adc_quantize_(currents: np.ndarray, r, bits: int | None) -> np.ndarray:
    """Eq. 2 in place on column currents: levels 2^B on [-r, r], r per subarray (broadcast), one vectorised pass."""
    if bits is None:
        return currents
    n = (1 << int(bits)) - 1
    r = np.asarray(r, dtype=currents.dtype)
    inv = n / (2 * r)
    np.clip(currents, -r, r, out=currents)
    currents += r
    currents *= inv
    np.rint(currents, out=currents)
    currents *= 1 / inv
    currents -= r
    return currents


def adc_sign_magnitude_(currents: np.ndarray, r, bits: int | None) -> np.ndarray:
    """A B-bit sign-magnitude ADC in place: codes -(2^(B-1) - 1) .. 2^(B-1) - 1 on [-r, r], so 0 is a code
    (mid-tread) and a column current below half a step reads exactly 0, not ±half a step."""
    if bits is None:
        return currents
    n = (1 << (int(bits) - 1)) - 1
    if n < 1:
        raise ValueError(f"a sign-magnitude ADC needs at least 2 bits, got {bits}")
    r = np.asarray(r, dtype=currents.dtype)
    np.clip(currents, -r, r, out=currents)
    currents *= n / r
    np.rint(currents, out=currents)
    currents *= r / n
    return currents


def dac_quantize(x: np.ndarray, x_range: float, bits: int, signed: bool) -> np.ndarray:
    """Eq. 2 on the DAC: 2^bits levels on [0, x_range] (activations) or [-x_range, x_range] (errors)."""
    n = (1 << int(bits)) - 1
    lo = -x_range if signed else 0.0
    d = np.float32((x_range - lo) / n)
    out = np.clip(x, lo, x_range).astype(np.float32, copy=True)
    out -= lo
    out *= 1 / d
    np.rint(out, out=out)
    out *= d
    out += lo
    return out


def _range_of(values: np.ndarray, axes) -> np.ndarray:
    r = np.abs(values).max(axis=axes, keepdims=True)
    return np.maximum(r, np.float32(1e-12))


class Crossbar:
    """A layer's weights on DW subarrays: program once (variation sampled), calibrate ADC/DAC ranges, then MVM."""

    def __init__(self, params: DwDeviceParams, in_features: int, out_features: int):
        self.params = params
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.rows = min(int(params.rows), self.in_features)
        self.n_tiles = -(-self.in_features // self.rows)
        self.col_block = min(int(params.rows), self.out_features)
        self.n_col_tiles = -(-self.out_features // self.col_block)
        self.states: np.ndarray | None = None
        self.conductances: np.ndarray | None = None
        self.x_range: float | None = None
        self.adc_range: np.ndarray | None = None
        self.d2d: np.ndarray | None = None     # this chip instance's fixed device-to-device draw
        self.rng: np.random.Generator | None = None
        self._sq_tiles = self._sq_tiles_t = None

    # ---- programming -------------------------------------------------------------------------------
    def program(self, states: np.ndarray, rng: np.random.Generator, conductances: np.ndarray | None = None,
                d2d: np.ndarray | None = None) -> None:
        """Write DW states (Table VIII): the chip's d2d draw is made at its first programming (or given, to
        re-use a chip instance) and kept; the c2c spread is sampled at every write (sec. V)."""
        states = np.asarray(states)
        assert states.shape == (self.in_features, self.out_features), states.shape
        self.rng = rng
        if d2d is not None:
            self.d2d = d2d
        elif self.d2d is None:
            self.d2d = draw_d2d(states.shape, self.params, rng)
        self.states = states.astype(np.int8)
        held = self.states
        if conductances is None and self.params.retention_escape > 0:  # SAND2022-13142 sec. 4: escapes to a neighbour
            esc = self.params.retention_escape
            hop = (rng.random(held.shape) < esc) * rng.choice(np.array([-1, 1], np.int8), held.shape)
            held = np.clip(held + hop, 0, self.params.n_states - 1).astype(np.int8)
        g = program_conductances(held, self.params, rng, self.d2d) if conductances is None else conductances
        self.set_conductances(g)

    def rewrite(self, mask: np.ndarray, new_states: np.ndarray, rng: np.random.Generator) -> None:
        """Write new states into the devices under `mask` (c2c drawn again there, d2d of this chip kept)."""
        g = self.conductances.copy()
        d2d = None if self.d2d is None else self.d2d[mask]
        g[mask] = program_conductances(new_states[mask], self.params, rng, d2d)
        self.states = new_states
        self.set_conductances(g)

    def set_conductances(self, g: np.ndarray) -> None:
        """Store actual conductances and precompute the float32 weight tiles the MVM uses."""
        self.conductances = g
        w = normalized_weights(g, self.params)
        pad = self.n_tiles * self.rows - self.in_features
        if pad:
            w = np.concatenate([w, np.zeros((pad, self.out_features), np.float32)])
        self.tiles = np.ascontiguousarray(w.reshape(self.n_tiles, self.rows, self.out_features))
        self._tiles_t = None
        self._sq_tiles = None
        self._sq_tiles_t = None

    @property
    def weights(self) -> np.ndarray:
        """The effective (normalised, varied) weight matrix the array stores, fan-in x fan-out."""
        return self.tiles.reshape(-1, self.out_features)[: self.in_features]

    def _transposed_tiles(self) -> np.ndarray:
        if self._tiles_t is None:
            cb, tc = self.col_block, self.n_col_tiles
            w = self.weights
            pad = tc * cb - self.out_features
            if pad:
                w = np.concatenate([w, np.zeros((self.in_features, pad), np.float32)], axis=1)
            # (tc, cb, fan_in): each column block of the array, driven from its columns, read out on its rows
            self._tiles_t = np.ascontiguousarray(w.reshape(self.in_features, tc, cb).transpose(1, 2, 0))
        return self._tiles_t

    # ---- forward -------------------------------------------------------------------------------------
    def _nominal(self) -> np.ndarray:
        """The programmed states' nominal weights (no variation, no escapes), fan-in x fan-out."""
        return self.params.nominal_weights.astype(np.float32)[self.states]

    def _currents(self, xq: np.ndarray, ideal: bool = False) -> np.ndarray:
        """Kirchhoff sums per subarray: (tiles, batch, columns), with this MVM's read noise when the device has it;
        `ideal`: through the nominal states, noiseless (the ADC range of a crossbar description's `range: ideal`)."""
        b = xq.shape[0]
        pad = self.n_tiles * self.rows - self.in_features
        if pad:
            xq = np.concatenate([xq, np.zeros((b, pad), np.float32)], axis=1)
        tiles = self.tiles
        if ideal:
            w = self._nominal()
            if pad:
                w = np.concatenate([w, np.zeros((pad, self.out_features), np.float32)])
            tiles = w.reshape(self.n_tiles, self.rows, self.out_features)
        if self.n_tiles == 1:
            xt = xq[None]
            cur = (xq @ tiles[0])[None]
        else:
            xt = xq.reshape(b, self.n_tiles, self.rows).transpose(1, 0, 2)
            cur = np.matmul(xt, tiles)
        if ideal:
            return cur
        if self.params.read_noise.sigma > 0:
            cur += self._read_noise(xt, self.tiles, "_sq_tiles")
        return cur

    def _read_noise(self, xt: np.ndarray, tiles: np.ndarray, cache: str) -> np.ndarray:
        """Read noise of one MVM, output-referred: per-device N(0, s_rc²) summed over rows is exactly
        N(0, Σ_r x_r² s_rc²); s = σ·G (relative to state: one more matmul, (x²)(G²)) or σ·G_max (Σ x²)."""
        noise = self.params.read_noise
        h = self.params.half_range
        if noise.relative_to == "g_max":
            s2 = np.float32((noise.sigma * self.params.conductances_S[-1] / h) ** 2)
            var = np.einsum("tbr,tbr->tb", xt, xt)[..., None] * s2
            var = np.broadcast_to(var, xt.shape[:2] + (tiles.shape[-1],))
        else:
            sq = getattr(self, cache)
            if sq is None:
                g = tiles + np.float32(self.params.g_parallel / h)   # G/h per device (padded rows carry no input)
                sq = np.ascontiguousarray((g * g) * np.float32(noise.sigma ** 2))
                setattr(self, cache, sq)
            var = np.matmul(xt * xt, sq)
        return np.sqrt(var, dtype=np.float32) * self.rng.standard_normal(var.shape, dtype=np.float32)

    def _planes(self, x: np.ndarray, x_range: float, signed: bool) -> tuple[np.ndarray, np.ndarray]:
        """Bit-serial inputs: stacked 0/1 planes (planes*batch, fan_in) and their shift-add weights (Table II)."""
        bits = self.params.dac_bits
        n = (1 << bits) - 1
        codes = np.rint(np.clip(np.abs(x) if signed else x, 0, x_range) * (n / x_range)).astype(np.int32)
        shifts = np.arange(bits, dtype=np.int32)
        planes = ((codes[None] >> shifts[:, None, None]) & 1).astype(np.float32)
        scale = (2.0 ** shifts * (x_range / n)).astype(np.float32)
        if signed:
            neg = (x < 0)[None]
            planes = np.concatenate([planes * ~neg, planes * neg])
            scale = np.concatenate([scale, -scale])
        return planes, scale

    def raw_currents(self, x: np.ndarray, x_range: float | None = None, signed: bool = False,
                     ideal: bool = False) -> np.ndarray:
        """DAC then array: per-subarray column sums before the ADC; bit-serial adds a leading plane axis."""
        x = np.asarray(x, dtype=np.float32)
        xr = float(x_range if x_range is not None else (self.x_range or _range_of(x, None).item()))
        if self.params.bit_serial:
            planes, _ = self._planes(x, xr, signed)
            p, b = planes.shape[:2]
            return self._currents(planes.reshape(p * b, -1), ideal).reshape(self.n_tiles, p, b, self.out_features)
        return self._currents(dac_quantize(x, xr, self.params.dac_bits, signed), ideal)

    def calibrate(self, x_cal: np.ndarray, signed: bool = False, momentum: float = 0.0) -> None:
        """Set the DAC full scale and each subarray's ADC range [-r, r] from a calibration batch (max magnitude).

        With `momentum` m > 0 (training) the ranges are running estimates, m·old + (1 - m)·new: one batch whose
        activations are all zero cannot collapse a range to nothing, which would block every later signal."""
        x_cal = np.asarray(x_cal, dtype=np.float32)
        old_x, old_adc = self.x_range, self.adc_range
        new_x = float(_range_of(x_cal, None).item())
        self.x_range = new_x if old_x is None or momentum == 0 else momentum * old_x + (1 - momentum) * new_x
        if self.params.adc_range == "full_scale":
            self.adc_range = self.full_scale(self.x_range, signed)
            return
        cur = self.raw_currents(x_cal, self.x_range, signed, ideal=self.params.adc_range == "ideal")
        axes = tuple(range(1, cur.ndim - 1))
        new_adc = self._block_max(cur, axes)
        self.adc_range = new_adc if old_adc is None or momentum == 0 else momentum * old_adc + (1 - momentum) * new_adc

    def full_scale(self, x_range: float, signed: bool = False) -> np.ndarray:
        """Fixed ADC reference: the largest column current a subarray can carry, rows_used · x_range · max|w| (per tile)."""
        used = np.minimum(self.rows, self.in_features - self.rows * np.arange(self.n_tiles))
        top = float(np.abs(self.params.nominal_weights).max())
        per_plane = 1.0 if self.params.bit_serial else x_range
        shape = (self.n_tiles,) + (1,) * (2 if self.params.bit_serial else 1) + (1,)
        return (used * per_plane * top).astype(np.float32).reshape(shape)

    def _adc(self, cur: np.ndarray, r, bits: int | None) -> np.ndarray:
        """The device's ADC code: sign-magnitude (with a zero code, default) or mid-rise (2^B levels, no zero)."""
        if self.params.adc_code == "mid_rise":
            return adc_quantize_(cur, r, bits)
        return adc_sign_magnitude_(cur, r, bits)

    def _block_max(self, cur: np.ndarray, axes) -> np.ndarray:
        """Max |current| per subarray (one range for its columns) or, with `adc_per_column`, per column."""
        return _range_of(cur, axes if self.params.adc_per_column else axes + (cur.ndim - 1,))

    def forward(self, x: np.ndarray, signed: bool = False, adc_bits: int | None | str = "params",
                reads: int = 1) -> np.ndarray:
        """y = Σ_subarrays ADC(DAC(x) · (G - G_parallel)) in weight units (Eqs. 2-6, Table II step 4).

        `reads` > 1 repeats the MVM (fresh read noise each time) and averages the digital results."""
        if reads > 1:
            return sum(self.forward(x, signed, adc_bits) for _ in range(int(reads))) / np.float32(reads)
        bits = self.params.adc_bits if adc_bits == "params" else adc_bits
        if self.x_range is None:
            self.calibrate(x, signed)
        x = np.asarray(x, dtype=np.float32)
        if self.params.bit_serial:
            planes, scale = self._planes(x, self.x_range, signed)
            p, b = planes.shape[:2]
            cur = self._currents(planes.reshape(p * b, -1)).reshape(self.n_tiles, p, b, self.out_features)
            self._adc(cur, self.adc_range, bits)
            return np.einsum("tpbc,p->bc", cur, scale, optimize=True)
        cur = self._currents(dac_quantize(x, self.x_range, self.params.dac_bits, signed))
        self._adc(cur, self.adc_range, bits)
        return cur[0] if self.n_tiles == 1 else cur.sum(axis=0)

    def backward(self, delta: np.ndarray, adc_bits: int | None | str = "params") -> np.ndarray:
        """Transposed MVM of errors through the same array (transposable synaptic array, sec. III): δ·Wᵀ.

        Errors are signed: a signed DAC with full scale max|δ| of the batch, and the ADC range of each column block
        set from the same batch (errors change scale during training, so they are not calibrated once)."""
        bits = self.params.adc_bits if adc_bits == "params" else adc_bits
        delta = np.asarray(delta, dtype=np.float32)
        b = delta.shape[0]
        xr = float(_range_of(delta, None).item())
        dq = dac_quantize(delta, xr, self.params.dac_bits, True)
        pad = self.n_col_tiles * self.col_block - self.out_features
        if pad:
            dq = np.concatenate([dq, np.zeros((b, pad), np.float32)], axis=1)
        dt = dq.reshape(b, self.n_col_tiles, self.col_block).transpose(1, 0, 2)
        cur = np.matmul(dt, self._transposed_tiles())
        if self.params.read_noise.sigma > 0:
            cur += self._read_noise(dt, self._transposed_tiles(), "_sq_tiles_t")
        if self.params.adc_range == "full_scale":
            used = np.minimum(self.col_block, self.out_features - self.col_block * np.arange(self.n_col_tiles))
            r = (used * xr * float(np.abs(self.params.nominal_weights).max())).astype(np.float32)[:, None, None]
        else:
            ref = cur
            if self.params.adc_range == "ideal":   # the nominal array's error currents, noiseless
                w = self._nominal()
                if pad:
                    w = np.concatenate([w, np.zeros((self.in_features, pad), np.float32)], axis=1)
                ref = np.matmul(dt, w.reshape(self.in_features, self.n_col_tiles, self.col_block).transpose(1, 2, 0))
            r = _range_of(ref, (1,) if self.params.adc_per_column else (1, 2))
        self._adc(cur, r, bits)
        return cur.sum(axis=0)


def program_crossbar(weights_normalized: np.ndarray, params: DwDeviceParams, rng: np.random.Generator) -> Crossbar:
    """Map weights in [-1, 1] to the nearest DW state (Eq. 2, n states) and program one crossbar with them."""
    from ppa.accuracy.quantize import uniform_quantize

    n = params.n_states
    states = np.rint((uniform_quantize(weights_normalized, -1.0, 1.0, n) + 1) * (n - 1) / 2).astype(np.int8)
    xb = Crossbar(params, *weights_normalized.shape)
    xb.program(states, rng)
    return xb
