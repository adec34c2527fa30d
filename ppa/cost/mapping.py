"""Mapping: the unrolling algorithm of Dhull Table II, counting actions per layer (never joules or metres).

A K x K x D x N kernel becomes K*K sub-matrices of D rows and N*cells_per_weight columns; when D is smaller
than a subarray's rows, several sub-matrices share one subarray (their outputs are summed anyway). An OFM of
W x W needs W*W steps (Table II step 2). Every count here is *per image*; the weight update, done once per
batch, is counted per image as (per-batch count) / batch size.

All geometry enters as numpy arrays so one call can count many design points at once (broadcasting):
pass arrays of shape (P, 1) for design parameters and the layer arrays broadcast along the last axis.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from ppa.workload.network import MVM_KINDS, Network


@dataclass(frozen=True)
class Geometry:
    """The design parameters the counts depend on (scalars or broadcastable arrays)."""

    rows: np.ndarray
    columns: np.ndarray
    columns_per_adc: np.ndarray
    cells_per_weight: np.ndarray
    reference_columns: np.ndarray
    input_cycles: np.ndarray          # 1 for analog (DAC) inputs, activation bits for bit-serial
    error_cycles: np.ndarray          # same for back-propagated errors
    activation_bits: np.ndarray
    error_bits: np.ndarray
    batch_size: np.ndarray
    update_fraction: np.ndarray
    # added: padding convention, off-chip traffic settings (defaults: the network's padding, no off-chip memory)
    neurosim_padding: np.ndarray | bool = False
    gradient_bits: np.ndarray | int = 8
    offchip: np.ndarray | bool = False           # an off-chip memory is attached
    store_activations: np.ndarray | bool = False   # training: layer inputs to DRAM and back
    gradient_writeback: np.ndarray | bool = False  # training: gradient words to DRAM and back once per batch
    weight_copy_bits: np.ndarray | int = 0      # training: master weight copy read + written once per batch
    t_columns_per_adc: np.ndarray | None = None  # rows per ADC on the transposed edge (None: columns_per_adc)

    @classmethod
    def from_chip(cls, chip) -> "Geometry":
        """Geometry of a validated Chip spec."""
        bit_serial = chip.subarray.input_encoding == "bit_serial"
        p = chip.precision
        return cls(
            rows=np.asarray(chip.subarray.rows),
            columns=np.asarray(chip.subarray.columns),
            columns_per_adc=np.asarray(chip.subarray.columns_per_adc),
            cells_per_weight=np.asarray(chip.device.weight_cells),
            reference_columns=np.asarray(chip.subarray.reference_columns),
            input_cycles=np.asarray(p.activation_bits if bit_serial else 1),
            error_cycles=np.asarray(p.error_bits if bit_serial else 1),
            activation_bits=np.asarray(p.activation_bits),
            error_bits=np.asarray(p.error_bits),
            batch_size=np.asarray(chip.training.batch_size),
            update_fraction=np.asarray(chip.training.update_fraction),
            neurosim_padding=np.asarray(_get(chip, "dataflow.padding", "network") == "neurosim"),
            gradient_bits=np.asarray(p.gradient_bits),
            offchip=np.asarray(_get(chip, "offchip.kind", "none") != "none"),
            store_activations=np.asarray(bool(_get(chip, "offchip.store_activations", False))),
            gradient_writeback=np.asarray(bool(_get(chip, "offchip.gradient_writeback", False))),
            weight_copy_bits=np.asarray(_get(chip, "offchip.weight_copy_bits", 0)),
            t_columns_per_adc=(None if _get(chip, "transposed_readout.columns_per_adc", None) is None
                               else np.asarray(chip.transposed_readout.columns_per_adc)),
        )


def _get(obj, dotted: str, default):
    """A nested attribute of a spec (or of the sweep's vectorised view), `default` where a section is absent."""
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return default
    return obj


@dataclass(frozen=True)
class LayerShapes:
    """The MVM layers of a network as arrays (one entry per conv/fc layer)."""

    names: tuple[str, ...]
    kernel: np.ndarray
    in_channels: np.ndarray
    out_channels: np.ndarray
    out_size: np.ndarray
    in_size: np.ndarray
    first: np.ndarray                 # True for the first MVM layer (no error back-propagation)
    passes: np.ndarray | float = 1.0  # forward passes per image: S samples for a stochastic BNN layer, else 1
    stochastic: np.ndarray | bool = False   # layers read with the Bayes-MTJ noise source (SAND2022-13142)
    stride: np.ndarray | None = None
    reach: np.ndarray | None = None   # kernel span dilation*(K-1)+1 (None: the kernel), for NeuroSim's padding convention
    activity: np.ndarray | float = 0.5   # input activity: share of input bits that are 1 / mean analog input level
    last: np.ndarray | None = None    # True for the last MVM layer (its output leaves the chip)
    groups: np.ndarray | None = None  # conv groups / attention heads (None: all 1); see grouped_equivalent
    dynamic: np.ndarray | None = None  # True for an activation operand written into arrays (dynamic_matmul: array)
    sparsity: np.ndarray | float = 0.0   # share of zero weights (priced only where the subarray skips zeros)

    @classmethod
    def from_network(cls, net: Network, samples: int | None = None, dynamic_in_arrays: bool = False,
                     activity: float | None = None, sparsity: float | None = None) -> "LayerShapes":
        """The layers of `net`; with `samples`, a BNN whose layers but the first are sampled `samples` times.

        The first layer stays deterministic, computed once and reused by every sample (SAND2022-13142 Sec. 3.0.3).
        With `dynamic_in_arrays` the activation-by-activation matmuls are mapped too (their operand written first).
        A layer on a sequence of T tokens enters as a map of side sqrt(T), so that W*W positions and
        in_size^2 inputs per channel are T, as the counting below expects.
        `activity` overrides every layer's input activity (CLI --activity; else the network's, else 0.5);
        `sparsity` every layer's share of zero weights (CLI --sparsity; else the network's, else 0)."""
        kinds = MVM_KINDS + (("matmul",) if dynamic_in_arrays else ())
        layers = [la for la in net.layers if la.kind in kinds]
        first = np.arange(len(layers)) == 0
        stochastic = ~first if samples is not None else np.zeros(len(layers), dtype=bool)
        side = lambda la, size: np.sqrt(la.tokens) if la.tokens else size   # noqa: E731
        default = getattr(net, "input_activity", None)
        default = 0.5 if default is None else default
        acts = [activity if activity is not None else (default if getattr(la, "input_activity", None) is None else la.input_activity)
                for la in layers]
        zero = getattr(net, "weight_sparsity", None)
        zero = 0.0 if zero is None else zero
        # an activation operand written into arrays (matmul) has no stationary weights to be sparse
        sparse = [0.0 if la.kind == "matmul" else sparsity if sparsity is not None
                  else (zero if getattr(la, "weight_sparsity", None) is None else la.weight_sparsity) for la in layers]
        return cls(
            names=tuple(la.name for la in layers),
            kernel=np.array([la.kernel for la in layers], dtype=np.float64),
            in_channels=np.array([la.in_channels for la in layers], dtype=np.float64),
            out_channels=np.array([la.out_channels for la in layers], dtype=np.float64),
            out_size=np.array([side(la, la.out_size) for la in layers], dtype=np.float64),
            in_size=np.array([side(la, la.in_size) for la in layers], dtype=np.float64),
            first=first,
            passes=np.where(stochastic, float(samples or 1), 1.0),
            stochastic=stochastic,
            stride=np.array([la.stride for la in layers], dtype=np.float64),
            reach=np.array([la.dilation * (la.kernel - 1) + 1 for la in layers], dtype=np.float64),
            activity=np.array(acts, dtype=np.float64),
            last=np.arange(len(layers)) == len(layers) - 1,
            groups=np.array([la.groups for la in layers], dtype=np.float64),
            dynamic=np.array([la.kind == "matmul" for la in layers], dtype=bool),
            sparsity=np.array(sparse, dtype=np.float64),
        )


@dataclass(frozen=True)
class Activity:
    """Action counts per MVM layer and image (arrays broadcast over design points x layers)."""

    # resources
    subarrays: np.ndarray             # subarrays holding the layer's weights
    row_groups: np.ndarray            # subarray rows of sub-matrices whose outputs must be summed
    weights: np.ndarray
    # forward pass (inference and training)
    fwd_steps: np.ndarray             # sequential array reads: W*W positions x input cycles (Table II step 2)
    fwd_cell_reads: np.ndarray        # synaptic cells read
    fwd_row_drives: np.ndarray        # row-driver (DAC) activations
    fwd_conversions: np.ndarray       # ADC conversions
    fwd_tree_adds: np.ndarray         # adder-tree additions joining row groups and weight-bit columns
    fwd_tree_depth: np.ndarray        # adder-tree levels on the critical path
    fwd_noise_reads: np.ndarray       # Bayes-MTJ noise-source reads (stochastic layers, the high mean slice only)
    rows_per_read: np.ndarray         # rows driven in one subarray read (rows sharing a DAC are set in turn)
    # backward error pass through the transposable arrays (training, not the first layer)
    bwd_steps: np.ndarray
    bwd_cell_reads: np.ndarray
    bwd_row_drives: np.ndarray
    bwd_conversions: np.ndarray
    bwd_tree_adds: np.ndarray
    bwd_tree_depth: np.ndarray
    # weight gradient (training)
    wg_macs: np.ndarray               # W*W*K*K*D*N multiply-accumulates of dL/dW = x^T . delta
    wg_data_bits: np.ndarray          # activation and error bits written to and read from gradient storage
    grad_accum_adds: np.ndarray       # per-weight gradient accumulation over the batch
    # weight update (training, per image = per batch / batch size)
    update_cell_writes: np.ndarray
    update_row_steps: np.ndarray      # row-by-row write steps per subarray (subarrays in parallel)
    # data movement
    buffer_bits: np.ndarray           # activations (and errors) read from and written to buffers
    htree_bits: np.ndarray            # bits carried over the PE/tile H-tree
    # data dependence and off-chip traffic (added; defaults keep older constructors valid)
    fwd_activity: np.ndarray | float = 0.5   # input activity of the forward pass (per layer)
    offchip_bits: np.ndarray | float = 0.0   # network input read and network output written (inference and training)
    train_offchip_bits: np.ndarray | float = 0.0   # training: stored activations, gradient and weight write-back
    fwd_adc_cycles: np.ndarray | None = None   # column groups each ADC converts per step (None: columns_per_adc)
    bwd_adc_cycles: np.ndarray | None = None   # the same on the transposed (row) edge
    # weight sparsity (priced only where the subarray skips zeros; defaults: dense)
    zero_weights: np.ndarray | float = 0.0       # share of the layer's weights that are zero
    fwd_zero_columns: np.ndarray | float = 0.0   # share of forward conversions whose column read holds only zeros
    bwd_zero_columns: np.ndarray | float = 0.0   # the same for the transposed read's rows

    def select(self, training: bool) -> "Activity":
        """Zero the training-only actions for an inference estimate."""
        if training:
            return self
        zero = {f.name: np.zeros_like(getattr(self, f.name)) for f in fields(self)
                if f.name.startswith(("bwd_", "wg_", "grad_", "update_", "train_"))}
        return Activity(**{**{f.name: getattr(self, f.name) for f in fields(self)}, **zero})


def _ceil_div(a, b):
    return np.ceil(np.asarray(a, dtype=np.float64) / b)


def count_actions(shapes: LayerShapes, g: Geometry) -> Activity:
    """Count every action of one image through the network on the hardware geometry (Dhull Table II)."""
    shapes, group_scale = grouped_equivalent(shapes, g)     # grouped/depthwise conv and per-head matmuls
    K2 = shapes.kernel**2
    D, N, W = shapes.in_channels, shapes.out_channels, shapes.out_size
    stride = shapes.stride if shapes.stride is not None else 1.0
    reach = shapes.reach if shapes.reach is not None else shapes.kernel
    # NeuroSim's convention ignores padding: OFM side (IFM - K) / stride + 1 (fc layers: 1 either way)
    W = np.where(g.neurosim_padding, np.floor((shapes.in_size - reach) / stride) + 1.0, W)
    P = W**2 * shapes.passes                              # OFM positions (of every sample), one step each
    cpw = g.cells_per_weight
    usable_cols = g.columns - g.reference_columns
    weights = K2 * D * N

    # forward: sub-matrices of D rows stacked into subarrays; columns hold N * cpw cells
    per_subarray = np.maximum(1.0, np.floor(g.rows / D))     # sub-matrices sharing one subarray
    row_blocks = _ceil_div(D, g.rows)
    row_groups = np.where(D < g.rows, _ceil_div(K2, per_subarray), K2 * row_blocks)
    col_blocks = _ceil_div(N * cpw, usable_cols)
    subarrays = row_groups * col_blocks
    fwd_steps = P * g.input_cycles
    fwd_cell_reads = fwd_steps * weights * cpw
    fwd_row_drives = fwd_steps * K2 * D * col_blocks
    fwd_conversions = fwd_steps * row_groups * N * cpw
    fwd_tree_adds = P * N * (row_groups * cpw - 1)
    fwd_tree_depth = np.ceil(np.log2(np.maximum(row_groups * cpw, 1.0)))
    fwd_noise_reads = np.where(shapes.stochastic, fwd_steps * weights, 0.0)
    rows_per_read = np.minimum(g.rows, K2 * D / row_groups)

    # backward: the same arrays read transposed; errors (N of them) drive the columns, D outputs per
    # sub-matrix come out on the rows. Weight-bit columns are symmetric: each error enters cpw columns.
    train = ~shapes.first
    t_col_groups = _ceil_div(N * cpw, g.rows)             # transposed: column cells become rows
    bwd_steps = np.where(train, P * g.error_cycles, 0.0)
    bwd_cell_reads = bwd_steps * weights * cpw
    bwd_row_drives = bwd_steps * N * cpw * row_groups
    bwd_conversions = bwd_steps * K2 * D * t_col_groups
    bwd_tree_adds = np.where(train, P * K2 * D * (t_col_groups - 1), 0.0)
    bwd_tree_depth = np.where(train, np.ceil(np.log2(np.maximum(t_col_groups, 1.0))), 0.0)

    # an ADC shared by k columns converts only the columns in use: a narrow layer (fc2: 10 outputs) needs fewer
    # conversion cycles per step than the sharing factor (the busiest subarray of the layer sets the pace)
    adcs_fwd = np.ceil(g.columns / g.columns_per_adc)
    used_cols = np.minimum(N * cpw + g.reference_columns, g.columns)
    fwd_adc_cycles = np.minimum(g.columns_per_adc, np.ceil(used_cols / adcs_fwd))
    cpa_t = g.columns_per_adc if g.t_columns_per_adc is None else g.t_columns_per_adc
    used_rows = np.minimum(D * per_subarray, g.rows)
    bwd_adc_cycles = np.minimum(cpa_t, np.ceil(used_rows / np.ceil(g.rows / cpa_t)))

    # zero weights placed independently (unstructured sparsity s): a converted column of n cells holds only zeros
    # with probability s^n (forward: the rows of one read; backward: the error-driven columns per row group)
    s = np.asarray(shapes.sparsity, dtype=np.float64)
    all_zero = lambda n: np.where(s > 0.0, s ** np.maximum(n, 1.0), 0.0)   # noqa: E731
    fwd_zero_columns = all_zero(rows_per_read)
    bwd_zero_columns = np.where(train, all_zero(N * cpw / t_col_groups), 0.0)

    # weight gradient dL/dW = sum over positions of x_unrolled (K*K*D) outer delta (N)
    wg_macs = P * weights
    in_bits = shapes.in_size**2 * D * g.activation_bits * shapes.passes
    err_bits = P * N * g.error_bits
    wg_data_bits = in_bits * (1.0 + K2) + err_bits * 2.0   # write once, read once per kernel offset
    grad_accum_adds = weights

    # weight update once per batch: changed cells written row by row
    update_cell_writes = weights * cpw * g.update_fraction / g.batch_size
    update_row_steps = g.rows * np.minimum(1.0, g.update_fraction * weights) / g.batch_size

    out_bits = P * N * g.activation_bits
    buffer_bits = in_bits + out_bits + np.where(train, err_bits + in_bits, 0.0)
    htree_bits = in_bits * col_blocks + out_bits * row_groups

    # off-chip traffic per image: the network's input comes in and its output goes out; in training, each
    # layer's input is kept in DRAM for the backward pass (written, read back), and once per batch the
    # gradient words (and a master weight copy, if any) are written back and read again (added below, per
    # weight, once grouped layers are scaled)
    first = shapes.first
    last = shapes.last if shapes.last is not None else np.arange(np.shape(D)[-1]) == np.shape(D)[-1] - 1
    offchip_bits = np.where(g.offchip, np.where(first, in_bits, 0.0) + np.where(last, out_bits, 0.0), 0.0)
    stored_activations = np.where(g.offchip, 2.0 * in_bits * g.store_activations, 0.0)

    act = group_scale(Activity(
        subarrays=subarrays, row_groups=row_groups, weights=weights,
        fwd_steps=fwd_steps, fwd_cell_reads=fwd_cell_reads, fwd_row_drives=fwd_row_drives,
        fwd_conversions=fwd_conversions, fwd_tree_adds=fwd_tree_adds, fwd_tree_depth=fwd_tree_depth,
        fwd_noise_reads=fwd_noise_reads, rows_per_read=rows_per_read,
        bwd_steps=bwd_steps, bwd_cell_reads=bwd_cell_reads, bwd_row_drives=bwd_row_drives,
        bwd_conversions=bwd_conversions, bwd_tree_adds=bwd_tree_adds, bwd_tree_depth=bwd_tree_depth,
        wg_macs=wg_macs, wg_data_bits=wg_data_bits, grad_accum_adds=grad_accum_adds,
        update_cell_writes=update_cell_writes, update_row_steps=update_row_steps,
        buffer_bits=buffer_bits, htree_bits=htree_bits,
        fwd_activity=np.broadcast_to(shapes.activity, np.shape(D)) if np.ndim(shapes.activity) else shapes.activity,
        offchip_bits=offchip_bits, train_offchip_bits=stored_activations,
        fwd_adc_cycles=fwd_adc_cycles, bwd_adc_cycles=bwd_adc_cycles,
        zero_weights=np.broadcast_to(s, np.shape(D)) if np.ndim(s) else s,
        fwd_zero_columns=fwd_zero_columns, bwd_zero_columns=bwd_zero_columns,
    ))
    # an operand written into arrays (dynamic_matmul: array) has no weights to write back
    stationary = True if shapes.dynamic is None else ~shapes.dynamic
    write_back = np.where(g.offchip & stationary, 2.0 * act.weights * (g.gradient_bits * g.gradient_writeback
                                                                         + g.weight_copy_bits) / g.batch_size, 0.0)
    return replace(act, train_offchip_bits=act.train_offchip_bits + write_back)


# --- grouped convolution, attention heads, and activation operands written into arrays -------------------

_PER_STEP = ("fwd_steps", "bwd_steps", "fwd_tree_depth", "bwd_tree_depth", "row_groups", "update_row_steps", "rows_per_read",
             "fwd_adc_cycles", "bwd_adc_cycles", "fwd_activity", "zero_weights", "fwd_zero_columns",
             "bwd_zero_columns")    # per step, or intensive: copies run in parallel
_PER_WEIGHT = ("weights", "wg_macs", "grad_accum_adds", "update_cell_writes")


def grouped_equivalent(shapes: LayerShapes, g: Geometry):
    """Grouped conv (and per-head matmul) as parallel copies of a dense layer; returns (shapes, scale).

    Per-group mapping: the unrolled matrix of a G-group layer is block-diagonal (G blocks of K*K*D/G rows
    and N/G weight columns). As many groups as fit a subarray's rows and usable columns,
    s = min(floor(R / (K*K*D/G)), floor((C - ref) / (N/G * cells)), G), share one subarray on its diagonal:
    they are read in the same step, and the off-diagonal cells (holding zero) are read with them. Such a
    subarray is a dense K x K x (s*D/G) x (s*N/G) layer, counted by `count_actions` as any other; the
    G/s copies sit in separate subarrays and run in parallel: per-step counts (steps, tree depth) stay,
    subarrays scale by ceil(G/s), per-weight counts (gradients, updates) by G/s^2 (the copy's zeros are
    no weights), and every other action by G/s. A group too large for one subarray gets s = 1 (each group is
    its own dense layer), unless mapping the whole layer densely (s = G) takes fewer subarrays. With G = 1
    nothing changes. Broadcasts design points on leading axes."""
    if shapes.groups is None:
        return shapes, lambda activity: activity
    G = shapes.groups
    K2 = shapes.kernel**2
    rows_g = K2 * shapes.in_channels / G
    cols_g = shapes.out_channels / G * g.cells_per_weight
    fit = np.minimum(np.floor(g.rows / rows_g), np.floor((g.columns - g.reference_columns) / cols_g))
    packed = np.clip(fit, 1.0, G)
    # a group slightly too big for one subarray can waste more than mapping the whole layer densely (s = G,
    # zeros and all): take whichever needs fewer subarrays
    s = np.where(np.ceil(G / packed) * _dense_subarrays(shapes, g, packed) <= _dense_subarrays(shapes, g, G), packed, G)
    dense = replace(shapes, in_channels=s * shapes.in_channels / G, out_channels=s * shapes.out_channels / G)
    copies = G / s

    def scale(activity: Activity) -> Activity:
        out = {}
        for f in fields(activity):
            v = getattr(activity, f.name)
            if f.name in _PER_STEP:
                out[f.name] = v
            elif f.name == "subarrays":
                out[f.name] = v * np.ceil(copies)
            elif f.name in _PER_WEIGHT:
                out[f.name] = v * copies / s
            else:
                out[f.name] = v * copies
        return Activity(**out)

    return dense, scale


def _dense_subarrays(shapes: LayerShapes, g: Geometry, s):
    """Subarrays of one dense K x K x (s*D/G) x (s*N/G) copy, as `count_actions` stacks it."""
    K2 = shapes.kernel**2
    D = s * shapes.in_channels / shapes.groups
    N = s * shapes.out_channels / shapes.groups
    per_subarray = np.maximum(1.0, np.floor(g.rows / D))
    row_groups = np.where(D < g.rows, _ceil_div(K2, per_subarray), K2 * _ceil_div(D, g.rows))
    return row_groups * _ceil_div(N * g.cells_per_weight, g.columns - g.reference_columns)


@dataclass(frozen=True)
class OperandWrites:
    """Writing an activation operand (K^T, V) into arrays before an activation-by-activation product."""

    cell_writes: np.ndarray           # cells written per image (every cell of the operand, every image)
    row_steps: np.ndarray             # sequential row writes (the subarrays are written in parallel)
    bits: np.ndarray                  # operand bits read from the buffer to be written
    backward_macs: np.ndarray         # training: the two backward products (dA, dB), digital MACs


def operand_writes(shapes: LayerShapes, g: Geometry, activity: Activity) -> OperandWrites:
    """Counts for `dynamic_matmul: array`: the operand is new for every image, so all its cells are written.

    Cells: the layer's (block-diagonal) operand entries x cells per entry; rows are written one at a time in
    each subarray (as the weight update, Dhull Sec. III), the used rows min(R, D/G * s) of the densest copy."""
    dyn = np.zeros(len(shapes.names), bool) if shapes.dynamic is None else shapes.dynamic
    entries = np.where(dyn, activity.weights, 0.0)
    dense, _ = grouped_equivalent(shapes, g)
    rows_used = np.minimum(g.rows, dense.kernel**2 * dense.in_channels)
    return OperandWrites(cell_writes=entries * g.cells_per_weight,
                         row_steps=np.where(dyn, rows_used, 0.0),
                         bits=entries * g.activation_bits,
                         backward_macs=np.where(dyn, 2.0 * activity.wg_macs, 0.0))


def without_training_of_operands(activity: Activity, shapes: LayerShapes) -> Activity:
    """An operand written into arrays has no weights: no gradient storage, weight gradient, update or
    error pass through its arrays (the backward products of a dynamic matmul are priced digitally)."""
    if shapes.dynamic is None or not np.any(shapes.dynamic):
        return activity
    out = {}
    for f in fields(activity):
        v = getattr(activity, f.name)
        zero = f.name in ("weights",) or f.name.startswith(("bwd_", "wg_", "grad_", "update_"))
        out[f.name] = np.where(shapes.dynamic, 0.0, v) if zero else v
    return Activity(**out)


# --- layers of the digital vector unit and digital activation-by-activation products ----------------------

# Operations per input element, counted from I-BERT's integer-only kernels (Kim et al., ICML 2021):
# softmax = max compare + subtract (2) + i-exp (Alg. 2: scale by 1/ln2, floor, multiply-add, second-order
# polynomial of 2 adds and a multiply, shift: 7) + running sum (1) + normalise by the reciprocal sum (1);
# GELU = i-erf (sign, abs, clip, second-order polynomial, sign: 7) + add one + multiply by x + halve (3);
# layer norm = mean add, subtract, square, variance add, multiply by 1/sigma, scale, shift (7; the one
# integer square root per token, Alg. 4, is left out). A residual add is one add; BERT's embedding sums
# three tables (2 adds); ViT's position embedding is one add; a mean over tokens is one add per value.
OPS_PER_ELEMENT = {"softmax": 11, "gelu": 10, "layernorm": 7, "add": 1, "embedding": 2, "tokens": 1, "token_pool": 1}


def vector_ops(kind: str, op: str, elements):
    """Vector-unit operations of one layer of `kind` (network.VECTOR_KINDS) on `elements` input values."""
    if kind == "tokens" and op != "position":
        return np.zeros_like(np.asarray(elements, dtype=np.float64))
    if kind == "token_pool" and op == "first":     # picking the class token moves data, computes nothing
        return np.zeros_like(np.asarray(elements, dtype=np.float64))
    return OPS_PER_ELEMENT[kind] * np.asarray(elements, dtype=np.float64)


@dataclass(frozen=True)
class DigitalActivity:
    """Per-image counts of the layers that run digitally: vector ops, dynamic-product MACs, buffer traffic."""

    names: tuple[str, ...]
    index: tuple[int, ...]            # position of each layer in the network
    vector_ops: np.ndarray            # elementwise operations on the vector unit
    macs: np.ndarray                  # multiply-accumulates of activation-by-activation products (digital)
    buffer_bits: np.ndarray           # operands read from and results written to the buffers

    def select(self, training: bool) -> "DigitalActivity":
        """Training adds the backward pass: the same vector ops again, and two products per dynamic product
        (dA = dC.B^T and dB = A^T.dC), which run digitally whatever `dynamic_matmul` says."""
        if not training:
            return self
        return DigitalActivity(self.names, self.index, 2.0 * self.vector_ops, 3.0 * self.macs, 2.0 * self.buffer_bits)


def count_digital(net: Network, g: Geometry, dynamic_in_arrays: bool = False, samples: int | None = None) -> DigitalActivity:
    """Vector-unit layers (network.VECTOR_KINDS) and, unless written into arrays, the dynamic matmuls.

    With BNN `samples`, every layer after the first weight layer runs once per sample (as `LayerShapes` has it)."""
    from ppa.workload.network import VECTOR_KINDS

    picked = [(i, la) for i, la in enumerate(net.layers)
              if la.kind in VECTOR_KINDS or (la.kind == "matmul" and not dynamic_in_arrays)]
    first_mvm = next((i for i, la in enumerate(net.layers) if la.kind in MVM_KINDS), len(net.layers))
    passes = np.array([float(samples) if samples and i > first_mvm else 1.0 for i, _ in picked], dtype=np.float64)
    elements = np.array([la.elements for _, la in picked], dtype=np.float64)
    ops = np.array([float(vector_ops(la.kind, la.op, la.elements)) if la.kind in VECTOR_KINDS else 0.0
                    for _, la in picked], dtype=np.float64)
    macs = np.array([float(la.macs) if la.kind == "matmul" else 0.0 for _, la in picked], dtype=np.float64)
    # values moved: the input (both operands of an add or product) and the output
    other = np.array([_second_operand(la) for _, la in picked], dtype=np.float64)
    outs = np.array([float(la.outputs) for _, la in picked], dtype=np.float64)
    return DigitalActivity(tuple(la.name for _, la in picked), tuple(i for i, _ in picked), ops * passes, macs * passes,
                           (elements + other + outs) * g.activation_bits * passes)


def _second_operand(layer) -> float:
    """Values of the second operand: the skip tensor of an add, the other matrix (heads x Tb x n) of a matmul."""
    if layer.kind == "add":
        return float(layer.elements)
    if layer.kind == "matmul":     # one head's b is inner x (out/heads); inner = in/heads
        return float(layer.in_channels // layer.groups * layer.out_channels)
    return 0.0
